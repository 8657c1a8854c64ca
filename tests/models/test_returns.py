"""Customer returns: into quarantine, against the shipment or the consignee, in the trace."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.goods_out.returns import receive_return
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, find_lot
from backroom.models.schema import Event
from backroom.models.schema.shipping import Consignee, Shipment
from backroom.models.stock.operations import receive, transfer
from backroom.models.trace.walk import trace_lot
from tests.models.support import USER, assert_clean, on_shelf, refused


@pytest.fixture
def shipped(sqlite_database) -> str:
    """Lot J1 of juice: 20 received, 8 shipped to Corner Shop on SHP-000001."""
    add_item(ItemSpec("JUICE", "Orange juice 1 l", tracking="lot"))
    add_item(ItemSpec("TAPE", "Packing tape"))
    add_location("A1")
    add_location("QC", quarantine=True)
    receive("JUICE", 20, "A1", user=USER, lot="J1")
    receive("TAPE", 5, "A1", user=USER)
    shop = Consignee.create(
        name="Corner Shop", address="1 High St", postal_code="1000", city="Brussels", country="BE"
    )
    Shipment.create(number="SHP-000001", consignee=shop, planned_date=dt.date(2026, 4, 1))
    transfer("JUICE", 8, "A1", "CUSTOMER", user=USER, lot="J1", kind="ship", ref="SHP-000001")
    transfer("TAPE", 2, "A1", "CUSTOMER", user=USER, kind="ship", ref="SHP-000001")
    return sqlite_database


def test_a_return_against_the_shipment_goes_to_quarantine_and_holds_the_lot(shipped):
    result = receive_return("JUICE", 3, "QC", user=USER, lot="J1", shipment="SHP-000001")
    assert result.move.kind == "return"
    assert (result.move.from_location, result.move.to_location) == ("CUSTOMER", "QC")
    assert result.move.reference == "SHP-000001"
    assert result.consignee == "Corner Shop"
    assert on_shelf()[("JUICE", "J1", "QC")] == 3
    assert find_lot("J1").status == "quarantine"
    event = Event.get(Event.kind == "lot.status")
    assert "returned by Corner Shop on SHP-000001" in event.detail
    assert_clean()


def test_the_return_shows_in_the_trace_with_the_customer(shipped):
    receive_return("JUICE", 3, "QC", user=USER, lot="J1", shipment="SHP-000001")
    receive_return("JUICE", 1, "QC", user=USER, lot="J1", consignee="Corner Shop", note="dented")
    found = trace_lot("J1")
    assert [(r.shipment, r.consignee, r.qty, r.to_location) for r in found.root.returns] == [
        ("SHP-000001", "Corner Shop", 3, "QC"),
        (None, "Corner Shop", 1, "QC"),
    ]
    assert found.root.returned == 4
    assert found.root.on_hand_total == 16


def test_more_back_than_the_shipment_took_is_refused(shipped):
    receive_return("JUICE", 6, "QC", user=USER, lot="J1", shipment="SHP-000001")
    with refused("took 2 pcs of JUICE lot J1 that have not come back; cannot return 3"):
        receive_return("JUICE", 3, "QC", user=USER, lot="J1", shipment="SHP-000001")


def test_returns_go_only_into_quarantine(shipped):
    with refused("Returns go into a quarantine location, and A1 is not one"):
        receive_return("JUICE", 1, "A1", user=USER, lot="J1", shipment="SHP-000001")


def test_a_return_names_the_shipment_or_the_consignee(shipped):
    with refused("one of them"):
        receive_return("JUICE", 1, "QC", user=USER, lot="J1")
    with refused("one of them"):
        receive_return(
            "JUICE", 1, "QC", user=USER, lot="J1", shipment="SHP-000001", consignee="Corner Shop"
        )
    with refused("Unknown shipment 'SHP-999999'"):
        receive_return("JUICE", 1, "QC", user=USER, lot="J1", shipment="SHP-999999")
    with refused("Unknown consignee 'Nobody'"):
        receive_return("JUICE", 1, "QC", user=USER, lot="J1", consignee="Nobody")
    with refused("give the lot that came back"):
        receive_return("JUICE", 1, "QC", user=USER, shipment="SHP-000001")


def test_an_untracked_item_comes_back_without_a_lot(shipped):
    result = receive_return("TAPE", 2, "QC", user=USER, shipment="SHP-000001")
    assert result.lot_status is None
    assert on_shelf()[("TAPE", None, "QC")] == 2


def test_a_recalled_lot_may_still_come_back_into_quarantine(shipped):
    from backroom.models.masterdata.adding import get_user, set_lot_status

    set_lot_status(find_lot("J1"), "recalled", "Mould", by=get_user(USER))
    result = receive_return("JUICE", 8, "QC", user=USER, lot="J1", shipment="SHP-000001")
    assert result.lot_status == "recalled"
    assert on_shelf()[("JUICE", "J1", "QC")] == 8
