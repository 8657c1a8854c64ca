"""GS1 symbols placed at GS1's sizes: linear symbols at an X-dimension and bar height
from their symbol specification table, split over two or more GS1-128 symbols in GS1's
order when one is too wide, and 2D symbols with whole-dot modules.

A plan is worked out before anything is placed, so a layout can ask how much room the
barcodes need and give the rest to its text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

from backroom.labels import fonts, gs1
from backroom.labels.drawing import Bars, Matrix
from backroom.labels.matrix import MatrixSymbol
from backroom.labels.sizes import dots_to_mm
from backroom.labels.specs import GS1_128_MAX_CHARS, GS1_128_MAX_MM, SymbolSpec, linear_spec
from backroom.labels.symbols import Symbol, gs1_128_symbol
from backroom.labels.templates.toolkit import Box, Canvas
from backroom.models.errors import Refused

HRI_GAP_MM = 0.6  # between the bars and their readable line
# Bars this much above GS1's least height where the label has room: a verifier measures
# what the printer made, and a head's first and last dot rows may print light.
BAR_HEADROOM_MM = 1.0
STACK_GAP_MM = 2.0  # between two symbols one above the other


class DoesNotFit(Refused):
    """No layout GS1 permits holds this label's barcodes at this size."""


@dataclass(frozen=True)
class LinearPlan:
    """Symbols one above the other, the last lowest, at one module width."""

    symbols: tuple[Symbol, ...]
    module: int  # dots
    bar_height: int  # dots
    hri_size: int  # em size of the readable lines
    hri_lines: tuple[tuple[str, ...], ...]  # per symbol
    line_height: int
    gap: int
    stack_gap: int

    @property
    def height(self) -> int:
        """Dots from the top of the first symbol to the bottom of the last readable line."""
        each = [
            self.bar_height + self.gap + len(lines) * self.line_height for lines in self.hri_lines
        ]
        return sum(each) + self.stack_gap * (len(each) - 1)


def _room(c: Canvas, box: Box) -> tuple[int, int]:
    """Width for a symbol with its quiet zones, and for its bars alone, in BOX: across
    the whole label the quiet zones may reach into the margin up to 0.5 mm from the
    edge, the bars up to 2 mm."""
    if box.x == c.area.x and box.w == c.area.w:
        return c.width - 2 * c.mm(0.5), max(box.w, c.width - 2 * c.mm(2))
    return box.w, box.w


def _hri(
    c: Canvas, symbol: Symbol, spec: SymbolSpec, width: int
) -> tuple[int, tuple[str, ...]] | None:
    """The readable line at the least digit height SPEC asks, in one line or wrapped at
    element boundaries; None if it does not fit WIDTH without being cut."""
    size = fonts.size_for_digits(spec.hri_mm * c.dpmm)
    parts = symbol.parts or (symbol.readable,)
    lines: list[str] = []
    for part in parts:
        joined = lines[-1] + part if lines else part
        if lines and fonts.text_width(joined, size) <= width:
            lines[-1] = joined
        elif fonts.text_width(part, size) <= width:
            lines.append(part)
        else:
            return None
    return size, tuple(lines)


def plan_linear(
    c: Canvas, box: Box, elements: list[gs1.Element], *, logistic: bool = False, height: int
) -> LinearPlan | None:
    """The plan with the fewest GS1-128 symbols, the first ones as full as they go, at
    the target X-dimension or the nearest whole-dot one that fits BOX's width and HEIGHT
    dots; None if none does."""
    spec = linear_spec("code128", logistic)
    room, bars_room = _room(c, box)
    room = min(room, c.mm(GS1_128_MAX_MM))
    shortest = spec.least_height_mm(spec.x_min) * c.dpmm
    for count in range(1, len(elements) + 1):
        if count * shortest > height:
            break  # more symbols only take more height
        for groups in gs1.splits(elements, count):
            if any(len(gs1.element_string(g)) > GS1_128_MAX_CHARS for g in groups):
                continue
            symbols = tuple(_gs1_128(tuple(g)) for g in groups)
            modules = max(s.modules for s in symbols)
            bars = max(sum(s.widths) for s in symbols)
            for module in spec.module_dots(c.dpi):
                if modules * module > room or bars * module > bars_room:
                    continue
                plan = _stack(c, symbols, spec, module, box.w)
                if plan is not None and plan.height <= height:
                    return _with_headroom(c, plan, height)
    return None


@lru_cache(maxsize=256)
def _gs1_128(elements: tuple[gs1.Element, ...]) -> Symbol:
    return gs1_128_symbol(list(elements))


def plan_symbol(
    c: Canvas, box: Box, symbol: Symbol, spec: SymbolSpec, height: int
) -> LinearPlan | None:
    """The plan for one given symbol (an EAN, a GS1-128 of fixed data) in BOX."""
    room, bars_room = _room(c, box)
    for module in spec.module_dots(c.dpi):
        plan = _stack(c, (symbol,), spec, module, box.w)
        fits = symbol.modules * module <= room and sum(symbol.widths) * module <= bars_room
        if plan is not None and fits and plan.height <= height:
            return _with_headroom(c, plan, height)
    return None


def _with_headroom(c: Canvas, plan: LinearPlan, height: int) -> LinearPlan:
    """PLAN with its bars BAR_HEADROOM_MM taller, where that still fits HEIGHT."""
    extra = c.mm(BAR_HEADROOM_MM)
    taller = replace(plan, bar_height=plan.bar_height + extra)
    return taller if taller.height <= height else plan


def _stack(
    c: Canvas, symbols: tuple[Symbol, ...], spec: SymbolSpec, module: int, width: int
) -> LinearPlan | None:
    x_mm = dots_to_mm(module, c.dpi)
    bar_height = math.ceil(spec.least_height_mm(x_mm) * c.dpmm - 1e-6)
    lines = []
    size = 0
    for symbol in symbols:
        found = _hri(c, symbol, spec, width)
        if found is None:
            return None
        size, hri = found
        lines.append(hri)
    return LinearPlan(
        symbols,
        module,
        bar_height,
        size,
        tuple(lines),
        fonts.line_height(size),
        c.mm(HRI_GAP_MM),
        c.mm(STACK_GAP_MM),
    )


def place_linear(c: Canvas, box: Box, plan: LinearPlan) -> int:
    """Place PLAN at the bottom of BOX, centred; returns the height it takes."""
    y = box.y + box.h - plan.height
    top = y
    for symbol, lines in zip(plan.symbols, plan.hri_lines, strict=True):
        left = box.x + (box.w - symbol.modules * plan.module) // 2 + symbol.quiet_left * plan.module
        c.elements.append(Bars(left, y, plan.module, plan.bar_height, symbol))
        y += plan.bar_height + plan.gap
        for line in lines:
            c.line(Box(box.x, y, box.w, plan.line_height), line, plan.hri_size, align="center")
            y += plan.line_height
        y += plan.stack_gap
    return box.y + box.h - top


def matrix_module(c: Canvas, symbol: MatrixSymbol, spec: SymbolSpec, box: Box) -> int | None:
    """The module in dots a 2D symbol takes in BOX (quiet zone included), or None."""
    across = symbol.columns + 2 * symbol.quiet
    down = symbol.height + 2 * symbol.quiet
    for module in spec.module_dots(c.dpi):
        if across * module <= box.w and down * module <= box.h:
            return module
    return None


def place_matrix(c: Canvas, box: Box, symbol: MatrixSymbol, module: int) -> tuple[int, int]:
    """Place SYMBOL at the top right of BOX; returns its width and height with the
    quiet zone, in dots."""
    quiet = symbol.quiet * module
    across = symbol.columns * module + 2 * quiet
    down = symbol.height * module + 2 * quiet
    c.elements.append(Matrix(box.x + box.w - across + quiet, box.y + quiet, module, symbol))
    return across, down
