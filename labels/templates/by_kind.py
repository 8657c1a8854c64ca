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
from backroom.labels.templates.toolkit import Box, Canvas
from backroom.models.rules.identifiers import spaced_sscc


def layout(content: Content, size: LabelSize, dpi: int) -> list[Drawing]:
    """The drawings for one label's content at SIZE and DPI."""
    if isinstance(content, CommandContent):
        return command_sheet(content, size, dpi)
    handlers = {
        LocationContent: location_label,
        ItemContent: item_label,
        LotContent: lot_label,
        LogisticContent: logistic_label,
        BadgeContent: badge_label,
        ScannerTestContent: scanner_test_label,
    }
    return [handlers[type(content)](content, size, dpi)]  # type: ignore[operator]


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


def item_label(content: ItemContent, size: LabelSize, dpi: int) -> Drawing:
    """SKU, name (two lines at most), and the GTIN or SKU barcode."""
    c = Canvas(size, dpi, f"item {content.sku}")
    gap = c.mm(0.8)
    area = c.area
    used = c.text(area.top(_share(area, 0.24)), content.sku, bold=True, max_mm=14)
    area = area.below(used + gap)
    used = c.text(area.top(_share(area, 0.3)), content.name, lines=2, max_mm=8)
    area = area.below(used + gap)
    c.barcode(area, content.symbol(), max_module_mm=0.4, what=f"item {content.sku}")
    return c.drawing()


def lot_label(content: LotContent, size: LabelSize, dpi: int) -> Drawing:
    """Item, lot (or serial) number and expiry in words, then the GS1-128."""
    what = "S/N" if content.serial else "LOT"
    c = Canvas(size, dpi, f"{'serial' if content.serial else 'lot'} {content.number}")
    gap = c.mm(0.8)
    area = c.area
    head = f"{content.sku}  {content.item_name}"
    used = c.text(area.top(_share(area, 0.14)), head, max_mm=7)
    area = area.below(used + gap)
    used = c.text(area.top(_share(area, 0.22)), f"{what} {content.number}", bold=True, max_mm=14)
    area = area.below(used + gap)
    if content.expiry:
        expiry = f"EXP {content.expiry.isoformat()}"
        used = c.text(area.top(_share(area, 0.16)), expiry, max_mm=9)
        area = area.below(used + gap)
    c.barcode(area, content.symbol(), max_module_mm=0.4, what=f"{what.lower()} {content.number}")
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


def logistic_label(content: LogisticContent, size: LabelSize, dpi: int) -> Drawing:
    """The GS1 logistic label: addresses and carrier at the top, contents and readable
    data in the middle, (420) and (00) barcodes at the bottom, the SSCC lowest."""
    c = Canvas(size, dpi, f"sscc {content.sscc}")
    if size.height_mm < 90:
        return _compact_logistic(c, content)
    gap = c.mm(1.2)
    line = max(2, c.mm(0.35))
    area = c.area
    caption = c.mm(3)

    top = area.top(_share(area, 0.3))
    for box, head, lines in zip(
        top.columns(2, c.mm(3)), ("FROM", "TO"), (content.ship_from, content.ship_to), strict=True
    ):
        c.text(box.top(caption), head, bold=True)
        body = "\n".join(lines)
        c.text(box.below(caption + gap // 2), body, lines=len(lines) + 1, max_mm=5)
    c.rule(area.x + area.w // 2, top.y, line, top.h)
    area = area.below(top.h + gap)
    c.rule(area.x, area.y, area.w, line)
    area = area.below(line + gap)

    if content.carrier:
        used = c.text(area.top(c.mm(6)), f"CARRIER  {content.carrier}", bold=True)
        area = area.below(used + gap)
    used = c.text(area.top(caption), "SSCC", bold=True)
    area = area.below(used)
    used = c.text(area.top(c.mm(7)), spaced_sscc(content.sscc), bold=True)
    area = area.below(used + gap)
    postal = content.postal_symbol()
    if content.ship_to_postal_code:
        text = f"SHIP TO POST CODE  {content.ship_to_postal_code}"
        used = c.text(area.top(c.mm(5)), text)
        area = area.below(used + gap)
    if content.contents:
        used = c.text(area.top(caption), "CONTENT", bold=True)
        area = area.below(used)
        body = "\n".join(content.contents)
        used = c.text(area.top(c.mm(14)), body, lines=len(content.contents) + 2, max_mm=4)
        area = area.below(used + gap)

    c.rule(area.x, area.y, area.w, line)
    area = area.below(line + gap)
    # The SSCC is the lowest barcode; (420) goes above it when there is room.
    sscc_box = area.bottom(min(area.h, c.mm(38)))
    c.barcode(sscc_box, content.symbol(), max_module_mm=0.52, max_bar_mm=32, what="SSCC")
    rest = area.above(sscc_box.h + gap)
    if postal is not None and rest.h >= c.mm(12):
        c.barcode(rest, postal, max_module_mm=0.52, max_bar_mm=18, what="(420) postal code")
    return c.drawing()


def _compact_logistic(c: Canvas, content: LogisticContent) -> Drawing:
    gap = c.mm(0.8)
    area = c.area
    to = ", ".join((*content.ship_to[:1], content.ship_to_postal_code or ""))
    if to.strip(", "):
        used = c.text(area.top(_share(area, 0.18)), "TO " + to.strip(", "), bold=True)
        area = area.below(used + gap)
    c.barcode(area, content.symbol(), max_module_mm=0.52, max_bar_mm=32, what="SSCC")
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
