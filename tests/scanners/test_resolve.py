"""Scans resolved against a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.masterdata.adding import add_lot, get_item, get_lot, set_lot_status
from backroom.models.schema import User
from backroom.scanners import (
    AMBIGUOUS,
    INVALID,
    UNKNOWN,
    ResolvedBadge,
    ResolvedCommand,
    ResolvedItem,
    ResolvedLocation,
    ResolvedLot,
    ResolvedParcel,
    ResolvedSerial,
    ResolvedShipment,
    ScanError,
    ScannerSettings,
    parse,
    resolve,
)
from tests.scanners.conftest import WIDGET_GTIN, build_warehouse

GS = "\x1d"


@pytest.fixture
def own_warehouse(database):
    """A warehouse of this test's own, for tests that change it."""
    build_warehouse()
    return database


def read(text: str, settings: ScannerSettings | None = None):
    return resolve(parse(text, settings))


def error(text: str) -> ScanError:
    result = read(text)
    assert isinstance(result, ScanError), result
    return result


# --- locations and items ---------------------------------------------------------------


def test_a_location_label_resolves_to_the_location(warehouse):
    result = read("]C0A-01-02")
    assert isinstance(result, ResolvedLocation)
    assert (result.code, result.name) == ("A-01-02", "Place A-01-02")


def test_a_sku_resolves_to_the_item(warehouse):
    result = read("BOLT")
    assert isinstance(result, ResolvedItem)
    assert (result.sku, result.name, result.gtin) == ("BOLT", "Bolt M6", "05901234123457")


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("]E05901234123457", "BOLT"),  # EAN-13
        ("5901234123457", "BOLT"),  # the same typed
        ("]E496385074", "PUMP"),  # EAN-8
        ("]E0614141123452", "CAP"),  # UPC-A, GTIN-12
        ("]I119506000134359", "CASE"),  # ITF-14, GTIN-14 of a case
        ("]C1" + "0100614141123452", "CAP"),
        ("]C1" + "01" + WIDGET_GTIN, "WIDGET"),  # GTIN-14 in GS1-128
        ("(01)05901234123457", "BOLT"),
    ],
)
def test_a_gtin_of_any_length_resolves_to_its_item(warehouse, text, sku):
    result = read(text)
    assert isinstance(result, ResolvedItem)
    assert result.sku == sku


def test_an_unknown_gtin_says_so(warehouse):
    assert error("]E04006381333931").message == "No item with GTIN 04006381333931"


def test_a_gtin_with_a_bad_check_digit_typed_is_invalid(warehouse):
    result = error("5901234123458")
    assert result.problem == INVALID
    assert "wrong check digit: it should end in 7" in result.message


def test_a_code_that_is_both_a_location_and_a_sku_is_ambiguous(warehouse):
    result = error("A-09")
    assert result.problem == AMBIGUOUS
    assert "location A-09" in result.message and "item A-09" in result.message


def test_an_unknown_code_is_a_clear_error(warehouse):
    result = error("NOPE-42")
    assert result.problem == UNKNOWN
    assert result.message == (
        "Unknown code 'NOPE-42': no location, item, lot or serial number has it"
    )


def test_nothing_scanned_is_an_error(warehouse):
    assert error("   ").message == "Nothing was scanned"


def test_a_location_gln_resolves_to_the_location_with_that_code(warehouse):
    result = read("]C1" + "4140614141000005")
    assert isinstance(result, ResolvedLocation)
    assert result.code == "0614141000005"


# --- lots and serials ------------------------------------------------------------------


def test_a_lot_scan_with_expiry_fills_item_lot_and_expiry(warehouse):
    result = read("]C1" + "01" + WIDGET_GTIN + "17210630" + "10ABC123")
    assert isinstance(result, ResolvedLot)
    assert (result.item.sku, result.number, result.expiry) == (
        "WIDGET",
        "ABC123",
        dt.date(2021, 6, 30),
    )
    assert result.status == "released"
    assert result.warnings == ()


def test_a_lot_typed_with_parentheses_resolves_like_the_barcode(warehouse):
    result = read("(01)09521101530001(17)210630(10)ABC123")
    assert isinstance(result, ResolvedLot)
    assert result.number == "ABC123"


def test_a_lot_scan_from_a_digital_link_behind_q1(warehouse):
    result = read("]Q1https://id.gs1.org/01/09521101530001/10/ABC123")
    assert isinstance(result, ResolvedLot)
    assert (result.item.sku, result.number) == ("WIDGET", "ABC123")


def test_a_digital_link_with_its_expiry_in_the_query_opens_the_lot_as_the_barcode_does(warehouse):
    link = read("]d1https://id.gs1.org/01/09521101530001/10/ABC123?17=210630")
    barcode = read("]C1" + "01" + WIDGET_GTIN + "17210630" + "10ABC123")
    assert isinstance(link, ResolvedLot)
    assert (link.id, link.expiry, link.warnings) == (barcode.id, barcode.expiry, ())


def test_a_digital_link_with_the_lot_in_its_query_opens_nothing(warehouse):
    result = read("https://id.gs1.org/01/09521101530001?10=ABC123")
    assert isinstance(result, ScanError) and result.problem == INVALID
    assert "it belongs in the path, after (01)" in result.message


def test_a_lot_scanned_alone_is_found_and_says_its_gtin_is_missing(warehouse):
    result = read("]C1" + "10ABC123")
    assert isinstance(result, ResolvedLot)
    assert result.warnings == (
        "(10) lot needs (01) or (02) or (03) or (8006) or (8026) beside it: "
        "scan the code that carries it",
    )


def test_a_case_label_with_count_carries_the_quantity(warehouse):
    result = read("]C1" + "02" + WIDGET_GTIN + "3712" + GS + "10ABC123")
    assert isinstance(result, ResolvedLot)
    assert result.quantity == 12


def test_a_new_lot_is_unknown_but_says_what_the_label_holds(warehouse):
    result = error("]C1" + "01" + WIDGET_GTIN + "17270131" + "10NEW7")
    assert (result.problem, result.message) == (UNKNOWN, "No lot NEW7 of item WIDGET")
    assert isinstance(result.partial, ResolvedLot)
    assert (result.partial.item.sku, result.partial.number, result.partial.expiry) == (
        "WIDGET",
        "NEW7",
        dt.date(2027, 1, 31),
    )


def test_an_expiry_different_from_the_lots_is_a_warning(warehouse):
    result = read("]C1" + "01" + WIDGET_GTIN + "17210731" + "10ABC123")
    assert isinstance(result, ResolvedLot)
    assert result.expiry == dt.date(2021, 6, 30)
    assert result.warnings == (
        "The label says expiry 2021-07-31, Backroom has 2021-06-30 for lot ABC123",
    )


def test_a_recalled_lot_resolves_with_a_warning(own_warehouse):
    lot = get_lot(get_item("WIDGET"), "ABC123")
    set_lot_status(lot, "recalled", "supplier recall", by=User.get(User.name == "tester"))
    result = read("]C1" + "01" + WIDGET_GTIN + "10ABC123")
    assert result.status == "recalled"
    assert result.warnings == ("Lot ABC123 of item WIDGET is recalled",)


def test_a_lot_number_alone_resolves_when_one_item_has_it(warehouse):
    for text in ("ABC123", "(10)ABC123"):
        result = read(text)
        assert isinstance(result, ResolvedLot)
        assert (result.item.sku, result.number) == ("WIDGET", "ABC123")


def test_a_lot_number_alone_that_several_items_share_is_ambiguous(warehouse):
    for text in ("SHARED", "]C110SHARED"):
        result = error(text)
        assert result.problem == AMBIGUOUS
        assert "several items" in result.message


def test_a_serial_scan_resolves_to_the_serial_of_the_item(warehouse):
    result = read("]d2" + "0100000096385074" + "21SN0001")
    assert isinstance(result, ResolvedSerial)
    assert (result.item.sku, result.serial) == ("PUMP", "SN0001")


def test_a_serial_number_typed_alone_resolves_to_the_serial(warehouse):
    result = read("SN0001")
    assert isinstance(result, ResolvedSerial)
    assert result.item.sku == "PUMP"


def test_an_unknown_serial_is_unknown_with_what_the_label_says(warehouse):
    result = error("]d2" + "0100000096385074" + "21SN0099")
    assert result.message == "No serial number SN0099 of item PUMP"
    assert isinstance(result.partial, ResolvedSerial)


def test_a_lot_on_the_label_of_an_untracked_item_is_a_warning(warehouse):
    result = read("]C1" + "0105901234123457" + "10L1")
    assert isinstance(result, ResolvedItem)
    assert result.warnings == (
        "Item BOLT is not lot-tracked: the label's lot or serial is ignored",
    )


def test_a_lot_that_swallowed_its_expiry_is_refused_not_accepted(warehouse):
    result = error("]C1" + "01" + WIDGET_GTIN + "10ABC17250101")
    assert result.problem == INVALID
    assert "may really be lot 'ABC' followed by (17) expiry date 2025-01-01" in result.message


def test_a_suspect_lot_that_exists_as_read_resolves_with_a_warning(own_warehouse):
    add_lot(get_item("WIDGET"), "ABC17250101")
    result = read("]C1" + "01" + WIDGET_GTIN + "10ABC17250101")
    assert isinstance(result, ResolvedLot)
    assert result.number == "ABC17250101"
    assert "its end also reads as another element" in result.warnings[0]


def test_a_lot_scan_with_a_bad_gtin_check_digit_is_invalid(warehouse):
    result = error("]C1" + "0109521101530002" + "10ABC123")
    assert result.problem == INVALID
    assert result.message.startswith("(01) GTIN 09521101530002 has a wrong check digit")


def test_an_impossible_expiry_date_is_invalid(warehouse):
    result = error("]C1" + "01" + WIDGET_GTIN + "17210229" + "10ABC123")
    assert result.message == "(17) expiry date 210229 is not a date: February 2021 has 28 days"


# --- parcels, shipments, badges, commands ----------------------------------------------


def test_an_sscc_names_a_parcel_not_yet_known(warehouse):
    result = error("]C1" + "00106141412345678908" + "02" + WIDGET_GTIN + "3720" + GS + "10ABC123")
    assert (result.problem, result.message) == (UNKNOWN, "No parcel with SSCC 106141412345678908")
    parcel = result.partial
    assert isinstance(parcel, ResolvedParcel)
    assert (parcel.sscc, parcel.content_gtin, parcel.lot, parcel.quantity) == (
        "106141412345678908",
        WIDGET_GTIN,
        "ABC123",
        20,
    )


def test_a_bare_sscc_typed_names_a_parcel(warehouse):
    result = error("106141412345678908")
    assert result.message == "No parcel with SSCC 106141412345678908"


def test_a_shipment_number_names_a_shipment_not_yet_known(warehouse):
    result = error("SHP-000123")
    assert result.message == "No shipment SHP-000123"
    assert result.partial == ResolvedShipment(number="SHP-000123")


def test_a_badge_resolves_to_its_user(warehouse):
    result = read("BADGE:T0K3N")
    assert isinstance(result, ResolvedBadge)
    assert (result.user, result.role) == ("anna", "operator")


def test_an_unknown_or_deactivated_badge_is_refused(warehouse):
    assert error("BADGE:NOPE").message == "Unknown badge: no user has it"
    assert error("BADGE:OLD").message == "User olaf is deactivated"


@pytest.mark.parametrize("name", ["CONFIRM", "CANCEL", "BACK"])
def test_command_codes_resolve_to_their_command(warehouse, name):
    assert read(f"]C0CMD:{name}") == ResolvedCommand(command=name)


def test_a_quantity_code_sets_the_quantity(warehouse):
    assert read("CMD:QTY:12") == ResolvedCommand(command="QTY", quantity=12)


@pytest.mark.parametrize("text", ["CMD:QTY:twelve", "CMD:QTY:-1", "CMD:QTY:", "CMD:EXPLODE"])
def test_a_malformed_command_code_is_invalid(warehouse, text):
    assert error(text).problem == INVALID


def test_element_strings_that_name_nothing_say_what_they_hold(warehouse):
    result = error("]C1" + "400PO-4711")
    assert result.message == (
        "This code holds (400) order number PO-4711, but no product, lot, parcel or location"
    )


def test_results_turn_into_json_with_their_kind_and_label(warehouse):
    data = read("]C1" + "01" + WIDGET_GTIN + "17210630" + "10ABC123").as_dict()
    assert data["kind"] == "lot"
    assert data["item"]["sku"] == "WIDGET"
    assert data["expiry"] == "2021-06-30"
    assert data["label"].startswith("lot ABC123 of item WIDGET")


def test_a_location_named_like_a_shared_lot_number_is_ambiguous(own_warehouse):
    from backroom.models.masterdata.adding import add_location

    add_location("SHARED")
    result = error("SHARED")
    assert result.problem == AMBIGUOUS
    assert result.message == (
        "'SHARED' could be location SHARED or a lot or serial number of several items: "
        "scan a code that says which"
    )
