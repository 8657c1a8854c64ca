"""The next task on a small location tree: priority beats distance, distance breaks
ties, past due beats not yet due, and an operator's scope limits what they get."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.errors import DomainError
from backroom.models.schema import utcnow
from backroom.models.stock.operations import receive
from backroom.models.tasks import choosing, queue
from backroom.models.tasks.queue import TaskSpec
from tests.models.test_tasks import ADMIN, ANA, BO, LEAD, build_floor, move_task


@pytest.fixture
def floor(database) -> str:
    build_floor()
    for bin_ in ("A-01-01", "A-02-01", "A-03-04", "B-01-01", "DOCK"):
        receive("SOAP", 100, bin_, user=ADMIN)
    return database


def _add(src: str, dst: str = "A-01-02", **more) -> str:
    return queue.add_task(move_task(qty=1, src=src, dst=dst, **more), user=LEAD).number


def test_priority_beats_distance(floor):
    near = _add("A-01-01", priority=5)
    far = _add("B-01-01", dst="A-03-01", priority=2)
    assert queue.take_next(ANA, near="A-01-03").number == far
    queue.release_held(ANA)
    queue.cancel(far, LEAD, "done by hand")
    assert queue.take_next(ANA, near="A-01-03").number == near


@pytest.mark.parametrize("sorted_here", [200, 1], ids=["few-sorted-here", "many-walked-in-sql"])
def test_distance_breaks_ties_by_shared_path_then_aisle_order(floor, monkeypatch, sorted_here):
    # A large group of equally near tasks is walked branch by branch in the database
    # rather than sorted here: both give the same order.
    monkeypatch.setattr(choosing, "GROUP_MOST", sorted_here)
    other_zone = _add("B-01-01", dst="A-01-03")
    two_aisles_on = _add("A-03-04")
    next_aisle = _add("A-02-01")
    same_aisle = _add("A-01-01", dst="A-01-04")
    order = []
    for _ in range(4):
        task = queue.take_next(ANA, near="A-01-03")
        order.append(task.number)
        queue.complete(task.number, ANA)
    assert order[0] == same_aisle
    # From A-01-03: the next aisle, then two aisles on, then the other zone.
    assert order[1:] == [next_aisle, two_aisles_on, other_zone]


@pytest.mark.parametrize("sorted_here", [200, 1], ids=["few-sorted-here", "many-walked-in-sql"])
def test_past_due_comes_before_nearer_work_of_the_same_priority(floor, monkeypatch, sorted_here):
    monkeypatch.setattr(choosing, "GROUP_MOST", sorted_here)
    near = _add("A-01-01")
    late = _add("B-01-01", dst="A-01-04", due=utcnow() - dt.timedelta(minutes=5))
    assert queue.take_next(ANA, near="A-01-02").number == late
    queue.complete(late, ANA)
    assert queue.take_next(ANA, near="A-01-02").number == near


def test_among_equally_near_tasks_the_earliest_due_comes_first(floor):
    later = _add("A-01-01", due=utcnow() + dt.timedelta(hours=3))
    sooner = _add("A-01-01", dst="A-01-04", due=utcnow() + dt.timedelta(hours=1))
    assert queue.take_next(ANA, near="A-01-01").number == sooner
    queue.complete(sooner, ANA)
    assert queue.take_next(ANA, near="A-01-01").number == later


def test_after_a_put_away_the_next_task_is_a_replenishment_in_the_same_aisle(floor):
    put_away = queue.add_task(
        TaskSpec("put_away", item="SOAP", qty=10, from_location="DOCK", to_location="A-03-02"),
        user=LEAD,
    )
    elsewhere = _add("B-01-01", dst="A-01-04")
    same_aisle = _add("A-03-04", dst="A-03-01")
    assert queue.take_next(ANA, near="DOCK").number == put_away.number
    queue.complete(put_away.number, ANA)
    # No --near: she stands where the put-away ended, in aisle A-03.
    assert queue.take_next(ANA).number == same_aisle
    queue.complete(same_aisle, ANA)
    assert queue.take_next(ANA).number == elsewhere


def test_an_operator_limited_to_counts_in_bulk_gets_only_those(floor):
    queue.set_scope(BO, kinds=["count"], zone="BULK", user=LEAD)
    _add("B-01-01", priority=1)  # a replenishment: not a count
    amb_count = queue.add_task(
        TaskSpec("count", item="SOAP", from_location="A-01-01", priority=1), user=LEAD
    )
    bulk_count = queue.add_task(
        TaskSpec("count", item="SOAP", from_location="B-01-01", priority=9), user=LEAD
    )
    assert queue.take_next(BO, near="A-01-01").number == bulk_count.number
    queue.complete(bulk_count.number, BO, qty=100)
    assert queue.take_next(BO) is None
    with pytest.raises(DomainError, match="outside what bo may be given"):
        queue.take(amb_count.number, BO)
    assert queue.take_next(ANA, near="B-01-01").kind == "replenish"  # ana: no scope


def test_setting_a_scope_needs_a_lead_and_clearing_it_frees_the_operator(floor):
    with pytest.raises(DomainError, match="needs a lead"):
        queue.set_scope(BO, kinds=["count"], user=ANA)
    queue.set_scope(BO, kinds=["count"], user=LEAD)
    task = _add("A-01-01")
    assert queue.take_next(BO) is None
    queue.set_scope(BO, user=LEAD)
    assert queue.take_next(BO).number == task
