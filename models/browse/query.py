"""What people type into a list's search line, and what it means in ids; pages.

Every list pages by keyset (the last row's sort key), never by OFFSET, and its
query starts from the table whose index gives the order asked for, so that the
first page of a million moves costs as little as the thousandth.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

import peewee as pw

from backroom.models.errors import NotFound, Refused
from backroom.models.rules.dates import parse_date
from backroom.models.rules.identifiers import normalize_gtin
from backroom.models.schema import MOVE_KINDS, Item, Location, Lot, User, utcnow

PAGE = 100
# Above this many ids, a set is filtered row by row instead of driving the query.
NARROW = 300
# A free-text search matches at most this many items, lots or locations.
TEXT_CAP = 2000
EXPIRY_WARNING_DAYS = 30
# Rows read per query when a whole list is walked (the command line).
WALK_PAGE = 500


SEARCH_LONGEST = 200  # longer only makes the database work for nothing (and LIKE fails)


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


def check_search(text: str) -> str:
    """TEXT, when it is short enough to search with: a LIKE pattern of 100,000 characters
    only fails ("pattern too complex") or makes the database work for nothing."""
    if len(text) > SEARCH_LONGEST:
        raise Refused(f"A search is at most {SEARCH_LONGEST} characters, not {len(text):,}")
    return text


def parse_query(text: str) -> Query:
    """Filters from a search line such as `tape loc:A-01 from:2025-01-01`."""
    check_search(text)
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
            found[key] = parse_date(value)
        elif key == "kind":
            if value.lower() not in MOVE_KINDS:
                raise Refused(f"Move kind {value!r} is not one of {', '.join(MOVE_KINDS)}")
            found[key] = value.lower()
        else:
            found[key] = value
    return Query(text=" ".join(loose), **found)  # type: ignore[arg-type]


def query_of(search: str = "", **filters: object) -> Query:
    """A search line in `parse_query`'s syntax plus named filters (item=, location=, ...),
    each read as if typed `item:VALUE`; a named filter wins over the same word in SEARCH."""
    query = parse_query(search or "")
    for word, value in filters.items():
        if value is None or value == "":
            continue
        key = FILTER_WORDS[word]
        typed = parse_query(shlex.quote(f"{word}:{value}"))
        query = replace(query, **{key: getattr(typed, key)})
    return query


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
    # masterdata.adding (the writes' module, ~4 ms to import) only for a named item or
    # location: `backroom stock` alone lists without it.
    scope = _Scope()
    if query.item or query.location:
        from backroom.models.masterdata.adding import get_item, get_location
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


def walk(fetch: Callable[[object | None, int], Page[T]], limit: int | None = None) -> list[T]:
    """Rows of FETCH's pages, one after another, until LIMIT rows or the end of the list.
    A page may hold fewer rows than asked and still go on (a ledger search in windows)."""
    rows: list[T] = []
    after: object | None = None
    while limit is None or len(rows) < limit:
        page = fetch(after, WALK_PAGE if limit is None else min(WALK_PAGE, limit - len(rows)))
        rows += page.rows
        after = page.after
        if after is None:
            break
    return rows


def _iso(value: object) -> str | None:
    """A date as the text a keyset compares with (SQLite stores dates as text)."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)
