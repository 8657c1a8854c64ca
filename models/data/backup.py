"""Backup and restore while other sessions keep working.

SQLite: the online backup API copies the database from a fresh read-only connection
in one step, a consistent snapshot taken under WAL without stopping writers, into a
temporary file that is renamed into place once complete. Restore copies a backup
into the target the same way, through SQLite's own locking.
PostgreSQL: `pg_dump --format=custom` (a consistent snapshot by design) and
`pg_restore --clean --single-transaction`.

Restore refuses a database that other sessions have open unless forced.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from backroom.models.db import check_url, sqlite_path
from backroom.models.errors import Refused

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# How long restore waits for other sessions' locks before it calls the database in use.
IN_USE_TIMEOUT_S = 0.5


@dataclass(frozen=True)
class BackupResult:
    """A finished backup or restore: the file, its size and how long it took."""

    action: str  # "backup" or "restore"
    path: str
    database: str
    size: int
    seconds: float

    def text(self) -> str:
        """One readable line."""
        size = f"{self.size / 1_048_576:,.1f} MB"
        if self.action == "backup":
            return (
                f"Backup of {self.database} written to {self.path} ({size}, {self.seconds:.1f} s)"
            )
        return f"Restored {self.path} ({size}) into {self.database} in {self.seconds:.1f} s"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "action": self.action,
            "file": self.path,
            "database": self.database,
            "bytes": self.size,
            "seconds": round(self.seconds, 3),
        }


def _ro_uri(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro"


# --- backup ---------------------------------------------------------------------------------


def backup(url: str, dest: str | Path, *, force: bool = False) -> BackupResult:
    """Copy the database at URL to DEST, consistently, while others keep working."""
    check_url(url)
    target = Path(dest)
    if target.is_dir():
        raise Refused(f"{target} is a folder: give the backup a file name")
    if target.exists() and not force:
        raise Refused(f"{target} already exists: choose another name or give --force")
    started = time.monotonic()
    source = sqlite_path(url)
    if source is not None:
        _backup_sqlite(source, target)
    else:
        _backup_postgres(url, target)
    return BackupResult(
        "backup", str(target), _label(url), target.stat().st_size, time.monotonic() - started
    )


def _backup_sqlite(source: Path, target: Path) -> None:
    if not source.is_file():
        raise Refused(f"No database at {source}")
    if target.resolve() == source.resolve():
        raise Refused("The backup cannot be the database itself")
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    src = sqlite3.connect(_ro_uri(source), uri=True, timeout=10)
    try:
        dst = sqlite3.connect(part)
        try:
            # pages=-1: the whole database in one step, inside one read transaction, so
            # the copy is one moment of the ledger; a stepwise copy restarts whenever
            # another session writes, and might never finish on a busy warehouse.
            src.backup(dst, pages=-1)
            # A backup is one self-contained file: no -wal beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.commit()
        finally:
            dst.close()
    except sqlite3.Error as exc:
        part.unlink(missing_ok=True)
        raise Refused(f"Backup failed: {exc}") from exc
    finally:
        src.close()
    with part.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(part, target)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise Refused(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client)"
        )
    return found


def _run(command: list[str], doing: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[0] if detail else f"exit status {done.returncode}"
        raise Refused(f"{doing} failed: {reason}")


def _backup_postgres(url: str, target: Path) -> None:
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    command = [_tool("pg_dump"), "--format=custom", f"--file={part}", f"--dbname={url}"]
    try:
        _run(command, "pg_dump")
    except Refused:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, target)


def _label(url: str) -> str:
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    # Never print a password that the URL may carry.
    head, _, tail = url.partition("://")
    return f"{head}://{tail.rsplit('@', 1)[-1]}"


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


def in_use(url: str) -> str | None:
    """Why the database at URL counts as in use by other sessions, or None if it is not."""
    path = sqlite_path(url)
    if path is not None:
        return _sqlite_in_use(path)
    return _postgres_in_use(url)


def _sqlite_in_use(path: Path) -> str | None:
    if not path.exists():
        return None
    # In WAL mode every open connection keeps a shared lock on the file: an exclusive
    # lock is only granted when no other session has the database open.
    conn = sqlite3.connect(path, timeout=IN_USE_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return f"another session has {path} open"
    except sqlite3.DatabaseError as exc:
        raise Refused(f"{path} is not a database: {exc}") from exc
    finally:
        conn.close()
    return None


def _postgres_in_use(url: str) -> str | None:
    import psycopg2

    try:
        conn = psycopg2.connect(url)
    except psycopg2.Error as exc:
        raise Refused(f"Cannot reach {_label(url)}: {str(exc).strip().splitlines()[0]}") from exc
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            others = cur.fetchone()[0]
    finally:
        conn.close()
    if others:
        return f"{others} other session{'s' if others > 1 else ''} connected to {_label(url)}"
    return None


def restore(source: str | Path, url: str, *, force: bool = False) -> BackupResult:
    """Put the backup SOURCE in place of the database at URL; refuses a database in use
    unless FORCE. Open the database afterwards (migrations) and verify it."""
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
    if not force:
        busy = in_use(url)
        if busy:
            raise Refused(f"The database is in use ({busy}): close it first, or give --force")
    started = time.monotonic()
    if target is not None:
        check_sqlite_backup(path)
        _restore_sqlite(path, target)
    else:
        command = [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url}",
            str(path),
        ]
        _run(command, "pg_restore")
    return BackupResult(
        "restore", str(path), _label(url), path.stat().st_size, time.monotonic() - started
    )


def _restore_sqlite(path: Path, target: Path) -> None:
    if target.resolve() == path.resolve():
        raise Refused("The backup and the database are the same file")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(_ro_uri(path), uri=True)
    try:
        dst = sqlite3.connect(target, timeout=10)
        try:
            # Through SQLite's locking, in one step: a session that still has the
            # database open (--force) sees the old database or the restored one.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise Refused(f"Restore failed: {exc}") from exc
    finally:
        src.close()
