"""Label images to PDF: one label per page at the label's own size, or sheets of A4 or
Letter paper with as many labels as fit between the margins.

Written with fpdf2: one-bit images stay one-bit (CCITT G4 where Pillow has libtiff), each
stored once however many times it is printed, pages sized to the hundredth of a point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image

from backroom.labels.sizes import MM_PER_INCH, PAPER, LabelSize
from backroom.models.errors import Refused

if TYPE_CHECKING:
    from fpdf import FPDF

POINTS_PER_MM = 72 / MM_PER_INCH
SHEET_MARGIN_MM = 10.0
SHEET_GAP_MM = 3.0


@dataclass(frozen=True)
class Placement:
    """Where an image goes on a page: its index, and a box in mm from the top left."""

    image: int
    x_mm: float
    y_mm: float
    w_mm: float
    h_mm: float


@dataclass(frozen=True)
class Page:
    """A page's size and what is placed on it."""

    width_mm: float
    height_mm: float
    placements: tuple[Placement, ...]


def _true_size(image: Image.Image, size: LabelSize) -> tuple[float, float]:
    """The image's size in mm at its own resolution, so one dot stays one printer dot;
    stretched to the label when it has none."""
    dpi = image.info.get("dpi")
    if not dpi:
        return size.width_mm, size.height_mm
    return image.width * MM_PER_INCH / dpi[0], image.height * MM_PER_INCH / dpi[1]


def labels_pdf(images: list[Image.Image], size: LabelSize) -> bytes:
    """One label per page, each page the size of the label."""
    w, h = size.width_mm, size.height_mm
    pages = [
        Page(w, h, (Placement(i, 0, 0, *_true_size(image, size)),))
        for i, image in enumerate(images)
    ]
    return write_pdf(images, pages)


def sheet_grid(size: LabelSize, paper: str) -> tuple[int, int]:
    """How many labels of SIZE fit across and down a sheet of PAPER."""
    paper_w, paper_h = _paper(paper)
    usable_w = paper_w - 2 * SHEET_MARGIN_MM + SHEET_GAP_MM
    usable_h = paper_h - 2 * SHEET_MARGIN_MM + SHEET_GAP_MM
    cols = int(usable_w // (size.width_mm + SHEET_GAP_MM))
    rows = int(usable_h // (size.height_mm + SHEET_GAP_MM))
    if cols < 1 or rows < 1:
        raise Refused(
            f"A {size} mm label does not fit on {paper.upper()} paper with "
            f"{SHEET_MARGIN_MM:g} mm margins"
        )
    return cols, rows


def sheets_pdf(images: list[Image.Image], size: LabelSize, paper: str = "a4") -> bytes:
    """Labels of SIZE side by side on sheets of PAPER (a4 or letter), the grid centred."""
    paper_w, paper_h = _paper(paper)
    cols, rows = sheet_grid(size, paper)
    step_x, step_y = size.width_mm + SHEET_GAP_MM, size.height_mm + SHEET_GAP_MM
    left = (paper_w - (cols * step_x - SHEET_GAP_MM)) / 2
    top = (paper_h - (rows * step_y - SHEET_GAP_MM)) / 2
    per_page = cols * rows
    pages = []
    for start in range(0, len(images), per_page):
        placements = tuple(
            Placement(
                i,
                left + ((i - start) % cols) * step_x,
                top + ((i - start) // cols) * step_y,
                *_true_size(images[i], size),
            )
            for i in range(start, min(start + per_page, len(images)))
        )
        pages.append(Page(paper_w, paper_h, placements))
    return write_pdf(images, pages)


def _paper(name: str) -> tuple[float, float]:
    if name.lower() not in ("a4", "letter"):
        raise Refused(f"Sheet paper {name!r} is not a4 or letter")
    return PAPER[name.lower()]


def new_pdf() -> FPDF:
    """An empty fpdf2 document in millimetres, with no margins and no page breaks of its
    own: Backroom places everything itself."""
    from fpdf import FPDF  # imported here: most commands print no PDF

    pdf = FPDF(unit="mm")
    pdf.pdf_version = "1.4"  # fpdf2 raises it where a feature needs more
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("Backroom")
    return pdf


def write_pdf(images: list[Image.Image], pages: list[Page]) -> bytes:
    """A PDF of PAGES, placing IMAGES (one-bit or greyscale); an image printed many
    times is stored once."""
    pdf = new_pdf()
    for page in pages:
        pdf.add_page(format=(page.width_mm, page.height_mm))
        for p in page.placements:
            image = images[p.image]
            if image.mode not in ("1", "L"):
                image = image.convert("L")
            pdf.image(image, x=p.x_mm, y=p.y_mm, w=p.w_mm, h=p.h_mm)
    return bytes(pdf.output())
