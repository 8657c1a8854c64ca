"""Restores recorded in the database, and the sessions that posted before one.

Each restore adds a row to `restore` with a new generation number, in the same
transaction that puts the backup in place. A process remembers the generation it
posted under and the moves it posted (first id, last id and the last one's hash);
every posting checks the generation under the ledger lock. When it has changed, the
postings whose last move is no longer in the ledger with the same hash were discarded:
the posting is refused once, saying so, and the process carries on in the new
generation. A process that lost nothing is not bothered.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field

import peewee as pw

from backroom.models.db import db
from backroom.models.errors import Refused
from backroom.models.schema import BaseModel, utcnow


class Restore(BaseModel):
    """One restore: when, by whom, from which backup, and what it discarded."""

    generation = pw.IntegerField(unique=True)
    time = pw.DateTimeField(default=utcnow)
    user = pw.CharField(max_length=64)
    backup_file = pw.CharField(max_length=1000)
    backup_sha256 = pw.CharField(max_length=64)
    # The backup's point: its last move, and the time of its last move or event.
    kept_last_move = pw.IntegerField(default=0)
    backup_time = pw.DateTimeField(null=True)
    discarded_moves = pw.IntegerField(default=0)
    discarded_first_move = pw.IntegerField(null=True)
    discarded_last_move = pw.IntegerField(null=True)
    discarded_events = pw.IntegerField(default=0)
    discarded_first_event = pw.IntegerField(null=True)
    discarded_last_event = pw.IntegerField(null=True)
    # {"anna": 120, "bob": 3}: whose discarded moves, how many each.
    posted_by = pw.TextField(default="{}")
    kept_in = pw.CharField(max_length=1000, null=True)


_lock = threading.Lock()
_by_database: dict[tuple[str, ...], _Posted] = {}
_has_table: set[tuple[str, ...]] = set()


def create_restore_table() -> None:
    """The migration step's work: the table of restores."""
    db.create_tables([Restore], safe=True)


def current_generation() -> int:
    """The generation of the open database: 0 until its first restore."""
    key = _database_key()
    if key not in _has_table:
        # A database held at an older schema (a migration's own test) has no restores.
        if not db.table_exists(Restore._meta.table_name):
            return 0
        _has_table.add(key)
    row = db.execute_sql('SELECT max("generation") FROM "restore"').fetchone()
    return int(row[0] or 0)


def restores_since(generation: int) -> list[dict]:
    """The recorded restores after GENERATION, as rows to carry into a restored database."""
    query = Restore.select().where(Restore.generation > generation).order_by(Restore.generation)
    return [{k: v for k, v in row.__data__.items() if k != "id"} for row in query]


def carry_forward(rows: list[dict]) -> None:
    """Put back the recorded restores that the restored database lacks."""
    have = {g for (g,) in Restore.select(Restore.generation).tuples()}
    for row in rows:
        if row["generation"] not in have:
            Restore.create(**row)


def when(moment: dt.datetime | None) -> str:
    """A stored UTC time as a person reads it."""
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else "its start"


class DiscardedByRestore(Refused):
    """This session's postings were discarded by a restore; refused once, so it knows."""

    def __init__(self, restore: Restore, lost: list[int]) -> None:
        self.lost = lost
        self.moves = len(lost)
        span = f"id {lost[0]}" if len(lost) == 1 else f"ids {lost[0]}–{lost[-1]}"
        point = when(restore.backup_time)
        super().__init__(
            f"The database was restored to the backup of {point} by {restore.user} "
            f"at {when(restore.time)}; your postings after {point} ({self.moves} "
            f"move{'s' if self.moves != 1 else ''}, {span}) were discarded; "
            "check them and post them again. Nothing was posted now."
        )


Batch = tuple[int, int, str]  # first move id, last move id, last move's hash


@dataclass
class _Posted:
    """What one process posted into one database since its generation."""

    generation: int
    confirmed: list[Batch] = field(default_factory=list)
    # Posted in a transaction whose commit this process has not seen confirmed yet.
    pending: list[Batch] = field(default_factory=list)


def _database_key() -> tuple[str, ...]:
    """Which database is open, the same however often this process reopens it."""
    obj = db.obj
    params = getattr(obj, "connect_params", {}) or {}
    return (
        type(obj).__name__,
        str(obj.database),
        str(params.get("host", "")),
        str(params.get("port", "")),
    )


def _hashes(ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(["%s" if _is_pg() else "?"] * len(chunk))
        rows = db.execute_sql(f'SELECT "id", "hash" FROM "move" WHERE "id" IN ({marks})', chunk)
        found.update((int(i), h) for i, h in rows.fetchall())
    return found


def _is_pg() -> bool:
    return isinstance(db.obj, pw.PostgresqlDatabase)


def _in_ledger(batches: list[Batch]) -> tuple[list[Batch], list[Batch]]:
    """BATCHES split into those whose last move is in the ledger as posted, and the rest."""
    stored = _hashes(sorted({last for _, last, _ in batches}))
    kept = [b for b in batches if stored.get(b[1]) == b[2]]
    gone = [b for b in batches if stored.get(b[1]) != b[2]]
    return kept, gone


def check_posting(first_id: int, last_id: int, last_hash: str) -> None:
    """Before a posting of moves FIRST_ID..LAST_ID is written, under the ledger lock:
    refuse it if a restore discarded this process's earlier postings, else note it."""
    generation = current_generation()
    key = _database_key()
    with _lock:
        posted = _by_database.setdefault(key, _Posted(generation))
        if posted.generation == generation:
            if posted.pending:
                kept, _rolled_back = _in_ledger(posted.pending)
                posted.confirmed.extend(kept)
                posted.pending = []
            posted.pending.append((first_id, last_id, last_hash))
            return
        kept, gone = _in_ledger(posted.confirmed + posted.pending)
        _by_database[key] = _Posted(generation, confirmed=kept)
    if gone:
        lost = sorted(i for first, last, _ in gone for i in range(first, last + 1))
        latest = Restore.select().order_by(Restore.generation.desc()).get()
        raise DiscardedByRestore(latest, lost)
    with _lock:
        _by_database[key].pending.append((first_id, last_id, last_hash))


def posted_by(counts: dict[str, int]) -> str:
    """The JSON kept in Restore.posted_by."""
    return json.dumps(dict(sorted(counts.items())))
