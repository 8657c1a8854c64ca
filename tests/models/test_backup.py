"""Backup while others keep posting, and restore that refuses a database in use."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backroom.models.browse import on_hand
from backroom.models.data.backup import backup, restore
from backroom.models.data.restored import DiscardedByRestore, Restore
from backroom.models.db import db
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, init_database
from backroom.models.migrations import open_database
from backroom.models.schema import Event, Move
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


def _restores() -> list[Restore]:
    return list(Restore.select().order_by(Restore.generation))


def test_restore_refuses_to_discard_moves_the_backup_lacks_unless_forced(shop, tmp_path):
    saved = tmp_path / "before-count.db"
    backup(shop, saved)
    receive("FLOUR", 500, "A2", user=USER)
    db.close()
    with pytest.raises(Refused, match=r"has 1 move \(id 2, posted by tester \(1\)\).*--force"):
        restore(saved, shop, user="lead")
    assert _moves_in(shop) == (2, [])  # refused: nothing changed
    assert on_hand("FLOUR", location="A2") == 500
    db.close()
    result = restore(saved, shop, force=True, user="lead")
    assert result.discarded.moves == 1 and result.discarded.posted_by == {"tester": 1}
    assert _moves_in(shop) == (1, [])
    assert on_hand("FLOUR", location="A2") == 0
    (record,) = _restores()
    assert (record.user, record.discarded_moves, record.kept_last_move) == ("lead", 1, 1)
    assert (record.discarded_first_move, record.discarded_last_move) == (2, 2)
    assert json.loads(record.posted_by) == {"tester": 1}
    assert record.backup_file == str(saved.resolve())
    event = Event.get(Event.kind == "restore")
    assert json.loads(event.detail)["moves"] == 1
    kept = Path(record.kept_in)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    (line,) = [json.loads(text) for text in kept.read_text().splitlines() if '"move"' in text]
    assert line["move"] | {"time": None, "hash": None} == line["move"] | {
        "id": 2, "kind": "receipt", "item": "FLOUR", "qty": 500, "to": "A2", "user": "tester",
        "time": None, "hash": None,
    }  # fmt: skip


def test_a_session_that_posted_after_the_backup_is_told_once_on_its_next_posting(shop, tmp_path):
    saved = tmp_path / "saved.db"
    backup(shop, saved)
    for _ in range(3):
        receive("FLOUR", 7, "A2", user=USER)
    restore(saved, shop, force=True, user="lead")
    open_database(shop)  # this process keeps working, as a TUI session would
    with pytest.raises(DiscardedByRestore) as told:
        receive("FLOUR", 1, "A2", user=USER)
    assert told.value.moves == 3 and told.value.lost == [2, 3, 4]
    assert "restored to the backup of" in str(told.value) and "by lead" in str(told.value)
    assert "(3 moves, ids 2–4) were discarded; check them and post them again" in str(told.value)
    assert Move.select().count() == 1  # the refused posting wrote nothing
    again = receive("FLOUR", 1, "A2", user=USER)  # told once: the next one goes through
    assert again.id == 2 and on_hand("FLOUR", location="A2") == 1


def test_a_session_that_lost_nothing_is_not_bothered(shop, tmp_path):
    receive("FLOUR", 7, "A2", user=USER)
    saved = tmp_path / "saved.db"
    backup(shop, saved)
    restore(saved, shop, user="lead")  # nothing to discard: no --force needed
    open_database(shop)
    assert receive("FLOUR", 1, "A2", user=USER).id == 3


def test_restore_waits_for_a_writer_and_names_it_when_it_does_not_finish(shop, tmp_path):
    saved = tmp_path / "saved.db"
    backup(shop, saved)
    db.close()
    path = shop.removeprefix("sqlite:///")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "holding\n"
        with pytest.raises(Refused, match=rf"busy.*more than 0.3 s.*pid {holder.pid} \(.*--wait"):
            restore(saved, shop, force=True, wait=0.3, user="lead")
    finally:
        holder.communicate("done", timeout=30)  # it commits, then ends
    assert _moves_in(shop) == (1, [])
    assert _restores() == []  # refused: restore did nothing
    db.close()
    restore(saved, shop, wait=5, user="lead")  # the writer is done: now it goes through
    open_database(shop)
    assert [r.user for r in _restores()] == ["lead"]


# Holds the write lock, as a long posting would, until told on stdin; then commits.
HOLD_WRITE_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE ledger_head SET last_hash = last_hash")
print("holding", flush=True)
sys.stdin.read()
conn.execute("COMMIT")
"""


def test_the_log_of_restores_survives_later_restores(shop, tmp_path):
    saved = tmp_path / "saved.db"
    backup(shop, saved)
    receive("FLOUR", 7, "A2", user=USER)
    db.close()
    restore(saved, shop, force=True, user="lead")
    # Only the first restore's record is newer than the backup: no --force needed.
    restore(saved, shop, user="admin")
    open_database(shop)
    assert [(r.generation, r.user, r.discarded_moves) for r in _restores()] == [
        (1, "lead", 1),
        (2, "admin", 0),
    ]
    assert Event.select().where(Event.kind == "restore").count() == 1  # the latest one's


def test_restore_into_a_missing_database_records_it_too(shop, tmp_path):
    saved = tmp_path / "saved.db"
    backup(shop, saved)
    db.close()
    fresh = f"sqlite:///{tmp_path / 'new' / 'backroom.db'}"
    result = restore(saved, fresh, user="lead")
    assert result.discarded.moves == 0
    assert _moves_in(fresh) == (1, [])
    assert [(r.generation, r.user) for r in _restores()] == [(1, "lead")]


def test_backups_are_readable_by_their_owner_only(shop, tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "nightly.db"
        backup(shop, target)
        target.chmod(0o644)  # an older backup, world-readable: --force replaces it privately
        backup(shop, target, force=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


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
    # This session is connected: a PostgreSQL restore waits for it, --force or not.
    with pytest.raises(Refused, match=r"in use by 1 other session \(postgres from .*--wait"):
        restore(file, pg_url, force=True, wait=0.3)
    db.close()
    with pytest.raises(Refused, match="pg_dump backup: restore it into a PostgreSQL database"):
        restore(file, f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(Refused, match=r"has 1 move \(id 2, posted by tester"):
        restore(file, pg_url, wait=5)
    result = restore(file, pg_url, force=True, wait=5, user="lead")
    assert result.discarded.moves == 1
    kept = result.discarded.kept_in
    assert kept.parent == tmp_path and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert '"qty": 50' in kept.read_text()
    open_database(pg_url)
    assert on_hand("FLOUR") == 250
    assert Move.select().count() == 1
    assert verify().problems == []
    (record,) = _restores()
    assert (record.user, record.discarded_moves, record.kept_last_move) == ("lead", 1, 1)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    # A session of this process that posted the discarded move is told on its next one.
    with pytest.raises(DiscardedByRestore, match=r"\(1 move, id 2\) were discarded"):
        receive("FLOUR", 1, "A1", user=USER)
