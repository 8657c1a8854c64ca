"""Editing master data: items, locations and lots change in place, logged; codes never."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from backroom.models.errors import DomainError, NotFound
from backroom.models.masterdata.adding import (
    add_location,
    add_user,
    find_lot,
    get_item,
    get_location,
    get_user,
)
from backroom.models.masterdata.editing import update_item, update_location, update_lot
from backroom.models.schema import Event, Item, Location, Lot
from backroom.models.stock.operations import receive, transfer

USER = "tester"


def last_event(kind: str) -> tuple[str, str, dict]:
    event = Event.select().where(Event.kind == kind).order_by(Event.id.desc()).first()
    assert event is not None, f"no {kind} event"
    return event.subject, event.user.name if event.user_id else None, json.loads(event.detail)


def snapshot() -> tuple:
    """Items, locations, lots and the event log, to show a refusal changed nothing."""
    return (
        list(Item.select().order_by(Item.id).dicts()),
        list(Location.select().order_by(Location.id).dicts()),
        list(Lot.select().order_by(Lot.id).dicts()),
        Event.select().count(),
    )


def refused(match: str, fn, *args, **kwargs) -> None:
    before = snapshot()
    with pytest.raises(DomainError, match=match):
        fn(*args, **kwargs)
    assert snapshot() == before, "a refused edit wrote something"


# --- items ------------------------------------------------------------------------------


def test_renaming_an_item_and_giving_it_a_gtin_is_logged_with_old_and_new(warehouse):
    admin = get_user(USER)
    item = update_item("FLOUR", name="Wheat flour type 550", gtin="4006381333931", by=admin)
    assert (item.name, item.gtin) == ("Wheat flour type 550", "04006381333931")
    assert get_item("4006381333931").sku == "FLOUR"
    subject, who, detail = last_event("item.edit")
    assert (subject, who) == ("FLOUR", USER)
    assert detail == {
        "name": ["Wheat flour", "Wheat flour type 550"],
        "gtin": [None, "04006381333931"],
    }


def test_an_edit_that_changes_nothing_logs_nothing(warehouse):
    before = Event.select().count()
    update_item("FLOUR", name="Wheat flour", by=get_user(USER))
    assert Event.select().count() == before


def test_a_gtin_with_a_bad_check_digit_is_refused(warehouse):
    refused("not valid", update_item, "FLOUR", gtin="4006381333932")


def test_a_gtin_of_another_item_is_refused(warehouse):
    update_item("MILK", gtin="4006381333931")
    refused("already belongs to item MILK", update_item, "FLOUR", gtin="4006381333931")


def test_the_sku_cannot_be_changed(warehouse):
    refused("SKU of an item cannot be changed", update_item, "FLOUR", sku="FLOUR2")


def test_an_empty_name_is_refused(warehouse):
    refused("must not be empty", update_item, "FLOUR", name="  ")


def test_unit_and_tracking_are_fixed_once_the_item_has_moves(warehouse):
    update_item("FLOUR", unit="kg")  # no moves yet: allowed
    receive("FLOUR", 5, "A1", user=USER)
    refused("has moves in the ledger; its unit", update_item, "FLOUR", unit="g")
    refused("its tracking cannot change", update_item, "FLOUR", tracking="lot")


def test_an_item_with_stock_cannot_be_deactivated_until_it_is_gone(warehouse):
    receive("FLOUR", 5, "A1", user=USER)
    refused("still has 5 kg|still has 5 g", update_item, "FLOUR", active=False)


def test_deactivating_an_item_without_stock_is_an_edit(warehouse):
    item = update_item("PHONE", active=False, by=get_user(USER))
    assert item.active is False
    assert last_event("item.edit")[2] == {"active": [True, False]}


def test_shelf_life_must_be_positive(warehouse):
    refused("positive number of days", update_item, "MILK", shelf_life_days=0)
    assert update_item("MILK", shelf_life_days=None).shelf_life_days is None


def test_an_operator_cannot_change_master_data(warehouse):
    olga = add_user("olga", "operator", by=get_user(USER))
    refused(
        "olga is an operator: changing an item needs a lead",
        update_item,
        "FLOUR",
        name="x",
        by=olga,
    )
    refused("changing a location needs a lead", update_location, "A1", name="x", by=olga)


def test_an_unknown_item_is_not_found(warehouse):
    with pytest.raises(NotFound):
        update_item("NOPE", name="x")


# --- locations --------------------------------------------------------------------------


def test_moving_a_location_rewrites_the_paths_below_it(warehouse):
    add_location("WH")
    add_location("Z1", parent="WH")
    add_location("R1", parent="A1")
    add_location("B1", parent="R1")
    add_location("A1-X")  # a sibling whose code starts like A1: it stays where it is
    update_location("A1", parent="Z1", by=get_user(USER))
    assert get_location("A1").path == "WH/Z1/A1"
    assert get_location("R1").path == "WH/Z1/A1/R1"
    assert get_location("B1").path == "WH/Z1/A1/R1/B1"
    assert get_location("A1-X").path == "A1-X"
    assert last_event("location.edit")[2] == {"parent": [None, "Z1"]}
    update_location("A1", parent=None)
    assert get_location("B1").path == "A1/R1/B1"


def test_a_location_cannot_go_under_itself_or_its_children(warehouse):
    add_location("R1", parent="A1")
    add_location("B1", parent="R1")
    refused("cannot go under B1", update_location, "A1", parent="B1")
    refused("cannot go under A1", update_location, "A1", parent="A1")


def test_a_location_holding_stock_cannot_be_deactivated(warehouse):
    receive("FLOUR", 5, "A1", user=USER)
    refused("still holds stock", update_location, "A1", active=False)
    transfer("FLOUR", 5, "A1", "A2", user=USER)
    assert update_location("A1", active=False).active is False


def test_marking_a_quarantine_area_and_renaming_it(warehouse):
    loc = update_location("A2", name="Returns cage", quarantine=True, by=get_user(USER))
    assert (loc.name, loc.quarantine) == ("Returns cage", True)
    assert last_event("location.edit")[2] == {
        "name": ["Aisle 2", "Returns cage"],
        "quarantine": [False, True],
    }


def test_the_kind_of_a_location_with_moves_cannot_change(warehouse):
    update_location("A2", kind="scrap")  # never used: allowed
    receive("FLOUR", 5, "A1", user=USER)
    refused("already has moves", update_location, "A1", kind="transit")


def test_the_code_of_a_location_cannot_be_changed(warehouse):
    refused("code of a location cannot be changed", update_location, "A1", code="A9")


def test_an_unknown_parent_is_refused(warehouse):
    refused("Unknown location 'NOWHERE'", update_location, "A1", parent="NOWHERE")


# --- lots -------------------------------------------------------------------------------


@pytest.fixture
def milk_lot(warehouse):
    receive(
        "MILK", 10, "A1", user=USER, lot="M-1", expiry=dt.date(2030, 1, 31), supplier_lot="S-77"
    )
    return find_lot("M-1", "MILK")


def test_correcting_a_lot_expiry_and_supplier_lot(milk_lot):
    lot = update_lot(
        "MILK", "M-1", expiry=dt.date(2030, 2, 28), supplier_lot="S-78", by=get_user(USER)
    )
    assert (lot.expiry, lot.supplier_lot) == (dt.date(2030, 2, 28), "S-78")
    subject, _, detail = last_event("lot.edit")
    assert subject == "MILK/M-1"
    assert detail == {"expiry": ["2030-01-31", "2030-02-28"], "supplier_lot": ["S-77", "S-78"]}


def test_a_lot_status_change_needs_a_reason_and_is_logged_as_a_status_change(milk_lot):
    refused("needs a reason", update_lot, "MILK", "M-1", status="blocked")
    lot = update_lot("MILK", "M-1", status="blocked", reason="seal broken", by=get_user(USER))
    assert lot.status == "blocked"
    subject, who, detail = last_event("lot.status")
    assert (subject, who) == ("MILK/M-1", USER)
    assert (detail["old"], detail["new"], detail["reason"]) == (
        "released",
        "blocked",
        "seal broken",
    )


def test_a_lot_cannot_expire_before_it_was_made(milk_lot):
    refused(
        "cannot expire",
        update_lot,
        "MILK",
        "M-1",
        production_date=dt.date(2030, 3, 1),
    )


def test_the_supplier_must_be_a_supplier_location(milk_lot):
    refused("not a supplier location", update_lot, "MILK", "M-1", supplier="A2")
    assert update_lot("MILK", "M-1", supplier="SUPPLIER").supplier.code == "SUPPLIER"


def test_the_lot_number_and_item_cannot_be_changed(milk_lot):
    refused("number of a lot cannot be changed", update_lot, "MILK", "M-1", number="M-2")
    refused("item of a lot cannot be changed", update_lot, "MILK", "M-1", item="FLOUR")


def test_an_unknown_status_is_refused(milk_lot):
    refused("not one of", update_lot, "MILK", "M-1", status="lost", reason="x")
