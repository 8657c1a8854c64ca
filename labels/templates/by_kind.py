"""Where things go on each kind of label, for any size and resolution.

Each layout is a function from a content value, a LabelSize and a DPI to drawings (one
label, or several when a command sheet needs more than one). Proportions follow the label:
on a small label the texts shrink and the barcode keeps what it needs.
"""

from __future__ import annotations

import math

from backroom.labels.content import (
    BadgeContent,
    CommandContent,
    Content,
    ItemContent,
    LocationContent,
    LogisticContent,
    LotContent,
    ScannerTestContent,
)
from backroom.labels.drawing import Drawing
from backroom.labels.sizes import LabelSize
from backroom.labels.symbols import code128_symbol
from backroom.labels.templates import gs1_kinds
from backroom.labels.templates.gs1_kinds import SymbolChoice
from backroom.labels.templates.gs1_layout import DoesNotFit
from backroom.labels.templates.toolkit import Box, Canvas

# Sizes tried, smallest first, to name the label a refused one would fit.
_TRIED_MM = sorted(
    {
        (w, h)
        for w in (50, 57, 76, 100, 102, 150, 210)
        for h in (25, 32, 50, 76, 100, 150, 200, 297)
    },
    key=lambda wh: (wh[0] * wh[1], wh[0]),
)


def layout(
    content: Content, size: LabelSize, dpi: int, symbol: SymbolChoice | None = None
) -> list[Drawing]:
    """The drawings for one label's content at SIZE and DPI; SYMBOL says which symbol a
    GS1 label carries (see gs1_kinds). A label no permitted layout holds is refused
    with the smallest size that would hold it."""
    if isinstance(content, CommandContent):
        return command_sheet(content, size, dpi)
    choice = symbol or SymbolChoice()
    if isinstance(content, ItemContent | LotContent | LogisticContent):
        try:
            return [_gs1_label(content, size, dpi, choice)]
        except DoesNotFit as exc:
            raise DoesNotFit(f"{exc}: {_smallest(content, size, dpi, choice)}") from None
    handlers = {
        LocationContent: location_label,
        BadgeContent: badge_label,
        ScannerTestContent: scanner_test_label,
    }
    return [handlers[type(content)](content, size, dpi)]  # type: ignore[operator]


def _gs1_label(
    content: ItemContent | LotContent | LogisticContent,
    size: LabelSize,
    dpi: int,
    choice: SymbolChoice,
) -> Drawing:
    if isinstance(content, ItemContent):
        return gs1_kinds.item_label(content, size, dpi, choice)
    if isinstance(content, LotContent):
        return gs1_kinds.lot_label(content, size, dpi, choice)
    return gs1_kinds.logistic_label(content, size, dpi, choice)


def _smallest(
    content: ItemContent | LotContent | LogisticContent,
    size: LabelSize,
    dpi: int,
    choice: SymbolChoice,
) -> str:
    """Which label would hold CONTENT at DPI, in words."""
    for w, h in _TRIED_MM:
        if w < size.width_mm and h < size.height_mm:
            continue  # smaller both ways than the one that was too small
        try:
            _gs1_label(content, LabelSize(w, h), dpi, choice)
        except DoesNotFit:
            continue
        return f"the smallest label it fits at {dpi} dpi is {w}x{h} mm"
    return "no label up to 210x297 mm holds it"


def _share(box: Box, fraction: float) -> int:
    return int(box.h * fraction)


def location_label(content: LocationContent, size: LabelSize, dpi: int) -> Drawing:
    """The code as large as it goes, the name small, and Code 128 of the code."""
    c = Canvas(size, dpi, f"location {content.code}")
    gap = c.mm(1)
    area = c.area
    used = c.text(area.top(_share(area, 0.4)), content.code, bold=True, align="center")
    area = area.below(used + gap)
    if content.name and area.h > c.mm(14):
        box = area.bottom(_share(area, 0.2))
        used = c.text(box, content.name, align="center", bottom=True)
        area = area.above(used + gap if used else 0)
    c.barcode(area, content.symbol(), max_module_mm=0.6, what=f"location {content.code}")
    return c.drawing()


def badge_label(content: BadgeContent, size: LabelSize, dpi: int) -> Drawing:
    """The person's name, role and site, and Code 128 of the badge code."""
    c = Canvas(size, dpi, f"badge {content.name}")
    gap = c.mm(0.8)
    area = c.area
    name = content.name
    used = c.text(area.top(_share(area, 0.34)), name, bold=True, align="center", max_mm=16)
    area = area.below(used + gap)
    line = " · ".join(part for part in (content.role, content.site) if part)
    used = c.text(area.top(_share(area, 0.2)), line, align="center", max_mm=8)
    area = area.below(used + gap)
    c.barcode(area, content.symbol(), max_module_mm=0.4, what=f"badge of {content.name}")
    return c.drawing()


def scanner_test_label(content: ScannerTestContent, size: LabelSize, dpi: int) -> Drawing:
    """A title, what to do, the barcode, and the text the scanner must type."""
    c = Canvas(size, dpi, "scanner test")
    gap = c.mm(1.5)
    area = c.area
    used = c.text(area.top(_share(area, 0.12)), "Scanner test", bold=True, max_mm=10)
    area = area.below(used + gap)
    instructions = "Scan into a Backroom scan field: it must show exactly the text below."
    used = c.text(area.top(_share(area, 0.14)), instructions, lines=2, max_mm=5)
    area = area.below(used + gap)
    bars = area.top(min(_share(area, 0.55), c.mm(30)))
    used = c.barcode(bars, content.symbol(), max_module_mm=0.4, what="scanner test")
    area = area.below(used + gap)
    expected = "\n".join(content.readable_lines())
    c.text(area.top(min(area.h, c.mm(30))), expected, lines=4, max_mm=6)
    return c.drawing()


COMMAND_CELL_MM = (17.0, 30.0)  # a cell's height: least, most


def command_sheet(content: CommandContent, size: LabelSize, dpi: int) -> list[Drawing]:
    """Command codes in a grid of captioned barcodes, bars as wide as still lets every
    code fit on one label; more labels when even the narrowest bars do not."""
    symbols = [code128_symbol(code, readable="") for _, code in content.entries]
    probe = Canvas(size, dpi, "commands")
    area, gap = probe.area, probe.mm(3)
    widest_code = max(s.modules for s in symbols)
    narrowest, widest = probe.module_range(0.5)
    if widest_code * narrowest > area.w:
        probe.barcode(area, symbols[0], what="command")  # says what width it needs
    title_h = probe.mm(8) if size.height_mm >= 100 else 0
    least, most = (probe.mm(v) for v in COMMAND_CELL_MM)
    rows = max(1, (area.h - title_h + gap) // (least + gap))
    module, cols = narrowest, 1
    for module in range(widest, narrowest - 1, -1):
        cols = max(1, (area.w + gap) // (widest_code * module + gap))
        if cols * rows >= len(symbols) or module == narrowest:
            break
    per_page = rows * cols
    pages = math.ceil(len(symbols) / per_page)
    drawings = []
    for page in range(pages):
        c = Canvas(size, dpi, f"commands {page + 1}" if pages > 1 else "commands")
        area = c.area
        if title_h:
            used = c.text(area.top(title_h), content.title, bold=True, max_mm=6)
            area = area.below(used + gap)
        chunk = list(range(page * per_page, min(len(symbols), (page + 1) * per_page)))
        cell_h = min(most, (area.h + gap) // math.ceil(len(chunk) / cols) - gap)
        boxes = area.columns(cols, gap)
        for n, index in enumerate(chunk):
            col = boxes[n % cols]
            cell = Box(col.x, area.y + (n // cols) * (cell_h + gap), col.w, cell_h)
            caption = content.entries[index][0]
            used = c.text(cell.top(cell.h // 4), caption, bold=True, align="center")
            c.barcode(
                cell.below(used + c.mm(0.5)),
                symbols[index],
                max_module_mm=(module + 0.5) / c.dpmm,
                max_bar_mm=14,
                what="command",
            )
        drawings.append(c.drawing())
    return drawings
