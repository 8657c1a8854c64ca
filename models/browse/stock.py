"""Stock on hand, a page at a time, by item, location or lot.

On SQLite a CROSS JOIN fixes the join order (its planner otherwise sorts whole
tables); PostgreSQL reads it as a plain join and plans it itself.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce

import peewee as pw
from peewee import JOIN, Tuple, fn

from backroom.models.browse.query import (
    PAGE,
    Page,
    Query,
    _iso,
    _page,
    _path_under,
    _Scope,
    _scope,
    query_of,
    walk,
)
from backroom.models.db import is_sqlite
from backroom.models.errors import Refused
from backroom.models.rules.dates import stored_date
from backroom.models.schema import Item, Location, Lot, Quant

# Written as a literal, not a parameter, so that SQLite can use a partial index
# "... WHERE qty != 0" on quant, should one exist: zero quants pile up where stock
# only passes through (dispatch, transit), and are most of the table.
NONZERO = Quant.qty != pw.SQL("0")

STOCK_GROUPINGS = ("item", "location", "lot")


@dataclass(frozen=True)
class StockLine:
    """One quantity on hand, with what the stock screen shows beside it."""

    item: str
    item_name: str
    unit: str
    lot: str | None
    expiry: dt.date | None
    lot_status: str | None
    location: str
    location_name: str
    quarantine_area: bool
    qty: int
    after: tuple  # the keyset position of this line in its grouping

    @property
    def key(self) -> str:
        """Unique within a list: item, lot and location."""
        return f"{self.item}|{self.lot or ''}|{self.location}"

    def as_dict(self) -> dict[str, object]:
        """The line as `backroom stock --json` prints it."""
        return {
            "item": self.item,
            "name": self.item_name,
            "unit": self.unit,
            "lot": self.lot,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "status": self.lot_status,
            "location": self.location,
            "qty": self.qty,
        }


def _sqlite_cross() -> pw.JoinType:
    # CROSS JOIN pins SQLite's join order; PostgreSQL plans a plain join itself.
    return JOIN.CROSS if is_sqlite() else JOIN.INNER


def _stock_link(table: type[pw.Model], lead: type[pw.Model]) -> pw.Expression:
    """How TABLE joins the query: Quant to the lead table, the others to Quant."""
    other = lead if table is Quant else table
    return {
        Item: Quant.item == Item.id,
        Location: Quant.location == Location.id,
        Lot: Quant.lot_key == Lot.id,
    }[other]


def _stock_tables(lead: type[pw.Model], grouping: str) -> list[type[pw.Model]]:
    others = [Item, Location] + ([Lot] if grouping == "lot" or lead is Lot else [])
    if lead is Quant:
        return [Quant, *others]
    return [lead, Quant, *(t for t in others if t is not lead)]


def _chain(tables: Sequence[type[pw.Model]], columns: Sequence[pw.Node]) -> pw.ModelSelect:
    """SELECT columns FROM the tables joined in this order."""
    lead, *rest = tables
    query = lead.select(*columns)
    if _sqlite_cross() == JOIN.CROSS:
        for table in rest:
            query = query.join_from(lead, table, JOIN.CROSS)
        return query.where(*(_stock_link(t, lead) for t in rest))
    for table in rest:
        query = query.join_from(lead, table, JOIN.INNER, on=_stock_link(table, lead))
    return query


def _stock_lead(scope: _Scope, grouping: str) -> type[pw.Model]:
    """The table the query starts from: a narrow filter's, else the grouping's order."""
    if scope.lots is not None and scope.lots.narrow:
        return Lot
    if scope.items is not None and scope.items.narrow:
        return Item
    if scope.locations is not None and scope.locations.narrow:
        return Location
    if scope.any_of and all(ids.narrow for _, ids in scope.any_of):
        return Quant
    return {"item": Item, "location": Location, "lot": Lot}[grouping]


def _stock_order(grouping: str) -> list[pw.Node]:
    if grouping == "item":
        return [Item.sku, Quant.lot_key, Location.path]
    if grouping == "location":
        return [Location.path, Item.sku, Quant.lot_key]
    return [Lot.expiry, Quant.lot_key, Location.path]


def stock_page(
    query: Query | None = None,
    grouping: str = "item",
    after: object | None = None,
    limit: int = PAGE,
    *,
    include_virtual: bool = False,
) -> Page[StockLine]:
    """Quantities on hand in the warehouse (with `include_virtual`, in suppliers, customers
    and the like too), ordered by item, location or lot (soonest expiry first, lots
    without expiry last); the next page starts after `after`."""
    if grouping not in STOCK_GROUPINGS:
        raise Refused(f"Stock can be listed by {', '.join(STOCK_GROUPINGS)}, not {grouping!r}")
    scope = _scope(query or Query())
    if scope.empty:
        return Page([], None)
    position = tuple(after) if after is not None else None  # type: ignore[arg-type]
    segment = _Segment(scope, grouping, include_virtual)
    if grouping != "lot":
        return _page(segment.lines(position, limit, no_expiry=False), limit)
    # Lots with an expiry first, then those without: two index ranges, one order.
    lines: list[StockLine] = []
    if position is None or position[0] == 0:
        lines = segment.lines(position, limit, no_expiry=False)
        position = None
    if len(lines) < limit:
        lines += segment.lines(position, limit - len(lines), no_expiry=True)
    return _page(lines, limit)


_STOCK_COLUMNS = (
    Item.sku,
    Item.name,
    Item.unit,
    Quant.lot_key,
    Location.code,
    Location.name,
    Location.quarantine,
    Location.path,
    Quant.qty,
    Lot.number,
    Lot.expiry,
    Lot.status,
)


@dataclass(frozen=True)
class _Segment:
    """One stock query: a scope in one grouping's order, read a range at a time."""

    scope: _Scope
    grouping: str
    include_virtual: bool

    def lines(self, after: tuple | None, limit: int, *, no_expiry: bool) -> list[StockLine]:
        """The next LIMIT lines after AFTER (for lots: with or without an expiry)."""
        query, order = self._select(no_expiry)
        if after is not None:
            key = list(after[1:] if self.grouping == "lot" else after)
            if self.grouping == "lot" and no_expiry:
                key = key[1:]
            # The leading column alone as well, so that its index range is used.
            query = query.where(order[0] >= key[0], Tuple(*order) > Tuple(*key))
        rows = query.order_by(*order).limit(limit).tuples()
        return [self._line(row, no_expiry) for row in rows]

    def _select(self, no_expiry: bool) -> tuple[pw.ModelSelect, list[pw.Node]]:
        lead = _stock_lead(self.scope, self.grouping)
        tables = _stock_tables(lead, self.grouping)
        query = _chain(tables, _STOCK_COLUMNS)
        if Lot not in tables:
            query = query.join_from(Quant, Lot, JOIN.LEFT_OUTER, on=(Quant.lot == Lot.id))
        query = query.where(NONZERO)
        if not self.include_virtual:
            query = query.where(Location.kind == "internal")
        query = _stock_filters(query, self.scope, lead)
        order = _stock_order(self.grouping)
        if self.grouping == "lot":
            query = query.where(Lot.expiry.is_null() if no_expiry else Lot.expiry.is_null(False))
            if no_expiry:
                order = order[1:]
        return query, order

    def _line(self, row: tuple, no_expiry: bool) -> StockLine:
        sku, name, unit, lot_key, code, loc_name, quarantine, path, qty, number, expiry, status = (
            row
        )
        if self.grouping == "item":
            position: tuple = (sku, lot_key, path)
        elif self.grouping == "location":
            position = (path, sku, lot_key)
        else:
            position = (int(no_expiry), _iso(expiry), lot_key, path)
        return StockLine(
            sku,
            name,
            unit,
            number,
            stored_date(expiry),
            status,
            code,
            loc_name,
            bool(quarantine),
            qty,
            position,
        )


def _stock_filters(query: pw.ModelSelect, scope: _Scope, lead: type[pw.Model]) -> pw.ModelSelect:
    """Each filter on the lead table's own key if it leads, else as a residual test."""
    dimensions = (
        (scope.items, Item, Item.id, Quant.item),
        (scope.lots, Lot, Lot.id, Quant.lot_key),
        (scope.locations, Location, Location.id, Quant.location),
    )
    for ids, table, own, column in dimensions:
        if ids is None:
            continue
        if table is Location and not ids.narrow and scope.location_path is not None:
            query = query.where(_path_under(Location.path, scope.location_path))
        elif table is lead:
            query = query.where(ids.condition(own))
        else:
            query = query.where(ids.condition(column, residual=lead is not Quant))
    if scope.any_of:
        columns = {"item": Quant.item, "lot": Quant.lot_key, "location": Quant.location}
        residual = lead is not Quant
        alternatives = [
            ids.condition(columns[kind], residual=residual) for kind, ids in scope.any_of
        ]
        query = query.where(reduce(operator.or_, alternatives))
    return query


def list_stock(
    search: str = "",
    *,
    item: str | None = None,
    location: str | None = None,
    lot: str | None = None,
    include_virtual: bool = False,
    limit: int | None = None,
) -> list[StockLine]:
    """Stock on hand by item, as the stock screen lists it for the same SEARCH line (and
    named filters: `location` takes in the locations under it); up to LIMIT lines."""
    query = query_of(search, item=item, location=location, lot=lot)
    return walk(
        lambda after, size: stock_page(query, "item", after, size, include_virtual=include_virtual),
        limit,
    )


def on_hand(item: str, *, location: str | None = None, lot: str | None = None) -> int:
    """Total quantity of ITEM in internal locations (under LOCATION, of LOT)."""
    return sum(line.qty for line in list_stock(item=item, location=location, lot=lot))


def stock_per(column: pw.Field, ids: Iterable[int]) -> dict[int, int]:
    """Stock in internal locations per id of COLUMN (an item or lot key)."""
    ids = list(ids)
    if not ids:
        return {}
    # The few virtual locations are left out by id: no join to read each quant's kind.
    virtual = Location.select(Location.id).where(Location.kind != "internal")
    virtual = [i for (i,) in virtual.tuples()]
    query = (
        Quant.select(column, fn.SUM(Quant.qty))
        .where(column.in_(ids), Quant.location.not_in(virtual), NONZERO)
        .group_by(column)
    )
    return {key: int(total or 0) for key, total in query.tuples()}
