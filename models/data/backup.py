"""Backup and restore while other sessions keep working.

SQLite: the online backup API copies the database in steps under one read
transaction, a consistent snapshot taken under WAL without stopping writers, into a
private (0600) temporary file that is renamed into place once complete. Restore puts
a backup in place inside one write transaction on the live database
(models/data/restoring.py): writers of the moment are waited for, what the backup
lacks is kept in a side file and recorded, and sessions are told (models/data/restored.py).
PostgreSQL: `pg_dump --format=custom` (a consistent snapshot by design) and
`pg_restore --clean --single-transaction`, only while no other session is connected.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from backroom.models.data.restoring import (
    Discarded,
    Report,
    RestoreJob,
    copy_snapshot,
    create_private,
    restore_sqlite,
)
from backroom.models.data.restoring_pg import label as _label
from backroom.models.data.restoring_pg import restore_postgres
from backroom.models.data.restoring_pg import run as _run
from backroom.models.data.restoring_pg import tool as _tool
from backroom.models.db import check_url, sqlite_path
from backroom.models.errors import Refused

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class BackupResult:
    """A finished backup or restore: the file, its size and how long it took."""

    action: str  # "backup" or "restore"
    path: str
    database: str
    size: int
    seconds: float
    discarded: Discarded | None = None

    def text(self) -> str:
        """One readable line."""
        size = f"{self.size / 1_048_576:,.1f} MB"
        if self.action == "backup":
            return (
                f"Backup of {self.database} written to {self.path} ({size}, {self.seconds:.1f} s)"
            )
        done = f"Restored {self.path} ({size}) into {self.database} in {self.seconds:.1f} s"
        return done + (f"; {self.discarded.text()}" if self.discarded else "")

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "action": self.action,
            "file": self.path,
            "database": self.database,
            "bytes": self.size,
            "seconds": round(self.seconds, 3),
        } | ({"discarded": self.discarded.as_dict()} if self.discarded else {})


def _ro_uri(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro"


# --- backup ---------------------------------------------------------------------------------


def _quiet(*_: object) -> None:
    return None


def backup(
    url: str, dest: str | Path, *, force: bool = False, progress: Report = _quiet
) -> BackupResult:
    """Copy the database at URL to DEST (0600), consistently, while others keep working."""
    check_url(url)
    target = Path(dest)
    if target.is_dir():
        raise Refused(f"{target} is a folder: give the backup a file name")
    if target.exists() and not force:
        raise Refused(f"{target} already exists: choose another name or give --force")
    if target.exists() and not target.is_file():
        raise Refused(f"{target} is not a plain file: give the backup a file name")
    if not target.parent.is_dir():
        raise Refused(f"There is no folder {target.parent}: make it first, or choose another")
    started = time.monotonic()
    source = sqlite_path(url)
    if source is not None:
        _backup_sqlite(source, target, progress)
    else:
        _backup_postgres(url, target)
    return BackupResult(
        "backup", str(target), _label(url), target.stat().st_size, time.monotonic() - started
    )


def _backup_sqlite(source: Path, target: Path, progress: Report) -> None:
    if not source.is_file():
        raise Refused(f"No database at {source}")
    if target.resolve() == source.resolve():
        raise Refused("The backup cannot be the database itself")
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    try:
        copy_snapshot(source, part, progress, "backing up")
    except sqlite3.Error as exc:
        part.unlink(missing_ok=True)
        raise Refused(f"Backup failed: {exc}") from exc
    with part.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(part, target)


def _backup_postgres(url: str, target: Path) -> None:
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    # pg_dump writes into the file made here, private from its first byte.
    create_private(part)
    command = [_tool("pg_dump"), "--format=custom", f"--file={part}", f"--dbname={url}"]
    try:
        _run(command, "pg_dump")
    except Refused:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, target)


# --- restore --------------------------------------------------------------------------------


def backup_kind(path: Path) -> str:
    """'sqlite' or 'pg_dump': which kind of backup the file is, by its first bytes."""
    if not path.is_file():
        raise Refused(f"No backup file {path}")
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "pg_dump"
    raise Refused(f"{path} is not a Backroom backup (neither SQLite nor pg_dump)")


def check_sqlite_backup(path: Path) -> int:
    """The schema version of a SQLite backup, refused if damaged or not Backroom's."""
    from backroom.models.migrations import CURRENT_VERSION

    try:
        conn = sqlite3.connect(_ro_uri(path), uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise Refused(f"{path} is damaged: {ok}")
            row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise Refused(f"{path} is not a Backroom backup: {exc}") from exc
    version = int(row[0] or 0)
    if version > CURRENT_VERSION:
        raise Refused(
            f"{path} was made by a newer Backroom (schema {version}; this one knows "
            f"up to {CURRENT_VERSION}): upgrade Backroom to restore it"
        )
    return version


def restore(
    source: str | Path,
    url: str,
    *,
    force: bool = False,
    wait: float = 10.0,
    user: str = "unknown",
    progress: Report = _quiet,
) -> BackupResult:
    """Put the backup SOURCE in place of the database at URL, waiting up to WAIT seconds
    for its writers; refuses to discard what the backup lacks unless FORCE. Records the
    restore (by USER) in the restored database; verify it afterwards."""
    check_url(url)
    path = Path(source)
    kind = backup_kind(path)
    target = sqlite_path(url)
    if (kind == "sqlite") != (target is not None):
        into = "SQLite" if kind == "sqlite" else "PostgreSQL"
        raise Refused(
            f"{path} is a {kind} backup: restore it into a {into} database "
            "(to move between the two, export and import)"
        )
    started = time.monotonic()
    if target is not None:
        check_sqlite_backup(path)
        discarded = restore_sqlite(RestoreJob(path, target, force, wait, user, progress))
    else:
        discarded = restore_postgres(RestoreJob(path, Path(), force, wait, user, progress), url)
    return BackupResult(
        "restore",
        str(path),
        _label(url),
        path.stat().st_size,
        time.monotonic() - started,
        discarded,
    )
