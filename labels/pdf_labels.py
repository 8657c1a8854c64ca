"""Label images to PDF: one label per page at the label's own size, or sheets of A4 or
Letter paper with as many labels as fit between the margins.

A small writer of our own: one-bit images compressed with Flate, each stored once however
many times it is printed, pages sized to the tenth of a point.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

from PIL import Image

from backroom.labels.sizes import MM_PER_INCH, PAPER, LabelSize
from backroom.models.errors import Refused

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


def _pt(mm: float) -> str:
    return f"{mm * POINTS_PER_MM:.2f}"


def write_pdf(images: list[Image.Image], pages: list[Page]) -> bytes:
    """A PDF of PAGES, placing IMAGES (one-bit or greyscale)."""
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    tree = add(b"")
    stored: dict[bytes, int] = {}
    image_refs = [_store_image(img, stored, add) for img in images]
    kids = []
    for page in pages:
        ops = []
        names = {}
        for p in page.placements:
            ref = image_refs[p.image]
            names[ref] = f"Im{ref}"
            y = page.height_mm - p.y_mm - p.h_mm
            ops.append(f"q {_pt(p.w_mm)} 0 0 {_pt(p.h_mm)} {_pt(p.x_mm)} {_pt(y)} cm /Im{ref} Do Q")
        stream = zlib.compress("\n".join(ops).encode("ascii"))
        content = add(_stream(b"<< /Filter /FlateDecode", stream))
        xobjects = " ".join(f"/{name} {ref} 0 R" for ref, name in names.items())
        kids.append(
            add(
                f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 {_pt(page.width_mm)} "
                f"{_pt(page.height_mm)}] /Resources << /XObject << {xobjects} >> >> "
                f"/Contents {content} 0 R >>".encode("ascii")
            )
        )
    refs = " ".join(f"{k} 0 R" for k in kids)
    objects[tree - 1] = f"<< /Type /Pages /Kids [{refs}] /Count {len(kids)} >>".encode()
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {tree} 0 R >>".encode()
    return _serialise(objects, catalog)


def _store_image(image: Image.Image, stored: dict[bytes, int], add) -> int:
    if image.mode not in ("1", "L"):
        image = image.convert("L")
    raw = image.tobytes()
    digest = hashlib.sha256(raw + repr((image.mode, image.size)).encode()).digest()
    if digest in stored:
        return stored[digest]
    bits = 1 if image.mode == "1" else 8
    head = (
        f"<< /Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
        f"/ColorSpace /DeviceGray /BitsPerComponent {bits} /Filter /FlateDecode"
    ).encode("ascii")
    stored[digest] = add(_stream(head, zlib.compress(raw, 6)))
    return stored[digest]


def _stream(head: bytes, data: bytes) -> bytes:
    return head + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _serialise(objects: list[bytes], root: int) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)
