"""The lead's board on a known history: open tasks by kind, zone, age and assignee, and
each person's throughput today, hour by hour."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.schema.tasks import Task
from backroom.models.stock.operations import receive
from backroom.models.tasks import queue
from backroom.models.tasks.board import board, zone_of
from backroom.models.tasks.queue import TaskSpec
from tests.models.test_tasks import ADMIN, ANA, BO, LEAD, build_floor, move_task

NOW = dt.datetime(2026, 3, 2, 14, 30)


@pytest.fixture
def floor(database) -> str:
    build_floor()
    receive("SOAP", 100, "B-01-01", user=ADMIN)
    receive("SOAP", 100, "A-02-01", user=ADMIN)
    return database


def _at(number: str, **times: dt.datetime) -> None:
    Task.update(**times).where(Task.id == int(number[2:])).execute()


def test_a_zone_is_the_second_part_of_the_path():
    assert (zone_of("WH/AMB/A-01/A-01-02"), zone_of("WH/DOCK"), zone_of("WH")) == (
        "AMB",
        "DOCK",
        "WH",
    )


def test_open_tasks_by_kind_zone_age_and_assignee(floor):
    bulk = [queue.add_task(move_task(qty=5), user=LEAD).number for _ in range(3)]
    amb = queue.add_task(move_task(qty=7, src="A-02-01"), user=LEAD).number
    count = queue.add_task(TaskSpec("count", item="SOAP", from_location="A-02-01"), user=LEAD)
    _at(bulk[0], created_at=NOW - dt.timedelta(minutes=5))
    _at(bulk[1], created_at=NOW - dt.timedelta(minutes=50))
    _at(bulk[2], created_at=NOW - dt.timedelta(hours=6))
    _at(amb, created_at=NOW - dt.timedelta(minutes=20))
    _at(count.number, created_at=NOW - dt.timedelta(minutes=1))
    queue.reassign(bulk[2], ANA, LEAD)

    lines = {(x.kind, x.zone, x.status, x.assignee): x for x in board(NOW).lines}
    assert set(lines) == {
        ("replenish", "BULK", "open", None),
        ("replenish", "BULK", "assigned", ANA),
        ("replenish", "AMB", "open", None),
        ("count", "AMB", "open", None),
    }
    open_bulk = lines[("replenish", "BULK", "open", None)]
    assert (open_bulk.tasks, open_bulk.units, open_bulk.oldest_minutes) == (2, 10, 50)
    assert open_bulk.ages == {"<15m": 1, "15-60m": 1, "1-4h": 0, ">4h": 0}
    held = lines[("replenish", "BULK", "assigned", ANA)]
    assert (held.tasks, held.oldest_minutes, held.ages[">4h"]) == (1, 360, 1)
    assert lines[("count", "AMB", "open", None)].units == 0
    assert board(NOW).open_tasks == 5


def test_throughput_per_person_per_hour_today(floor):
    done = []
    for qty, who in ((5, ANA), (7, ANA), (3, ANA), (4, BO)):
        task = queue.add_task(move_task(qty=qty), user=LEAD)
        queue.take(task.number, who)
        queue.complete(task.number, who)
        done.append(task.number)
    skipped = queue.add_task(move_task(), user=LEAD).number
    queue.take(skipped, BO)
    queue.skip(skipped, BO, "bin blocked")
    yesterday = queue.add_task(move_task(qty=9), user=LEAD).number
    queue.take(yesterday, ANA)
    queue.complete(yesterday, ANA)
    _at(done[0], taken_at=NOW.replace(hour=9, minute=50), done_at=NOW.replace(hour=10, minute=5))
    _at(done[1], taken_at=NOW.replace(hour=10, minute=10), done_at=NOW.replace(hour=10, minute=40))
    _at(done[2], taken_at=NOW.replace(hour=11, minute=0), done_at=NOW.replace(hour=11, minute=50))
    _at(done[3], taken_at=NOW.replace(hour=13, minute=0), done_at=NOW.replace(hour=13, minute=30))
    _at(skipped, taken_at=NOW.replace(hour=13, minute=40), done_at=NOW.replace(hour=14, minute=0))
    _at(yesterday, done_at=NOW - dt.timedelta(days=1))

    people = {p.user: p for p in board(NOW).people}
    ana, bo = people[ANA], people[BO]
    assert (ana.tasks, ana.units, ana.skipped) == (3, 15, 0)
    assert ana.per_hour == {10: (2, 12), 11: (1, 3)}
    assert ana.hours == pytest.approx(2.0)  # 09:50 to 11:50
    assert ana.tasks_per_hour == pytest.approx(1.5)
    assert (bo.tasks, bo.units, bo.skipped, bo.per_hour) == (1, 4, 1, {13: (1, 4)})
    assert board(NOW).as_dict()["throughput"][0]["per_hour"] == [
        {"hour": 10, "tasks": 2, "units": 12},
        {"hour": 11, "tasks": 1, "units": 3},
    ]
