"""Browsing: stock, the ledger, items, lots and locations, a page at a time.

Every list pages by keyset (the last row's sort key), never by OFFSET, and its
query starts from the table whose index gives the order asked for, so that the
first page of a million moves costs as little as the thousandth. On SQLite a
CROSS JOIN fixes the join order (its planner otherwise sorts whole tables);
PostgreSQL reads it as a plain join and plans it itself.
"""

from __future__ import annotations

import datetime as dt
import operator
import shlex
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Generic, TypeVar

import peewee as pw
from peewee import JOIN, Tuple, fn

from backroom.models.db import is_sqlite
from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import get_item, get_location, normalize_gtin
from backroom.models.schema import (
    MOVE_KINDS,
    Item,
    LedgerHead,
    Location,
    Lot,
    Move,
    Quant,
    User,
    utcnow,
)
from backroom.models.stock.ledger import PostedMove

PAGE = 100
# Above this many ids, a set is filtered row by row instead of driving the query.
NARROW = 300
# A free-text search matches at most this many items, lots or locations.
TEXT_CAP = 2000
EXPIRY_WARNING_DAYS = 30

# Written as a literal, not a parameter, so that SQLite can use a partial index
# "... WHERE qty != 0" on quant, should one exist: zero quants pile up where stock
# only passes through (dispatch, transit), and are most of the table.
NONZERO = Quant.qty != pw.SQL("0")

LocFrom = Location.alias("loc_from")
LocTo = Location.alias("loc_to")
Supplier = Location.alias("supplier")


def today() -> dt.date:
    """Today's date in UTC; expiry colours are relative to it (tests replace it)."""
    return utcnow().date()


def expiry_state(expiry: dt.date | None, on: dt.date | None = None) -> str:
    """'expired', 'soon' (within 30 days) or '' for a lot's expiry date."""
    if expiry is None:
        return ""
    day = on or today()
    if expiry < day:
        return "expired"
    if expiry <= day + dt.timedelta(days=EXPIRY_WARNING_DAYS):
        return "soon"
    return ""


# --- what people type -------------------------------------------------------------------

FILTER_WORDS = {
    "item": "item",
    "sku": "item",
    "loc": "location",
    "location": "location",
    "lot": "lot",
    "user": "user",
    "kind": "kind",
    "status": "status",
    "ref": "reference",
    "from": "since",
    "since": "since",
    "to": "until",
    "until": "until",
}


@dataclass(frozen=True)
class Query:
    """Filters for a list: each one narrows it; `text` is searched loosely."""

    item: str | None = None
    location: str | None = None
    lot: str | None = None
    user: str | None = None
    kind: str | None = None
    status: str | None = None
    reference: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    text: str = ""

    def describe(self) -> str:
        """The filters in the words a person typed them, for a status line."""
        parts = [
            f"{name} {value}"
            for name, value in (
                ("item", self.item),
                ("location", self.location),
                ("lot", self.lot),
                ("user", self.user),
                ("kind", self.kind),
                ("status", self.status),
                ("ref", self.reference),
                ("from", self.since),
                ("to", self.until),
            )
            if value
        ]
        if self.text:
            parts.append(f"“{self.text}”")
        return ", ".join(parts)


def parse_query(text: str) -> Query:
    """Filters from a search line such as `tape loc:A-01 from:2025-01-01`."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    found: dict[str, object] = {}
    loose = []
    for word in words:
        name, sep, value = word.partition(":")
        key = FILTER_WORDS.get(name.lower()) if sep else None
        if key is None or not value:
            loose.append(word)
            continue
        if key in ("since", "until"):
            try:
                found[key] = dt.date.fromisoformat(value)
            except ValueError:
                raise Refused(f"Date {value!r} must be written YYYY-MM-DD") from None
        elif key == "kind":
            if value.lower() not in MOVE_KINDS:
                raise Refused(f"Move kind {value!r} is not one of {', '.join(MOVE_KINDS)}")
            found[key] = value.lower()
        else:
            found[key] = value
    return Query(text=" ".join(loose), **found)  # type: ignore[arg-type]


# --- resolving a query to ids -----------------------------------------------------------


@dataclass
class _Ids:
    """Ids one filter allows: a short list can lead a query, a long one only filters."""

    ids: list[int] = field(default_factory=list)
    subquery: pw.SelectQuery | None = None

    @property
    def narrow(self) -> bool:
        return self.subquery is None and len(self.ids) <= NARROW

    @property
    def empty(self) -> bool:
        return self.subquery is None and not self.ids

    def condition(self, column: pw.Node, *, residual: bool = False) -> pw.Expression:
        """COLUMN among the ids; `residual` keeps SQLite from using an index for it."""
        target = column + 0 if residual else column
        return target.in_(self.subquery if self.subquery is not None else self.ids)


def _ids(query: pw.SelectQuery, cap: int = TEXT_CAP) -> _Ids:
    rows = [r for (r,) in query.limit(cap + 1).tuples()]
    if len(rows) > cap:
        return _Ids(subquery=query.limit(None))
    return _Ids(rows)


@dataclass
class _Scope:
    """A query resolved to ids: every dimension set applies; `any_of` are the meanings
    of loose text, one of which must."""

    items: _Ids | None = None
    lots: _Ids | None = None
    locations: _Ids | None = None
    location_path: str | None = None  # the subtree's top, for a wide `locations`
    user_id: int | None = None
    any_of: list[tuple[str, _Ids]] = field(default_factory=list)
    empty: bool = False


def _path_under(column: pw.Field, path: str) -> pw.Expression:
    """COLUMN is PATH or below it. The bounds make one index range ('0' sorts right
    after '/'); the OR then drops siblings such as PATH-2 that fall inside it."""
    return (column >= path) & (column < path + "0") & ((column == path) | (column >= path + "/"))


def _subtree(loc: Location) -> _Ids:
    """Ids of LOC and every location under it."""
    return _ids(Location.select(Location.id).where(_path_under(Location.path, loc.path)), NARROW)


def _lots_numbered(number: str, item: Item | None) -> _Ids:
    query = Lot.select(Lot.id).where(Lot.number == number)
    if item is not None:
        query = query.where(Lot.item == item.id)
    found = _ids(query)
    if found.empty:
        raise NotFound(f"Unknown lot {number!r}" + (f" of item {item.sku}" if item else ""))
    return found


def _exact_item(text: str) -> Item | None:
    item = Item.get_or_none(Item.sku == text)
    if item is None and text.isdigit() and len(text) in (8, 12, 13, 14):
        try:
            item = Item.get_or_none(Item.gtin == normalize_gtin(text))
        except Refused:
            return None
    return item


def _text_alternatives(text: str) -> list[tuple[str, _Ids, str | None]]:
    """What loose text can mean: a code exactly, else items, lots and locations like it."""
    loc = Location.get_or_none(Location.code == text)
    if loc is not None:
        return [("location", _subtree(loc), loc.path)]
    item = _exact_item(text)
    if item is not None:
        return [("item", _Ids([item.id]), None)]
    lots = _ids(Lot.select(Lot.id).where(Lot.number == text))
    if not lots.empty:
        return [("lot", lots, None)]
    items = _ids(
        Item.select(Item.id).where(
            Item.sku.startswith(text) | Item.name.contains(text) | (Item.gtin == text)
        )
    )
    lots = _ids(Lot.select(Lot.id).where(Lot.number.startswith(text)))
    locations = _ids(Location.select(Location.id).where(Location.code.startswith(text)))
    return [
        (kind, ids, None)
        for kind, ids in (("item", items), ("lot", lots), ("location", locations))
        if not ids.empty
    ]


def _scope(query: Query) -> _Scope:
    scope = _Scope()
    item = get_item(query.item) if query.item else None
    if item is not None:
        scope.items = _Ids([item.id])
    if query.lot:
        scope.lots = _lots_numbered(query.lot.strip(), item)
    if query.location:
        loc = get_location(query.location)
        scope.locations, scope.location_path = _subtree(loc), loc.path
    if query.user:
        user = User.get_or_none(User.name == query.user.strip())
        if user is None:
            raise NotFound(f"Unknown user {query.user!r}")
        scope.user_id = user.id
    text = query.text.strip()
    if text:
        meanings = _text_alternatives(text)
        scope.empty = not meanings
        if len(meanings) == 1 and getattr(scope, meanings[0][0] + "s") is None:
            # One meaning is a filter like any other, and may lead the query.
            kind, ids, path = meanings[0]
            setattr(scope, kind + "s", ids)
            if path is not None:
                scope.location_path = path
        else:
            scope.any_of = [(kind, ids) for kind, ids, _ in meanings]
    return scope


# --- pages ------------------------------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows of a list, and where the next page starts (None: this was the last)."""

    rows: list[T]
    after: object | None


def _page(rows: list, limit: int) -> Page:
    return Page(rows, rows[-1].after if len(rows) >= limit else None)


# --- stock on hand ----------------------------------------------------------------------

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
) -> Page[StockLine]:
    """Quantities on hand in the warehouse, ordered by item, location or lot (soonest
    expiry first, lots without expiry last); the next page starts after `after`."""
    if grouping not in STOCK_GROUPINGS:
        raise Refused(f"Stock can be listed by {', '.join(STOCK_GROUPINGS)}, not {grouping!r}")
    scope = _scope(query or Query())
    if scope.empty:
        return Page([], None)
    position = tuple(after) if after is not None else None  # type: ignore[arg-type]
    if grouping != "lot":
        return _page(_stock_lines(scope, grouping, position, limit, no_expiry=False), limit)
    # Lots with an expiry first, then those without: two index ranges, one order.
    lines: list[StockLine] = []
    if position is None or position[0] == 0:
        lines = _stock_lines(scope, "lot", position, limit, no_expiry=False)
        position = None
    if len(lines) < limit:
        lines += _stock_lines(scope, "lot", position, limit - len(lines), no_expiry=True)
    return _page(lines, limit)


def _stock_lines(
    scope: _Scope, grouping: str, after: tuple | None, limit: int, *, no_expiry: bool
) -> list[StockLine]:
    lead = _stock_lead(scope, grouping)
    columns = [
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
    ]
    tables = _stock_tables(lead, grouping)
    query = _chain(tables, columns)
    if Lot not in tables:
        query = query.join_from(Quant, Lot, JOIN.LEFT_OUTER, on=(Quant.lot == Lot.id))
    query = query.where(NONZERO & (Location.kind == "internal"))
    query = _stock_filters(query, scope, lead)
    order = _stock_order(grouping)
    if grouping == "lot":
        query = query.where(Lot.expiry.is_null() if no_expiry else Lot.expiry.is_null(False))
        if no_expiry:
            order = order[1:]
    if after is not None:
        key = list(after[1:] if grouping == "lot" else after)
        if grouping == "lot" and no_expiry:
            key = key[1:]
        # The leading column alone as well, so that its index range is used.
        query = query.where(order[0] >= key[0], Tuple(*order) > Tuple(*key))
    query = query.order_by(*order).limit(limit)
    lines = []
    for row in query.tuples():
        sku, name, unit, lot_key, code, loc_name, quarantine, path, qty, number, expiry, status = (
            row
        )
        if grouping == "item":
            position: tuple = (sku, lot_key, path)
        elif grouping == "location":
            position = (path, sku, lot_key)
        else:
            position = (int(no_expiry), _iso(expiry), lot_key, path)
        lines.append(
            StockLine(
                sku,
                name,
                unit,
                number,
                _as_date(expiry),
                status,
                code,
                loc_name,
                bool(quarantine),
                qty,
                position,
            )
        )
    return lines


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


def _iso(value: object) -> str | None:
    """A date as the text a keyset compares with (SQLite stores dates as text)."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value))


# --- the ledger -------------------------------------------------------------------------

# A search no index can lead reads the ledger in windows of this many moves, and
# returns what it found when its time is up; the next page goes on from there.
SCAN_WINDOW = 20_000
SCAN_SECONDS = 0.15


@dataclass(frozen=True)
class LedgerLine:
    """A move as the ledger list shows it, and the move that reversed it, if any."""

    move: PostedMove
    reversed_by: int | None

    @property
    def key(self) -> str:
        return str(self.move.id)


def ledger_head() -> int:
    """The id of the last move posted; it changes whenever anyone posts one."""
    return LedgerHead.select(LedgerHead.last_id).where(LedgerHead.id == 1).scalar() or 0


def _first_id_at(day: dt.date) -> int:
    """The first move id on or after DAY (move ids grow with time)."""
    first = (
        Move.select(Move.id)
        .where(Move.time >= dt.datetime.combine(day, dt.time()))
        .order_by(Move.time, Move.id)
        .limit(1)
        .scalar()
    )
    return first if first is not None else ledger_head() + 1


def _move_columns() -> list[pw.Node]:
    return [
        Move.id,
        Move.time,
        Move.kind,
        Item.sku,
        Lot.number,
        Move.qty,
        LocFrom.code,
        LocTo.code,
        User.name,
        Move.reference,
        Move.note,
        Move.reverses_id,
        Move.hash,
    ]


def _moves_joined(query: pw.ModelSelect) -> pw.ModelSelect:
    return (
        query.join_from(Move, Item, on=(Move.item == Item.id))
        .join_from(Move, Lot, JOIN.LEFT_OUTER, on=(Move.lot == Lot.id))
        .join_from(Move, LocFrom, on=(Move.from_location == LocFrom.id))
        .join_from(Move, LocTo, on=(Move.to_location == LocTo.id))
        .join_from(Move, User, on=(Move.user == User.id))
    )


def _either_end(ids: _Ids, *, residual: bool) -> pw.Expression:
    return ids.condition(Move.from_location, residual=residual) | ids.condition(
        Move.to_location, residual=residual
    )


def ledger_page(
    query: Query | None = None, before: object | None = None, limit: int = PAGE
) -> Page[LedgerLine]:
    """Moves newest first, filtered; the next page starts below move id `before`.

    A filter no index serves (a move kind, a wide location) is searched in windows for
    at most a moment: the page may then hold fewer rows, and `after` says where to go on.
    """
    query = query or Query()
    scope = _scope(query)
    if scope.empty:
        return Page([], None)
    top = int(before) if before is not None else ledger_head() + 1  # type: ignore[arg-type]
    low = _first_id_at(query.since) if query.since else 1
    if query.until:
        top = min(top, _first_id_at(query.until + dt.timedelta(days=1)))
    conditions: list[pw.Expression] = []
    led = False  # does an index on (column, id) lead the search?
    if query.reference:
        conditions.append(Move.reference == query.reference)
        led = True
    if scope.user_id is not None:
        conditions.append(Move.user == scope.user_id)
        led = True
    for ids, column in ((scope.items, Move.item), (scope.lots, Move.lot)):
        if ids is not None:
            conditions.append(ids.condition(column, residual=not ids.narrow))
            led = led or ids.narrow
    if scope.locations is not None:
        conditions.append(_either_end(scope.locations, residual=not scope.locations.narrow))
        led = led or scope.locations.narrow
    if scope.any_of:
        narrow = all(ids.narrow for _, ids in scope.any_of)
        alternatives = [
            _either_end(ids, residual=not narrow)
            if kind == "location"
            else ids.condition(Move.item if kind == "item" else Move.lot, residual=not narrow)
            for kind, ids in scope.any_of
        ]
        conditions.append(reduce(operator.or_, alternatives))
        led = led or narrow
    if query.kind:
        conditions.append(Move.kind == query.kind)
    else:
        led = led or not conditions  # the whole ledger: the primary key leads
    ids = Move.select(Move.id).where(*conditions) if conditions else Move.select(Move.id)
    if led:
        found = _move_ids(ids, low, top, limit)
        after = found[-1] if len(found) >= limit else None
        return Page(_ledger_lines(found), after)
    return _scan(ids, low, top, limit)


def _move_ids(ids: pw.ModelSelect, low: int, top: int, limit: int) -> list[int]:
    window = ids.where(Move.id >= low, Move.id < top)
    return [i for (i,) in window.order_by(Move.id.desc()).limit(limit).tuples()]


def _scan(ids: pw.ModelSelect, low: int, top: int, limit: int) -> Page[LedgerLine]:
    found: list[int] = []
    started = time.monotonic()
    while top > low and len(found) < limit:
        bottom = max(low, top - SCAN_WINDOW)
        found += _move_ids(ids, bottom, top, limit - len(found))
        top = bottom
        if time.monotonic() - started > SCAN_SECONDS:
            break
    if len(found) >= limit:
        return Page(_ledger_lines(found), found[-1])
    return Page(_ledger_lines(found), top if top > low else None)


def _ledger_lines(ids: Sequence[int]) -> list[LedgerLine]:
    if not ids:
        return []
    rows = _moves_joined(Move.select(*_move_columns())).where(Move.id.in_(list(ids)))
    moves = {row[0]: PostedMove(*row) for row in rows.tuples()}
    reversed_by = dict(
        Move.select(Move.reverses_id, Move.id).where(Move.reverses.in_(list(ids))).tuples()
    )
    return [LedgerLine(_fix_time(moves[i]), reversed_by.get(i)) for i in sorted(ids, reverse=True)]


def _fix_time(move: PostedMove) -> PostedMove:
    if isinstance(move.time, str):
        return replace(move, time=dt.datetime.fromisoformat(move.time))
    return move


@dataclass(frozen=True)
class MoveDetail:
    """Everything the ledger knows about one move."""

    move: PostedMove
    item_name: str
    unit: str
    lot_expiry: dt.date | None
    from_name: str
    to_name: str
    prev_hash: str
    reversed_by: int | None


def move_detail(move_id: int) -> MoveDetail:
    """One move with its item and locations named, and the move that reversed it."""
    query = _moves_joined(
        Move.select(
            *_move_columns(),
            Item.name,
            Item.unit,
            Lot.expiry,
            LocFrom.name,
            LocTo.name,
            Move.prev_hash,
        )
    ).where(Move.id == move_id)
    row = query.tuples().first()
    if row is None:
        raise NotFound(f"No move {move_id}")
    reversed_by = Move.select(Move.id).where(Move.reverses == move_id).scalar()
    item_name, unit, expiry, from_name, to_name, prev_hash = row[13:]
    return MoveDetail(
        _fix_time(PostedMove(*row[:13])),
        item_name,
        unit,
        _as_date(expiry),
        from_name,
        to_name,
        prev_hash,
        reversed_by,
    )


# --- items ------------------------------------------------------------------------------


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


def _on_hand(column: pw.Field, ids: Iterable[int]) -> dict[int, int]:
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


def items_page(text: str = "", after: object | None = None, limit: int = PAGE) -> Page[ItemLine]:
    """Items by SKU, those whose SKU, GTIN or name matches TEXT; continue after SKU `after`."""
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
    text = text.strip()
    if text:
        match = Item.sku.startswith(text) | Item.name.contains(text)
        if text.isdigit():
            match |= Item.gtin.contains(text)
        query = query.where(match)
    if after is not None:
        query = query.where(Item.sku > str(after))
    rows = list(query.order_by(Item.sku).limit(limit).tuples())
    stock = _on_hand(Quant.item, (r[0] for r in rows))
    return _page([ItemLine(*r[1:7], bool(r[7]), stock.get(r[0], 0)) for r in rows], limit)


# --- lots -------------------------------------------------------------------------------

LOT_ORDERS = ("expiry", "newest")


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


def _lot_lines(query: Query, after: tuple | None, limit: int, segment: str) -> list[LotLine]:
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
    if segment == "newest":
        if after is not None:
            select = select.where(Lot.id < after[0])
        select = select.order_by(Lot.id.desc())
    elif segment == "expiry":
        select = select.where(Lot.expiry.is_null(False))
        if after is not None:
            select = select.where(
                Lot.expiry >= after[1], Tuple(Lot.expiry, Lot.id) > Tuple(after[1], after[2])
            )
        select = select.order_by(Lot.expiry, Lot.id)
    else:
        select = select.where(Lot.expiry.is_null())
        if after is not None:
            select = select.where(Lot.id > after[2])
        select = select.order_by(Lot.id)
    rows = list(select.limit(limit).tuples())
    stock = _on_hand(Quant.lot_key, (r[0] for r in rows))
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
                _as_date(expiry),
                _as_date(made),
                status,
                supplier,
                supplier_lot,
                stock.get(lot_id, 0),
                position,
            )
        )
    return lines


# --- locations --------------------------------------------------------------------------


@dataclass(frozen=True)
class LocationNode:
    """A location in the tree, and whether it has children to expand. (No stock figure:
    a dispatch area's quants run to the hundred thousand; Enter shows its stock.)"""

    id: int
    code: str
    name: str
    kind: str
    quarantine: bool
    active: bool
    path: str
    has_children: bool


def location_children(
    parent: str | None = None, after: str | None = None, limit: int = 500
) -> list[LocationNode]:
    """The locations directly under PARENT (a code; None for the top level), by code."""
    if parent is None:
        where = Location.parent.is_null()
    else:
        where = Location.parent == get_location(parent).id
    return _location_nodes(where, after, limit)


def location_node(code: str) -> LocationNode:
    """One location as the tree shows it."""
    return _location_nodes(Location.id == get_location(code).id, None, 1)[0]


def _location_nodes(where: pw.Expression, after: str | None, limit: int) -> list[LocationNode]:
    Child = Location.alias("child")
    has_children = fn.EXISTS(Child.select(Child.id).where(Child.parent == Location.id))
    query = Location.select(
        Location.id,
        Location.code,
        Location.name,
        Location.kind,
        Location.quarantine,
        Location.active,
        Location.path,
        has_children,
    ).where(where)
    if after is not None:
        query = query.where(Location.code > after)
    rows = list(query.order_by(Location.code).limit(limit).tuples())
    return [
        LocationNode(i, code, name, kind, bool(q), bool(a), path, bool(kids))
        for i, code, name, kind, q, a, path, kids in rows
    ]


def location_ancestors(code: str) -> list[str]:
    """The codes from the top of the tree down to CODE, CODE last."""
    return get_location(code).path.split("/")
