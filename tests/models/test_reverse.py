"""Correcting a mistake: the reversing move."""

from __future__ import annotations

import pytest

from backroom.models.browse import list_moves as moves
from backroom.models.masterdata.adding import find_lot, get_user, set_lot_status
from backroom.models.stock.operations import receive, reverse, transfer
from tests.models.support import assert_clean, on_shelf, refused

USER = "tester"


@pytest.fixture
def stocked(warehouse):
    receive("FLOUR", 100, "A1", user=USER, ref="PO-1")
    return warehouse


def test_reversing_a_transfer_puts_the_stock_back(stocked):
    wrong = transfer("FLOUR", 40, "A1", "A2", user=USER)
    undo = reverse(wrong.id, user=USER, reason="wrong shelf")
    assert (undo.kind, undo.reverses, undo.qty) == ("reversal", wrong.id, 40)
    assert (undo.from_location, undo.to_location) == ("A2", "A1")
    assert undo.note == "wrong shelf"
    assert on_shelf() == {("FLOUR", None, "A1"): 100}
    # the mistake stays in the ledger, followed by its correction
    assert [(m.kind, m.reverses) for m in moves()] == [
        ("reversal", wrong.id),
        ("transfer", None),
        ("receipt", None),
    ]
    assert_clean()


def test_reversing_a_receipt_returns_it_to_the_supplier_with_its_reference(stocked):
    receipt = moves(kind="receipt")[0]
    undo = reverse(receipt.id, user=USER)
    assert (undo.to_location, undo.reference) == ("SUPPLIER", "PO-1")
    assert on_shelf() == {}
    assert_clean()


def test_a_move_is_reversed_at_most_once(stocked):
    wrong = transfer("FLOUR", 40, "A1", "A2", user=USER)
    undo = reverse(wrong.id, user=USER)
    with refused(f"Move {wrong.id} was already reversed by move {undo.id}"):
        reverse(wrong.id, user=USER)


def test_a_reversal_cannot_be_reversed(stocked):
    wrong = transfer("FLOUR", 40, "A1", "A2", user=USER)
    undo = reverse(wrong.id, user=USER)
    with refused(f"Move {undo.id} is itself a reversal"):
        reverse(undo.id, user=USER)


def test_reversing_a_receipt_whose_stock_was_moved_away_is_refused(stocked):
    receipt = moves(kind="receipt")[0]
    transfer("FLOUR", 70, "A1", "A2", user=USER)
    with refused("Only 30 g of FLOUR at A1; cannot take 100"):
        reverse(receipt.id, user=USER)
    assert on_shelf() == {("FLOUR", None, "A1"): 30, ("FLOUR", None, "A2"): 70}


def test_reversing_an_unknown_move_is_refused(stocked):
    with refused("No move 999"):
        reverse(999, user=USER)


def test_reversing_a_move_into_quarantine_does_not_free_a_blocked_lot(stocked):
    receive("MILK", 5, "A1", user=USER, lot="L-1")
    to_cage = transfer("MILK", 5, "A1", "QC", user=USER, lot="L-1")
    set_lot_status(find_lot("L-1"), "blocked", "lab result", by=get_user(USER))
    with refused("Lot L-1 is blocked and can only go to quarantine or scrap"):
        reverse(to_cage.id, user=USER)
    assert on_shelf()[("MILK", "L-1", "QC")] == 5


def test_a_recalled_lot_can_still_go_back_to_its_supplier(stocked):
    receipt = receive("MILK", 5, "A1", user=USER, lot="L-1")
    set_lot_status(find_lot("L-1"), "recalled", "supplier recall", by=get_user(USER))
    reverse(receipt.id, user=USER, reason="returned to supplier")
    assert ("MILK", "L-1", "A1") not in on_shelf()
    assert_clean()


def test_a_ship_or_transformation_move_cannot_be_reversed_on_its_own(sqlite_database):
    from backroom.models.errors import Refused
    from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
    from backroom.models.stock.operations import receive, reverse, transfer
    from backroom.models.trace.transform import Line, transform

    add_location("A1")
    add_item(ItemSpec("FLOUR", "Flour", tracking="lot"))
    add_item(ItemSpec("BREAD", "Bread", tracking="lot"))
    receive("FLOUR", 10, "A1", user="tester", lot="F1")
    shipped = transfer(
        "FLOUR", 2, "A1", "CUSTOMER", user="tester", lot="F1", kind="ship", ref="SHP-000009"
    )
    with pytest.raises(Refused, match="belongs to shipment SHP-000009"):
        reverse(shipped.id, user="tester")
    made = transform("A1", [Line("FLOUR", "F1", 3)], [Line("BREAD", "B1", 6)], user="tester")
    with pytest.raises(Refused, match="is part of transformation"):
        reverse(made.consumed[0].id, user="tester")
