"""The command line refusing bad input: one clear line on stderr, exit 1 (refused) or
2 (usage), and nothing written."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from backroom.models import db as models_db
from tests.tui.test_cli import ROOT, Backroom, Run, isolate


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch) -> None:
    """Run in tmp_path, away from the machine's own Backroom configuration."""
    isolate(tmp_path, monkeypatch)


@pytest.fixture
def warehouse(sqlite_url, capsys) -> Backroom:
    """FLOUR (untracked) and MILK (lots) with stock on shelf A1, and shelf A2."""
    cli = Backroom(sqlite_url, capsys)
    cli.ok("init")
    cli.ok("item", "add", "FLOUR", "--name", "Wheat flour")
    cli.ok("item", "add", "MILK", "--name", "Milk 1 l", "--tracking", "lot")
    cli.ok("location", "add", "A1")
    cli.ok("location", "add", "A2")
    cli.ok("receive", "FLOUR", "100", "--to", "A1")
    cli.ok("receive", "MILK", "24", "--to", "A1", "--lot", "L-1")
    return cli


def one_line(run: Run, code: int) -> str:
    """The single stderr line of a failed command with status CODE (stdout stays empty)."""
    assert (run.code, run.out) == (code, ""), run
    assert run.err.endswith("\n") and run.err.count("\n") == 1, run.err
    assert "Traceback" not in run.err
    return run.err.rstrip("\n")


def refused_and_unchanged(cli: Backroom, *args: str) -> str:
    """Run a command that must be refused with exit 1 and write nothing; its message."""
    before = cli.ledger(), cli.ok("stock", "--all", "--json").out
    message = one_line(cli(*args), 1)
    assert (cli.ledger(), cli.ok("stock", "--all", "--json").out) == before
    return message


REFUSED = [
    (["receive", "RICE", "5", "--to", "A1"], "Unknown item 'RICE' (give a SKU or a GTIN)"),
    (["move", "FLOUR", "1", "--from", "A1", "--to", "B9"], "Unknown location 'B9'"),
    (
        ["receive", "FLOUR", "-3", "--to", "A1"],
        "Quantity must be a positive whole number, not -3",
    ),
    (["receive", "FLOUR", "0", "--to", "A1"], "Quantity must be a positive whole number, not 0"),
    (
        ["move", "MILK", "1", "--from", "A1", "--to", "A2"],
        "Item MILK is lot-tracked: give the lot",
    ),
    (
        ["receive", "FLOUR", "1", "--to", "A1", "--lot", "L-9"],
        "Item FLOUR is not lot-tracked: give no lot",
    ),
    (
        ["move", "FLOUR", "101", "--from", "A1", "--to", "A2"],
        "Only 100 pcs of FLOUR at A1; cannot take 101",
    ),
    (
        ["scrap", "MILK", "25", "--at", "A1", "--lot", "L-1", "--reason", "spoilt"],
        "Only 24 pcs of MILK lot L-1 at A1; cannot take 25",
    ),
    (
        ["adjust", "FLOUR", "0", "--at", "A1", "--reason", "typo"],
        "Adjustment must be a non-zero whole number such as -3 or +2, not 0",
    ),
    (
        ["adjust", "FLOUR", "-3", "--at", "A1", "--reason", " "],
        "Give a reason",
    ),
    (["count", "FLOUR", "-1", "--at", "A1"], "Counted quantity must be zero or a positive"),
    (["reverse", "999"], "No move 999"),
    (["lot", "status", "L-404", "blocked", "--reason", "x"], "Unknown lot 'L-404'"),
    (["item", "add", "FLOUR", "--name", "Again"], "Item FLOUR already exists"),
    (["stock", "--location", "B9"], "Unknown location 'B9'"),
]


@pytest.mark.parametrize(("args", "message"), REFUSED, ids=[" ".join(a) for a, _ in REFUSED])
def test_a_refused_command_says_why_in_one_line_and_writes_nothing(warehouse, args, message):
    assert refused_and_unchanged(warehouse, *args).startswith(f"backroom: {message}")


def test_an_unknown_user_is_refused(warehouse):
    run = warehouse("receive", "FLOUR", "1", "--to", "A1", user="mallory")
    assert one_line(run, 1).startswith("backroom: Unknown user 'mallory'")
    assert len(warehouse.ledger()) == 2


def test_reversing_twice_is_refused(warehouse):
    move_id = warehouse.ledger()[0]["id"]
    warehouse.ok("reverse", str(move_id))
    message = refused_and_unchanged(warehouse, "reverse", str(move_id))
    assert message == f"backroom: Move {move_id} was already reversed by move {move_id + 1}"


USAGE = [
    ["receive", "FLOUR", "abc", "--to", "A1"],
    ["receive", "FLOUR", "1.5", "--to", "A1"],
    ["receive", "FLOUR", "5"],
    ["adjust", "FLOUR", "-3", "--at", "A1"],
    ["receive", "FLOUR", "5", "--to", "A1", "--expiry", "31/12/2030"],
    ["lot", "status", "L-1", "lost", "--reason", "x"],
    ["teleport", "FLOUR"],
    ["moves", "--limit", "-1"],
    ["stock", "--limit", "0"],
    ["receive", "FLOUR", "99999999999999999999", "--to", "A1"],  # bounded as it is parsed
    ["reverse", str(10**30)],
]


@pytest.mark.parametrize("args", USAGE, ids=[" ".join(a) for a in USAGE])
def test_a_usage_error_exits_2_with_one_line_and_writes_nothing(warehouse, args):
    before = warehouse.ledger()
    message = one_line(warehouse(*args), 2)
    assert re.fullmatch(r"backroom[a-z ]*: .+ \(see 'backroom[a-z ]* --help'\)", message)
    assert warehouse.ledger() == before


def test_a_non_numeric_quantity_names_the_argument(warehouse):
    message = one_line(warehouse("receive", "FLOUR", "abc", "--to", "A1"), 2)
    assert "argument QTY: 'abc' is not a whole number" in message


@pytest.mark.parametrize(
    "url",
    ["foo://x", "sqlite:/x.db", "sqlite:x.db", "sqlite://host/x.db", "postgresql://localhost"],
)
def test_a_malformed_database_url_is_refused_and_creates_nothing(backroom_anywhere, url, tmp_path):
    message = one_line(backroom_anywhere("init", db_url=url), 1)
    assert message.startswith(("backroom: Malformed database URL", "backroom: Database URL"))
    assert url in message
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == []


def test_a_missing_database_file_is_refused_and_not_created(backroom_anywhere, tmp_path):
    missing = tmp_path / "gone" / "backroom.db"
    run = backroom_anywhere("stock", db_url=f"sqlite:///{missing}")
    assert one_line(run, 1) == (
        f"backroom: No Backroom database at {missing}: create one with 'backroom init' "
        "or 'backroom demo'"
    )
    assert not missing.parent.exists()


def test_a_file_that_is_not_a_backroom_database_is_refused(backroom_anywhere, tmp_path):
    other = tmp_path / "accounts.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    for command in ("stock", "init"):
        run = backroom_anywhere(command, db_url=f"sqlite:///{other}")
        assert one_line(run, 1) == f"backroom: sqlite:///{other} is not a Backroom database"
    tables = sqlite3.connect(other).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("invoice",)]


def test_an_unreachable_database_server_is_refused_in_one_line(backroom_anywhere):
    run = backroom_anywhere("stock", db_url="postgresql://backroom@127.0.0.1:1/backroom")
    assert one_line(run, 1).startswith("backroom: Cannot reach the database server:")


def test_a_missing_config_file_is_refused_in_one_line(backroom_anywhere, tmp_path):
    run = backroom_anywhere("--config", str(tmp_path / "nope.toml"), "stock")
    assert one_line(run, 1) == f"backroom: Config file {tmp_path / 'nope.toml'} does not exist"


@pytest.fixture
def backroom_anywhere(tmp_path, capsys) -> Backroom:
    """The command line with no database made for it."""
    return Backroom(f"sqlite:///{tmp_path / 'unused.db'}", capsys)


def test_a_database_locked_by_another_session_is_refused_in_one_line(warehouse, monkeypatch):
    # Wait 50 ms for the lock and retry once, rather than 10 s and eight times.
    monkeypatch.setitem(models_db.SQLITE_PRAGMAS, "busy_timeout", 50)
    monkeypatch.setattr(models_db, "WRITE_RETRIES", 1)
    before = warehouse.ledger()
    other = sqlite3.connect(models_db.sqlite_path(warehouse.url), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        run = warehouse("receive", "FLOUR", "5", "--to", "A1")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert one_line(run, 1) == (
        "backroom: The database is busy: another session holds the write lock; nothing was written."
    )
    assert warehouse.ledger() == before


SETPRIV = shutil.which("setpriv")


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or not SETPRIV, reason="needs root and setpriv")
def test_a_read_only_database_is_readable_but_refuses_postings_in_one_line(warehouse):
    """Root writes whatever the file mode says, so the commands run as user nobody,
    against a copy of the database it may read but not write (in a folder where
    SQLite may keep its -wal and -shm files)."""
    folder = Path(tempfile.mkdtemp(prefix="backroom-ro-"))
    try:
        folder.chmod(0o777)
        copy = folder / "backroom.db"
        shutil.copy(models_db.sqlite_path(warehouse.url), copy)
        copy.chmod(0o444)
        before = copy.read_bytes()
        # The CLI acts as its OS account (nobody); this site maps that account to tester.
        (folder / "backroom").mkdir(mode=0o755)
        (folder / "backroom" / "config.toml").write_text('[accounts]\nnobody = "tester"\n')

        def as_nobody(*args: str) -> Run:
            setpriv = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups"]
            script = "import sys; from backroom.tui.cli import main; sys.exit(main())"
            done = subprocess.run(
                [*setpriv, sys.executable, "-c", script, "--db", f"sqlite:///{copy}", *args],
                cwd=ROOT,
                env={**os.environ, "HOME": str(folder), "XDG_CONFIG_HOME": str(folder)},
                capture_output=True,
                text=True,
                check=False,
            )
            return Run(done.returncode, done.stdout, done.stderr)

        stock = as_nobody("stock", "--json")
        assert (stock.code, stock.err) == (0, "")
        assert [(r["item"], r["qty"]) for r in stock.json] == [("FLOUR", 100), ("MILK", 24)]
        refused = as_nobody("--user", "tester", "receive", "FLOUR", "5", "--to", "A1")
        assert one_line(refused, 1) == (
            "backroom: The database is read-only here; nothing was written."
        )
        assert copy.read_bytes() == before
    finally:
        shutil.rmtree(folder)
