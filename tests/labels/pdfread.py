"""Reading our PDFs back: the cross-reference table, each page's size, and the label
images placed on it, in millimetres."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from PIL import Image

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


def _objects(data: bytes) -> dict[int, bytes]:
    found = re.finditer(rb"(\d+) 0 obj\n(.*?)\nendobj\n", data, flags=re.S)
    return {int(m.group(1)): m.group(2) for m in found}


def _stream(body: bytes) -> bytes:
    raw = body[body.index(b"stream\n") + 7 : body.rindex(b"\nendstream")]
    return zlib.decompress(raw)


def check_xref(data: bytes) -> None:
    """Every object is where the cross-reference table says."""
    assert data.startswith(b"%PDF-1.4\n") and data.rstrip().endswith(b"%%EOF")
    start = int(re.search(rb"startxref\n(\d+)\n", data).group(1))
    table = data[start:].split(b"trailer")[0].decode().split("\n")
    count = int(table[1].split()[1])
    for number, line in enumerate(table[3 : 2 + count], 1):
        offset = int(line.split()[0])
        assert data[offset:].startswith(b"%d 0 obj\n" % number)


def pages(data: bytes) -> list[PdfPage]:
    """The pages, in order, with the images on each."""
    check_xref(data)
    objects = _objects(data)
    root = int(re.search(rb"/Root (\d+) 0 R", data).group(1))
    tree = int(re.search(rb"/Pages (\d+) 0 R", objects[root]).group(1))
    kids = [int(k) for k in re.findall(rb"(\d+) 0 R", objects[tree].split(b"/Kids")[1])]
    out = []
    for kid in kids:
        page = objects[kid]
        box = [float(v) for v in re.search(rb"/MediaBox \[([^\]]+)\]", page).group(1).split()]
        width_pt, height_pt = box[2], box[3]
        content = int(re.search(rb"/Contents (\d+) 0 R", page).group(1))
        names = dict(re.findall(rb"/(Im\d+) (\d+) 0 R", page))
        placed = []
        ops = _stream(objects[content]).decode()
        for w, h, x, y, name in re.findall(r"q (\S+) 0 0 (\S+) (\S+) (\S+) cm /(Im\d+) Do Q", ops):
            image = _image(objects[int(names[name.encode()])])
            w, h, x, y = (float(v) for v in (w, h, x, y))
            placed.append(
                Placed(
                    image,
                    x * MM_PER_POINT,
                    (height_pt - y - h) * MM_PER_POINT,
                    w * MM_PER_POINT,
                    h * MM_PER_POINT,
                )
            )
        out.append(PdfPage(width_pt * MM_PER_POINT, height_pt * MM_PER_POINT, placed))
    return out


def _image(body: bytes) -> Image.Image:
    width = int(re.search(rb"/Width (\d+)", body).group(1))
    height = int(re.search(rb"/Height (\d+)", body).group(1))
    bits = int(re.search(rb"/BitsPerComponent (\d+)", body).group(1))
    return Image.frombytes("1" if bits == 1 else "L", (width, height), _stream(body))
