"""Lots, soonest expiry first or newest first, with their stock on hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw
from peewee import JOIN, Tuple

from backroom.models.browse.query import (
    PAGE,
    Page,
    Query,
    _exact_item,
    _ids,
    _iso,
    _page,
    query_of,
    walk,
)
from backroom.models.browse.stock import stock_per
from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import get_item
from backroom.models.rules.dates import stored_date
from backroom.models.schema import Item, Location, Lot, Quant

LOT_ORDERS = ("expiry", "newest")

Supplier = Location.alias("supplier")


@dataclass(frozen=True)
class LotLine:
    """A lot: its item, dates, status and stock on hand."""

    id: int
    item: str
    item_name: str
    number: str
    expiry: dt.date | None
    production_date: dt.date | None
    status: str
    supplier: str | None
    supplier_lot: str | None
    on_hand: int
    after: tuple

    @property
    def key(self) -> str:
        return str(self.id)

    def as_dict(self) -> dict[str, object]:
        """The lot as `backroom lot list --json` prints it."""
        return {
            "item": self.item,
            "lot": self.number,
            "expiry": self.expiry,
            "status": self.status,
            "supplier_lot": self.supplier_lot,
        }


def lots_page(
    query: Query | None = None,
    order: str = "expiry",
    after: object | None = None,
    limit: int = PAGE,
) -> Page[LotLine]:
    """Lots, soonest expiry first (no expiry last) or newest first, filtered by item,
    status and loose text (lot number, supplier's lot number, item)."""
    if order not in LOT_ORDERS:
        raise Refused(f"Lots can be listed by {', '.join(LOT_ORDERS)}, not {order!r}")
    query = query or Query()
    position = tuple(after) if after is not None else None  # type: ignore[arg-type]
    if order == "newest":
        return _page(_lot_lines(query, position, limit, "newest"), limit)
    lines: list[LotLine] = []
    if position is None or position[0] == 0:
        lines = _lot_lines(query, position, limit, "expiry")
        position = None
    if len(lines) < limit:
        lines += _lot_lines(query, position, limit - len(lines), "no-expiry")
    return _page(lines, limit)


def _lots_filtered(query: Query) -> pw.ModelSelect:
    """The lots QUERY asks for, joined to their item and supplier, in no order."""
    select = (
        Lot.select(
            Lot.id,
            Item.sku,
            Item.name,
            Lot.number,
            Lot.expiry,
            Lot.production_date,
            Lot.status,
            Supplier.code,
            Lot.supplier_lot,
        )
        .join_from(Lot, Item, on=(Lot.item == Item.id))
        .join_from(Lot, Supplier, JOIN.LEFT_OUTER, on=(Lot.supplier == Supplier.id))
    )
    if query.item:
        select = select.where(Lot.item == get_item(query.item).id)
    if query.lot:
        select = select.where(Lot.number == query.lot)
    if query.status:
        select = select.where(Lot.status == query.status.lower())
    text = query.text.strip()
    if text:
        item = _exact_item(text)
        if item is not None:
            select = select.where(Lot.item == item.id)
        else:
            # The lots whose number starts so (or the supplier's lot is so), found once;
            # a short list is then sorted, a long one filters the ordered scan.
            found = _ids(
                Lot.select(Lot.id).where(Lot.number.startswith(text) | (Lot.supplier_lot == text))
            )
            select = select.where(found.condition(Lot.id, residual=not found.narrow))
    return select


def _in_segment(select: pw.ModelSelect, after: tuple | None, segment: str) -> pw.ModelSelect:
    """SELECT in the order of SEGMENT ('newest', 'expiry', 'no-expiry'), after AFTER."""
    if segment == "newest":
        if after is not None:
            select = select.where(Lot.id < after[0])
        return select.order_by(Lot.id.desc())
    if segment == "expiry":
        select = select.where(Lot.expiry.is_null(False))
        if after is not None:
            select = select.where(
                Lot.expiry >= after[1], Tuple(Lot.expiry, Lot.id) > Tuple(after[1], after[2])
            )
        return select.order_by(Lot.expiry, Lot.id)
    select = select.where(Lot.expiry.is_null())
    if after is not None:
        select = select.where(Lot.id > after[2])
    return select.order_by(Lot.id)


def _lot_lines(query: Query, after: tuple | None, limit: int, segment: str) -> list[LotLine]:
    rows = list(_in_segment(_lots_filtered(query), after, segment).limit(limit).tuples())
    stock = stock_per(Quant.lot_key, (r[0] for r in rows))
    lines = []
    for lot_id, sku, name, number, expiry, made, status, supplier, supplier_lot in rows:
        if segment == "newest":
            position: tuple = (lot_id,)
        else:
            position = (int(segment == "no-expiry"), _iso(expiry), lot_id)
        lines.append(
            LotLine(
                lot_id,
                sku,
                name,
                number,
                stored_date(expiry),
                stored_date(made),
                status,
                supplier,
                supplier_lot,
                stock.get(lot_id, 0),
                position,
            )
        )
    return lines


def list_lots(
    search: str = "",
    *,
    item: str | None = None,
    status: str | None = None,
    order: str = "expiry",
    limit: int | None = None,
) -> list[LotLine]:
    """Lots as the lots screen lists them for the same SEARCH line (and named filters)."""
    query = query_of(search, item=item, status=status)
    return walk(lambda after, size: lots_page(query, order, after, size), limit)


def lot_line(item: str, number: str) -> LotLine:
    """Lot NUMBER of ITEM, as the lists show it."""
    found = lots_page(Query(item=item, lot=number), "newest", None, 1).rows
    if not found:
        raise NotFound(f"Unknown lot {number!r} of item {item}")
    return found[0]


def lots_numbered(number: str, limit: int = 20) -> list[LotLine]:
    """Every lot called NUMBER, of whichever item, with its stock on hand: the choice a
    person is given when a lot number alone does not say which item it is."""
    return lots_page(Query(lot=number), "newest", None, limit).rows
