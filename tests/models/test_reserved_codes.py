"""Codes that would make a scan mean two things are refused at the source."""

from __future__ import annotations

import pytest

from backroom.models.errors import Refused
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, add_lot, get_item


@pytest.mark.parametrize("number", ["L#1", "A~B", "lot 1", "L@2", "X" * 21, ""])
def test_a_lot_number_a_gs1_barcode_cannot_carry_is_refused(sqlite_database, number):
    item = add_item(ItemSpec("OAT-500", "Oat flakes", tracking="lot"))
    with pytest.raises(Refused):
        add_lot(item, number)


def test_gs1_punctuation_is_fine_in_a_lot_number(sqlite_database):
    item = add_item(ItemSpec("OAT-500", "Oat flakes", tracking="lot"))
    assert add_lot(item, "L-26/11.a_(2)").number == "L-26/11.a_(2)"


@pytest.mark.parametrize("code", ["CMD:CONFIRM", "badge:x", "SHP-000123"])
def test_skus_and_locations_cannot_take_codes_backroom_reserves(sqlite_database, code):
    with pytest.raises(Refused, match="reserves"):
        add_item(ItemSpec(code, "Something"))
    with pytest.raises(Refused, match="reserves"):
        add_location(code)
    with pytest.raises(Exception, match="Unknown item"):
        get_item(code)


def test_stock_under_a_location_is_case_exact(sqlite_database):
    from backroom.models.browse import list_stock as stock
    from backroom.models.stock.operations import receive

    add_location("A")
    add_location("a")
    add_location("A-1", parent="A")
    add_location("a-1", parent="a")
    add_item(ItemSpec("TAPE", "Tape"))
    receive("TAPE", 3, "A-1", user="tester")
    receive("TAPE", 5, "a-1", user="tester")
    assert [(r.location, r.qty) for r in stock(location="A")] == [("A-1", 3)]
