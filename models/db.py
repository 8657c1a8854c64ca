"""The database: one proxy, opened from a URL, with safe write transactions."""

from __future__ import annotations

import importlib.util
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import peewee

from backroom.models.errors import DatabaseUnavailable

db = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
    "cache_size": -32_000,
}
# BEGIN IMMEDIATE waits up to busy_timeout for the write lock; past that we retry
# a few times so that a burst of sessions never shows "database is locked".
WRITE_RETRIES = 8


def default_url() -> str:
    """The embedded default: backroom.db in the user's data directory."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return f"sqlite:///{Path(base) / 'backroom' / 'backroom.db'}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite:/// URL, or None for other databases."""
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        return None
    # sqlite:///rel/file.db -> "rel/file.db"; sqlite:////abs/file.db -> "/abs/file.db"
    return Path(parsed.path[1:])


def check_url(url: str) -> str:
    """Refuse a database URL Backroom cannot use, with the reason."""
    parsed = urlparse(url)
    hint = "use sqlite:///path/to/file.db or postgresql://user@host:5432/name"
    if parsed.scheme not in ("sqlite", "postgresql", "postgres"):
        raise DatabaseUnavailable(f"Malformed database URL {url!r}: {hint}")
    if parsed.scheme == "sqlite":
        # sqlite:/x and sqlite:x parse with an empty netloc too, and would quietly
        # open a file relative to the current folder: insist on the three slashes.
        if not url.startswith("sqlite:///") or not parsed.path.strip("/"):
            raise DatabaseUnavailable(f"Malformed database URL {url!r}: {hint}")
    elif not parsed.path.strip("/"):
        raise DatabaseUnavailable(f"Database URL {url!r} names no database: {hint}")
    return url


def make_database(url: str) -> peewee.Database:
    """A peewee database for URL, configured for Backroom (not yet connected)."""
    check_url(url)
    if urlparse(url).scheme == "sqlite":
        return peewee.SqliteDatabase(
            str(sqlite_path(url)),
            pragmas=SQLITE_PRAGMAS,
            timeout=10,
            lock_type="IMMEDIATE",
            check_same_thread=False,
        )
    if importlib.util.find_spec("psycopg2") is None:
        raise DatabaseUnavailable(
            "PostgreSQL needs its driver, which is not installed: "
            "pip install 'backroom[postgres]' (or pipx inject backroom psycopg2-binary)"
        )
    # Imported here: playhouse.db_url loads psycopg2 (~20 ms), which SQLite never needs.
    from playhouse.db_url import connect

    return connect(url)


def is_sqlite() -> bool:
    """True when the open database is SQLite."""
    return isinstance(db.obj, peewee.SqliteDatabase)


def is_postgres() -> bool:
    """True when the open database is PostgreSQL."""
    return isinstance(db.obj, peewee.PostgresqlDatabase)


def describe_error(exc: Exception) -> str:
    """One line saying what went wrong with the database, for a person."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = text.lower()
    if "out of range" in low or "too large" in low:
        return "A quantity is too large for the database; nothing was written."
    if "readonly" in low or "read-only" in low:
        return "The database is read-only here; nothing was written."
    if "locked" in low or "busy" in low:
        return "The database is busy: another session holds the write lock; nothing was written."
    if "unable to open" in low:
        return "Cannot open the database file (check the folder exists and is writable)."
    if "could not connect" in low or "connection refused" in low:
        return f"Cannot reach the database server: {text}"
    return f"Database error: {text}"


def _is_busy(exc: Exception) -> bool:
    low = str(exc).lower()
    return "database is locked" in low or "database is busy" in low


@contextmanager
def write() -> Iterator[None]:
    """One write transaction: BEGIN IMMEDIATE on SQLite; all or nothing.

    A nested call joins the outer transaction.
    """
    if db.transaction_depth() > 0:
        with db.atomic():
            yield
        return
    with db.atomic():
        yield


@contextmanager
def _driver_errors_as_peewee() -> Iterator[None]:
    """Errors from a raw cursor (the ledger writes through one) come straight from the
    driver; give them peewee's classes so they are handled like every other."""
    try:
        yield
    except peewee.PeeweeException:
        raise
    except Exception:
        with peewee.__exception_wrapper__:
            raise


def run_write(fn, *args, **kwargs):
    """Run fn inside a write transaction, retrying while the database is busy."""
    delay = 0.01
    for attempt in range(WRITE_RETRIES + 1):
        try:
            with _driver_errors_as_peewee(), write():
                return fn(*args, **kwargs)
        except peewee.DataError as exc:
            raise DatabaseUnavailable(describe_error(exc)) from exc
        except peewee.OperationalError as exc:
            if not _is_busy(exc) or attempt == WRITE_RETRIES or db.transaction_depth() > 0:
                raise DatabaseUnavailable(describe_error(exc)) from exc
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 1.0)
        except peewee.IntegrityError as exc:
            # Another session inserted the same key between our check and our insert
            # (PostgreSQL, READ COMMITTED): run again, and the check now sees it.
            if attempt >= 2 or db.transaction_depth() > 0:
                raise DatabaseUnavailable(describe_error(exc)) from exc
    raise AssertionError("unreachable")
