"""The font text is measured and drawn in: DejaVu Sans Condensed where the system has it,
another common sans-serif otherwise, and Pillow's built-in scalable font as a last resort
so labels print on a machine with no fonts at all."""

from __future__ import annotations

import math
import os
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIRS = (
    "/usr/share/fonts/truetype",
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    os.path.expanduser("~/.local/share/fonts"),
)
# Condensed first: more of a long item name fits on a small label.
REGULAR = (
    "dejavu/DejaVuSansCondensed.ttf",
    "dejavu/DejaVuSans.ttf",
    "liberation/LiberationSansNarrow-Regular.ttf",
    "liberation/LiberationSans-Regular.ttf",
    "freefont/FreeSans.ttf",
)
BOLD = (
    "dejavu/DejaVuSansCondensed-Bold.ttf",
    "dejavu/DejaVuSans-Bold.ttf",
    "liberation/LiberationSansNarrow-Bold.ttf",
    "liberation/LiberationSans-Bold.ttf",
    "freefont/FreeSansBold.ttf",
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=2)
def font_path(bold: bool) -> str | None:
    """The TrueType file used for regular (or bold) text, or None for Pillow's own."""
    for name in BOLD if bold else REGULAR:
        for folder in FONT_DIRS:
            path = Path(folder) / name
            if path.is_file():
                return str(path)
    return None


@lru_cache(maxsize=512)
def get_font(size: int, bold: bool = False) -> Font:
    """The font at SIZE pixels (the em height)."""
    path = font_path(bold)
    if path is None:
        return ImageFont.load_default(size=size)
    # Basic layout: labels are Latin text, and it measures two to three times faster
    # than Raqm, which only complex scripts need.
    return ImageFont.truetype(path, size=size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=8192)
def text_width(text: str, size: int, bold: bool = False) -> int:
    """How many pixels wide TEXT is when drawn, with a little room for overhanging ink."""
    if not text:
        return 0
    # The advance, plus room for ink that reaches past it (the tail of a 'j', an 'f').
    return math.ceil(get_font(size, bold).getlength(text) + size * 0.06)


@lru_cache(maxsize=512)
def line_height(size: int, bold: bool = False) -> int:
    """The height of one line of text at SIZE: from the ascender to the descender."""
    font = get_font(size, bold)
    if isinstance(font, ImageFont.FreeTypeFont):
        ascent, descent = font.getmetrics()
        return ascent + descent
    return size
