"""A long-lived session keeps working after PostgreSQL ends its connection (a restart,
an administrator): the next read and the next posting succeed on a new connection, and
a posting cut off during its COMMIT is reported, never posted twice.

The shared server is not restarted: each test ends its own session's backend with
pg_terminate_backend from a second connection, as a restart does to every session."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlparse, urlunparse

import psycopg2
import pytest

from backroom.models.browse import list_stock
from backroom.models.db import BackroomPostgres, db
from backroom.models.errors import DatabaseUnavailable
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    get_user,
    init_database,
)
from backroom.models.migrations import open_database
from backroom.models.schema import Move
from backroom.models.stock.operations import receive
from backroom.models.stock.verify import verify
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres

HOLD = 4242  # the advisory lock a trigger waits on, to catch a posting mid-way
WAIT_S = 10.0


@pytest.fixture(scope="module")
def warehouse() -> Iterator[str]:
    """A Backroom database on PostgreSQL with FLOUR and shelf A1, one for the module
    (each test counts what it adds)."""
    if not PG_URL:
        pytest.skip("BACKROOM_TEST_PG_URL is not set: no PostgreSQL to test against")
    name = "backroom_t_" + uuid.uuid4().hex[:12]
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    _sql(admin, f'CREATE DATABASE "{name}"')
    url = urlunparse(urlparse(PG_URL)._replace(path="/" + name))
    try:
        open_database(url, create=True)
        init_database("tester")
        admin_user = get_user("tester")
        add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"), by=admin_user)
        add_location("A1", name="Aisle 1", by=admin_user)
        yield url
    finally:
        db.close()
        _sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def second(warehouse) -> Iterator[psycopg2.extensions.connection]:
    """Another session on the same database: the one that ends ours. It leaves no
    trigger or lock behind."""
    conn = psycopg2.connect(warehouse)
    conn.autocommit = True
    yield conn
    _sql(conn, "DROP TRIGGER IF EXISTS hold_posting ON move")
    _sql(conn, "DROP FUNCTION IF EXISTS hold_posting()")
    conn.close()


def _sql(conn, query: str, *params) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall() if cur.description else []


def _until(found: Callable[[], object], what: str) -> object:
    """Wait (bounded) for a state of the server, polling it."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if value := found():
            return value
        time.sleep(0.01)
    raise AssertionError(f"gave up waiting for {what}")


def _end_our_session(second) -> None:
    """pg_terminate_backend on this thread's connection, and wait until it is gone."""
    pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    assert _sql(second, "SELECT pg_terminate_backend(%s)", pid) == [(True,)]
    _until(
        lambda: not _sql(second, "SELECT 1 FROM pg_stat_activity WHERE pid = %s", pid),
        "the ended session to go",
    )


def _flour_on_a1() -> int:
    return sum(row.qty for row in list_stock(item="FLOUR", location="A1"))


def _ledger() -> tuple[int, int]:
    """How many moves, and how much flour on A1."""
    return Move.select().count(), _flour_on_a1()


def test_a_dead_connection_not_seen_beforehand_is_replaced_at_begin_and_on_a_read(
    warehouse, second, monkeypatch
):
    # As when the notice of the end is lost (a cut cable): the first BEGIN or read
    # fails on the dead connection, and is run again on a new one.
    moves, flour = _ledger()
    monkeypatch.setattr(BackroomPostgres, "_dead", lambda self: False)
    _end_our_session(second)
    receive("FLOUR", 3, "A1", user="tester")
    _end_our_session(second)
    assert _flour_on_a1() == flour + 3
    assert Move.select().count() == moves + 1


def test_no_read_or_posting_started_after_a_kill_fails(warehouse, second):
    moves, flour = _ledger()
    failures = 0
    for n in range(10):
        _end_our_session(second)
        try:
            if n % 2:
                _flour_on_a1()
            else:
                receive("FLOUR", 1, "A1", user="tester")
        except DatabaseUnavailable:
            failures += 1
    assert failures == 0
    assert _ledger() == (moves + 5, flour + 5)


def _hold_postings(second, when: str) -> None:
    """A trigger on the ledger that waits for lock HOLD: at COMMIT ('deferred') or at
    the insert itself ('immediate'); SECOND holds the lock."""
    timing = "DEFERRABLE INITIALLY DEFERRED" if when == "deferred" else ""
    _sql(
        second,
        "CREATE FUNCTION hold_posting() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"PERFORM pg_advisory_lock({HOLD}); PERFORM pg_advisory_unlock({HOLD}); "
        "RETURN NULL; END $$",
    )
    _sql(
        second,
        f'CREATE CONSTRAINT TRIGGER hold_posting AFTER INSERT ON "move" {timing} '
        "FOR EACH ROW EXECUTE FUNCTION hold_posting()",
    )
    _sql(second, "SELECT pg_advisory_lock(%s)", HOLD)


def _waiting_posting(second, query: str, other_than: int = 0) -> int | None:
    rows = _sql(
        second,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query ILIKE %s AND pid <> %s",
        query,
        other_than,
    )
    return rows[0][0] if rows else None


def _post_in_a_thread(outcome: dict) -> threading.Thread:
    def post() -> None:
        try:
            with db.connection_context():
                outcome["posted"] = receive("FLOUR", 4, "A1", user="tester")
        except Exception as exc:  # what the person would be told
            outcome["error"] = exc

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread


def _finish(thread: threading.Thread, second) -> None:
    """Let THREAD end (releasing the trigger's lock if it is still held up), then check
    that it ended on its own within the bound."""
    thread.join(WAIT_S)
    stuck = thread.is_alive()
    _sql(second, "SELECT pg_advisory_unlock_all()")
    thread.join(WAIT_S)
    assert not stuck, "the posting was run again after a failed COMMIT"


def test_a_session_ended_during_commit_is_reported_and_not_posted_twice(warehouse, second):
    moves, flour = _ledger()
    _hold_postings(second, "deferred")
    outcome: dict = {}
    thread = _post_in_a_thread(outcome)
    pid = _until(lambda: _waiting_posting(second, "COMMIT"), "the posting to reach COMMIT")
    _sql(second, "SELECT pg_terminate_backend(%s)", pid)
    _finish(thread, second)
    assert "posted" not in outcome
    assert isinstance(outcome["error"], DatabaseUnavailable)
    assert "may or may not have been saved" in str(outcome["error"])
    assert _ledger() == (moves, flour)  # the server ended it before it committed
    _sql(second, "DROP TRIGGER hold_posting ON move")
    receive("FLOUR", 2, "A1", user="tester")
    assert _ledger() == (moves + 1, flour + 2)
    assert verify().problems == []


def test_a_session_ended_before_commit_posts_once_on_a_new_connection(warehouse, second):
    moves, flour = _ledger()
    _hold_postings(second, "immediate")
    outcome: dict = {}
    thread = _post_in_a_thread(outcome)
    first = _until(lambda: _waiting_posting(second, "INSERT%"), "the posting's insert")
    _sql(second, "SELECT pg_terminate_backend(%s)", first)
    # Nothing was committed: the transaction runs again, and waits at the trigger again.
    _until(lambda: _waiting_posting(second, "INSERT%", first), "the posting to run again")
    _sql(second, "SELECT pg_advisory_unlock_all()")
    thread.join(WAIT_S)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    assert _ledger() == (moves + 1, flour + 4)
    assert verify().problems == []
