"""Label sizes in millimetres, printer resolutions, and the conversion to printer dots."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from backroom.models.errors import Refused

MM_PER_INCH = 25.4
DPIS = (203, 300, 600)

# Paper names accepted where a size is asked for (portrait).
PAPER = {"a4": (210.0, 297.0), "letter": (215.9, 279.4), "a6": (105.0, 148.0)}


@dataclass(frozen=True)
class LabelSize:
    """A label's width and height in millimetres, as the printer feeds it."""

    width_mm: float
    height_mm: float

    def dots(self, dpi: int) -> tuple[int, int]:
        """Width and height in whole printer dots (rounded down: never past the edge)."""
        return mm_to_dots(self.width_mm, dpi), mm_to_dots(self.height_mm, dpi)

    def __str__(self) -> str:
        return f"{_num(self.width_mm)}x{_num(self.height_mm)}"


# The sizes Backroom is tested at; any other WxH works the same way.
STANDARD_SIZES = tuple(
    LabelSize(w, h) for w, h in ((100, 150), (100, 50), (57, 32), (50, 25), (210, 297))
)


def _num(value: float) -> str:
    return f"{value:g}"


def mm_to_dots(mm: float, dpi: int) -> int:
    """Millimetres to whole dots at DPI (rounded down)."""
    return math.floor(mm * dpi / MM_PER_INCH + 1e-9)


def dots_to_mm(dots: float, dpi: int) -> float:
    """Dots at DPI to millimetres."""
    return dots * MM_PER_INCH / dpi


def parse_size(text: str) -> LabelSize:
    """A size as typed: '100x50' (millimetres, width first), or a paper name like 'a4'."""
    value = text.strip().lower()
    if value in PAPER:
        return LabelSize(*PAPER[value])
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)(?:\s*mm)?", value)
    if not match:
        raise Refused(
            f"Label size {text!r} is not WIDTHxHEIGHT in millimetres (like 100x50) "
            f"or one of {', '.join(PAPER)}"
        )
    width, height = float(match.group(1)), float(match.group(2))
    if not (10 <= width <= 500 and 10 <= height <= 1000):
        raise Refused(f"Label size {text!r} is out of range (10 to 500 mm wide, 10 to 1000 high)")
    return LabelSize(width, height)


def check_dpi(dpi: int) -> int:
    """The DPI if Backroom prints at it (203, 300 or 600)."""
    if dpi not in DPIS:
        raise Refused(f"Resolution {dpi} dpi is not one of {', '.join(map(str, DPIS))}")
    return dpi
