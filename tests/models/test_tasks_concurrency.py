"""Handhelds taking tasks at the same moment: eight sessions (processes) take 200 tasks
between them; every task is taken exactly once, none twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing

import pytest

from backroom.models.db import db
from backroom.models.masterdata.adding import add_user, get_user, init_database
from backroom.models.migrations import open_database
from backroom.models.schema import Event
from backroom.models.schema.tasks import Task
from backroom.models.tasks import queue
from tests.models.test_tasks import ADMIN, LEAD, build_floor, move_task

WORKERS = 8
TAKES = 50  # each worker tries this many
TASKS = 200

pytestmark = pytest.mark.slow


def taking_session(url: str, name: str, all_ready, results) -> None:
    """Open the database, wait for the others, then take and skip tasks as NAME."""
    got: list[object] = []
    try:
        open_database(url)
        all_ready.wait(timeout=120)
        for _ in range(TAKES):
            task = queue.take_next(name)
            if task is None:
                break
            got.append(task.id)
            queue.skip(task.number, name, "taken in the concurrency test")
    except Exception as exc:  # reported to the test rather than lost in a dead process
        got.append(f"error: {exc!r}")
    results.put((name, got))


def test_eight_handhelds_never_get_the_same_task(db_url):
    open_database(db_url, create=True)
    init_database(ADMIN)
    build_floor()
    names = [f"op{n}" for n in range(WORKERS)]
    for name in names:
        add_user(name, "operator", by=get_user(ADMIN))
    for n in range(TASKS):
        queue.add_task(move_task(qty=1 + n % 5, priority=n % 3), user=LEAD)
    db.close()

    spawn = multiprocessing.get_context("spawn")
    all_ready, results = spawn.Barrier(WORKERS), spawn.Queue()
    procs = [
        spawn.Process(target=taking_session, args=(db_url, name, all_ready, results))
        for name in names
    ]
    for proc in procs:
        proc.start()
    taken = dict(results.get(timeout=300) for _ in procs)
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    open_database(db_url)

    every = [tid for got in taken.values() for tid in got]
    assert [t for t in every if isinstance(t, str)] == []
    assert len(every) == TASKS
    assert len(set(every)) == TASKS
    assert sum(1 for got in taken.values() if got) > 1  # they really did share the work
    held = {t.id: t.taken_by.name for t in Task.select()}
    for name, got in taken.items():
        assert all(held[tid] == name for tid in got)
    assert Event.select().where(Event.kind == "task.taken").count() == TASKS
    assert Task.select().where(Task.status == "skipped").count() == TASKS
