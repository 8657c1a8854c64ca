"""A label as terminal text: two pixel rows per character with half blocks, so the
preview needs no colour and reads on any terminal (NO_COLOR, VT100)."""

from __future__ import annotations

import io

from PIL import Image

# (top pixel inked, bottom pixel inked) -> character
BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def preview_lines(png: bytes, width: int) -> list[str]:
    """PNG of a label -> lines of at most WIDTH characters, keeping its proportions."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width = max(8, width)
    # A terminal cell is about twice as tall as wide; two pixel rows fill one cell.
    height = max(2, round(image.height * width / image.width / 2) * 2)
    small = image.resize((width, height), Image.Resampling.BOX)
    pixels = small.load()
    lines = []
    for y in range(0, height, 2):
        row = [BLOCKS[(pixels[x, y] < 128, pixels[x, y + 1] < 128)] for x in range(width)]
        lines.append("".join(row).rstrip())
    return lines
