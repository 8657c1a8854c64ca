"""At most once: a posting confirmed again with the same request id returns its first
result and posts nothing, however the retry comes (a second Enter, a reconnect, a
worker run again, a script run twice, sessions racing)."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from backroom.models.db import db
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.parties import add_consignee
from backroom.models.goods_out.picking import pick
from backroom.models.masterdata.adding import add_user
from backroom.models.migrations import open_database
from backroom.models.schema import Move
from backroom.models.stock.operations import count, receive, transfer
from backroom.models.stock.requests import PostingRequest, confirmed
from tests.models.request_workers import retry_receipt
from tests.models.support import USER, assert_clean, on_shelf, refused

RACERS = 4


def test_a_receipt_confirmed_twice_is_posted_once(warehouse):
    first = receive("MILK", 12, "A1", user=USER, lot="L1", request_id="scan-0001")
    again = receive("MILK", 12, "A1", user=USER, lot="L1", request_id="scan-0001")
    assert again == first
    assert on_shelf() == {("MILK", "L1", "A1"): 12}
    assert Move.select().count() == 1
    stored = PostingRequest.get(PostingRequest.request_id == "scan-0001")
    assert (stored.kind, stored.user) == ("receive", USER)
    assert_clean()


def test_postings_without_an_id_are_each_their_own(warehouse):
    receive("FLOUR", 5, "A1", user=USER)
    receive("FLOUR", 5, "A1", user=USER)
    assert on_shelf() == {("FLOUR", None, "A1"): 10}
    assert PostingRequest.select().count() == 2


def test_the_same_id_for_something_else_is_refused(warehouse):
    receive("FLOUR", 5, "A1", user=USER, request_id="job-7")
    with refused("Request id job-7 was used for a different receive"):
        receive("FLOUR", 6, "A1", user=USER, request_id="job-7")
    with refused("Request id job-7 was used for a different receive"):
        transfer("FLOUR", 5, "A1", "A2", user=USER, request_id="job-7")
    assert on_shelf() == {("FLOUR", None, "A1"): 5}


def test_another_users_id_is_refused(warehouse):
    add_user("anna", "operator")
    receive("FLOUR", 5, "A1", user=USER, request_id="job-8")
    with refused("belongs to a posting by another user"):
        receive("FLOUR", 5, "A1", user="anna", request_id="job-8")


def test_a_refused_posting_leaves_its_id_free_for_the_retry(warehouse):
    with refused("Only 0 g of FLOUR at A1"):
        transfer("FLOUR", 5, "A1", "A2", user=USER, request_id="move-1")
    receive("FLOUR", 5, "A1", user=USER)
    moved = transfer("FLOUR", 5, "A1", "A2", user=USER, request_id="move-1")
    assert transfer("FLOUR", 5, "A1", "A2", user=USER, request_id="move-1") == moved
    assert on_shelf() == {("FLOUR", None, "A2"): 5}


def test_a_malformed_id_is_refused(warehouse):
    with refused("A request id is 1 to 64 characters without spaces"):
        receive("FLOUR", 5, "A1", user=USER, request_id="two words")
    with refused("A request id is 1 to 64 characters"):
        receive("FLOUR", 5, "A1", user=USER, request_id="x" * 65)


def test_a_count_repeated_returns_what_the_first_found(warehouse):
    receive("FLOUR", 10, "A1", user=USER)
    first = count("FLOUR", 7, "A1", user=USER, request_id="count-1")
    again = count("FLOUR", 7, "A1", user=USER, request_id="count-1")
    assert again == first and (again.expected, again.difference) == (10, -3)
    assert on_shelf() == {("FLOUR", None, "A1"): 7}


def test_a_pick_repeated_takes_the_stock_once(warehouse):
    receive("FLOUR", 10, "A1", user=USER)
    add_consignee(
        "Deli", address="Gasse 2", postal_code="1010", city="Wien", country="AT", user=USER
    )
    number = create_shipment("Deli", user=USER)
    add_line(number, "FLOUR", 4, user=USER)
    allocate(number, user=USER)
    first = pick(number, location="A1", item="FLOUR", qty=4, user=USER, request_id="pick-1")
    again = pick(number, location="A1", item="FLOUR", qty=4, user=USER, request_id="pick-1")
    assert again == first and again.remaining == 0
    assert on_shelf() == {("FLOUR", None, "A1"): 6, ("FLOUR", None, "DISPATCH"): 4}
    assert_clean()


def test_each_posting_of_one_confirmation_is_at_most_once(warehouse):
    def confirm() -> tuple[int, int]:
        with confirmed("form-42"):
            first = receive("FLOUR", 2, "A1", user=USER).id
            second = receive("FLOUR", 3, "A2", user=USER).id
        return first, second

    done = confirm()
    assert confirm() == done  # the retry of the whole confirmation posts nothing
    assert on_shelf() == {("FLOUR", None, "A1"): 2, ("FLOUR", None, "A2"): 3}
    ids = {r.request_id for r in PostingRequest.select()}
    assert ids == {"form-42", "form-42.2"}


def test_threads_racing_one_id_post_exactly_once(warehouse):
    ready = threading.Barrier(RACERS)
    got: list[object] = []

    def confirm() -> None:
        with db.connection_context():
            ready.wait(timeout=30)
            try:
                got.append(receive("FLOUR", 3, "A1", user=USER, request_id="race-threads").id)
            except Exception as exc:  # the test shows it rather than a silent thread
                got.append(repr(exc))

    threads = [threading.Thread(target=confirm) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(got) == RACERS and len(set(got)) == 1 and isinstance(got[0], int), got
    assert on_shelf() == {("FLOUR", None, "A1"): 3}
    assert Move.select().count() == 1


def test_processes_racing_one_id_post_exactly_once(warehouse):
    db.close()
    spawn = multiprocessing.get_context("spawn")
    ready, results = spawn.Barrier(RACERS), spawn.Queue()
    args = (warehouse.url, ready, results, "race-processes")
    procs = [spawn.Process(target=retry_receipt, args=args) for _ in range(RACERS)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    open_database(warehouse.url)
    assert {kind for kind, _ in outcomes} == {"ok"}, outcomes
    assert len({move for _, move in outcomes}) == 1
    assert on_shelf() == {("FLOUR", None, "A1"): 7}
    assert_clean()


@pytest.mark.parametrize("retries", [3])
def test_a_script_run_again_with_its_request_id_posts_once(warehouse, retries, capsys):
    from backroom.tui.cli.main import main

    args = ["--db", warehouse.url, "--user", USER, "receive", "FLOUR", "9", "--to", "A1"]
    printed = []
    for _ in range(retries):
        assert main([*args, "--request-id", "nightly-2026-12-03", "--json"]) == 0
        printed.append(capsys.readouterr().out)
        db.close()
    open_database(warehouse.url)
    assert len(set(printed)) == 1 and '"qty": 9' in printed[0]
    assert on_shelf() == {("FLOUR", None, "A1"): 9}
