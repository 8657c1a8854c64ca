"""Shipping documents as PDF: the lines of models/goods_out/documents.py on A4 (or Letter)
pages, with the page number at the foot. Text, not pictures: small, searchable, and copied
from as easily as the terminal version.

Set in a monospaced Unicode font (DejaVu Sans Mono) embedded with fpdf2, so the columns
line up and any script prints; characters the font lacks (Japanese, say) come from a
fallback font that fontconfig finds, stretched to whole character cells: two cells for a
wide character, as in a terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len

from backroom.labels import fonts
from backroom.labels.pdf_labels import POINTS_PER_MM
from backroom.labels.sizes import PAPER
from backroom.models.goods_out.documents import WIDTH, Document

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_SIZE = 9.0
TITLE_SIZE = 12.0
LEADING = 11.0
MARGIN_MM = 15.0
LAST_RESORT = "Courier"  # a PDF's own font, Latin-1 only: for a machine with no fonts


def lines_per_page(paper: str = "a4") -> int:
    """How many lines of text a page holds between the margins and the page footer."""
    height_pt = PAPER[paper][1] * POINTS_PER_MM
    return int((height_pt - 2 * MARGIN_MM * POINTS_PER_MM - 2 * LEADING) // LEADING)


class _Typesetter:
    """Writes lines of text into an fpdf2 document, one font per run, on a grid of cells."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.families: dict[fonts.FontFile, str] = {}

    def family(self, font: fonts.FontFile | None) -> str:
        """The fpdf2 family name for FONT, embedding it the first time."""
        if font is None:
            return LAST_RESORT
        if font not in self.families:
            name = f"font{len(self.families)}"
            self.pdf.add_font(name, "", font.path, collection_font_number=font.index)
            self.families[font] = name
        return self.families[font]

    def line(self, text: str, x: float, y: float, size: float, bold: bool = False) -> None:
        """TEXT with its baseline at Y, each character in one cell (two if wide)."""
        main = fonts.main_font(bold, "monospace")
        self.pdf.set_font(self.family(main), "B" if bold and main is None else "", size)
        self.pdf.set_stretching(100.0)
        cell = self.pdf.get_string_width("0")  # the main font's own cell, 0.6 em or near
        column = 0
        for part, font in fonts.runs(text, bold, "monospace"):
            family = self.family(font)
            self.pdf.set_font(family, "B" if bold and font is None else "", size)
            if font is None:
                part = part.encode("latin-1", "replace").decode("latin-1")
            cells = cell_len(part)
            self.pdf.set_stretching(100.0)  # measured unstretched
            natural = self.pdf.get_string_width(part)
            stretch = 100.0
            if natural and (font != main or cells != len(part)):
                # A fallback glyph is stretched to fill its cells: spaced out instead, a
                # PDF reader would see a gap and cut the word.
                stretch = 100.0 * cells * cell / natural
            self.pdf.set_stretching(stretch)
            self.pdf.text(x + column * cell, y, part)
            column += cells
        self.pdf.set_stretching(100.0)


def document_pdf(doc: Document, paper: str = "a4") -> bytes:
    """DOC as a PDF of one or more pages of PAPER (a4 or letter)."""
    from fpdf import FPDF  # imported here: most commands print no PDF

    width_mm, height_mm = PAPER[paper]
    pdf = FPDF(unit="pt", format=(width_mm * POINTS_PER_MM, height_mm * POINTS_PER_MM))
    pdf.pdf_version = "1.4"  # fpdf2 raises it where a font needs more
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("Backroom")
    pdf.set_title(f"{doc.title} {doc.reference}")
    setter = _Typesetter(pdf)
    lines = doc.lines(WIDTH)
    per_page = lines_per_page(paper)
    chunks = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    margin = MARGIN_MM * POINTS_PER_MM
    for number, chunk in enumerate(chunks, 1):
        pdf.add_page()
        y = margin + TITLE_SIZE
        for i, line in enumerate(chunk):
            first = number == 1 and i == 0
            setter.line(line, margin, y, TITLE_SIZE if first else FONT_SIZE, bold=first)
            y += LEADING + (4 if first else 0)
        foot = f"{doc.title} {doc.reference}  -  page {number} of {len(chunks)}"
        setter.line(foot, margin, pdf.h - margin, FONT_SIZE - 1)
    return bytes(pdf.output())
