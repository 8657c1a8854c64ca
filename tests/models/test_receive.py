"""Receiving goods from a supplier onto a shelf."""

from __future__ import annotations

import datetime as dt

from backroom.models.browse import list_moves as moves
from backroom.models.browse import list_stock as stock
from backroom.models.masterdata.adding import ItemSpec, add_item, find_lot
from backroom.models.stock.operations import receive
from tests.models.support import assert_clean, on_shelf, refused

USER = "tester"


def test_receiving_flour_puts_it_on_the_shelf(warehouse):
    move = receive("FLOUR", 2500, "A1", user=USER, ref="PO-1")
    assert (move.kind, move.item, move.qty, move.from_location, move.to_location) == (
        "receipt",
        "FLOUR",
        2500,
        "SUPPLIER",
        "A1",
    )
    assert move.reference == "PO-1"
    assert on_shelf() == {("FLOUR", None, "A1"): 2500}
    assert [m.id for m in moves()] == [move.id]
    assert_clean()


def test_receiving_a_new_lot_creates_it_with_its_expiry(warehouse):
    receive("MILK", 12, "A1", user=USER, lot="L-0424", expiry=dt.date(2031, 4, 24))
    lot = find_lot("L-0424")
    assert lot.item.sku == "MILK"
    assert lot.expiry == dt.date(2031, 4, 24)
    assert lot.status == "released"
    assert on_shelf() == {("MILK", "L-0424", "A1"): 12}


def test_a_new_lot_without_expiry_gets_one_from_the_shelf_life(warehouse):
    receive("MILK", 6, "A1", user=USER, lot="L-1", at=dt.datetime(2030, 3, 1, 8, 0))
    assert find_lot("L-1").expiry == dt.date(2030, 3, 11)


def test_receiving_more_of_an_existing_lot_adds_to_it(warehouse):
    receive("MILK", 6, "A1", user=USER, lot="L-1", expiry=dt.date(2031, 1, 1))
    receive("MILK", 4, "A1", user=USER, lot="L-1", expiry=dt.date(2031, 1, 1))
    receive("MILK", 2, "A2", user=USER, lot="L-1")
    assert on_shelf() == {("MILK", "L-1", "A1"): 10, ("MILK", "L-1", "A2"): 2}
    assert_clean()


def test_receiving_an_existing_lot_with_another_expiry_is_refused(warehouse):
    receive("MILK", 6, "A1", user=USER, lot="L-1", expiry=dt.date(2031, 1, 1))
    with refused("Lot L-1 has expiry 2031-01-01, not 2031-02-01"):
        receive("MILK", 4, "A1", user=USER, lot="L-1", expiry=dt.date(2031, 2, 1))
    assert on_shelf() == {("MILK", "L-1", "A1"): 6}


def test_the_first_expiry_given_for_a_lot_without_one_is_kept(warehouse):
    # SUGAR has no shelf life, so its lots start without an expiry date
    add_item(ItemSpec("SUGAR", "Sugar", tracking="lot"))
    receive("SUGAR", 5, "A1", user=USER, lot="S-1")
    assert find_lot("S-1").expiry is None
    receive("SUGAR", 5, "A1", user=USER, lot="S-1", expiry=dt.date(2031, 2, 1))
    assert find_lot("S-1").expiry == dt.date(2031, 2, 1)
    assert [r.expiry for r in stock(lot="S-1")] == [dt.date(2031, 2, 1)]
    with refused("Lot S-1 has expiry 2031-02-01, not 2031-03-01"):
        receive("SUGAR", 5, "A1", user=USER, lot="S-1", expiry=dt.date(2031, 3, 1))


def test_receiving_straight_to_a_customer_is_refused(warehouse):
    with refused(r"Receive into an internal location, not CUSTOMER \(customer\)"):
        receive("FLOUR", 5, "CUSTOMER", user=USER)


def test_receiving_into_scrap_is_refused(warehouse):
    with refused("Receive into an internal location, not SCRAP"):
        receive("FLOUR", 5, "SCRAP", user=USER)


def test_receiving_from_a_shelf_instead_of_a_supplier_is_refused(warehouse):
    with refused("A2 is not a supplier location"):
        receive("FLOUR", 5, "A1", user=USER, supplier="A2")


def test_a_refused_receipt_of_a_new_lot_leaves_no_lot_behind(warehouse):
    with refused("Location OLD is inactive"):
        receive("MILK", 5, "OLD", user=USER, lot="L-NEW")
