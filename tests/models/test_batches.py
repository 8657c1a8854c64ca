"""Batch, wave and cluster picking: three shipments picked in one walk, each into its
tote; the walk's order; short stops; a taken batch kept from everyone else; batches
refused with nothing written (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.browse.stock import on_hand
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment, shipment_detail
from backroom.models.goods_out.parties import add_carrier, add_consignee
from backroom.models.masterdata.adding import ItemSpec, add_item, get_user
from backroom.models.schema import Event, Move
from backroom.models.schema.batches import BatchShipment, PickBatch
from backroom.models.schema.tasks import Task
from backroom.models.stock.operations import receive
from backroom.models.tasks import queue
from backroom.models.tasks.batches import (
    batch_detail,
    batch_walk,
    cancel_batch,
    create_batch,
    create_wave,
    pick_stop,
    release_batch,
    set_tote,
    take_batch,
)
from backroom.models.tasks.records import list_tasks
from tests.models.support import assert_clean, refused
from tests.models.test_tasks import ADMIN, ANA, BO, LEAD, build_floor

# What each shipment orders: SOAP from A-01-02, MILK lot L1 from A-02-01, TEA from B-01-01.
ORDERS = {1: {"SOAP": 4, "MILK": 2}, 2: {"SOAP": 6, "TEA": 2}, 3: {"SOAP": 3, "MILK": 5}}


@pytest.fixture
def shipments(database) -> list[str]:
    """Three allocated shipments for DHL, SOAP of all three in one bin."""
    build_floor()
    add_item(ItemSpec("TEA", "Green tea"), by=get_user(ADMIN))
    receive("SOAP", 100, "A-01-02", user=ADMIN)
    receive("MILK", 30, "A-02-01", lot="L1", expiry=dt.date(2030, 1, 1), user=ADMIN)
    receive("TEA", 10, "B-01-01", user=ADMIN)
    add_consignee("Shop", address="Road 1", postal_code="1", city="Town", country="DE", user=ADMIN)
    add_carrier("DHL", name="DHL Freight", user=ADMIN)
    numbers = []
    for lines in ORDERS.values():
        number = create_shipment("Shop", carrier="DHL", user=ADMIN)
        for item, qty in lines.items():
            add_line(number, item, qty, user=ADMIN)
        allocate(number, user=ADMIN)
        numbers.append(number)
    return numbers


def _picked(number: str) -> dict[str, int]:
    return {line.item: line.picked for line in shipment_detail(number).lines}


def test_three_shipments_are_picked_in_one_walk(shipments):
    made = create_batch(LEAD, shipments=shipments)
    number = made.batch.number
    assert number == "B-000001" and made.skipped == ()
    take_batch(number, ANA)
    for stop in batch_walk(number):
        pick_stop(number, ANA, stop=stop.stop)
    assert {n: _picked(n) for n in shipments} == {n: ORDERS[k] for k, n in enumerate(shipments, 1)}
    assert on_hand("SOAP", location="A-01-02") == 100 - 13
    assert on_hand("MILK", location="A-02-01") == 30 - 7
    assert on_hand("TEA", location="B-01-01") == 10 - 2
    assert (on_hand("SOAP", location="DISPATCH"), on_hand("MILK", location="DISPATCH")) == (13, 7)
    assert on_hand("TEA", location="DISPATCH") == 2
    picks = Move.select().where(Move.kind == "pick").order_by(Move.id)
    assert [(m.reference, m.item.sku, m.qty) for m in picks] == [
        (shipments[0], "SOAP", 4),
        (shipments[1], "SOAP", 6),
        (shipments[2], "SOAP", 3),
        (shipments[0], "MILK", 2),
        (shipments[2], "MILK", 5),
        (shipments[1], "TEA", 2),
    ]
    assert {n: shipment_detail(n).status for n in shipments} == dict.fromkeys(shipments, "picking")
    assert batch_detail(number).status == "done"
    assert list_tasks(source=f"batch:{number}") == []  # nothing left unfinished
    assert_clean()


def test_a_batch_whose_stops_are_done_as_plain_tasks_is_done_once(shipments):
    """The handheld's Next task (or `task done`) finishes a batch's stops as tasks: the
    batch ends with its last one, logged once."""
    number = create_batch(LEAD, shipments=shipments[:1]).batch.number
    for task in list_tasks(source=f"batch:{number}"):
        queue.take(task.number, ANA)
        queue.complete(task.number, ANA)
    assert batch_detail(number).status == "done"
    assert (
        Event.select().where((Event.kind == "batch.done") & (Event.subject == number)).count() == 1
    )
    assert _picked(shipments[0]) == ORDERS[1]


def test_the_last_stop_picked_in_part_as_a_plain_task_leaves_the_batch_picking(shipments):
    """Its rest is still to pick: the batch is not done while that task is open."""
    number = create_batch(LEAD, shipments=shipments[:1]).batch.number
    *first, last = list_tasks(source=f"batch:{number}")
    for task in first:
        queue.take(task.number, ANA)
        queue.complete(task.number, ANA)
    queue.take(last.number, ANA)
    done = queue.complete(last.number, ANA, qty=last.qty - 1)
    assert done.rest is not None
    assert batch_detail(number).status == "picking"
    queue.take(done.rest.number, ANA)
    queue.complete(done.rest.number, ANA)
    assert batch_detail(number).status == "done"


def test_the_walk_goes_by_location_path_and_a_shared_bin_is_consecutive(shipments):
    number = create_batch(LEAD, shipments=list(reversed(shipments))).batch.number
    one, two, three = shipments
    # the totes follow the order the lead named the shipments in: T1 is the third
    assert [(s.stop, s.location, s.item, s.lot, s.qty, s.tote, s.shipment) for s in
            batch_walk(number)] == [
        (1, "A-01-02", "SOAP", None, 3, "T1", three),
        (2, "A-01-02", "SOAP", None, 6, "T2", two),
        (3, "A-01-02", "SOAP", None, 4, "T3", one),
        (4, "A-02-01", "MILK", "L1", 5, "T1", three),
        (5, "A-02-01", "MILK", "L1", 2, "T3", one),
        (6, "B-01-01", "TEA", None, 2, "T2", two),
    ]  # fmt: skip
    text = batch_detail(number).text
    assert "2. A-01-02  SOAP  put 6 in T2 (SHP-000002)" in text
    assert "5. A-02-01  MILK lot L1  put 2 in T3 (SHP-000001)" in text


def test_a_short_stop_leaves_its_own_shipment_short(shipments):
    number = create_batch(LEAD, shipments=shipments).batch.number
    take_batch(number, ANA)
    picked = pick_stop(number, ANA, location="A-01-02", item="SOAP", tote="T2", qty=4, short=True)
    assert (picked.stop.stop, picked.stop.status, picked.stop.shipment) == (
        2,
        "short",
        shipments[1],
    )
    assert picked.next is not None and picked.next.stop == 3
    assert shipment_detail(shipments[1]).lines[0].allocated == 4  # SOAP: 6 given up to 4
    for stop in (1, 3):
        pick_stop(number, ANA, stop=stop)
    assert [_picked(n)["SOAP"] for n in shipments] == [4, 4, 3]
    counts = list_tasks(kind="count")
    assert [(c.item, c.from_location, c.ref) for c in counts] == [("SOAP", "A-01-02", shipments[1])]
    assert_clean()


def test_a_stop_picked_in_part_keeps_its_number_and_stays_on_the_cart(shipments):
    number = create_batch(LEAD, shipments=shipments).batch.number
    take_batch(number, ANA)
    first = pick_stop(number, ANA, stop=2, qty=2)
    assert (first.stop.stop, first.stop.status, first.stop.qty, first.stop.picked) == (
        2,
        "to pick",
        4,
        2,
    )
    assert first.stop.taken_by == ANA
    assert pick_stop(number, ANA, stop=2).stop.status == "picked"
    assert _picked(shipments[1])["SOAP"] == 6


def test_a_taken_batch_is_given_to_nobody_else(shipments):
    number = create_batch(LEAD, shipments=shipments).batch.number
    other = queue.add_task(
        queue.TaskSpec("move", item="TEA", qty=1, from_location="B-01-01", to_location="B-01-02"),
        user=LEAD,
    )
    take_batch(number, ANA)
    assert queue.take_next(BO).number == other.number  # the only task BO may be given
    queue.complete(other.number, BO)
    queue.release_abandoned(timeout=0)  # ANA's handheld went quiet: back in the queue
    assert list_tasks(status="open", source=f"batch:{number}") != []
    assert queue.take_next(LEAD) is None  # the batch's tasks are still ANA's cart
    stop = batch_walk(number)[0]
    with refused("outside what lee may be given"):
        queue.take(stop.task, LEAD)
    with refused("is taken by ana"):
        pick_stop(number, BO, stop=1)
    with refused("is taken by ana"):
        take_batch(number, BO)
    assert pick_stop(number, ANA, stop=1).stop.status == "picked"
    release_batch(number, LEAD)
    assert queue.take_next(LEAD) is not None  # released: anyone may pick its stops


def test_a_picker_can_pick_stops_of_a_batch_nobody_took(shipments):
    number = create_batch(LEAD, shipments=shipments).batch.number
    pick_stop(number, ANA, stop=1)
    pick_stop(number, BO, stop=2)
    assert [_picked(n)["SOAP"] for n in shipments] == [4, 6, 0]
    assert batch_detail(number).status == "picking"


def test_a_shipment_with_nothing_allocated_or_already_batched_is_refused(shipments):
    draft = create_shipment("Shop", carrier="DHL", user=ADMIN)
    add_line(draft, "SOAP", 1, user=ADMIN)
    with refused(f"{draft} cannot be batched: it is draft: nothing is allocated"):
        create_batch(LEAD, shipments=[shipments[0], draft])
    assert (PickBatch.select().count(), Task.select().count()) == (0, 0)
    create_batch(LEAD, shipments=shipments[:2])
    tasks = Task.select().count()
    with refused(f"{shipments[1]} cannot be batched: it is in batch B-000001 already"):
        create_batch(LEAD, shipments=shipments[1:])
    create_batch(LEAD, carrier="DHL", zone="A-01")  # the third shipment's SOAP
    with refused("No shipment to batch"):
        create_batch(LEAD, carrier="DHL", zone="A-01")
    assert (PickBatch.select().count(), Task.select().count()) == (2, tasks + 1)


def test_an_operator_cannot_make_a_batch(shipments):
    with refused("managing tasks needs a lead"):
        create_batch(ANA, shipments=shipments)


def test_chosen_by_carrier_and_zone_the_rest_left_out_with_the_reason(shipments):
    create_batch(LEAD, shipments=[shipments[0]])
    made = create_batch(LEAD, carrier="DHL", zone="AMB", max_shipments=5)
    assert made.skipped == ((shipments[0], "it is in batch B-000001 already"),)
    assert [s for _, s in made.batch.totes] == shipments[1:]
    assert {s.item for s in made.batch.stops} == {"SOAP", "MILK"}  # TEA is in BULK
    assert made.batch.grouped_by == "carrier DHL, zone AMB"


def test_a_wave_is_batches_of_at_most_n_shipments(shipments):
    made = create_wave(LEAD, carrier="DHL", max_shipments=2)
    assert [[s for _, s in m.batch.totes] for m in made] == [shipments[:2], shipments[2:]]
    assert BatchShipment.select().count() == 3


def test_a_cancelled_batch_gives_its_stops_back(shipments):
    number = create_batch(LEAD, shipments=shipments).batch.number
    pick_stop(number, ANA, stop=1)
    cancelled = cancel_batch(number, LEAD, "carrier comes tomorrow")
    assert cancelled.status == "cancelled"
    assert [s.status for s in cancelled.stops][:2] == ["picked", "cancelled"]
    again = create_batch(LEAD, shipments=shipments)
    assert len(again.batch.stops) == 5  # all but the one picked


def test_a_tote_scanned_at_the_start_names_its_stops(shipments):
    number = create_batch(LEAD, shipments=shipments).batch.number
    take_batch(number, ANA)
    set_tote(number, shipments[1], "TOTE-0042", ANA)
    with refused(f"Tote tote-0042 is {shipments[1]}'s already"):
        set_tote(number, shipments[0], "tote-0042", ANA)
    assert [s.tote for s in batch_walk(number)][:3] == ["T1", "TOTE-0042", "T3"]
    picked = pick_stop(number, ANA, location="A-01-02", item="SOAP", tote="TOTE-0042")
    assert (picked.stop.shipment, picked.stop.picked) == (shipments[1], 6)


def racing_session(url: str, name: str, whole: bool, all_ready, results) -> None:
    """Open the database, wait for the others, then take the batch (WHOLE) or the next
    task as NAME; put what was got, or the refusal."""
    from backroom.models.errors import DomainError
    from backroom.models.migrations import open_database

    try:
        open_database(url)
        all_ready.wait(timeout=120)
        if whole:
            got: object = [s.task for s in take_batch("B-000001", name).stops]
        else:
            task = queue.take_next(name)
            got = [task.number] if task else []
    except DomainError as exc:
        got = f"refused: {exc}"
    except Exception as exc:  # reported to the test rather than lost in a dead process
        got = f"error: {exc!r}"
    results.put((name, got))


@pytest.mark.slow
def test_two_carts_and_two_handhelds_at_once_one_cart_gets_the_batch(shipments, db_url):
    import multiprocessing

    from backroom.models.db import db
    from backroom.models.masterdata.adding import add_user
    from backroom.models.migrations import open_database

    add_user("cy", "operator", by=get_user(ADMIN))
    add_user("di", "operator", by=get_user(ADMIN))
    stops = [s.task for s in create_batch(LEAD, shipments=shipments).batch.stops]
    db.close()
    spawn = multiprocessing.get_context("spawn")
    racers = [(ANA, True), (BO, True), ("cy", False), ("di", False)]
    all_ready, results = spawn.Barrier(len(racers)), spawn.Queue()
    procs = [
        spawn.Process(target=racing_session, args=(db_url, name, whole, all_ready, results))
        for name, whole in racers
    ]
    for proc in procs:
        proc.start()
    got = dict(results.get(timeout=120) for _ in procs)
    for proc in procs:
        proc.join(timeout=30)
    carts = [name for name in (ANA, BO) if isinstance(got[name], list)]
    by_hand = got["cy"] + got["di"]
    assert len(carts) <= 1, got
    if carts:  # the cart came first: every stop is on it, and no handheld got one
        assert got[carts[0]] == stops and by_hand == [], got
    else:  # a handheld took a stop first: neither cart may have the batch then
        assert len(by_hand) >= 1 and all("is held by" in got[n] for n in (ANA, BO)), got
    open_database(db_url)
    holders = {f"T-{t.id}": t.taken_by.name for t in Task.select() if t.taken_by_id}
    expected = dict.fromkeys(stops, carts[0]) if carts else {}
    expected |= {got[n][0]: n for n in ("cy", "di") if got[n]}
    assert holders == expected
