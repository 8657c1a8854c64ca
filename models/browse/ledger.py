"""The ledger, newest first, a page at a time; one move in full."""

from __future__ import annotations

import datetime as dt
import operator
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import reduce

import peewee as pw
from peewee import JOIN

from backroom.models.browse.query import (
    PAGE,
    Page,
    Query,
    _Ids,
    _Scope,
    _scope,
    query_of,
    walk,
)
from backroom.models.errors import NotFound
from backroom.models.rules.dates import stored_date, stored_time
from backroom.models.schema import Item, LedgerHead, Location, Lot, Move, User
from backroom.models.stock.ledger import PostedMove

# A search no index can lead reads the ledger in windows of this many moves, and
# returns what it found when its time is up; the next page goes on from there.
SCAN_WINDOW = 20_000
SCAN_SECONDS = 0.15

LocationFrom = Location.alias("loc_from")
LocationTo = Location.alias("loc_to")

# The columns of a PostedMove, in its field order (join User for its name).
POSTED_MOVE_COLUMNS = (
    Move.id,
    Move.time,
    Move.kind,
    Item.sku,
    Lot.number,
    Move.qty,
    LocationFrom.code,
    LocationTo.code,
    User.name,
    Move.reference,
    Move.note,
    Move.reverses_id,
    Move.hash,
)


def moves_with_places(*columns: pw.Node) -> pw.ModelSelect:
    """Moves joined to their item, lot (if any) and both locations (LocationFrom,
    LocationTo), selecting COLUMNS; join User yourself where a column needs it."""
    return (
        Move.select(*columns)
        .join_from(Move, Item, on=(Move.item == Item.id))
        .join_from(Move, Lot, JOIN.LEFT_OUTER, on=(Move.lot == Lot.id))
        .join_from(Move, LocationFrom, on=(Move.from_location == LocationFrom.id))
        .join_from(Move, LocationTo, on=(Move.to_location == LocationTo.id))
    )


def _moves_joined(*columns: pw.Node) -> pw.ModelSelect:
    return moves_with_places(*POSTED_MOVE_COLUMNS, *columns).join_from(
        Move, User, on=(Move.user == User.id)
    )


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


def first_move_since(when: dt.datetime) -> int | None:
    """The id of the first move posted at or after WHEN; None if there is none yet."""
    # Move ids grow with time, so "since" is "id >= the first id at that time".
    return (
        Move.select(Move.id).where(Move.time >= when).order_by(Move.time, Move.id).limit(1).scalar()
    )


def _first_id_at(day: dt.date) -> int:
    """The first move id on or after DAY, or the next id to be posted."""
    first = first_move_since(dt.datetime.combine(day, dt.time()))
    return first if first is not None else ledger_head() + 1


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
    conditions, led = _move_conditions(query, scope)
    ids = Move.select(Move.id).where(*conditions) if conditions else Move.select(Move.id)
    if led:
        found = _move_ids(ids, low, top, limit)
        after = found[-1] if len(found) >= limit else None
        return Page(_ledger_lines(found), after)
    return _scan(ids, low, top, limit)


def _move_conditions(query: Query, scope: _Scope) -> tuple[list[pw.Expression], bool]:
    """The filters on Move, and whether an index on (column, id) leads the search."""
    conditions: list[pw.Expression] = []
    led = False
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
    return conditions, led


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
    rows = _moves_joined().where(Move.id.in_(list(ids)))
    moves = {row[0]: PostedMove(*row) for row in rows.tuples()}
    reversed_by = dict(
        Move.select(Move.reverses_id, Move.id).where(Move.reverses.in_(list(ids))).tuples()
    )
    return [LedgerLine(_fix_time(moves[i]), reversed_by.get(i)) for i in sorted(ids, reverse=True)]


def _fix_time(move: PostedMove) -> PostedMove:
    if isinstance(move.time, str):
        return replace(move, time=stored_time(move.time))
    return move


def list_moves(
    search: str = "",
    *,
    item: str | None = None,
    lot: str | None = None,
    location: str | None = None,
    user: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> list[PostedMove]:
    """The ledger newest first, as the ledger screen lists it for the same SEARCH line
    (and named filters: `location` takes in the locations under it); up to LIMIT moves."""
    query = query_of(search, item=item, lot=lot, location=location, user=user, kind=kind)
    lines = walk(lambda before, size: ledger_page(query, before, size), limit)
    return [line.move for line in lines]


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
        Item.name,
        Item.unit,
        Lot.expiry,
        LocationFrom.name,
        LocationTo.name,
        Move.prev_hash,
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
        stored_date(expiry),
        from_name,
        to_name,
        prev_hash,
        reversed_by,
    )
