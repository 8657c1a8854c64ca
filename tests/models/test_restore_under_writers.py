"""restore --force while three writers post: every writer's postings either survive
or the writer is told, and what they were told adds up to what the restore recorded."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest

from backroom.models.data.backup import backup, restore
from backroom.models.data.restored import Restore
from backroom.models.db import db
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, add_user
from backroom.models.migrations import open_database
from backroom.models.schema import Move, User
from backroom.models.stock.verify import verify
from tests.models.restore_workers import post_until_stopped

pytestmark = pytest.mark.slow  # three real processes: about ten seconds

WRITERS = ("anna", "bob", "carla")


def _wait_until_each_posted(path: str, more_than: dict[str, int]) -> dict[str, int]:
    """Until each writer has more moves in the ledger at PATH than MORE_THAN says; the
    counts then."""
    deadline = time.monotonic() + 60
    conn = sqlite3.connect(path, timeout=10)
    try:
        while True:
            rows = conn.execute(
                'SELECT u.name, count(*) FROM move m JOIN "user" u ON u.id = m.user_id '
                "GROUP BY u.name"
            ).fetchall()
            counts = dict(rows)
            if all(counts.get(name, 0) > n for name, n in more_than.items()):
                return counts
            assert time.monotonic() < deadline, f"the writers stopped posting: {counts}"
            time.sleep(0.02)
    finally:
        conn.close()


def test_restore_while_three_writers_post_tells_each_what_it_lost(sqlite_database, tmp_path):
    url = sqlite_database
    by = User.get(User.name == "tester")
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"))
    add_location("A1")
    for name in WRITERS:
        add_user(name, "operator", by=by)
    db.close()
    spawn = multiprocessing.get_context("spawn")
    stop, results = spawn.Event(), spawn.Queue()
    told = {name: spawn.Event() for name in WRITERS}
    writers = [
        spawn.Process(target=post_until_stopped, args=(url, n, told[n], stop, results))
        for n in WRITERS
    ]
    for writer in writers:
        writer.start()
    path = url.removeprefix("sqlite:///")
    try:
        saved = tmp_path / "noon.db"
        counts = _wait_until_each_posted(path, dict.fromkeys(WRITERS, 10))
        backup(url, saved)  # while they post
        _wait_until_each_posted(path, {name: counts[name] + 30 for name in WRITERS})
        result = restore(saved, url, force=True, wait=30, user="tester")
        for name in WRITERS:
            assert told[name].wait(timeout=60), f"{name} was never told"
        stop.set()
        outcomes = {}
        for _ in WRITERS:
            user, before, lost, after, errors = results.get(timeout=60)
            outcomes[user] = (before, lost, after, errors)
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
            if writer.is_alive():
                writer.kill()
                writer.join()
    open_database(url)
    ledger = dict(Move.select(Move.id, Move.hash).tuples())
    (record,) = Restore.select()
    side = [json.loads(line) for line in Path(record.kept_in).read_text().splitlines()]
    kept_aside = {(e["move"]["id"], e["move"]["hash"]) for e in side if "move" in e}
    told_lost = set()
    for user, (before, lost, after, errors) in outcomes.items():
        assert errors == [], (user, errors)
        assert lost, f"{user} lost nothing: the restore came too early to test anything"
        gone = [(i, h) for i, h in before if i in set(lost)]
        assert [i for i, _ in gone] == lost  # told exactly its own postings
        told_lost |= set(gone)
        # every posting it was not told about is in the restored ledger as it was posted
        for move_id, move_hash in [p for p in before if p not in gone] + after:
            assert ledger.get(move_id) == move_hash, (user, move_id)
        for move_id, move_hash in gone:
            assert ledger.get(move_id) != move_hash
        assert json.loads(record.posted_by)[user] == len(lost)
    assert len(told_lost) == record.discarded_moves == result.discarded.moves
    assert told_lost == kept_aside  # and each discarded move is kept in the side file
    assert record.kept_last_move + 1 == record.discarded_first_move
    assert verify().problems == []
