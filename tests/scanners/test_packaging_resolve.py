"""A packaging level's GTIN resolves to its item with the level's base units, bare or in
GS1 element strings, and an entry in a quantity field reads cases, never the GTIN."""

from __future__ import annotations

import pytest

from backroom.models.masterdata.adding import add_lot, get_item
from backroom.models.masterdata.packaging import add_packaging
from backroom.scanners import ResolvedItem, ResolvedLot, parse, resolve
from backroom.scanners.entry import interpret
from tests.scanners.conftest import WIDGET_GTIN, build_warehouse

CASE = "19521101530008"  # a case of 12 WIDGET (lot-tracked)
GS = "\x1d"


@pytest.fixture
def cases(database):
    """The small warehouse, WIDGET in cases of 12 with their own GTIN, and lot L7."""
    build_warehouse()
    add_packaging("WIDGET", "cs", 12, gtin=CASE)
    add_lot(get_item("WIDGET"), "L7")
    return database


def test_a_case_gtin_resolves_to_its_item_with_the_case_in_base_units(cases):
    found = resolve(parse(CASE))
    assert isinstance(found, ResolvedItem)
    assert (found.sku, found.quantity, found.packaging, found.per_pack) == ("WIDGET", 12, "cs", 12)
    assert found.label == "item WIDGET (Widget 500 g), 1 cs of 12 = 12 pcs"
    item = resolve(parse(WIDGET_GTIN))
    assert isinstance(item, ResolvedItem) and item.quantity is None and item.packaging is None


def test_a_pallet_label_counting_cases_is_that_many_base_units_of_the_lot(cases):
    found = resolve(parse(f"]C102{CASE}37{5}{GS}10L7"))
    assert isinstance(found, ResolvedLot)
    assert (found.item.sku, found.number, found.quantity) == ("WIDGET", "L7", 60)


def test_a_case_gtin_in_the_quantity_field_is_a_case_not_a_number(cases):
    entry = interpret("qty", CASE, {"item": "WIDGET", "lot": "L7"})
    assert entry.fills["qty"] == ("1 cs (12 pcs)", 12)
    assert interpret("qty", "3 cs", {"item": "WIDGET"}).fills["qty"] == ("3 cs (36 pcs)", 36)
    assert interpret("delta", "-1 cs", {"item": "WIDGET"}).fills["qty"] == ("-1 cs (-12 pcs)", -12)
    assert interpret("qty", "-1 cs", {"item": "WIDGET"}).error == (
        "A quantity is not signed: type it without + or -"
    )
    assert "Scan the item first" in (interpret("qty", "3 cs", {}).error or "")
    # a digit string of a GTIN's length and check digit that no level has stays unknown
    assert interpret("qty", "19521101530015", {"item": "WIDGET"}).error == (
        "That is not a quantity: type a whole number"
    )
