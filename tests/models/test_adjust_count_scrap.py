"""Correcting stock: adjustments, counts and scrap."""

from __future__ import annotations

import json

import pytest

from backroom.models.browse import list_moves as moves
from backroom.models.schema import Event
from backroom.models.stock.operations import adjust, count, receive, scrap, transfer
from tests.models.support import assert_clean, ledger_state, on_shelf, refused

USER = "tester"


@pytest.fixture
def stocked(warehouse):
    receive("FLOUR", 100, "A1", user=USER)
    receive("MILK", 10, "A1", user=USER, lot="L-1")
    return warehouse


def test_transfer_moves_stock_between_shelves(stocked):
    move = transfer("FLOUR", 30, "A1", "A2", user=USER, ref="REPL-7", note="top up")
    assert (move.kind, move.from_location, move.to_location, move.qty) == (
        "transfer",
        "A1",
        "A2",
        30,
    )
    assert (move.reference, move.note, move.user) == ("REPL-7", "top up", "tester")
    assert on_shelf() == {
        ("FLOUR", None, "A1"): 70,
        ("FLOUR", None, "A2"): 30,
        ("MILK", "L-1", "A1"): 10,
    }
    assert_clean()


def test_adjusting_down_takes_stock_to_the_adjustment_location(stocked):
    move = adjust("FLOUR", -3, "A1", user=USER, reason="bag torn")
    assert (move.kind, move.qty, move.from_location, move.to_location) == (
        "adjust",
        3,
        "A1",
        "ADJUSTMENT",
    )
    assert move.note == "bag torn"
    assert on_shelf()[("FLOUR", None, "A1")] == 97


def test_adjusting_up_brings_stock_from_the_adjustment_location(stocked):
    move = adjust("MILK", +2, "A1", user=USER, reason="found behind pallet", lot="L-1")
    assert (move.from_location, move.to_location, move.qty, move.lot) == (
        "ADJUSTMENT",
        "A1",
        2,
        "L-1",
    )
    assert on_shelf()[("MILK", "L-1", "A1")] == 12
    assert_clean()


def test_an_adjustment_that_is_not_a_nonzero_whole_number_is_refused(stocked):
    for delta in (0, 1.5, True, "-3"):
        with refused("Adjustment must be a non-zero whole number"):
            adjust("FLOUR", delta, "A1", user=USER, reason="typo")


def test_an_adjustment_needs_a_reason(stocked):
    with refused("Give a reason"):
        adjust("FLOUR", -3, "A1", user=USER, reason="")


def test_adjusting_below_zero_is_refused(stocked):
    with refused("Only 100 g of FLOUR at A1; cannot take 101"):
        adjust("FLOUR", -101, "A1", user=USER, reason="lost")


def test_adjusting_a_virtual_location_is_refused(stocked):
    with refused("SUPPLIER is a supplier location, not a place in the warehouse"):
        adjust("FLOUR", 5, "SUPPLIER", user=USER, reason="free stock")


def test_counting_less_than_expected_posts_the_loss(stocked):
    result = count("FLOUR", 96, "A1", user=USER)
    assert (result.expected, result.counted, result.difference) == (100, 96, -4)
    assert result.move is not None
    assert (result.move.kind, result.move.qty, result.move.to_location) == (
        "count",
        4,
        "ADJUSTMENT",
    )
    assert result.move.note == "counted 96, expected 100"
    assert on_shelf()[("FLOUR", None, "A1")] == 96
    assert_clean()


def test_counting_more_than_expected_posts_the_gain(stocked):
    result = count("MILK", 13, "A1", user=USER, lot="L-1")
    assert result.difference == 3
    assert result.move is not None and result.move.from_location == "ADJUSTMENT"
    assert on_shelf()[("MILK", "L-1", "A1")] == 13


def test_counting_an_empty_shelf_finds_stock(stocked):
    result = count("FLOUR", 7, "A2", user=USER)
    assert (result.expected, result.difference) == (0, 7)
    assert on_shelf()[("FLOUR", None, "A2")] == 7


def test_counting_what_was_expected_posts_no_move_but_records_the_count(stocked):
    before = ledger_state()
    result = count("FLOUR", 100, "A1", user=USER)
    assert result.move is None and result.difference == 0
    after = ledger_state()
    assert (after.moves, after.quants, after.head) == (before.moves, before.quants, before.head)
    assert after.events == before.events + 1
    event = Event.select().order_by(Event.id.desc()).first()
    assert (event.kind, event.subject, event.user.name) == ("count", "FLOUR@A1", "tester")
    assert json.loads(event.detail) == {"lot": None, "counted": 100, "expected": 100}


def test_counting_a_negative_quantity_is_refused(stocked):
    with refused("Counted quantity must be zero or a positive whole number"):
        count("FLOUR", -1, "A1", user=USER)


def test_counting_lot_tracked_milk_without_the_lot_is_refused(stocked):
    with refused("Item MILK is lot-tracked: give the lot"):
        count("MILK", 3, "A1", user=USER)


def test_scrapping_sends_stock_to_the_scrap_location_with_the_reason(stocked):
    move = scrap("MILK", 4, "A1", user=USER, lot="L-1", reason="past expiry")
    assert (move.kind, move.to_location, move.note) == ("scrap", "SCRAP", "past expiry")
    assert on_shelf()[("MILK", "L-1", "A1")] == 6
    assert [m.kind for m in moves(kind="scrap")] == ["scrap"]
    assert_clean()


def test_scrapping_needs_a_reason_and_stock(stocked):
    with refused("Give a reason"):
        scrap("FLOUR", 1, "A1", user=USER, reason=" ")
    with refused("Only 0 g of FLOUR at A2; cannot take 1"):
        scrap("FLOUR", 1, "A2", user=USER, reason="mice")
