"""Backup while others keep posting, and restore that refuses a database in use."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import time

import pytest

from backroom.models.browse import on_hand
from backroom.models.data.backup import backup, restore
from backroom.models.db import db
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, init_database
from backroom.models.migrations import open_database
from backroom.models.schema import Move
from backroom.models.stock.operations import receive
from backroom.models.stock.verify import verify
from tests.models import workers

USER = "tester"


@pytest.fixture
def shop(sqlite_database) -> str:
    """FLOUR on shelves A1 and A2, on SQLite: what tests/models/workers.py posts to."""
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"))
    add_location("A1")
    add_location("A2")
    receive("FLOUR", 1000, "A1", user=USER)
    return sqlite_database


def _moves_in(url: str) -> tuple[int, list[str]]:
    """Open the database at URL: how many moves, and what verify finds."""
    db.close()
    open_database(url)
    report = verify()
    return report.moves, report.problems


def _wait_for_moves(path: str, more_than: int) -> None:
    """Until the ledger at PATH holds more than MORE_THAN moves (the poster is posting)."""
    deadline = time.monotonic() + 60
    conn = sqlite3.connect(path, timeout=10)
    try:
        while conn.execute("SELECT count(*) FROM move").fetchone()[0] <= more_than:
            assert time.monotonic() < deadline, "the posting process never posted"
            time.sleep(0.05)
    finally:
        conn.close()


def test_backups_taken_while_another_process_posts_are_consistent(shop, tmp_path):
    db.close()
    poster = multiprocessing.get_context("spawn").Process(
        target=workers.post_forever, args=(shop,), daemon=True
    )
    poster.start()
    path = shop.removeprefix("sqlite:///")
    try:
        files = []
        for n in range(3):
            _wait_for_moves(path, more_than=1 + 20 * n)
            files.append(tmp_path / f"backup-{n}.db")
            backup(shop, files[-1])
    finally:
        poster.kill()
        poster.join()
    counts = []
    for file in files:
        moves, problems = _moves_in(f"sqlite:///{file}")
        assert problems == []
        counts.append(moves)
    assert counts == sorted(counts) and counts[-1] > counts[0] > 1  # posting went on


def test_a_backup_does_not_overwrite_a_file_unless_forced(shop, tmp_path):
    target = tmp_path / "nightly.db"
    target.write_text("yesterday")
    with pytest.raises(Refused, match="already exists: choose another name or give --force"):
        backup(shop, target)
    backup(shop, target, force=True)
    assert target.read_bytes().startswith(b"SQLite format 3")


def test_restore_refuses_a_database_in_use_and_puts_the_backup_back_when_free(shop, tmp_path):
    saved = tmp_path / "before-count.db"
    backup(shop, saved)
    receive("FLOUR", 500, "A2", user=USER)
    # This session still has the database open.
    with pytest.raises(Refused, match=r"in use \(another session has .* open\).*--force"):
        restore(saved, shop)
    db.close()
    restore(saved, shop)
    moves, problems = _moves_in(shop)
    assert (moves, problems) == (1, [])
    assert on_hand("FLOUR", location="A2") == 0


def test_restore_with_force_replaces_the_database_under_an_open_session(shop, tmp_path):
    saved = tmp_path / "saved.db"
    backup(shop, saved)
    receive("FLOUR", 7, "A2", user=USER)
    db.close()
    other = sqlite3.connect(shop.removeprefix("sqlite:///"))
    other.execute("SELECT count(*) FROM move").fetchone()
    try:
        restore(saved, shop, force=True)
        assert other.execute("SELECT count(*) FROM move").fetchone() == (1,)
    finally:
        other.close()
    assert _moves_in(shop) == (1, [])


def test_restore_refuses_a_file_that_is_not_a_backup(shop, tmp_path):
    junk = tmp_path / "stock.csv"
    junk.write_text("sku,qty\n")
    db.close()
    with pytest.raises(Refused, match="is not a Backroom backup"):
        restore(junk, shop)


def test_a_pg_dump_backup_restores_into_postgresql(pg_url, tmp_path):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    open_database(pg_url, create=True)
    init_database(USER)
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"))
    add_location("A1")
    receive("FLOUR", 250, "A1", user=USER)
    file = tmp_path / "pg.dump"
    result = backup(pg_url, file)
    assert file.read_bytes().startswith(b"PGDMP") and result.size > 0
    receive("FLOUR", 50, "A1", user=USER)
    with pytest.raises(Refused, match="other session"):
        restore(file, pg_url)
    db.close()
    with pytest.raises(Refused, match="pg_dump backup: restore it into a PostgreSQL database"):
        restore(file, f"sqlite:///{tmp_path / 'x.db'}")
    restore(file, pg_url)
    open_database(pg_url)
    assert on_hand("FLOUR") == 250
    assert Move.select().count() == 1
    assert verify().problems == []
