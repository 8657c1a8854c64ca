"""Ten people at once on one database: command-line sessions, headless TUIs typing
into the receive form and TUIs over `backroom serve ssh`, all posting together.
Nobody is shown an error, every receipt is in the ledger once, and it verifies."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from backroom.models.browse import on_hand
from backroom.models.db import db
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, add_user, get_user
from backroom.models.migrations import open_database
from backroom.models.people.users import add_key
from backroom.models.schema import Move, User
from backroom.models.stock.verify import verify
from tests.conftest import TEST_USER
from tests.serve.conftest import SSH_OPTIONS, Server, Terminal, backroom_argv, free_port, keypair

CLI, TUI, SSH = 5, 3, 2  # ten sessions
EACH = 4  # receipts per session
FIELD_PAUSE = 0.3  # seconds between one field's Enter and the next field's keys


def prepare(url: str, folder) -> dict[str, object]:
    """Ten operators, a shelf and an item; an SSH key for each SSH session's user."""
    open_database(url, create=True)
    from backroom.models.masterdata.adding import init_database

    init_database(TEST_USER)
    admin = get_user(TEST_USER)
    add_location("A-01", by=admin)
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"), by=admin)
    for n in range(CLI + TUI + SSH):
        add_user(f"op{n}", "operator", by=admin)
    keys = {}
    for n in range(CLI + TUI, CLI + TUI + SSH):
        keys[f"op{n}"] = keypair(folder, f"op{n}")
        add_key(f"op{n}", (folder / f"op{n}.pub").read_text(), by=admin)
    db.close()
    return keys


def ssh_receipts(url: str, terms: dict[str, Terminal], n: int) -> None:
    """N receipts typed over SSH into each terminal's receive form, field by field at a
    quick person's pace; each round waits until every terminal's receipt is in the
    ledger. Entries back to back, faster than the form takes them, are the pilot
    tests' (tests/tui/test_fast_entries.py): typed at key speed here, a key was still
    lost once in a full run (the closing note of 2026-12-04)."""
    for term in terms.values():
        term.wait_for("Receive", "Moves per day", timeout=30)
    for term in terms.values():
        term.type(b"r")
    for term in terms.values():
        term.wait_for("To location", timeout=30)
    for round_ in range(1, n + 1):
        for text in (b"TAPE-48", b"1", b"A-01"):
            for term in terms.values():
                term.type(text + b"\r")  # the last Enter fills the form, which posts it
            time.sleep(FIELD_PAUSE)
        posted = posted_by(url, list(terms), round_)
        assert posted == dict.fromkeys(terms, round_), [t.text()[-800:] for t in terms.values()]


def posted_by(url: str, users: list[str], want: int, timeout: float = 60) -> dict[str, int]:
    """Moves posted by each of USERS, waiting until each has WANT (or time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        open_database(url)
        try:
            counts = {u: Move.select().join(User).where(User.name == u).count() for u in users}
        finally:
            db.close()
        if all(c >= want for c in counts.values()) or time.monotonic() > deadline:
            return counts
        time.sleep(0.1)


def run_sessions(url: str, folder) -> None:
    keys = prepare(url, folder)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.serve.sessions", kind, url, f"op{n}", str(EACH)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n, kind in enumerate(["cli"] * CLI + ["tui"] * TUI)
    ]
    port = free_port()
    server = Server(backroom_argv(url, "serve", "ssh", "--port", str(port)), port)
    terms = {
        f"op{n}": Terminal(
            [
                "ssh",
                "-tt",
                "-i",
                str(keys[f"op{n}"]),
                "-p",
                str(port),
                *SSH_OPTIONS,
                f"op{n}@127.0.0.1",
            ]
        )
        for n in range(CLI + TUI, CLI + TUI + SSH)
    }
    try:
        ssh_receipts(url, terms, EACH)
        outputs = [(p.wait(timeout=120), p.stdout.read()) for p in procs]  # type: ignore[union-attr]
        for term in terms.values():
            assert "✗" not in term.text(), term.text()[-500:]
            term.type(b"\x11")
            term.wait_exit()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for term in terms.values():
            term.close()
        server.stop()
    assert [code for code, _ in outputs] == [0] * len(procs), outputs
    open_database(url)
    assert on_hand("TAPE-48", location="A-01") == (CLI + TUI + SSH) * EACH
    assert verify().clean


@pytest.mark.slow
def test_ten_sessions_post_to_one_sqlite_file_without_an_error(sqlite_url, tmp_path):
    run_sessions(sqlite_url, tmp_path)


@pytest.mark.slow
@pytest.mark.postgres
def test_ten_sessions_post_to_postgresql_without_an_error(pg_url, tmp_path):
    run_sessions(pg_url, tmp_path)
