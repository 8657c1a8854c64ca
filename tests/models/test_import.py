"""Importing CSV files: every row checked first, problems listed by line, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.browse import on_hand
from backroom.models.data.importing import (
    LAYOUTS,
    ImportRefused,
    apply_import,
    plan_import,
    template,
)
from backroom.models.masterdata.adding import get_item
from backroom.models.schema import Item, Location, Lot, Move
from backroom.models.schema.shipping import Consignee
from backroom.models.stock.operations import receive
from tests.models.support import assert_clean, ledger_state, on_shelf

USER = "tester"


def csv_bytes(*lines: str, sep: str = ",", bom: bool = False) -> bytes:
    text = "\n".join(line.replace(",", sep) for line in lines) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def do_import(kind: str, data: bytes, source: str = "file.csv"):
    return apply_import(plan_import(kind, data, source=source, user=USER), user=USER)


def problems(kind: str, data: bytes) -> list[tuple[int, str]]:
    """The problems a file has, as (line, message), after checking nothing was written."""
    before = ledger_state()
    plan = plan_import(kind, data, source="bad.csv", user=USER)
    with pytest.raises(ImportRefused):
        apply_import(plan, user=USER)
    assert ledger_state() == before, "a refused import wrote something"
    return [(p.line, p.message) for p in plan.problems]


def test_an_items_file_from_a_spreadsheet_with_bom_and_semicolons_creates_the_items(warehouse):
    data = csv_bytes(
        "SKU,Name,GTIN,Unit,Tracking,Shelf life days",
        "OAT-500,Oat flakes 500 g,5412345000013,pcs,lot,270",
        "SUGAR,Sugar,,g,,",
        sep=";",
        bom=True,
    )
    result = do_import("items", data)
    assert result.text() == "Imported file.csv: 2 items new, 0 updated, 0 unchanged"
    oats = get_item("5412345000013")
    assert (oats.sku, oats.tracking, oats.shelf_life_days) == ("OAT-500", "lot", 270)
    assert get_item("SUGAR").unit == "g"


def test_reimporting_the_same_items_file_updates_instead_of_duplicating(warehouse):
    first = csv_bytes("sku,name,gtin", "OAT-500,Oat flakes,5412345000013")
    do_import("items", first)
    again = do_import("items", csv_bytes("sku,name,gtin", "OAT-500,Oat flakes 500 g,5412345000013"))
    assert (again.created, again.updated) == (0, 1)
    assert Item.select().where(Item.sku == "OAT-500").count() == 1
    assert get_item("OAT-500").name == "Oat flakes 500 g"
    assert do_import("items", first).updated == 1  # and back


def test_a_wrong_gtin_check_digit_is_reported_with_its_line_and_nothing_is_imported(warehouse):
    found = problems(
        "items",
        csv_bytes("sku,name,gtin", "OK-1,Fine,5412345000013", "BAD-1,Broken,5412345000014"),
    )
    assert len(found) == 1
    line, message = found[0]
    assert line == 3
    assert "5412345000014" in message and "check digit" in message
    assert not Item.select().where(Item.sku == "OK-1").exists()


def test_wrong_columns_are_reported_on_line_one(warehouse):
    found = problems("stock", csv_bytes("sku,place,qty", "FLOUR,A1,5"))
    assert [line for line, _ in found] == [1, 1]
    assert "Unknown column 'place'" in found[0][1]
    assert "sku, lot, location, qty, expiry" in found[0][1]
    assert "Missing column location" in found[1][1]


def test_a_row_with_too_many_values_names_its_line(warehouse):
    found = problems("items", csv_bytes("sku,name", "A,Apple", "B,Banana,extra"))
    assert found == [(3, "3 values, but the header has 2 columns")]


def test_duplicate_rows_name_the_line_of_the_first(warehouse):
    found = problems(
        "stock",
        csv_bytes("sku,lot,location,qty", "FLOUR,,A1,500", "FLOUR,,A2,500", "FLOUR,,A1,200"),
    )
    assert found == [(4, "Duplicate row: FLOUR at A1 is already on line 2")]


def test_every_wrong_stock_row_is_reported_at_once_and_nothing_is_posted(warehouse):
    found = problems(
        "stock",
        csv_bytes(
            "sku,lot,location,qty,expiry",
            "FLOUR,,A1,1000,",
            "FLOUR,,NOWHERE,5,",
            "FLOUR,,A2,-3,",
            "MILK,,A1,4,",
            "PHONE,SN-1,A1,2,",
            "FLOUR,,SUPPLIER,5,",
            "MILK,M1,A2,4,31/12/2027",
        ),
    )
    assert found == [
        (3, "Unknown location 'NOWHERE'"),
        (4, "Negative stock: -3 g of FLOUR at A2"),
        (5, "Item MILK is lot-tracked: give the lot"),
        (6, "PHONE is serial-tracked: each serial number is one piece"),
        (7, "SUPPLIER is a supplier location: stock goes to internal locations"),
        (8, "Expiry '31/12/2027' is not a date as YYYY-MM-DD"),
    ]
    assert on_hand("FLOUR") == 0


def test_a_file_that_is_not_utf8_names_the_byte_offset(warehouse):
    found = problems("items", "sku,name\nCAFE,Café noir\n".encode("latin-1"))
    assert found == [
        (
            2,
            "The file is not UTF-8: byte 0xE9 at byte offset 17 (line 2) is not valid UTF-8; "
            "save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8')",
        )
    ]


def test_opening_stock_is_received_from_the_opening_balance_location(warehouse):
    result = do_import(
        "stock",
        csv_bytes(
            "sku,lot,location,qty,expiry",
            "FLOUR,,A1,25000,",
            "MILK,M-0424,A2,12,2027-04-24",
            "PHONE,SN-001,A1,1,",
            "FLOUR,,A2,0,",
        ),
        source="opening.csv",
    )
    assert (result.posted, result.skipped) == (3, 1)
    assert on_shelf() == {
        ("FLOUR", None, "A1"): 25000,
        ("MILK", "M-0424", "A2"): 12,
        ("PHONE", "SN-001", "A1"): 1,
    }
    opening = Location.get(Location.code == "OPENING")
    assert (opening.kind, opening.name) == ("supplier", "Opening balance")
    assert {m.from_location_id for m in Move.select()} == {opening.id}
    assert Lot.get(Lot.number == "M-0424").expiry == dt.date(2027, 4, 24)
    assert_clean()


def test_a_stock_file_imported_before_is_refused_unless_again(warehouse):
    data = csv_bytes("sku,lot,location,qty,expiry", "FLOUR,,A1,250,")
    do_import("stock", data, source="opening.csv")
    before = ledger_state()
    plan = plan_import("stock", data, source="opening.csv", user=USER)
    assert plan.repeated is not None and plan.repeated.startswith("This stock file was imported")
    assert "by tester as opening.csv (1 receipt); importing it again would receive" in plan.repeated
    with pytest.raises(ImportRefused) as refused:
        apply_import(plan, user=USER)
    assert refused.value.problems[0].message == plan.repeated
    assert ledger_state() == before
    assert on_shelf() == {("FLOUR", None, "A1"): 250}
    # Another file (one more line) is another import; the same file on purpose too.
    do_import("stock", data + b"FLOUR,,A2,5,\n", source="more.csv")
    plan = plan_import("stock", data, source="opening.csv", user=USER, again=True)
    apply_import(plan, user=USER)
    assert on_shelf() == {("FLOUR", None, "A1"): 750, ("FLOUR", None, "A2"): 5}
    assert_clean()


def test_a_stock_file_checked_twice_is_imported_once(warehouse):
    """Two sessions check the same file before either imports it: the second is refused."""
    data = csv_bytes("sku,lot,location,qty,expiry", "FLOUR,,A1,250,")
    first = plan_import("stock", data, source="a.csv", user=USER)
    second = plan_import("stock", data, source="a.csv", user=USER)
    apply_import(first, user=USER)
    with pytest.raises(ImportRefused) as refused:
        apply_import(second, user=USER)
    assert "was imported on" in refused.value.problems[0].message
    assert on_shelf() == {("FLOUR", None, "A1"): 250}


def test_the_same_items_file_twice_is_no_stock_import(warehouse):
    data = csv_bytes("sku,name,unit", "SALT,Salt,g")
    do_import("items", data)
    assert do_import("items", data).unchanged == 1


def test_a_serial_number_already_in_stock_is_refused(warehouse):
    receive("PHONE", 1, "A1", user=USER, lot="SN-7")
    found = problems("stock", csv_bytes("sku,lot,location,qty", "PHONE,SN-7,A2,1"))
    assert found == [(2, "Serial SN-7 of PHONE is already in stock")]


def test_the_tracking_of_an_item_with_stock_cannot_change_by_import(warehouse):
    receive("FLOUR", 100, "A1", user=USER)
    found = problems("items", csv_bytes("sku,name,tracking", "FLOUR,Wheat flour,lot"))
    assert found == [(2, "Item FLOUR has 100 g in stock: its tracking stays")]


def test_a_gtin_that_belongs_to_another_item_is_refused(warehouse):
    do_import("items", csv_bytes("sku,name,gtin", "OAT-500,Oats,5412345000013"))
    found = problems("items", csv_bytes("sku,name,gtin", "OAT-1000,Oats 1 kg,05412345000013"))
    assert found == [(2, "GTIN 05412345000013 already belongs to item OAT-500")]


def test_locations_may_name_a_parent_further_down_the_file(warehouse):
    data = csv_bytes(
        "code,name,parent,quarantine",
        "B-01-01,Bay 1,B-01,no",
        "B-01,Aisle B,B,",
        "B,Hall B,,",
        "B-QC,Quarantine,B,yes",
    )
    assert do_import("locations", data).created == 4
    assert Location.get(Location.code == "B-01-01").path == "B/B-01/B-01-01"
    assert Location.get(Location.code == "B-QC").quarantine
    assert do_import("locations", data).unchanged == 4


def test_a_loop_of_parents_is_refused(warehouse):
    found = problems("locations", csv_bytes("code,parent", "X,Y", "Y,X"))
    assert found == [(2, "Location X is inside itself"), (3, "Location Y is inside itself")]


def test_lots_and_consignees_import_and_update(warehouse):
    lots = csv_bytes(
        "sku,lot,expiry,production_date,supplier,supplier_lot,status",
        "MILK,M-1,2027-01-31,2027-01-01,SUPPLIER,S-9,released",
        "MILK,M-2,2027-02-28,,,,blocked",
    )
    assert do_import("lots", lots).created == 2
    assert Lot.get(Lot.number == "M-2").status == "blocked"
    relabelled = lots.replace(b"S-9", b"S-10")
    assert do_import("lots", relabelled).updated == 1
    assert Lot.get(Lot.number == "M-1").supplier_lot == "S-10"
    people = csv_bytes(
        "name,address,postal_code,city,country,gln",
        "Bakery Janssens,Kerkstraat 12 | Unit 4,9000,Gent,be,5412345000020",
    )
    assert do_import("consignees", people).created == 1
    bakery = Consignee.get(Consignee.name == "Bakery Janssens")
    assert (bakery.address, bakery.country) == ("Kerkstraat 12\nUnit 4", "BE")
    assert do_import("consignees", people).unchanged == 1


def test_every_template_names_its_columns_and_the_items_example_imports(warehouse):
    for kind, layout in LAYOUTS.items():
        header, example = template(kind).splitlines()
        assert header == ",".join(c.name for c in layout)
        assert example
    assert do_import("items", template("items").encode()).created == 1
