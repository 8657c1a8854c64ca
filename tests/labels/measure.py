"""Measuring printed symbols the way a barcode verifier does: from the pixels, where the
decoder found them, not from what the layout meant to draw."""

from __future__ import annotations

from itertools import groupby

import zxingcpp
from PIL import Image

MM_PER_INCH = 25.4


def _dark(image: Image.Image, x: int, y: int) -> bool:
    return image.getpixel((x, y)) == 0


def linear_sizes(image: Image.Image, found: zxingcpp.Barcode, dpi: int) -> tuple[float, float]:
    """X-dimension and bar height in mm of the linear symbol FOUND on IMAGE (mode '1'):
    the narrowest bar or space along the line the decoder read, and how far the first
    bar runs up and down from that line."""
    pos = found.position
    y = (pos.top_left.y + pos.bottom_left.y) // 2
    left = min(pos.top_left.x, pos.bottom_left.x)
    right = max(pos.top_right.x, pos.bottom_right.x)
    while left > 0 and _dark(image, left - 1, y):  # the decoder's edge may sit inside a bar
        left -= 1
    while not _dark(image, left, y):
        left += 1
    row = [_dark(image, x, y) for x in range(left, right + 1)]
    while row and not row[-1]:
        row.pop()
    x_dots = min(len(list(run)) for _, run in groupby(row))
    column = left  # the first bar's left edge
    top = y
    while top > 0 and _dark(image, column, top - 1):
        top -= 1
    bottom = y
    while bottom < image.height - 1 and _dark(image, column, bottom + 1):
        bottom += 1
    return _mm(x_dots, dpi), _mm(bottom - top + 1, dpi)


def matrix_module(image: Image.Image, found: zxingcpp.Barcode, dpi: int) -> float:
    """The module size in mm of the 2D symbol FOUND: in a DataMatrix the top edge
    alternates dark and light one module at a time; in a QR code the finder pattern's top
    row is a dark run of seven modules."""
    pos = found.position
    points = (pos.top_left, pos.top_right, pos.bottom_left, pos.bottom_right)
    box = (
        min(p.x for p in points) - 2,
        min(p.y for p in points) - 2,
        max(p.x for p in points) + 3,
        max(p.y for p in points) + 3,
    )
    ink = Image.eval(image.crop(box).convert("L"), lambda v: 255 - v).getbbox()
    assert ink is not None
    left, top = box[0] + ink[0], box[1] + ink[1]
    right = box[0] + ink[2]
    row = [_dark(image, x, top) for x in range(left, right)]
    runs = [len(list(run)) for _, run in groupby(row)]
    if found.format == zxingcpp.BarcodeFormat.QRCode:
        assert runs[0] % 7 == 0, f"finder row runs {runs[:3]}"
        return _mm(runs[0] // 7, dpi)
    assert len(set(runs)) == 1, f"DataMatrix top edge runs {sorted(set(runs))}"
    return _mm(runs[0], dpi)


def digit_height_mm(image: Image.Image, box: tuple[int, int, int, int], dpi: int) -> float:
    """How high the ink is in BOX (a line of digits), in mm."""
    ink = Image.eval(image.crop(box).convert("L"), lambda v: 255 - v).getbbox()
    assert ink is not None, "no ink in the box"
    return _mm(ink[3] - ink[1], dpi)


def _mm(dots: int, dpi: int) -> float:
    return dots * MM_PER_INCH / dpi
