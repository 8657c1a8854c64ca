"""The fonts text is measured and drawn in, for labels and for shipping documents.

The main font is DejaVu Sans Condensed for labels and DejaVu Sans Mono for documents, as
fontconfig finds them (or a few well-known paths where there is no fontconfig). A
character the main font lacks, Japanese or Greek say, is drawn in a fallback font that
fontconfig names for it; Pillow's built-in scalable font is the last resort, so labels
print on a machine with no fonts at all.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

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
MONO = ("dejavu/DejaVuSansMono.ttf", "liberation/LiberationMono-Regular.ttf")
MONO_BOLD = ("dejavu/DejaVuSansMono-Bold.ttf", "liberation/LiberationMono-Bold.ttf")
# What fontconfig is asked for first; any font it gives instead is still a sans.
WANTED = {"sans": "DejaVu Sans Condensed", "monospace": "DejaVu Sans Mono"}
FONTCONFIG_TIMEOUT = 10.0  # seconds; the first call may build fontconfig's cache

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class FontFile:
    """A face in a font file: a .ttc or .otc collection holds several, by index."""

    path: str
    index: int = 0


def fontconfig(pattern: str, *, listing: bool = False) -> FontFile | None:
    """The face fontconfig matches to PATTERN ('sans:lang=ja'), or with LISTING the first
    face that has it (fc-list), or None without fontconfig."""
    return _fontconfig(pattern, listing)


@lru_cache(maxsize=1024)
def _fontconfig(pattern: str, listing: bool) -> FontFile | None:
    tool = shutil.which("fc-list" if listing else "fc-match")
    if tool is None:
        return None
    command = [tool, pattern, "file", "index"] if listing else [tool, "-f", "%{file}\t%{index}"]
    if not listing:
        command.append(pattern)
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=FONTCONFIG_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = sorted(result.stdout.splitlines()) if listing else [result.stdout]
    for line in lines:
        # fc-list writes 'FILE: :index=N', fc-match our own 'FILE<tab>N'.
        path, _, rest = line.replace(": :index=", "\t").partition("\t")
        if path and Path(path).is_file() and _usable(path):
            return FontFile(path, int(rest.strip() or 0))
    return None


def _usable(path: str) -> bool:
    """Whether Pillow and fpdf2 can draw with the file: TrueType or OpenType, not Type 1."""
    return path.lower().endswith((".ttf", ".otf", ".ttc", ".otc"))


def _known_path(names: tuple[str, ...]) -> FontFile | None:
    """The last resort without fontconfig: the first of NAMES in a usual font folder."""
    for name in names:
        for folder in FONT_DIRS:
            path = Path(folder) / name
            if path.is_file():
                return FontFile(str(path))
    return None


@lru_cache(maxsize=4)
def main_font(bold: bool = False, kind: str = "sans") -> FontFile | None:
    """The font for labels (KIND 'sans') or documents ('monospace'), or None for none."""
    style = ":bold" if bold else ""
    found = fontconfig(f"{WANTED[kind]}{style}")
    if found is None and kind == "monospace":
        found = fontconfig(f"monospace{style}:spacing=mono")
    if found is not None and kind == "monospace" and not _is_mono(found):
        found = None  # fontconfig gave a proportional font: columns would not line up
    if found is None:
        names = {"sans": (BOLD if bold else REGULAR), "monospace": (MONO_BOLD if bold else MONO)}
        found = _known_path(names[kind])
    return found


def _is_mono(font: FontFile) -> bool:
    """Whether every Latin letter and digit of FONT is as wide as the others."""
    from fontTools.ttLib import TTFont  # imported here: only documents need it

    with TTFont(font.path, fontNumber=font.index, lazy=True) as face:
        cmap, metrics = face.getBestCmap(), face["hmtx"].metrics
        widths = {metrics[cmap[ord(c)]][0] for c in "iMW0m" if ord(c) in cmap}
    return len(widths) == 1


def font_path(bold: bool) -> str | None:
    """The file used for regular (or bold) label text, or None for Pillow's own."""
    found = main_font(bold)
    return found.path if found else None


@lru_cache(maxsize=64)
def coverage(font: FontFile) -> frozenset[int]:
    """The characters FONT has a glyph for, as code points (from its cmap)."""
    from fontTools.ttLib import TTFont  # imported here: most text is plain ASCII

    try:
        with TTFont(font.path, fontNumber=font.index, lazy=True) as face:
            return frozenset(face.getBestCmap() or ())
    except Exception:  # a damaged or unreadable file: it covers nothing
        return frozenset()


@lru_cache(maxsize=4096)
def fallback_for(char: str, bold: bool = False, kind: str = "sans") -> FontFile | None:
    """A font that has CHAR, as fontconfig finds it, or None if no font on the system has it."""
    style = ":bold" if bold else ""
    charset = f":charset={ord(char):x}"
    for pattern, listing in ((f"{kind}{style}{charset}", False), (charset, True)):
        found = fontconfig(pattern, listing=listing)
        if found is not None and ord(char) in coverage(found):
            return found
    return None


def runs(text: str, bold: bool = False, kind: str = "sans") -> list[tuple[str, FontFile | None]]:
    """TEXT cut into runs of characters drawn in one font: the main font where it has the
    character, else a fallback. None is Pillow's built-in font."""
    main = main_font(bold, kind)
    if main is None or text.isascii():  # every text font has ASCII
        return [(text, main)] if text else []
    has = coverage(main)
    out: list[tuple[str, FontFile | None]] = []
    for char in text:
        font = main
        if ord(char) not in has and not char.isspace():
            font = fallback_for(char, bold, kind) or main  # no font at all: the box
        if out and out[-1][1] == font:
            out[-1] = (out[-1][0] + char, font)
        else:
            out.append((char, font))
    return out


@lru_cache(maxsize=512)
def _pillow_font(font: FontFile | None, size: int) -> Font:
    if font is None:
        return ImageFont.load_default(size=size)
    # Basic layout: labels are short texts without complex shaping, and it measures
    # two to three times faster than Raqm.
    return ImageFont.truetype(
        font.path, size=size, index=font.index, layout_engine=ImageFont.Layout.BASIC
    )


def get_font(size: int, bold: bool = False) -> Font:
    """The main label font at SIZE pixels (the em height)."""
    return _pillow_font(main_font(bold), size)


def text_runs(text: str, size: int, bold: bool = False) -> list[tuple[str, Font]]:
    """TEXT in runs, each with the Pillow font at SIZE it is drawn in."""
    return [(part, _pillow_font(font, size)) for part, font in runs(text, bold)]


@lru_cache(maxsize=8192)
def text_width(text: str, size: int, bold: bool = False) -> int:
    """How many pixels wide TEXT is when drawn, with a little room for overhanging ink."""
    if not text:
        return 0
    advance = sum(font.getlength(part) for part, font in text_runs(text, size, bold))
    # The advance, plus room for ink that reaches past it (the tail of a 'j', an 'f').
    return math.ceil(advance + size * 0.06)


@lru_cache(maxsize=512)
def line_height(size: int, bold: bool = False) -> int:
    """The height of one line of text at SIZE: from the ascender to the descender."""
    font = get_font(size, bold)
    if isinstance(font, ImageFont.FreeTypeFont):
        ascent, descent = font.getmetrics()
        return ascent + descent
    return size


@lru_cache(maxsize=512)
def digit_height(size: int, bold: bool = False) -> int:
    """How many pixels high the digits come out at SIZE: their ink as drawn in one-bit
    dots (a little less than the font's bounding box, which rounds outwards)."""
    font = get_font(size, bold)
    image = Image.new("1", (size * 8, size * 2), 1)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"
    draw.text((0, 0), "0123456789", font=font, fill=0, anchor="la")
    box = Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()
    return box[3] - box[1] if box else 0


def size_for_digits(dots: float, bold: bool = False) -> int:
    """The smallest SIZE whose digits are at least DOTS high."""
    size = max(1, math.floor(dots))
    while digit_height(size, bold) < dots:
        size += 1
    return size


def clear_caches() -> None:
    """Forget every font found and measured: for tests that change what is installed."""
    for cached in (_fontconfig, main_font, coverage, fallback_for, _pillow_font):
        cached.cache_clear()
    for cached in (text_width, line_height, digit_height):
        cached.cache_clear()
