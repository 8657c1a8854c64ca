"""What every laid-out label must satisfy, whatever its kind and size."""

from __future__ import annotations

from itertools import combinations, groupby

from PIL import Image, ImageDraw

from backroom.labels.drawing import Bars, Drawing, Matrix
from backroom.labels.render import to_image


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def bar_runs(image: Image.Image, bars: Bars) -> list[int]:
    """Widths in dots of the bars and spaces along the middle row of BARS, from its
    first bar to its last."""
    row_y = bars.y + bars.height // 2
    row = [image.getpixel((x, row_y)) for x in range(bars.x, bars.x + bars.width)]
    return [len(list(run)) for _, run in groupby(row)]


def matrix_as_laid_out(image: Image.Image, matrix: Matrix) -> bool:
    """True if every module of MATRIX is printed as a solid square of MODULE x MODULE
    dots, dark where the symbol has a dark module and light elsewhere."""
    symbol = matrix.symbol
    want = Image.new("L", (symbol.columns, symbol.height))
    want.putdata([0 if bit == "1" else 255 for row in symbol.rows for bit in row])
    want = want.resize((matrix.width, matrix.height), Image.Resampling.NEAREST)
    box = (matrix.x, matrix.y, matrix.x + matrix.width, matrix.y + matrix.height)
    return image.crop(box).convert("L").tobytes() == want.tobytes()


def check_drawing(drawing: Drawing) -> Image.Image:
    """Render DRAWING and check it: everything on the label, nothing overlapping (quiet
    zones included), no ink outside the elements' boxes (text never overflows), and every
    bar and space a whole number of modules exactly. Returns the image."""
    image = to_image(drawing)
    edge = round(drawing.dpi / 25.4)  # text and bars stay 1 mm clear of the edge
    boxes = [e.box() for e in drawing.elements]
    for element, box in zip(drawing.elements, boxes, strict=True):
        left, top, right, bottom = box
        assert left >= 0 and right <= drawing.width, f"{element} leaves the label"
        assert top >= 0 and bottom <= drawing.height, f"{element} leaves the label"
        if not isinstance(element, Bars | Matrix):
            assert edge <= left and right <= drawing.width - edge, f"{element} in the margin"
            assert edge <= top and bottom <= drawing.height - edge, f"{element} in the margin"
    for (a, box_a), (b, box_b) in combinations(zip(drawing.elements, boxes, strict=True), 2):
        assert not _overlap(box_a, box_b), f"{a} overlaps {b}"
    for bars in drawing.bars:
        want = [w * bars.module for w in bars.symbol.widths]
        assert bar_runs(image, bars) == want, f"bars of {bars.symbol.data!r} not whole modules"
    for matrix in drawing.matrices:
        assert matrix_as_laid_out(image, matrix), f"modules of {matrix.symbol.data!r} moved"
    blank = image.copy()
    draw = ImageDraw.Draw(blank)
    for left, top, right, bottom in boxes:
        draw.rectangle((left, top, right - 1, bottom - 1), fill=1)
    assert blank.convert("L").getextrema() == (255, 255), "ink outside the elements' boxes"
    return image
