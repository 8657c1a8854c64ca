"""The event log's own hash chain: each event's hash covers what it says (time, kind,
subject, who by id and name, detail) and the hash of the event before.

Events are appended under the same head row as moves (`ledger_head`), so the two chains
are serialised by one lock, taken in one order, and a posting that logs an event cannot
deadlock with an event that a later step of its transaction posts after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from backroom.models.db import db, is_postgres, write
from backroom.models.rules.dates import stored_time
from backroom.models.schema import GENESIS_HASH, User, utcnow
from backroom.models.stock.move_row import time_text


class EventRow(NamedTuple):
    """An event as stored, in the order its hash reads it."""

    id: int
    time: str  # time_text of the UTC time
    kind: str
    subject: str
    user_id: int | None
    detail: str
    prev_hash: str | None
    hash: str | None

    @classmethod
    def stored(cls, values: tuple[Any, ...]) -> EventRow:
        """The row as the database hands it back (its time as text or a datetime)."""
        return cls(values[0], time_text(stored_time(values[1])), *values[2:])

    def hash_is_right(self, user_name: str | None) -> bool:
        """True when the stored hash is the hash of the event's content and USER_NAME."""
        return event_hash(self[:-1], user_name) == self.hash


def event_hash(content: tuple[Any, ...], user_name: str | None) -> str:
    """SHA-256 over an event's content (every column but its hash) and its user's name."""
    text = json.dumps(["event", *content, user_name], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


EVENT_COLUMNS = ("id", "time", "kind", "subject", "user_id", "detail", "prev_hash", "hash")
_QUOTED = ", ".join(f'"{column}"' for column in EVENT_COLUMNS)
_INSERT = f'INSERT INTO "event" ({_QUOTED}) VALUES ({", ".join("?" * len(EVENT_COLUMNS))})'


def _sql(text: str) -> str:
    return text.replace("?", "%s") if is_postgres() else text


def lock_event_head() -> tuple[int, str]:
    """The last event's id and hash, with the ledger head locked until the transaction
    ends. An event written past the chain (by hand, with a bare INSERT) pushes the next
    id on, so it is never overwritten, and verify names it as unchained."""
    query = 'SELECT "event_last_id", "event_last_hash" FROM "ledger_head" WHERE "id" = 1'
    if is_postgres():
        query += " FOR UPDATE"
    row = db.execute_sql(query).fetchone()
    last_id, last_hash = (row[0], row[1]) if row else (0, GENESIS_HASH)
    highest = db.execute_sql('SELECT MAX("id") FROM "event"').fetchone()[0] or 0
    return max(last_id, highest), last_hash


def append_event(
    kind: str, subject: str, user: User | None, detail: str, at: dt.datetime | None = None
) -> EventRow:
    """Chain one event onto the log, in the current write transaction (or its own)."""
    with write():
        last_id, last_hash = lock_event_head()
        content = (
            last_id + 1,
            time_text(at or utcnow()),
            kind,
            subject,
            user.id if user is not None else None,
            detail,
            last_hash,
        )
        row = EventRow(*content, event_hash(content, user.name if user is not None else None))
        db.execute_sql(_sql(_INSERT), row)
        if is_postgres():
            # The id is given, not drawn: keep the sequence at it, so an insert that
            # draws one (by hand, or code that bypasses log_event) never collides.
            db.execute_sql("SELECT setval(pg_get_serial_sequence('event', 'id'), %s)", (row.id,))
        db.execute_sql(
            _sql(
                'UPDATE "ledger_head" SET "event_last_id" = ?, "event_last_hash" = ? WHERE "id" = 1'
            ),
            (row.id, row.hash),
        )
    return row


CHAIN_START = "chain.start"  # the first chained event of a database older than schema v8


def stored_events(batch: int = 5_000, upto: int | None = None) -> Iterator[EventRow]:
    """Every event in id order (up to id UPTO), read BATCH at a time."""
    query = f'SELECT {_QUOTED} FROM "event" WHERE "id" > ? AND "id" <= ? ORDER BY "id" LIMIT ?'
    last_id, top = 0, upto if upto is not None else 2**62
    while True:
        rows = db.execute_sql(_sql(query), (last_id, top, batch)).fetchall()
        if not rows:
            return
        yield from map(EventRow.stored, rows)
        last_id = rows[-1][0]


class LegacyDigest:
    """One SHA-256 over the events written before the chain began, in id order: the
    chain's first event records it, so a later edit or deletion of one of them shows."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.count = 0

    def add(self, row: EventRow) -> None:
        text = json.dumps(list(row[:-2]), separators=(",", ":"), ensure_ascii=False)
        self._sha.update(text.encode("utf-8") + b"\n")
        self.count += 1

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def start_chain(legacy_moves: int) -> EventRow | None:
    """Chain the history an older schema left: an event vouching for every event so far
    (their count and digest) and saying up to which move hashes cover ids only."""
    digest = LegacyDigest()
    last = 0
    for row in stored_events():
        if row.hash is None:
            digest.add(row)
            last = row.id
    if not digest.count and not legacy_moves:
        return None
    detail = {
        "legacy_moves": legacy_moves,
        "legacy_events": digest.count,
        "legacy_last_event": last,
        "legacy_digest": digest.hexdigest(),
    }
    return append_event(CHAIN_START, "schema v8", None, json.dumps(detail))
