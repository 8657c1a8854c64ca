"""The stock rules every posting obeys, whichever operation posts it."""

from __future__ import annotations

import pytest

from backroom.models.db import is_postgres
from backroom.models.masterdata.adding import find_lot, get_user, set_lot_status
from backroom.models.schema import Item, Location
from backroom.models.stock.operations import adjust, count, receive, scrap, transfer
from tests.models.support import assert_clean, on_shelf, refused

USER = "tester"
NOT_POSITIVE = [0, -1, 1.5, True, "3", None]


@pytest.fixture
def stocked(warehouse):
    """10 kg of flour, two lots of milk and one phone on shelf A1."""
    receive("FLOUR", 10_000, "A1", user=USER)
    receive("MILK", 20, "A1", user=USER, lot="L-1")
    receive("MILK", 5, "A1", user=USER, lot="L-2")
    receive("PHONE", 1, "A1", user=USER, lot="SN-001")
    return warehouse


# --- quantities ---------------------------------------------------------------------


def test_quantities_that_are_not_positive_whole_numbers_are_refused(stocked):
    for qty in NOT_POSITIVE:
        with refused("Quantity must be a positive whole number"):
            receive("FLOUR", qty, "A1", user=USER)
        with refused("Quantity must be a positive whole number"):
            transfer("FLOUR", qty, "A1", "A2", user=USER)
        with refused("Quantity must be a positive whole number"):
            scrap("FLOUR", qty, "A1", user=USER, reason="torn bag")
    assert on_shelf()[("FLOUR", None, "A1")] == 10_000


def test_a_quantity_too_large_for_one_move_is_refused(stocked):
    with refused("Quantity 2147483648 is more than one move can hold"):
        receive("FLOUR", 2**31, "A1", user=USER)
    with refused("Quantity 99999999999999999999 is more than one move can hold"):
        transfer("FLOUR", 99999999999999999999, "A1", "A2", user=USER)
    with refused("Quantity -2147483648 is more than one move can hold"):
        adjust("FLOUR", -(2**31), "A1", user=USER, reason="typo")
    with refused("Quantity 2147483648 is more than one move can hold"):
        count("FLOUR", 2**31, "A1", user=USER)


def test_a_reference_longer_than_the_ledger_keeps_is_refused_on_every_database(stocked):
    long_ref = "PO-" + "7" * 62
    with refused("Reference PO-77777777777777777... is longer than 64 characters"):
        receive("FLOUR", 1, "A1", user=USER, ref=long_ref)
    with refused("is longer than 64 characters"):
        transfer("FLOUR", 1, "A1", "A2", user=USER, ref=long_ref)
    assert receive("FLOUR", 1, "A1", user=USER, ref=long_ref[:64]).reference == long_ref[:64]


def test_stock_beyond_what_the_database_can_count_is_refused_cleanly(stocked):
    biggest = 2**31 - 1
    receive("FLOUR", biggest - 10_000, "A1", user=USER)
    if is_postgres():  # quantities are 32-bit integers there
        with refused("A quantity is too large for the database; nothing was written."):
            receive("FLOUR", 1, "A1", user=USER)
    else:
        receive("FLOUR", 1, "A1", user=USER)
        assert on_shelf()[("FLOUR", None, "A1")] == biggest + 1
    assert_clean()


# --- never negative -----------------------------------------------------------------


def test_picking_more_than_on_hand_is_refused_and_writes_nothing(stocked):
    with refused("Only 10000 g of FLOUR at A1; cannot take 10001"):
        transfer("FLOUR", 10_001, "A1", "CUSTOMER", user=USER, kind="pick")


def test_moving_from_an_empty_shelf_is_refused(stocked):
    with refused("Only 0 pcs of MILK lot L-1 at A2; cannot take 1"):
        transfer("MILK", 1, "A2", "A1", user=USER, lot="L-1")


def test_stock_of_one_lot_cannot_cover_another(stocked):
    with refused("Only 5 pcs of MILK lot L-2 at A1; cannot take 6"):
        transfer("MILK", 6, "A1", "A2", user=USER, lot="L-2")


def test_taking_everything_leaves_the_shelf_empty_not_negative(stocked):
    transfer("FLOUR", 10_000, "A1", "A2", user=USER)
    with refused("Only 0 g of FLOUR at A1"):
        scrap("FLOUR", 1, "A1", user=USER, reason="spilt")
    assert on_shelf()[("FLOUR", None, "A2")] == 10_000
    assert ("FLOUR", None, "A1") not in on_shelf()
    assert_clean()


# --- lots ---------------------------------------------------------------------------


def test_moving_lot_tracked_milk_without_a_lot_is_refused(stocked):
    with refused("Item MILK is lot-tracked: give the lot"):
        transfer("MILK", 1, "A1", "A2", user=USER)


def test_receiving_lot_tracked_milk_without_a_lot_is_refused(stocked):
    with refused("Item MILK is lot-tracked: give the lot"):
        receive("MILK", 1, "A1", user=USER)


def test_receiving_flour_with_a_lot_is_refused(stocked):
    with refused("Item FLOUR is not lot-tracked: give no lot"):
        receive("FLOUR", 1, "A1", user=USER, lot="L-9")


def test_moving_flour_with_a_lot_is_refused(stocked):
    with refused("Item FLOUR is not lot-tracked: give no lot"):
        transfer("FLOUR", 1, "A1", "A2", user=USER, lot="L-1")


def test_moving_an_unknown_lot_is_refused(stocked):
    with refused("Unknown lot 'L-404' of item MILK"):
        transfer("MILK", 1, "A1", "A2", user=USER, lot="L-404")


# --- serials ------------------------------------------------------------------------


def test_receiving_the_same_serial_twice_is_refused(stocked):
    with refused("Serial SN-001 of PHONE is already in stock"):
        receive("PHONE", 1, "A2", user=USER, lot="SN-001")


def test_receiving_two_of_one_serial_is_refused(stocked):
    with refused("PHONE is serial-tracked: each serial number moves one at a time"):
        receive("PHONE", 2, "A1", user=USER, lot="SN-002")


def test_a_serial_without_its_number_is_refused(stocked):
    with refused("Item PHONE is serial-tracked: give the serial number"):
        receive("PHONE", 1, "A1", user=USER)


def test_a_serial_moves_between_shelves_and_can_come_back_after_leaving(stocked):
    transfer("PHONE", 1, "A1", "A2", user=USER, lot="SN-001")
    transfer("PHONE", 1, "A2", "CUSTOMER", user=USER, lot="SN-001", kind="ship")
    # returned by the customer: it is in stock once again, still at most one
    transfer("PHONE", 1, "CUSTOMER", "A1", user=USER, lot="SN-001", kind="return")
    with refused("Serial SN-001 of PHONE is already in stock"):
        receive("PHONE", 1, "A2", user=USER, lot="SN-001")
    assert [(k, q) for k, q in on_shelf().items() if k[0] == "PHONE"] == [
        (("PHONE", "SN-001", "A1"), 1)
    ]
    assert_clean()


# --- blocked and recalled lots -------------------------------------------------------


@pytest.mark.parametrize("status", ["blocked", "recalled"])
def test_a_blocked_or_recalled_lot_cannot_go_to_a_shelf(stocked, status):
    set_lot_status(find_lot("L-1"), status, "lab result", by=get_user(USER))
    with refused(f"Lot L-1 is {status} and can only go to quarantine or scrap"):
        transfer("MILK", 1, "A1", "A2", user=USER, lot="L-1")
    with refused(f"Lot L-1 is {status}"):
        transfer("MILK", 1, "A1", "CUSTOMER", user=USER, lot="L-1", kind="pick")
    with refused(f"Lot L-1 is {status}"):
        receive("MILK", 5, "A2", user=USER, lot="L-1")
    receive("MILK", 5, "QC", user=USER, lot="L-1")  # late delivery, straight to the cage
    assert on_shelf()[("MILK", "L-1", "QC")] == 5


@pytest.mark.parametrize("status", ["blocked", "recalled"])
def test_a_blocked_or_recalled_lot_goes_to_quarantine_or_scrap(stocked, status):
    set_lot_status(find_lot("L-1"), status, "lab result", by=get_user(USER))
    transfer("MILK", 15, "A1", "QC", user=USER, lot="L-1")
    scrap("MILK", 5, "A1", user=USER, lot="L-1", reason="destroyed")
    scrap("MILK", 3, "QC", user=USER, lot="L-1", reason="destroyed")
    assert on_shelf()[("MILK", "L-1", "QC")] == 12
    assert ("MILK", "L-1", "A1") not in on_shelf()
    assert_clean()


def test_a_lot_in_quarantine_status_still_moves_freely(stocked):
    set_lot_status(find_lot("L-2"), "quarantine", "awaiting lab", by=get_user(USER))
    transfer("MILK", 5, "A1", "A2", user=USER, lot="L-2")
    assert on_shelf()[("MILK", "L-2", "A2")] == 5


def test_the_other_lots_of_a_blocked_item_still_move(stocked):
    set_lot_status(find_lot("L-1"), "blocked", "lab result", by=get_user(USER))
    transfer("MILK", 5, "A1", "A2", user=USER, lot="L-2")
    assert on_shelf()[("MILK", "L-2", "A2")] == 5


# --- inactive things ----------------------------------------------------------------


def test_an_inactive_item_refuses_moves(stocked):
    Item.update(active=False).where(Item.sku == "FLOUR").execute()
    with refused("Item FLOUR is inactive and cannot be moved"):
        transfer("FLOUR", 1, "A1", "A2", user=USER)
    with refused("Item FLOUR is inactive"):
        receive("FLOUR", 1, "A1", user=USER)


def test_an_inactive_location_refuses_moves_in_and_out(stocked):
    with refused("Location OLD is inactive and refuses moves"):
        transfer("FLOUR", 1, "A1", "OLD", user=USER)
    Location.update(active=False).where(Location.code == "A2").execute()
    with refused("Location A2 is inactive and refuses moves"):
        receive("FLOUR", 1, "A2", user=USER)
    with refused("Location A2 is inactive"):
        transfer("FLOUR", 1, "A2", "A1", user=USER)


def test_moving_to_the_same_location_is_refused(stocked):
    with refused("From and to are both A1"):
        transfer("FLOUR", 1, "A1", "A1", user=USER)


def test_unknown_item_location_or_user_is_refused(stocked):
    with refused("Unknown item 'RICE'"):
        transfer("RICE", 1, "A1", "A2", user=USER)
    with refused("Unknown location 'B9'"):
        transfer("FLOUR", 1, "A1", "B9", user=USER)
    with refused("Unknown user 'mallory'"):
        transfer("FLOUR", 1, "A1", "A2", user="mallory")


def test_adjusting_without_a_reason_is_refused(stocked):
    with refused("Give a reason"):
        adjust("FLOUR", -3, "A1", user=USER, reason="  ")
