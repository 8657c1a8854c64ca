"""Items by SKU, with their stock on hand."""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from backroom.models.browse.query import PAGE, Page, _page, check_search, walk
from backroom.models.browse.stock import stock_per
from backroom.models.errors import NotFound
from backroom.models.schema import Item, Quant


@dataclass(frozen=True)
class ItemLine:
    """An item and its stock on hand in the warehouse."""

    sku: str
    name: str
    gtin: str | None
    unit: str
    tracking: str
    shelf_life_days: int | None
    active: bool
    on_hand: int

    @property
    def key(self) -> str:
        return self.sku

    @property
    def after(self) -> str:
        return self.sku

    def as_dict(self) -> dict[str, object]:
        """The item as `backroom item list --json` prints it."""
        return {
            "sku": self.sku,
            "gtin": self.gtin,
            "name": self.name,
            "unit": self.unit,
            "tracking": self.tracking,
            "shelf_life_days": self.shelf_life_days,
            "active": self.active,
        }


def _item_lines(where: pw.Expression | None, after: object | None, limit: int) -> list[ItemLine]:
    query = Item.select(
        Item.id,
        Item.sku,
        Item.name,
        Item.gtin,
        Item.unit,
        Item.tracking,
        Item.shelf_life_days,
        Item.active,
    )
    if where is not None:
        query = query.where(where)
    if after is not None:
        query = query.where(Item.sku > str(after))
    rows = list(query.order_by(Item.sku).limit(limit).tuples())
    stock = stock_per(Quant.item, (r[0] for r in rows))
    return [ItemLine(*r[1:7], bool(r[7]), stock.get(r[0], 0)) for r in rows]


def items_page(text: str = "", after: object | None = None, limit: int = PAGE) -> Page[ItemLine]:
    """Items by SKU, those whose SKU, GTIN or name matches TEXT; continue after SKU `after`."""
    text = check_search(text).strip()
    match = None
    if text:
        match = Item.sku.startswith(text) | Item.name.contains(text)
        if text.isdigit():
            match |= Item.gtin.contains(text)
    return _page(_item_lines(match, after, limit), limit)


def list_items(text: str = "", limit: int | None = None) -> list[ItemLine]:
    """Items by SKU, as the items screen lists them for the same search TEXT."""
    return walk(lambda after, size: items_page(text, after, size), limit)


def item_line(sku: str) -> ItemLine:
    """The item with this SKU, as the lists show it."""
    found = _item_lines(Item.sku == sku, None, 1)
    if not found:
        raise NotFound(f"Unknown item {sku!r}")
    return found[0]
