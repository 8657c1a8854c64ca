"""Reading our PDFs back with poppler, not with a reader of our own: each page's size
(pdfinfo), the label images placed on it (pdfimages) and where, in millimetres, and the
text as a PDF viewer extracts it (pdftotext)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image
from rich.cells import cell_len

MM_PER_POINT = 25.4 / 72


@dataclass(frozen=True)
class Placed:
    image: Image.Image
    x_mm: float  # from the left edge
    y_mm: float  # from the top edge
    w_mm: float
    h_mm: float


@dataclass(frozen=True)
class PdfPage:
    width_mm: float
    height_mm: float
    placed: list[Placed]


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float  # points from the left edge
    y_min: float  # points from the top edge
    x_max: float
    y_max: float


def _run(tool: str, data: bytes, *args: str) -> str:
    """TOOL's output for the PDF DATA; a warning from poppler (a broken cross-reference
    table, say) fails the test."""
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: install poppler-utils (.ci/run does)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.pdf"
        path.write_bytes(data)
        result = subprocess.run(
            [tool, *args, str(path), *(() if tool == "pdfinfo" else ("-",))],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0 and not result.stderr, result.stderr
    return result.stdout


def check_xref(data: bytes) -> None:
    """The file is a PDF that poppler reads without a complaint."""
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    _run("pdfinfo", data)


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """Width and height of every page in millimetres, as pdfinfo reports them."""
    info = _run("pdfinfo", data, "-f", "1", "-l", "100000")
    found = re.findall(r"^Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info, flags=re.M)
    return [(float(w) * MM_PER_POINT, float(h) * MM_PER_POINT) for w, h in found]


def pages(data: bytes) -> list[PdfPage]:
    """The pages, in order, with the images on each: the pixels as pdfimages extracts
    them, the boxes from the page's drawing operators."""
    sizes = page_sizes(data)
    boxes = _image_boxes(data)
    assert len(boxes) == len(sizes)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.pdf"
        path.write_bytes(data)
        subprocess.run(
            ["pdfimages", "-png", "-p", str(path), f"{folder}/im"], check=True, timeout=60
        )
        found: dict[int, list[Image.Image]] = {}
        for file in sorted(Path(folder).glob("im-*.png")):  # im-PAGE-NUMBER.png
            with Image.open(file) as image:
                found.setdefault(int(file.stem.split("-")[1]), []).append(image.convert("1"))
    out = []
    for number, ((width, height), page_boxes) in enumerate(zip(sizes, boxes, strict=True), 1):
        images = found.get(number, [])
        assert len(images) == len(page_boxes)
        placed = [
            Placed(image, x, height - y - h, w, h)
            for image, (w, h, x, y) in zip(images, page_boxes, strict=True)
        ]
        out.append(PdfPage(width, height, placed))
    return out


def _image_boxes(data: bytes) -> list[list[tuple[float, float, float, float]]]:
    """Each page's images as (width, height, left, bottom) in mm, from the 'cm' operator
    before each 'Do' in its content stream (poppler has no tool that prints them)."""
    objects = dict(re.findall(rb"(\d+) 0 obj\s*(.*?)\s*endobj", data, flags=re.S))
    root = re.search(rb"/Root (\d+) 0 R", data).group(1)
    tree = re.search(rb"/Pages (\d+) 0 R", objects[root]).group(1)
    kids = re.findall(rb"(\d+) 0 R", objects[tree].split(b"/Kids")[1].split(b"]")[0])
    out = []
    for kid in kids:
        content = re.search(rb"/Contents (\d+) 0 R", objects[kid]).group(1)
        body = objects[content]
        ops = (
            zlib.decompressobj()
            .decompress(body[body.index(b"stream") + 6 :].lstrip(b"\r\n"))
            .decode()
        )
        found = re.findall(r"q ([\d.]+) 0 0 ([\d.]+) ([\d.-]+) ([\d.-]+) cm /I\d+ Do Q", ops)
        out.append([tuple(float(v) * MM_PER_POINT for v in box) for box in found])
    return out


def text(data: bytes) -> str:
    """The text of the PDF as pdftotext extracts it (pages end in a form feed)."""
    return _run("pdftotext", data, "-enc", "UTF-8")


def words(data: bytes) -> list[list[Word]]:
    """Every word pdftotext finds on each page, with its box in points."""
    out = []
    for page in _run("pdftotext", data, "-bbox", "-enc", "UTF-8").split("<page ")[1:]:
        found = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            page,
        )
        out.append([Word(html.unescape(t), *map(float, box)) for *box, t in found])
    return out


def page_lines(data: bytes, leading: float) -> list[list[str]]:
    """The lines of text on each page, top to bottom, spaced as on the page: the text is
    on a grid of monospaced cells, so a gap of N cells is N spaces. A gap of more than one
    LEADING between lines is a blank line, except before the last line (the page foot)."""
    out = []
    for page in words(data):
        rows: list[list[Word]] = []
        for word in sorted(page, key=lambda w: (w.y_max, w.x_min)):
            middle = (word.y_min + word.y_max) / 2
            if rows and rows[-1][0].y_min <= middle <= rows[-1][0].y_max:
                rows[-1].append(word)
            else:
                rows.append([word])
        lines: list[str] = []
        for i, row in enumerate(rows):
            if 0 < i < len(rows) - 1:
                gap = row[0].y_max - rows[i - 1][0].y_max
                lines += [""] * (round(gap / leading) - 1)
            lines.append(_spaced(sorted(row, key=lambda w: w.x_min)))
        out.append(lines)
    return out


def _spaced(row: list[Word]) -> str:
    """The words of one line joined by as many spaces as there are empty cells between."""
    cell = min((w.x_max - w.x_min) / cell_len(w.text) for w in row)
    line = row[0].text
    for before, word in pairwise(row):
        line += " " * max(1, round((word.x_min - before.x_max) / cell)) + word.text
    return line
