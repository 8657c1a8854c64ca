"""Importing packaging levels from CSV: all rows checked first, then all or nothing."""

from __future__ import annotations

from backroom.models.data.importing import template
from backroom.models.masterdata.adding import ItemSpec, add_item, get_user
from backroom.models.masterdata.packaging import PackLevel, add_packaging, levels_of
from backroom.models.schema import Item
from tests.models.test_import import csv_bytes, do_import, problems

CASE_GTIN = "18712345000018"


def test_a_packaging_file_adds_the_levels_and_again_changes_nothing(warehouse):
    add_item(ItemSpec("TAPE-48", "Packing tape", "08712345000011"), by=get_user("tester"))
    data = csv_bytes(
        "sku,name,qty,gtin",
        f"TAPE-48,cs,12,{CASE_GTIN}",
        "08712345000011,pallet,720,",  # the item by its GTIN
        "FLOUR,bag,25000,",
    )
    assert do_import("packaging", data).created == 3
    assert levels_of(Item.get(Item.sku == "TAPE-48")) == [
        PackLevel("pallet", 720),
        PackLevel("cs", 12, CASE_GTIN),
    ]
    assert do_import("packaging", data).unchanged == 3


def test_a_wrong_packaging_row_stops_the_whole_file(warehouse):
    admin = get_user("tester")
    add_item(ItemSpec("TAPE-48", "Packing tape", "08712345000011"), by=admin)
    add_packaging("TAPE-48", "cs", 12, by=admin)
    data = csv_bytes(
        "sku,name,qty,gtin",
        "FLOUR,bag,25000,15412345000010",
        "TAPE-48,cs,10,",
        "MILK,crate,6,15412345000010",
        "MILK,tray,6,08712345000011",
        "GLUE,cs,12,",
        "MILK,pcs,6,",
    )
    assert problems("packaging", data) == [
        (3, "Item TAPE-48 already has a cs of 12: remove it first to change it"),
        (4, "Duplicate row: GTIN 15412345000010 is already on line 2"),
        (5, "GTIN 08712345000011 already belongs to item TAPE-48"),
        (6, "Unknown item 'GLUE' (give the SKU or GTIN of an existing item)"),
        (7, "'pcs' is the base unit of item MILK: name the level otherwise"),
    ]
    assert levels_of(Item.get(Item.sku == "FLOUR")) == []


def test_the_packaging_template_imports(warehouse):
    add_item(ItemSpec("OAT-500", "Oat flakes"), by=get_user("tester"))
    assert do_import("packaging", template("packaging").encode()).created == 1
