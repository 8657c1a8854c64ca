"""Shared fixtures: a fresh Backroom database per test, on SQLite (a file under
tmp_path) and, when BACKROOM_TEST_PG_URL is set, on PostgreSQL (a fresh database)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

import pytest

from backroom.models.db import db
from backroom.models.masterdata.adding import init_database
from backroom.models.migrations import open_database

PG_URL = os.environ.get("BACKROOM_TEST_PG_URL")
TEST_USER = "tester"


def _pg_admin():
    import psycopg2

    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    return conn


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    if not PG_URL:
        pytest.skip("BACKROOM_TEST_PG_URL is not set: no PostgreSQL to test against")
    name = "backroom_t_" + uuid.uuid4().hex[:12]
    admin = _pg_admin()
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    parsed = urlparse(PG_URL)
    url = urlunparse(parsed._replace(path="/" + name))
    try:
        yield url
    finally:
        if db.obj is not None:
            db.close()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """The URL of a new SQLite file under tmp_path (not yet created)."""
    return f"sqlite:///{tmp_path / 'backroom.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A new database URL: every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'backroom.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def database(db_url) -> Iterator[str]:
    """An initialised Backroom database (virtual locations, user 'tester' as admin)."""
    open_database(db_url, create=True)
    init_database(TEST_USER)
    yield db_url
    db.close()


@pytest.fixture
def sqlite_database(sqlite_url) -> Iterator[str]:
    """An initialised Backroom database on SQLite only."""
    open_database(sqlite_url, create=True)
    init_database(TEST_USER)
    yield sqlite_url
    db.close()


@pytest.fixture(autouse=True)
def _own_state_folder(tmp_path_factory, monkeypatch) -> None:
    """Commands log to XDG_STATE_HOME, and the site's folders (imports, exports, labels,
    documents) default under XDG_DATA_HOME: folders of the test run's, not the tester's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.getbasetemp() / "state"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "data"))


# Every process this test process starts carries its mark in its environment, so that
# the end of the run can find what is left of them, orphans re-parented to init included.
RUN_MARK = "BACKROOM_TEST_RUN"
LEFT_BEHIND_GRACE = 10.0  # seconds for the last test's processes to finish ending


def _marked_backroom_processes(mark: str) -> list[tuple[int, str]]:
    """(pid, command line) of the running Backroom processes carrying MARK, but this one."""
    needle = f"{RUN_MARK}={mark}\0".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as env:
                if needle not in env.read():
                    continue
            with open(f"/proc/{entry}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue  # it has ended; only its exit status waits to be read
            with open(f"/proc/{entry}/cmdline", "rb") as cmd:
                line = cmd.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone meanwhile, or someone else's
            continue
        if "backroom" in line or "tests.serve" in line:
            found.append((int(entry), line))
    return found


@pytest.fixture(scope="session", autouse=True)
def _no_backroom_process_left_behind() -> Iterator[None]:
    """At the end of the run, no Backroom process that the tests started is still
    running (a TUI served over SSH once outlived its test for 48 minutes). Any found is
    killed, and the run fails naming it."""
    mark = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    os.environ[RUN_MARK] = mark
    yield
    deadline = time.monotonic() + LEFT_BEHIND_GRACE
    while (left := _marked_backroom_processes(mark)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid, _ in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if left:
        listing = "; ".join(f"pid {pid}: {line[:160]}" for pid, line in left)
        pytest.fail(f"The tests left {len(left)} Backroom processes running: {listing}")
