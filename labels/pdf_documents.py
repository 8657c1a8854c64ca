"""Shipping documents as PDF: the lines of models/goods_out/documents.py set in Courier on A4 pages,
with the page number at the foot. Text, not pictures: small, searchable, and copied
from as easily as the terminal version. Written by labels/pdf_labels.py's serialiser."""

from __future__ import annotations

import zlib

from backroom.labels.pdf_labels import POINTS_PER_MM, _serialise, _stream
from backroom.labels.sizes import PAPER
from backroom.models.goods_out.documents import WIDTH, Document

FONT_SIZE = 9.0
TITLE_SIZE = 12.0
LEADING = 11.0
MARGIN_MM = 15.0


def _escape(text: str) -> bytes:
    """TEXT as a PDF string in WinAnsi (Latin-1 and a little more); others become '?'."""
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def lines_per_page(paper: str = "a4") -> int:
    """How many lines of text a page holds between the margins and the page footer."""
    height_pt = PAPER[paper][1] * POINTS_PER_MM
    return int((height_pt - 2 * MARGIN_MM * POINTS_PER_MM - 2 * LEADING) // LEADING)


def document_pdf(doc: Document, paper: str = "a4") -> bytes:
    """DOC as a PDF of one or more pages of PAPER (a4 or letter)."""
    width_pt, height_pt = (v * POINTS_PER_MM for v in PAPER[paper])
    lines = doc.lines(WIDTH)
    per_page = lines_per_page(paper)
    chunks = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog, tree = add(b""), add(b"")
    regular = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"
    )
    bold = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding >>"
    )
    left = MARGIN_MM * POINTS_PER_MM
    top = height_pt - MARGIN_MM * POINTS_PER_MM
    kids = []
    for number, chunk in enumerate(chunks, 1):
        ops = [b"BT"]
        y = top - TITLE_SIZE
        for i, line in enumerate(chunk):
            first = number == 1 and i == 0
            font, size = (b"/F2", TITLE_SIZE) if first else (b"/F1", FONT_SIZE)
            ops.append(
                b"%s %.1f Tf 1 0 0 1 %.2f %.2f Tm (%s) Tj" % (font, size, left, y, _escape(line))
            )
            y -= LEADING + (4 if first else 0)
        foot = f"{doc.title} {doc.reference}  -  page {number} of {len(chunks)}"
        ops.append(
            b"/F1 %.1f Tf 1 0 0 1 %.2f %.2f Tm (%s) Tj"
            % (FONT_SIZE - 1, left, MARGIN_MM * POINTS_PER_MM, _escape(foot))
        )
        ops.append(b"ET")
        content = add(_stream(b"<< /Filter /FlateDecode", zlib.compress(b"\n".join(ops))))
        kids.append(
            add(
                (
                    f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 {width_pt:.2f} "
                    f"{height_pt:.2f}] /Resources << /Font << /F1 {regular} 0 R "
                    f"/F2 {bold} 0 R >> >> /Contents {content} 0 R >>"
                ).encode("ascii")
            )
        )
    refs = " ".join(f"{k} 0 R" for k in kids)
    objects[tree - 1] = f"<< /Type /Pages /Kids [{refs}] /Count {len(kids)} >>".encode()
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {tree} 0 R >>".encode()
    return _serialise(objects, catalog)
