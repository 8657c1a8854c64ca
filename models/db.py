"""The database: one proxy, opened from a URL, with safe write transactions."""

from __future__ import annotations

import importlib.util
import logging
import os
import select
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlparse

import peewee

from backroom.models.disk import out_of_room, refusal_for
from backroom.models.errors import DatabaseUnavailable, DiskFull

db = peewee.DatabaseProxy()
log = logging.getLogger("backroom")

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
    "cache_size": -32_000,
}
# What psycopg2 says when the server has ended the connection (a restart,
# pg_terminate_backend, a cut cable), or when the connection is used after that.
DROPPED = (
    "server closed the connection",
    "terminating connection",
    "connection already closed",
    "could not receive data from server",
    "could not send data to server",
    "no connection to the server",
    "ssl connection has been closed",
)
COMMIT_UNKNOWN = (
    "The connection to the database server was lost while it committed: this may or may "
    "not have been saved. Look at the ledger (backroom moves) before doing it again."
)
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
        return BackroomSqlite(
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
    # Imported here: psycopg2 costs ~20 ms, which SQLite never needs (models/drivers.py).
    from playhouse.db_url import parse

    from backroom.models.drivers import give_peewee_psycopg2

    give_peewee_psycopg2()
    return BackroomPostgres(**parse(url))


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
    if (full := disk_full_of(exc)) is not None:
        return str(full)
    if "out of range" in low or "too large" in low:
        return "A quantity is too large for the database; nothing was written."
    if "readonly" in low or "read-only" in low:
        return "The database is read-only here; nothing was written."
    if "locked" in low or "busy" in low:
        return "The database is busy: another session holds the write lock; nothing was written."
    if "unable to open" in low:
        return "Cannot open the database file (check the folder exists and is writable)."
    if "database or disk is full" in low:
        return "The disk holding the database is full; nothing was written."
    if any(words in low for words in DROPPED):
        return "The connection to the database server was lost; nothing was written."
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
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            _refuse_if_disk_full(exc)
            if _run_again_after_drop(exc, attempt):
                continue
            if not _is_busy(exc) or attempt == WRITE_RETRIES or db.transaction_depth() > 0:
                raise DatabaseUnavailable(describe_error(exc)) from exc
            import random  # here: only a busy retry needs its jitter

            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 1.0)
        except peewee.IntegrityError as exc:
            # Another session inserted the same key between our check and our insert
            # (PostgreSQL, READ COMMITTED): run again, and the check now sees it.
            if attempt >= 2 or db.transaction_depth() > 0:
                raise DatabaseUnavailable(describe_error(exc)) from exc
    raise AssertionError("unreachable")


def _run_again_after_drop(exc: Exception, attempt: int) -> bool:
    """A transaction cut off before its COMMIT (the server ended the connection) left
    nothing behind: run it once more, on a new connection. (A COMMIT cut off is
    COMMIT_UNKNOWN, and never run again.)"""
    return attempt == 0 and db.transaction_depth() == 0 and connection_dropped(exc)


def _refuse_if_disk_full(exc: Exception) -> None:
    """A write that found the disk full is said as such, not as "disk I/O error"."""
    full = disk_full_of(exc)
    if full is not None:
        raise full from exc


def disk_full_of(exc: Exception) -> DiskFull | None:
    """The refusal for a database error that a full disk caused, else None."""
    if out_of_room(exc) is None:
        return None
    if isinstance(db.obj, peewee.SqliteDatabase):
        return refusal_for(exc, [db.obj.database], "nothing was posted")
    if isinstance(db.obj, peewee.PostgresqlDatabase):
        host = db.obj.connect_params.get("host") or "localhost"
        return DiskFull(f"The disk of the database server ({host}) is full; nothing was posted")
    return None


class BackroomSqlite(peewee.SqliteDatabase):
    """SQLite whose ROLLBACK does not hide why a transaction failed.

    On a full disk or an I/O error SQLite may roll the transaction back by itself; the
    ROLLBACK peewee then sends fails with "cannot rollback - no transaction is active",
    and that error would be shown instead of the real one.
    """

    def rollback(self) -> None:
        conn = self._state.conn
        if conn is not None and not conn.in_transaction:
            return  # SQLite has rolled back already: nothing is left to undo
        super().rollback()


def connection_dropped(exc: BaseException) -> bool:
    """True when EXC says the server ended the connection (or it was used after that)."""
    names = {kind.__name__ for kind in type(exc).__mro__}
    if not names & {"OperationalError", "InterfaceError"}:
        return False
    text = str(exc).lower()
    return any(words in text for words in DROPPED)


def _repeatable(sql: str) -> bool:
    """A statement that changes nothing, so running it again after a reconnect is safe."""
    words = sql.lstrip().split(None, 1)
    return bool(words) and words[0].upper() in ("SELECT", "SHOW")


class BackroomPostgres(peewee.PostgresqlDatabase):
    """PostgreSQL that comes back after the server restarts or ends the session.

    A dead connection is noticed before a transaction or a statement outside one starts
    (psycopg2 saw it close, or the idle socket has something to read: the notice the
    server sends to a session it ends), and replaced. What fails on a dropped connection
    is run again only where nothing can have reached the database: BEGIN, a read outside
    a transaction. A COMMIT that fails that way is reported, never repeated: whether the
    server committed is unknown. (playhouse's ReconnectMixin retries any statement outside
    a transaction, writes included, and lets a failing ROLLBACK hide the real error.)
    """

    reconnects = 0  # in this process, for the log and the tests

    def _dead(self) -> bool:
        conn = self._state.conn
        if self._state.closed or conn is None:
            return False
        if conn.closed:
            return True
        try:
            readable, _, _ = select.select([conn.fileno()], [], [], 0)
            if not readable:
                return False  # an idle session is sent nothing unless it is ended
            with socket.socket(fileno=os.dup(conn.fileno())) as peek:
                first = peek.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (OSError, ValueError):
            return True
        # A notice, a notification or a parameter change is news, not an end; an error
        # (the server's farewell), a hang-up or anything else (TLS) is taken for one.
        return first not in (b"N", b"A", b"S")

    def _reopen(self, why: str) -> None:
        """A new connection in place of the dead one, in the same connection context."""
        log.warning("reconnecting to PostgreSQL: %s", why.strip().splitlines()[0])
        old = self._state.conn
        with self._lock, peewee.__exception_wrapper__:
            new = self._connect()
            self._initialize_connection(new)
        with suppress(Exception):  # it is gone already; closing it only tidies up
            old.close()
        self._state.conn = new
        self._state.closed = False
        type(self).reconnects += 1

    def begin(self, *args, **kwargs) -> None:
        if self._dead():
            self._reopen("the server ended the idle connection")
        try:
            super().begin(*args, **kwargs)
        except peewee.PeeweeException as exc:
            if not connection_dropped(exc):
                raise
            self._reopen(str(exc))  # nothing of this transaction reached the server
            super().begin(*args, **kwargs)

    def execute_sql(self, sql, params=None):
        if self.in_transaction():
            return super().execute_sql(sql, params)
        if self._dead():
            self._reopen("the server ended the idle connection")
        try:
            return super().execute_sql(sql, params)
        except peewee.PeeweeException as exc:
            if not connection_dropped(exc) or not _repeatable(sql):
                raise
            self._reopen(str(exc))
            return super().execute_sql(sql, params)

    def commit(self) -> None:
        try:
            super().commit()
        except peewee.PeeweeException as exc:
            if connection_dropped(exc):
                raise DatabaseUnavailable(COMMIT_UNKNOWN) from exc
            raise

    def rollback(self) -> None:
        conn = self._state.conn
        if conn is not None and conn.closed:
            return  # the server ended the transaction with the connection
        try:
            super().rollback()
        except peewee.PeeweeException as exc:
            if not connection_dropped(exc):
                raise
