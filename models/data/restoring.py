"""Putting a SQLite backup in place of a live database, losing nothing silently.

The backup is copied next to the database and brought to this release's schema; then,
in ONE write transaction on the live database (BEGIN IMMEDIATE: it waits, bounded, for
the writers of the moment and keeps every later one out), Backroom reads what the
backup lacks, keeps it in a side file, replaces every table's rows with the backup's
and records the restore. Sessions that have the database open see the restored
ledger at their next transaction; nobody keeps writing to a file renamed away.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import peewee

from backroom.models import file_modes
from backroom.models.data.restored import current_generation, restores_since
from backroom.models.db import db, make_database
from backroom.models.errors import Refused
from backroom.models.schema import User, utcnow

Report = Callable[..., None]  # (done, total) or (done, total, what)
PAGES_PER_STEP = 1024


def _ro_uri(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro"


def _quiet(*_: object) -> None:
    return None


def create_private(path: Path) -> None:
    """Create PATH empty with the site's file mode and group (0600 by default)."""
    os.close(file_modes.create_private(path))


def copy_snapshot(source: Path, target: Path, progress: Report = _quiet, what: str = "") -> None:
    """Copy the SQLite database SOURCE into the new file TARGET (0600): one consistent
    moment even while others write, in steps so that PROGRESS can be told."""
    create_private(target)
    src = sqlite3.connect(_ro_uri(source), uri=True, timeout=10, isolation_level=None)
    try:
        dst = sqlite3.connect(target)
        try:
            # The read transaction held across every step pins one snapshot (WAL), so the
            # copy never restarts however busy the warehouse is.
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()

            def step(_status: int, remaining: int, total: int) -> None:
                progress(total - remaining, total, what)

            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
            src.execute("COMMIT")
            # One self-contained file: no -wal beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.commit()
        finally:
            dst.close()
    except sqlite3.Error:
        target.unlink(missing_ok=True)
        raise
    finally:
        src.close()


def file_sha256(path: Path) -> str:
    """The SHA-256 of the backup file, so the record says exactly which one it was."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Discarded:
    """What the live database had that the backup lacks."""

    moves: int = 0
    first_move: int | None = None
    last_move: int | None = None
    events: int = 0
    first_event: int | None = None
    last_event: int | None = None
    posted_by: dict[str, int] = field(default_factory=dict)
    kept_in: Path | None = None

    def text(self) -> str:
        """What was discarded, in a line."""
        if not (self.moves or self.events):
            return "nothing was discarded"
        who = ", ".join(f"{name} ({n})" for name, n in self.posted_by.items())
        moves = counted(self.moves, "move")
        if self.moves:
            moves += f" ({id_span(self.first_move, self.last_move)}, posted by {who})"
        kept = f", kept in {self.kept_in}" if self.kept_in else ""
        return f"discarded {moves} and {counted(self.events, 'event')}{kept}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "moves": self.moves,
            "move_ids": [self.first_move, self.last_move],
            "events": self.events,
            "event_ids": [self.first_event, self.last_event],
            "posted_by": self.posted_by,
            "kept_in": str(self.kept_in) if self.kept_in else None,
        }


@dataclass(frozen=True)
class BackupPoint:
    """Where the backup's history ends."""

    last_move: int
    backup_time: dt.datetime | None
    generation: int


def stage_backup(backup: Path, stage: Path, progress: Report) -> BackupPoint:
    """Copy BACKUP to STAGE and bring it to this release's schema (no copy kept: the
    backup itself is that copy)."""
    from backroom.models.migrations import migrate

    copy_snapshot(backup, stage, progress, "reading the backup")
    if db.obj is not None and not db.is_closed():
        db.close()
    db.initialize(make_database(f"sqlite:///{stage}"))
    try:
        db.connect()
        migrate()
        last = db.execute_sql('SELECT "last_id" FROM "ledger_head" WHERE "id" = 1').fetchone()
        times = db.execute_sql(
            'SELECT (SELECT max("time") FROM "move"), (SELECT max("time") FROM "event")'
        ).fetchone()
        moments = [_as_time(t) for t in times if t]
        generation = db.execute_sql('SELECT max("generation") FROM "restore"').fetchone()[0]
    finally:
        db.close()
    return BackupPoint(int(last[0]) if last else 0, max(moments, default=None), generation or 0)


def _as_time(value: object) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


# --- inside the restore's write transaction --------------------------------------------


def _scalar(query: str, params: tuple = ()) -> object:
    return db.execute_sql(query, params).fetchone()[0]


def _move_fork() -> int:
    """The last move the live ledger and the backup share (the chain makes that exact)."""
    first_apart = _scalar(
        'SELECT min(m."id") FROM main."move" m JOIN backup."move" b ON b."id" = m."id" '
        'WHERE m."hash" != b."hash"'
    )
    if first_apart is not None:
        return int(first_apart) - 1
    return int(
        _scalar(
            'SELECT min(coalesce((SELECT max("id") FROM main."move"), 0), '
            'coalesce((SELECT max("id") FROM backup."move"), 0))'
        )
    )


def _event_fork() -> int:
    first_apart = _scalar(
        'SELECT min(e."id") FROM main."event" e LEFT JOIN backup."event" b ON b."id" = e."id" '
        'WHERE b."id" IS NULL OR e."time" IS NOT b."time" OR e."kind" IS NOT b."kind" '
        'OR e."subject" IS NOT b."subject" OR e."detail" IS NOT b."detail"'
    )
    if first_apart is None:
        return int(_scalar('SELECT coalesce(max("id"), 0) FROM main."event"'))
    return int(first_apart) - 1


def _live(query: str) -> str:
    """QUERY for the live database: `main.` and `?` on SQLite, plain and `%s` on PostgreSQL."""
    if isinstance(db.obj, peewee.PostgresqlDatabase):
        return query.replace('main."', '"').replace("?", "%s")
    return query


def measure_discarded(moves_after: int, events_after: int) -> Discarded:
    """What the live database has after move MOVES_AFTER and event EVENTS_AFTER."""
    found = Discarded()
    found.moves, found.first_move, found.last_move = db.execute_sql(
        _live('SELECT count(*), min("id"), max("id") FROM main."move" WHERE "id" > ?'),
        (moves_after,),
    ).fetchone()
    found.events, found.first_event, found.last_event = db.execute_sql(
        _live(
            'SELECT count(*), min("id"), max("id") FROM main."event" '
            'WHERE "id" > ? AND "kind" != \'restore\''
        ),
        (events_after,),
    ).fetchone()
    rows = db.execute_sql(
        _live(
            'SELECT u."name", count(*) FROM main."move" m '
            'JOIN main."user" u ON u."id" = m."user_id" '
            'WHERE m."id" > ? GROUP BY u."name" ORDER BY u."name"'
        ),
        (moves_after,),
    )
    found.posted_by = {name: int(n) for name, n in rows.fetchall()}
    return found


DISCARDED_MOVES = (
    'SELECT m."id", m."time", m."kind", i."sku", l."number", m."qty", f."code", t."code", '
    'u."name", m."reference", m."note", m."reverses_id", m."hash" FROM main."move" m '
    'JOIN main."item" i ON i."id" = m."item_id" LEFT JOIN main."lot" l ON l."id" = m."lot_id" '
    'JOIN main."location" f ON f."id" = m."from_location_id" '
    'JOIN main."location" t ON t."id" = m."to_location_id" '
    'JOIN main."user" u ON u."id" = m."user_id" WHERE m."id" >= ? ORDER BY m."id"'
)
MOVE_KEYS = (
    "id time kind item lot qty from to user reference note reverses hash".split()  # noqa: SIM905
)
DISCARDED_EVENTS = (
    'SELECT e."id", e."time", u."name", e."kind", e."subject", e."detail" FROM main."event" e '
    'LEFT JOIN main."user" u ON u."id" = e."user_id" WHERE e."id" >= ? '
    'AND e."kind" != \'restore\' ORDER BY e."id"'
)


def keep_discarded(found: Discarded, side_file: Path) -> None:
    """Write what is about to be discarded to SIDE_FILE (0600), one JSON object a line:
    the moves as a person reads them (codes, not ids), then the events."""
    create_private(side_file)
    with side_file.open("w", encoding="utf-8") as out:
        if found.moves:
            for row in db.execute_sql(_live(DISCARDED_MOVES), (found.first_move,)):
                move = dict(zip(MOVE_KEYS, row, strict=True))
                out.write(json.dumps({"move": move}, default=str) + "\n")
        if found.events:
            for ident, time, user, kind, subject, detail in db.execute_sql(
                _live(DISCARDED_EVENTS), (found.first_event,)
            ):
                event = {"id": ident, "time": time, "user": user, "kind": kind}
                event |= {"subject": subject, "detail": detail}
                out.write(json.dumps({"event": event}, default=str) + "\n")
        out.flush()
        os.fsync(out.fileno())
    found.kept_in = side_file


def _tables(schema: str) -> dict[str, list[str]]:
    names = [
        name
        for (name,) in db.execute_sql(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    ]
    return {
        name: [row[1] for row in db.execute_sql(f'PRAGMA {schema}.table_info("{name}")')]
        for name in names
    }


def replace_rows(progress: Report) -> None:
    """Every table of the live database gets the attached backup's rows, inside this
    transaction."""
    # Triggers stand aside; indexes are built again once, from the copied rows, which
    # is several times faster than keeping them up to date row by row.
    aside = db.execute_sql(
        "SELECT type, name, sql FROM main.sqlite_master WHERE type IN ('trigger', 'index') "
        "AND sql IS NOT NULL ORDER BY type DESC"
    ).fetchall()
    for kind, name, _ in aside:
        db.execute_sql(f'DROP {kind.upper()} main."{name}"')
    live, saved = _tables("main"), _tables("backup")
    total = sum(_scalar(f'SELECT count(*) FROM backup."{t}"') for t in saved if t in live)
    done = 0
    for table, columns in live.items():
        db.execute_sql(f'DELETE FROM main."{table}"')
        if table not in saved:
            continue
        shared = ", ".join(f'"{c}"' for c in columns if c in saved[table])
        cursor = db.execute_sql(
            f'INSERT INTO main."{table}" ({shared}) SELECT {shared} FROM backup."{table}"'
        )
        done += max(cursor.rowcount, 0)
        progress(done, total, f"restoring {table}")
    if _scalar("SELECT count(*) FROM main.sqlite_master WHERE name = 'sqlite_sequence'"):
        db.execute_sql("DELETE FROM main.sqlite_sequence")
        if _scalar("SELECT count(*) FROM backup.sqlite_master WHERE name = 'sqlite_sequence'"):
            db.execute_sql("INSERT INTO main.sqlite_sequence SELECT * FROM backup.sqlite_sequence")
    for _, _, text in reversed(aside):  # indexes first, then the triggers
        db.execute_sql(text)


def record_restore(
    point: BackupPoint,
    found: Discarded,
    *,
    backup: Path,
    sha256: str,
    user: str,
    live: int,
    earlier: list[dict] | None = None,
) -> int:
    """The restore, in the restored database: a Restore row and an event for the audit.
    Its generation is new to both histories (LIVE is the replaced database's), so every
    session's next posting sees that it changed."""
    from backroom.models.data.restored import Restore, carry_forward, posted_by
    from backroom.models.masterdata.adding import log_event

    generation = max(live, point.generation) + 1
    carry_forward(earlier or [])
    Restore.create(
        generation=generation,
        time=utcnow(),
        user=user,
        backup_file=str(backup.resolve()),
        backup_sha256=sha256,
        kept_last_move=point.last_move,
        backup_time=point.backup_time,
        discarded_moves=found.moves,
        discarded_first_move=found.first_move,
        discarded_last_move=found.last_move,
        discarded_events=found.events,
        discarded_first_event=found.first_event,
        discarded_last_event=found.last_event,
        posted_by=posted_by(found.posted_by),
        kept_in=str(found.kept_in) if found.kept_in else None,
    )
    log_event(
        "restore",
        str(backup.resolve()),
        User.get_or_none(User.name == user),
        generation=generation,
        backup_time=point.backup_time,
        **found.as_dict(),
    )
    return generation


def is_busy(exc: peewee.DatabaseError) -> bool:
    """SQLite's answer when the write lock was not had in time."""
    low = str(exc).lower()
    return "locked" in low or "busy" in low


# --- the whole restore ------------------------------------------------------------------


def holders(path: Path) -> list[str]:
    """The other processes (that this account may see) with the database at PATH open."""
    names = {str(path.resolve()), f"{path.resolve()}-wal"}
    found: list[str] = []
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if not any(os.readlink(fd) in names for fd in (entry / "fd").iterdir()):
                continue
            raw = (entry / "cmdline").read_bytes().decode(errors="replace")
            # One line of printable text, whatever the command line holds.
            command = " ".join("".join(c if c.isprintable() else " " for c in raw).split())
        except OSError:
            continue
        found.append(f"pid {entry.name} ({command[:80] or '?'})")
    return found


def _busy(target: Path, wait: float) -> Refused:
    others = holders(target)
    named = "; ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    return Refused(
        f"The database is busy: a session kept writing for more than {wait:g} s, so nothing "
        f"was restored (open by: {named or 'processes this account cannot see'}). "
        "Let it finish, or give --wait SECONDS"
    )


def counted(n: int, what: str) -> str:
    """'1 move', '3,940 moves'."""
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def id_span(first: int | None, last: int | None) -> str:
    """'id 7' or 'ids 7–12'."""
    return f"id {first}" if first == last else f"ids {first}–{last}"


def refuse_discarding(found: Discarded) -> Refused:
    who = ", ".join(f"{name} ({n})" for name, n in found.posted_by.items()) or "nobody"
    moves = counted(found.moves, "move")
    if found.moves:
        moves += f" ({id_span(found.first_move, found.last_move)}, posted by {who})"
    return Refused(
        f"The database has {moves} and {counted(found.events, 'event')} that the backup "
        "lacks; nothing was restored. Give --force to discard them (they are kept in a file "
        "next to the database)"
    )


@dataclass(frozen=True)
class RestoreJob:
    """One restore: the backup, the live SQLite file, and what the person allowed."""

    backup: Path
    target: Path
    force: bool
    wait: float
    user: str
    progress: Report = _quiet


def restore_sqlite(job: RestoreJob) -> Discarded:
    """Put JOB's backup in place of its live database and record it; returns what the
    live database had that the backup lacks (kept in a side file)."""
    if job.target.exists() and job.target.resolve() == job.backup.resolve():
        raise Refused("The backup and the database are the same file")
    job.target.parent.mkdir(parents=True, exist_ok=True)
    stage = job.target.with_name(f"{job.target.name}.restoring-{os.getpid()}")
    stage.unlink(missing_ok=True)
    try:
        point = stage_backup(job.backup, stage, job.progress)
        sha256 = file_sha256(job.backup)
        if not job.target.exists():
            os.replace(stage, job.target)
            _open(job.target)
            try:
                with db.atomic():
                    record_restore(
                        point, Discarded(), backup=job.backup, sha256=sha256, user=job.user, live=0
                    )
            finally:
                db.close()
            return Discarded()
        return _swap(job, stage, point, sha256)
    except sqlite3.Error as exc:
        raise Refused(f"Restore failed: {exc}") from exc
    finally:
        for leftover in (stage, Path(f"{stage}-wal"), Path(f"{stage}-shm")):
            leftover.unlink(missing_ok=True)


def _open(target: Path) -> None:
    from backroom.models.migrations import open_database

    open_database(f"sqlite:///{target}")


def _swap(job: RestoreJob, stage: Path, point: BackupPoint, sha256: str) -> Discarded:
    _open(job.target)  # migrates the live database too: both at this release's schema
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    side_file = job.target.with_name(f"{job.target.name}.discarded-{stamp}.jsonl")
    try:
        db.execute_sql("ATTACH DATABASE ? AS backup", (str(stage),))
        # Rows go in table by table: references hold again once all are in.
        db.execute_sql("PRAGMA foreign_keys = OFF")
        db.execute_sql(f"PRAGMA busy_timeout = {max(int(job.wait * 1000), 0)}")
        with db.atomic():
            live = current_generation()
            earlier = restores_since(0)
            found = measure_discarded(_move_fork(), _event_fork())
            if (found.moves or found.events) and not job.force:
                raise refuse_discarding(found)
            if found.moves or found.events:
                keep_discarded(found, side_file)
            replace_rows(job.progress)
            record_restore(
                point,
                found,
                backup=job.backup,
                sha256=sha256,
                user=job.user,
                live=live,
                earlier=earlier,
            )
        return found
    except peewee.OperationalError as exc:
        side_file.unlink(missing_ok=True)
        if is_busy(exc):
            raise _busy(job.target, job.wait) from exc
        raise Refused(f"Restore failed: {exc}") from exc
    except BaseException:
        side_file.unlink(missing_ok=True)
        raise
    finally:
        db.close()
