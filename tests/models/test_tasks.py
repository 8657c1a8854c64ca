"""The task queue: making, taking, doing, skipping, cancelling and handing back tasks,
and the moves a finished task posts (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.browse.stock import on_hand
from backroom.models.errors import DomainError
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment, shipment_detail
from backroom.models.goods_out.parties import add_consignee
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, add_user, get_user
from backroom.models.schema import Event, Move, utcnow
from backroom.models.schema.tasks import Task
from backroom.models.stock.operations import receive
from backroom.models.tasks import queue
from backroom.models.tasks.queue import TaskSpec
from backroom.models.tasks.records import list_tasks, view_of
from tests.models.support import assert_clean, refused

ADMIN = "tester"
LEAD, ANA, BO = "lee", "ana", "bo"
# WH/DOCK; WH/AMB/A-01..A-03, four bins each; WH/BULK/B-01, two bins.
AISLES = {"AMB": ("A-01", "A-02", "A-03"), "BULK": ("B-01",)}


def build_floor() -> None:
    """The site WH with a dock, two zones of aisles and bins, SOAP (untracked) and MILK
    (lots), a lead and two operators."""
    admin = get_user(ADMIN)
    add_location("WH", by=admin)
    add_location("DOCK", parent="WH", by=admin)
    for zone, aisles in AISLES.items():
        add_location(zone, parent="WH", by=admin)
        for aisle in aisles:
            add_location(aisle, parent=zone, by=admin)
            for n in range(1, 5 if zone == "AMB" else 3):
                add_location(f"{aisle}-{n:02d}", parent=aisle, by=admin)
    add_item(ItemSpec("SOAP", "Hand soap"), by=admin)
    add_item(ItemSpec("MILK", "Milk 1 l", tracking="lot"), by=admin)
    add_user(LEAD, "lead", by=admin)
    add_user(ANA, "operator", by=admin)
    add_user(BO, "operator", by=admin)


def move_task(qty: int = 10, src: str = "B-01-01", dst: str = "A-01-02", **more) -> TaskSpec:
    """A replenishment of SOAP from SRC to DST."""
    return TaskSpec("replenish", item="SOAP", qty=qty, from_location=src, to_location=dst, **more)


@pytest.fixture
def floor(database) -> str:
    build_floor()
    receive("SOAP", 100, "B-01-01", user=ADMIN)
    return database


def test_a_new_task_is_open_and_logged(floor):
    task = queue.add_task(move_task(priority=2), user=LEAD)
    assert (task.status, task.kind, task.qty, task.priority) == ("open", "replenish", 10, 2)
    assert (task.from_location, task.to_location, task.created_by) == ("B-01-01", "A-01-02", LEAD)
    assert Event.select().where(Event.kind == "task.created", Event.subject == task.number).exists()


def test_an_operator_cannot_make_a_task_by_hand(floor):
    with pytest.raises(DomainError, match="managing tasks needs a lead"):
        queue.add_task(move_task(), user=ANA)
    assert Task.select().count() == 0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (TaskSpec("dance", item="SOAP", qty=1, from_location="A-01-01"), "Unknown task kind"),
        (TaskSpec("count", item="SOAP", from_location="A-01-01", qty=3), "no quantity"),
        (
            TaskSpec("move", item="SOAP", qty=0, from_location="A-01-01", to_location="A-01-02"),
            "positive",
        ),
        (TaskSpec("move", item="SOAP", qty=2, from_location="A-01-01"), "where the stock goes"),
        (TaskSpec("pick", item="SOAP", qty=2, from_location="A-01-01"), "shipment"),
        (TaskSpec("count", item="MILK", from_location="A-01-01"), "lot-tracked"),
        (
            TaskSpec("move", item="SOAP", qty=2, from_location="A-01-01", to_location="A-01-01"),
            "both",
        ),
    ],
)
def test_a_task_that_could_never_be_done_is_refused(floor, spec, message):
    with pytest.raises(DomainError, match=message):
        queue.add_task(spec, user=LEAD)
    assert Task.select().count() == 0


def test_take_gives_the_task_to_one_person_only(floor):
    task = queue.add_task(move_task(), user=LEAD)
    taken = queue.take(task.number, ANA)
    assert (taken.status, taken.taken_by) == ("assigned", ANA)
    with pytest.raises(DomainError, match="already taken by ana"):
        queue.take(task.number, BO)
    assert queue.take(task.number, ANA).taken_by == ANA  # taking one's own again is fine


def test_completing_a_replenishment_moves_the_stock(floor):
    task = queue.add_task(move_task(qty=30), user=LEAD)
    queue.take(task.number, ANA)
    queue.start(task.number, ANA)
    done = queue.complete(task.number, ANA)
    assert (on_hand("SOAP", location="B-01-01"), on_hand("SOAP", location="A-01-02")) == (70, 30)
    assert done.task.status == "done" and done.task.done_qty == 30
    assert [(m.kind, m.qty, m.from_location, m.to_location) for m in done.moves] == [
        ("transfer", 30, "B-01-01", "A-01-02")
    ]
    assert done.moves[0].user == ANA and done.rest is None
    assert_clean()


def test_less_than_asked_leaves_the_rest_as_a_new_open_task(floor):
    task = queue.add_task(move_task(qty=30, priority=2, ref="PLAN-1"), user=LEAD)
    queue.take(task.number, ANA)
    done = queue.complete(task.number, ANA, qty=12)
    assert on_hand("SOAP", location="A-01-02") == 12
    assert (done.task.status, done.task.done_qty) == ("done", 12)
    rest = done.rest
    assert rest is not None
    assert (rest.status, rest.qty, rest.priority, rest.ref, rest.rest_of) == (
        "open",
        18,
        2,
        "PLAN-1",
        task.number,
    )


def test_a_short_move_asks_for_a_count_of_the_source_instead_of_a_rest(floor):
    task = queue.add_task(move_task(qty=30), user=LEAD)
    queue.take(task.number, ANA)
    done = queue.complete(task.number, ANA, qty=5, short=True)
    assert done.rest is None
    counts = list_tasks(kind="count")
    assert [(c.item, c.from_location, c.source, c.ref) for c in counts] == [
        ("SOAP", "B-01-01", "recount", task.number)
    ]


def test_a_refused_posting_leaves_the_task_taken_and_nothing_written(floor):
    task = queue.add_task(move_task(qty=500), user=LEAD)  # only 100 at B-01-01
    queue.take(task.number, ANA)
    with refused("Only 100"):
        queue.complete(task.number, ANA)
    again = view_of(task.number)
    assert (again.status, again.done_qty, again.taken_by) == ("assigned", None, ANA)
    assert list_tasks(status="open") == []


def test_more_than_asked_is_refused(floor):
    task = queue.add_task(move_task(qty=10), user=LEAD)
    queue.take(task.number, ANA)
    with refused("asks for 10"):
        queue.complete(task.number, ANA, qty=11)


def test_only_the_holder_completes_a_task(floor):
    task = queue.add_task(move_task(), user=LEAD)
    with refused("take it first"):
        queue.complete(task.number, ANA)
    queue.take(task.number, ANA)
    with refused("bo|ana has it|not yours"):
        queue.complete(task.number, BO)


def test_a_count_task_posts_the_count(floor):
    task = queue.add_task(TaskSpec("count", item="SOAP", from_location="B-01-01"), user=LEAD)
    queue.take(task.number, ANA)
    done = queue.complete(task.number, ANA, qty=97)
    assert on_hand("SOAP", location="B-01-01") == 97
    assert (done.counted.counted, done.counted.posted) == (97, True)  # within tolerance
    assert done.moves == [] and done.task.done_qty == 97
    assert_clean()


def test_a_count_task_far_off_the_books_is_held_for_a_lead_and_counted_again(floor):
    task = queue.add_task(TaskSpec("count", item="SOAP", from_location="B-01-01"), user=LEAD)
    queue.take(task.number, ANA)
    moves = Move.select().count()
    done = queue.complete(task.number, ANA, qty=60)
    assert (done.counted.posted, done.moves, done.task.status) == (False, [], "done")
    assert "held for a lead" in done.text and "100" not in done.text  # still blind
    assert Move.select().count() == moves and on_hand("SOAP", location="B-01-01") == 100
    (recount,) = list_tasks(kind="count")
    assert (recount.item, recount.from_location, recount.source) == ("SOAP", "B-01-01", "recount")
    assert_clean()


def test_a_count_task_without_an_item_checks_that_its_bin_is_empty(floor):
    task = queue.add_task(TaskSpec("count", from_location="A-01-03"), user=LEAD)
    assert (task.item, task.qty) == (None, None)
    queue.take(task.number, ANA)
    with refused("checks that A-01-03 is empty"):
        queue.complete(task.number, ANA, qty=2)
    done = queue.complete(task.number, ANA, qty=0)
    assert done.counted.text == "A-01-03 checked: empty"
    assert view_of(task.number).status == "done"


def _allocated_shipment(qty: int) -> str:
    add_consignee("Shop", address="Road 1", postal_code="1", city="Town", country="DE", user=ADMIN)
    number = create_shipment("Shop", user=ADMIN)
    add_line(number, "SOAP", qty, user=ADMIN)
    allocate(number, user=ADMIN)
    return number


def test_a_pick_task_picks_for_its_shipment(floor):
    number = _allocated_shipment(8)
    spec = TaskSpec("pick", item="SOAP", qty=8, from_location="B-01-01", ref=number)
    task = queue.add_task(spec, user=LEAD)
    queue.take(task.number, ANA)
    done = queue.complete(task.number, ANA)
    assert [(m.kind, m.qty, m.reference) for m in done.moves] == [("pick", 8, number)]
    assert on_hand("SOAP", location="B-01-01") == 92
    assert shipment_detail(number).lines[0].picked == 8


def test_a_short_pick_makes_a_count_task_for_the_shelf(floor):
    number = _allocated_shipment(8)
    spec = TaskSpec("pick", item="SOAP", qty=8, from_location="B-01-01", ref=number)
    task = queue.add_task(spec, user=LEAD)
    queue.take(task.number, ANA)
    queue.complete(task.number, ANA, qty=3, short=True)
    counts = list_tasks(kind="count")
    assert [(c.from_location, c.source, c.ref, c.status) for c in counts] == [
        ("B-01-01", "recount", number, "open")
    ]


def test_skip_needs_a_reason_and_the_board_keeps_it(floor):
    task = queue.add_task(move_task(), user=LEAD)
    queue.take(task.number, ANA)
    with pytest.raises(DomainError, match="Give a reason"):
        queue.skip(task.number, ANA, " ")
    skipped = queue.skip(task.number, ANA, "pallet in front of the bin")
    assert (skipped.status, skipped.reason) == ("skipped", "pallet in front of the bin")
    with pytest.raises(DomainError, match="is skipped"):
        queue.take(task.number, BO)


def test_a_lead_cancels_reassigns_and_reprioritises(floor):
    task = queue.add_task(move_task(), user=LEAD)
    with pytest.raises(DomainError, match="needs a lead"):
        queue.cancel(task.number, ANA, "not needed")
    with pytest.raises(DomainError, match="needs a lead"):
        queue.reprioritise(task.number, 1, ANA)
    assert queue.reprioritise(task.number, 1, LEAD).priority == 1
    given = queue.reassign(task.number, BO, LEAD)
    assert (given.status, given.taken_by) == ("assigned", BO)
    assert queue.take_next(BO).number == task.number  # what one holds comes first
    cancelled = queue.cancel(task.number, LEAD, "stock arrived elsewhere")
    assert (cancelled.status, cancelled.reason) == ("cancelled", "stock arrived elsewhere")
    with refused("cancelled"):
        queue.complete(task.number, BO)
    kinds = [e.kind for e in Event.select().where(Event.subject == task.number)]
    assert kinds == [
        "task.created",
        "task.reprioritised",
        "task.assigned",
        "task.cancelled",
    ]


def test_a_silent_holder_loses_the_task_after_the_timeout(floor):
    task = queue.add_task(move_task(), user=LEAD)
    queue.take(task.number, ANA)
    assert queue.release_abandoned(timeout=600) == []  # just taken: still held
    long_ago = utcnow() - dt.timedelta(seconds=601)
    Task.update(heartbeat_at=long_ago).where(Task.id == task.id).execute()
    released = queue.release_abandoned(timeout=600)
    assert [(t.number, t.status, t.taken_by) for t in released] == [(task.number, "open", None)]
    event = Event.select().where(Event.kind == "task.released").get()
    assert event.subject == task.number and '"holder": "ana"' in event.detail
    with refused("take it first"):
        queue.complete(task.number, ANA)
    assert queue.take_next(BO).number == task.number


def test_a_heartbeat_keeps_the_task(floor):
    task = queue.add_task(move_task(), user=LEAD)
    queue.take(task.number, ANA)
    long_ago = utcnow() - dt.timedelta(seconds=900)
    Task.update(heartbeat_at=long_ago).where(Task.id == task.id).execute()
    queue.heartbeat(task.number, ANA)
    assert queue.release_abandoned(timeout=600) == []
    with pytest.raises(DomainError, match="not yours"):
        queue.heartbeat(task.number, BO)


def test_take_next_puts_back_abandoned_tasks_itself(floor):
    task = queue.add_task(move_task(), user=LEAD)
    queue.take(task.number, ANA)
    long_ago = utcnow() - dt.timedelta(seconds=queue.abandon_after() + 5)
    Task.update(heartbeat_at=long_ago).where(Task.id == task.id).execute()
    assert queue.take_next(BO).number == task.number


def test_logging_out_hands_back_what_one_holds(floor):
    task = queue.add_task(move_task(), user=LEAD)
    queue.take(task.number, ANA)
    assert [t.number for t in queue.release_held(ANA)] == [task.number]
    assert view_of(task.number).status == "open"


def test_take_next_is_none_when_there_is_nothing_to_do(floor):
    assert queue.take_next(ANA) is None
    task = queue.add_task(move_task(), user=LEAD)
    assert queue.take_next(ANA).number == task.number
    queue.complete(task.number, ANA)
    assert queue.take_next(ANA) is None


def test_a_completion_retried_with_its_request_id_posts_once(floor):
    task = queue.add_task(move_task(qty=10), user=LEAD)
    queue.take(task.number, ANA)
    first = queue.complete(task.number, ANA, request_id="tap-1")
    again = queue.complete(task.number, ANA, request_id="tap-1")
    assert again.moves[0].id == first.moves[0].id
    assert on_hand("SOAP", location="A-01-02") == 10
