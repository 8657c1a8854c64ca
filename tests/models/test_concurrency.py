"""Several sessions posting at once, and a session killed in the middle of its work."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backroom.models.browse import list_moves as moves
from backroom.models.db import db
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, init_database
from backroom.models.migrations import open_database
from backroom.models.schema import LedgerHead, Lot, Move
from backroom.models.stock.operations import receive
from tests.models.support import USER, assert_clean, on_shelf
from tests.models.workers import session

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 4

pytestmark = pytest.mark.slow


def stocked_database(url: str, flour: int) -> None:
    """FLOUR on shelf A1 (and a lot-tracked MILK), closed again for the sessions to use."""
    open_database(url, create=True)
    init_database(USER)
    add_item(ItemSpec("FLOUR", "Wheat flour"))
    add_item(ItemSpec("MILK", "Milk", tracking="lot"))
    add_location("A1")
    add_location("A2")
    if flour:
        receive("FLOUR", flour, "A1", user=USER)
    db.close()


def run_sessions(url: str, jobs: list[tuple]):
    """Run JOBS in each of four spawned processes, all starting at the same moment;
    then reopen the database here. Returns (outcomes, started, finished) per session."""
    spawn = multiprocessing.get_context("spawn")
    all_ready, queue = spawn.Barrier(SESSIONS), spawn.Queue()
    procs = [
        spawn.Process(target=session, args=(url, all_ready, queue, jobs)) for _ in range(SESSIONS)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    open_database(url)
    return results


def all_outcomes(results) -> list[tuple[str, object]]:
    return [outcome for outcomes, _, _ in results for outcome in outcomes]


def ledger_ids() -> set[int]:
    return {move_id for (move_id,) in Move.select(Move.id).tuples()}


def test_four_sessions_posting_at_once_lose_nothing(db_url):
    stocked_database(db_url, flour=1000)
    jobs = [("receive", "FLOUR", 1, "A1", None), ("transfer", "FLOUR", 2, "A1", "A2")] * 25
    results = run_sessions(db_url, jobs)
    # the sessions really were posting at the same time
    windows = sorted((started, finished) for _, started, finished in results)
    assert any(b[0] < a[1] for a, b in itertools.pairwise(windows)), windows
    outcomes = all_outcomes(results)
    # nothing refused, busy or locked: every posting went through
    assert [o for o in outcomes if o[0] != "ok"] == []
    posted = [move_id for _, move_id in outcomes]
    assert len(set(posted)) == 200
    assert set(posted) <= ledger_ids()
    assert Move.select().count() == 201
    assert on_shelf() == {("FLOUR", None, "A1"): 1000 + 100 - 200, ("FLOUR", None, "A2"): 200}
    assert_clean()
    db.close()


def test_four_pickers_emptying_one_shelf_never_take_more_than_is_there(db_url):
    stocked_database(db_url, flour=100)
    outcomes = all_outcomes(run_sessions(db_url, [("transfer", "FLOUR", 1, "A1", "A2")] * 40))
    taken = [o for o in outcomes if o[0] == "ok"]
    refused = [o for o in outcomes if o[0] != "ok"]
    assert len(taken) == 100
    assert len(refused) == 60
    assert set(refused) == {("refused", "Refused: Only 0 pcs of FLOUR at A1; cannot take 1")}
    assert on_shelf() == {("FLOUR", None, "A2"): 100}
    assert_clean()
    db.close()


def test_four_doors_receiving_the_same_new_lots_at_once_make_each_lot_once(db_url):
    stocked_database(db_url, flour=0)
    jobs = [("receive", "MILK", 1, "A1", f"L-{n}") for n in range(10)]
    outcomes = all_outcomes(run_sessions(db_url, jobs))
    assert [o for o in outcomes if o[0] != "ok"] == []
    assert on_shelf() == {("MILK", f"L-{n}", "A1"): SESSIONS for n in range(10)}
    assert sorted(lot.number for lot in Lot.select()) == [f"L-{n}" for n in range(10)]
    assert_clean()
    db.close()


def wait_for_moves(url: str, at_least: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        open_database(url)
        count = Move.select().count()
        db.close()
        if count >= at_least:
            return
        time.sleep(0.05)
    raise AssertionError(f"the posting process made fewer than {at_least} moves in {timeout}s")


def test_a_session_killed_mid_stream_leaves_a_database_that_verifies(db_url):
    stocked_database(db_url, flour=0)
    script = f"from tests.models.workers import post_forever; post_forever({db_url!r})"
    for round_ in range(1, 4):
        proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
        try:
            wait_for_moves(db_url, at_least=60 * round_)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        assert proc.returncode == -signal.SIGKILL
        open_database(db_url)
        assert_clean()
        assert Move.select().count() == LedgerHead.get_by_id(1).last_id
        stock = on_shelf()
        received = sum(m.qty for m in moves(kind="receipt", limit=100_000))
        assert sum(stock.values()) == received
        db.close()
