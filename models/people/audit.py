"""The audit trail: moves and events together, newest first, by user and date, in pages."""

from __future__ import annotations

import datetime as dt
import heapq
import json
from dataclasses import dataclass

import peewee as pw
from peewee import JOIN

from backroom.models.errors import NotFound
from backroom.models.rules.dates import stored_time
from backroom.models.schema import Event, Item, Location, Lot, Move, User
from backroom.models.stock.move_row import time_text

PAGE = 50
LocFrom = Location.alias("loc_from")
LocTo = Location.alias("loc_to")
# Moves sort after events of the same instant: (time, source, id), newest first.
MOVE, EVENT = 1, 0


@dataclass(frozen=True)
class AuditLine:
    """One thing someone did: a move in the ledger or an entry in the event log."""

    time: dt.datetime
    user: str | None  # None: Backroom itself (init, migrations)
    source: str  # "move" or "event"
    id: int
    kind: str  # receipt, transfer, ... or lot.status, user.login, ...
    what: str  # "5 FLOUR A1 → A2" or the event's subject
    detail: str  # the move's reference and note, or the event's detail

    @property
    def cursor(self) -> tuple[dt.datetime, int, int]:
        """Where the next page starts: below this line."""
        return (self.time, MOVE if self.source == "move" else EVENT, self.id)

    def as_dict(self) -> dict[str, object]:
        """The JSON form of `backroom audit --json`."""
        return {
            "time": self.time.isoformat(timespec="microseconds") + "Z",
            "user": self.user,
            "source": self.source,
            "id": self.id,
            "kind": self.kind,
            "what": self.what,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class AuditPage:
    """A page of the audit trail and the cursor of the next one (None at the end)."""

    lines: list[AuditLine]
    after: tuple[dt.datetime, int, int] | None


def audit_page(
    user: str | None = None,
    since: dt.date | None = None,
    after: tuple[dt.datetime, int, int] | None = None,
    limit: int = PAGE,
    *,
    viewer: str | None = None,
) -> AuditPage:
    """What USER (or everyone) did since SINCE, newest first; `after` pages on. Given the
    VIEWER's name, only a lead reads others' trail (anyone their own)."""
    if viewer is not None:
        from backroom.models.people.roles import acting

        acting(viewer, "audit.own" if user == viewer else "audit")
    user_id = None
    if user:
        found = User.get_or_none(User.name == user)
        if found is None:
            raise NotFound(f"Unknown user {user!r}")
        user_id = found.id
    start = dt.datetime.combine(since, dt.time()) if since else None
    moves = _moves(user_id, start, after, limit)
    events = _events(user_id, start, after, limit)
    merged = heapq.merge(moves, events, key=lambda line: line.cursor, reverse=True)
    lines = [line for _, line in zip(range(limit), merged, strict=False)]
    return AuditPage(lines, lines[-1].cursor if len(lines) == limit else None)


def _before(time_col: pw.Field, id_col: pw.Field, source: int, cursor, as_text: bool):
    """Rows strictly after CURSOR in (time, source, id) descending order."""
    when, src, row_id = cursor
    at = pw.Value(time_text(when), converter=False) if as_text else when
    if source < src:
        return time_col <= at
    if source > src:
        return time_col < at
    return (time_col < at) | ((time_col == at) & (id_col < row_id))


def _moves(user_id, start, after, limit) -> list[AuditLine]:
    query = (
        Move.select(
            Move.id,
            Move.time,
            Move.kind,
            Move.qty,
            Item.sku,
            Lot.number,
            LocFrom.code,
            LocTo.code,
            User.name,
            Move.reference,
            Move.note,
        )
        .join_from(Move, Item, on=(Move.item == Item.id))
        .join_from(Move, Lot, JOIN.LEFT_OUTER, on=(Move.lot == Lot.id))
        .join_from(Move, LocFrom, on=(Move.from_location == LocFrom.id))
        .join_from(Move, LocTo, on=(Move.to_location == LocTo.id))
        .join_from(Move, User, on=(Move.user == User.id))
    )
    if user_id is not None:
        query = query.where(Move.user == user_id)
    if start is not None:
        query = query.where(Move.time >= pw.Value(time_text(start), converter=False))
    if after is not None:
        query = query.where(_before(Move.time, Move.id, MOVE, after, as_text=True))
    query = query.order_by(Move.time.desc(), Move.id.desc()).limit(limit)
    lines = []
    for mid, time, kind, qty, sku, lot, src, dst, name, ref, note in query.tuples():
        what = f"{qty} {sku}" + (f" lot {lot}" if lot else "") + f" {src} → {dst}"
        detail = "; ".join(p for p in (ref and f"ref {ref}", note) if p)
        lines.append(AuditLine(stored_time(time), name, "move", mid, kind, what, detail))
    return lines


def _events(user_id, start, after, limit) -> list[AuditLine]:
    query = Event.select(
        Event.id, Event.time, Event.kind, Event.subject, Event.detail, User.name
    ).join_from(Event, User, JOIN.LEFT_OUTER, on=(Event.user == User.id))
    if user_id is not None:
        query = query.where(Event.user == user_id)
    if start is not None:
        query = query.where(Event.time >= start)
    if after is not None:
        query = query.where(_before(Event.time, Event.id, EVENT, after, as_text=False))
    query = query.order_by(Event.time.desc(), Event.id.desc()).limit(limit)
    return [
        AuditLine(stored_time(time), name, "event", eid, kind, subject, _detail(detail))
        for eid, time, kind, subject, detail, name in query.tuples()
    ]


def _detail(text: str) -> str:
    """An event's JSON detail as `key value, key value`."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return text
    if not isinstance(data, dict):
        return str(data)
    return ", ".join(f"{k} {v}" for k, v in data.items() if v not in (None, ""))
