"""Layout tools shared by every kind: boxes in dots, text that shrinks or wraps to fit
its box (and is cut with '...' rather than overflow), and barcodes placed with whole-dot
modules and their quiet zones."""

from __future__ import annotations

import math
from dataclasses import dataclass

from backroom.labels import fonts
from backroom.labels.drawing import Align, Bars, Drawing, Element, Rect, Text
from backroom.labels.sizes import LabelSize, check_dpi, dots_to_mm
from backroom.labels.symbols import Symbol
from backroom.models.errors import Refused

MIN_TEXT_MM = 1.8  # em height; smaller is hard to read on a thermal label
MIN_MODULE_MM = 0.165  # narrowest bar we print: 2 dots at 203 and 300 dpi, 4 at 600
MIN_BAR_MM = 4.0
ELLIPSIS = "..."  # ASCII, so every printer font has it


@dataclass(frozen=True)
class Box:
    """A rectangle in dots."""

    x: int
    y: int
    w: int
    h: int

    def top(self, h: int) -> Box:
        """The top H dots of this box."""
        return Box(self.x, self.y, self.w, max(0, min(h, self.h)))

    def bottom(self, h: int) -> Box:
        """The bottom H dots of this box."""
        h = max(0, min(h, self.h))
        return Box(self.x, self.y + self.h - h, self.w, h)

    def below(self, h: int) -> Box:
        """What is left after cutting H dots off the top."""
        h = max(0, min(h, self.h))
        return Box(self.x, self.y + h, self.w, self.h - h)

    def above(self, h: int) -> Box:
        """What is left after cutting H dots off the bottom."""
        h = max(0, min(h, self.h))
        return Box(self.x, self.y, self.w, self.h - h)

    def columns(self, n: int, gap: int) -> list[Box]:
        """N columns of equal width, GAP dots apart."""
        width = (self.w - gap * (n - 1)) // n
        return [Box(self.x + i * (width + gap), self.y, width, self.h) for i in range(n)]


@dataclass(frozen=True)
class Fitted:
    """Text fitted to a box: its size and its lines."""

    size: int
    lines: tuple[str, ...]
    line_height: int


def wrap(text: str, size: int, width: int, bold: bool = False) -> list[str]:
    """TEXT broken into lines no wider than WIDTH at SIZE: at spaces, and inside a word
    only where the word alone is too wide."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if fonts.text_width(candidate, size, bold) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for ch in word:
                if line and fonts.text_width(line + ch, size, bold) > width:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line)
    return lines


def _cut(text: str, size: int, width: int, bold: bool) -> str:
    """TEXT shortened with '...' to fit WIDTH."""
    if fonts.text_width(text, size, bold) <= width:
        return text
    while text and fonts.text_width(text + ELLIPSIS, size, bold) > width:
        text = text[:-1]
    return text + ELLIPSIS if text else ""


def fit_text(
    text: str,
    width: int,
    height: int,
    *,
    max_size: int,
    min_size: int,
    bold: bool = False,
    max_lines: int = 1,
) -> Fitted | None:
    """The largest size at which TEXT fits WIDTH x HEIGHT in at most MAX_LINES lines.
    Below MIN_SIZE it is cut with '...'; None if not even one line fits."""
    min_size = max(1, min_size)
    max_size = max(min_size, max_size)

    def attempt(size: int) -> Fitted | None:
        lh = fonts.line_height(size, bold)
        lines = wrap(text, size, width, bold)
        if len(lines) <= max_lines and len(lines) * lh <= height:
            return Fitted(size, tuple(lines), lh)
        return None

    best = attempt(min_size)
    if best is not None:
        # Width grows with size: the width at MIN_SIZE bounds the search from above.
        wide = fonts.text_width(text.replace("\n", " "), min_size, bold)
        by_width = min_size * width * max_lines // max(1, wide) + 1
        by_height = min_size * height // max(1, best.line_height) + 1
        low, high = min_size + 1, min(max_size, by_width, by_height)
        while low <= high:  # the largest size that still fits
            mid = (low + high) // 2
            found = attempt(mid)
            if found is not None:
                best, low = found, mid + 1
            else:
                high = mid - 1
        return best
    lh = fonts.line_height(min_size, bold)
    room = min(max_lines, height // lh)
    if room < 1 or fonts.text_width(ELLIPSIS, min_size, bold) > width:
        return None
    lines = wrap(text, min_size, width, bold)
    kept = lines[:room]
    if len(lines) > room:
        kept[-1] = _cut(kept[-1] + ELLIPSIS, min_size, width, bold)
    return Fitted(min_size, tuple(kept), lh)


class Canvas:
    """A label being laid out: its printable area and the elements placed so far."""

    def __init__(
        self, size: LabelSize, dpi: int, title: str, margin_mm: float | None = None
    ) -> None:
        self.size = size
        self.dpi = check_dpi(dpi)
        self.title = title
        self.width, self.height = size.dots(dpi)
        self.dpmm = dpi / 25.4
        if margin_mm is None:
            margin_mm = min(10.0, max(1.5, 0.04 * min(size.width_mm, size.height_mm)))
        margin = self.mm(margin_mm)
        self.area = Box(margin, margin, self.width - 2 * margin, self.height - 2 * margin)
        self.elements: list[Element] = []

    def mm(self, value: float) -> int:
        """Millimetres in dots."""
        return round(value * self.dpmm)

    def drawing(self) -> Drawing:
        """The label as laid out so far."""
        return Drawing(self.width, self.height, self.dpi, self.title, list(self.elements))

    def rule(self, x: int, y: int, w: int, h: int) -> None:
        """A filled rectangle: a line between sections."""
        self.elements.append(Rect(x, y, w, h))

    def line(
        self, box: Box, text: str, size: int, *, bold: bool = False, align: Align = "left"
    ) -> int:
        """One line of TEXT at exactly SIZE at the top of BOX, which the caller has
        measured it to fit; returns its height."""
        height = fonts.line_height(size, bold)
        self.elements.append(Text(box.x, box.y, box.w, height, size, text, bold, align))
        return height

    def text(
        self,
        box: Box,
        text: str,
        *,
        max_mm: float | None = None,
        min_mm: float = MIN_TEXT_MM,
        bold: bool = False,
        lines: int = 1,
        align: Align = "left",
        bottom: bool = False,
    ) -> int:
        """Place TEXT at the top (or bottom) of BOX, as large as fits up to MAX_MM;
        returns the height it takes."""
        if not text.strip() or box.w <= 0 or box.h <= 0:
            return 0
        max_size = self.mm(max_mm) if max_mm else box.h
        fitted = fit_text(
            text,
            box.w,
            box.h,
            max_size=max_size,
            min_size=self.mm(min_mm),
            bold=bold,
            max_lines=lines,
        )
        if fitted is None:
            return 0
        used = fitted.line_height * len(fitted.lines)
        y = box.y + (box.h - used if bottom else 0)
        for i, line in enumerate(fitted.lines):
            self.elements.append(
                Text(
                    box.x,
                    y + i * fitted.line_height,
                    box.w,
                    fitted.line_height,
                    fitted.size,
                    line,
                    bold,
                    align,
                )
            )
        return used

    def module_range(self, max_module_mm: float) -> tuple[int, int]:
        """The narrowest and widest module, in whole dots, for a barcode."""
        narrowest = max(1, math.ceil(MIN_MODULE_MM * self.dpmm - 1e-6))
        return narrowest, max(narrowest, math.floor(max_module_mm * self.dpmm + 1e-6))

    def barcode(
        self,
        box: Box,
        symbol: Symbol,
        *,
        max_module_mm: float = 0.5,
        max_bar_mm: float = 25.0,
        readable_mm: float = 3.0,
        what: str = "barcode",
    ) -> int:
        """Place SYMBOL centred in BOX, its module a whole number of dots, as wide as
        fits up to MAX_MODULE_MM, with its readable line under it. Returns the height
        taken from the top of BOX."""
        narrowest, widest = self.module_range(max_module_mm)
        # Quiet zones need blank space, not margin: across the whole label they may
        # reach into the margin up to half a millimetre from the edge, the bars up to 2 mm.
        room, bars_room = box.w, box.w
        if box.x == self.area.x and box.w == self.area.w:
            room = self.width - 2 * self.mm(0.5)
            bars_room = max(box.w, self.width - 2 * self.mm(2))
        bars = sum(symbol.widths)
        module = min(widest, room // symbol.modules, bars_room // bars)
        if module < narrowest:
            need, have = symbol.modules * narrowest, room
            if bars * narrowest > bars_room:
                need, have = bars * narrowest, bars_room
            raise Refused(
                f"The {what} barcode needs {dots_to_mm(need, self.dpi):.1f} mm of width at "
                f"{self.dpi} dpi and a {self.size} mm label leaves "
                f"{dots_to_mm(have, self.dpi):.1f} mm: use a wider label"
                + ("" if self.dpi == 600 else " or a printer of higher resolution")
            )
        gap = self.mm(0.6)
        readable = symbol.readable
        text_h = 0
        if readable:
            size = min(self.mm(readable_mm), max(self.mm(MIN_TEXT_MM), box.h // 5))
            text_h = fonts.line_height(size) + gap
        bar_h = min(box.h - text_h, self.mm(max_bar_mm))
        if bar_h < self.mm(MIN_BAR_MM):
            raise Refused(
                f"The {what} barcode needs at least {MIN_BAR_MM:g} mm of height: "
                f"a {self.size} mm label is too small for this label's contents"
            )
        used = bar_h + text_h
        top = box.y + (box.h - used) // 2
        left = box.x + (box.w - symbol.modules * module) // 2 + symbol.quiet_left * module
        self.elements.append(Bars(left, top, module, bar_h, symbol))
        if readable:
            self.text(
                Box(box.x, top + bar_h + gap, box.w, text_h - gap),
                readable,
                max_mm=readable_mm,
                min_mm=min(MIN_TEXT_MM, readable_mm),
                align="center",
            )
        return top - box.y + used
