"""Packaging levels: an item's inner packs, cases and pallets, their GTINs unique across
items and levels, and quantities shown and typed in them."""

from __future__ import annotations

import json

import pytest

from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import ItemSpec, add_item, get_user
from backroom.models.masterdata.editing import update_item
from backroom.models.masterdata.packaging import (
    PackLevel,
    add_packaging,
    in_levels,
    level_by_gtin,
    levels_of,
    read_in_levels,
    remove_packaging,
    shown_quantity,
)
from backroom.models.migrations import STEPS
from backroom.models.schema import Event, Item

TAPE_GTIN = "08712345000011"
INNER_GTIN = "28712345000015"
CASE_GTIN = "18712345000018"


@pytest.fixture
def tape(database):
    """TAPE-48 (pcs) with an inner of 6, a case of 12 (with a GTIN) and a pallet of 720."""
    admin = get_user("tester")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm", TAPE_GTIN), by=admin)
    add_packaging("TAPE-48", "inner", 6, by=admin)
    add_packaging("TAPE-48", "CS", 12, gtin=CASE_GTIN, by=admin)
    add_packaging("TAPE-48", "pallet", 720, by=admin)
    return admin


def test_an_item_lists_its_levels_largest_first(tape):
    item = Item.get(Item.sku == "TAPE-48")
    assert levels_of(item) == [
        PackLevel("pallet", 720),
        PackLevel("cs", 12, CASE_GTIN),
        PackLevel("inner", 6),
    ]
    found = level_by_gtin(CASE_GTIN)
    assert found is not None and found[0].sku == "TAPE-48" and found[1].qty == 12


def test_adding_a_level_is_in_the_event_log(tape):
    event = Event.select().where(Event.kind == "item.pack").order_by(Event.id)[1]
    assert event.subject == "TAPE-48"
    assert json.loads(event.detail) == {"name": "cs", "qty": 12, "gtin": CASE_GTIN}


@pytest.mark.parametrize(
    ("qty", "shown"),
    [
        (63, "5 cs + 3 pcs (63 pcs)"),
        (60, "5 cs (60 pcs)"),
        (69, "5 cs + 1 inner + 3 pcs (69 pcs)"),
        (1500, "2 pallet + 5 cs (1500 pcs)"),
        (5, "5 pcs"),
        (-13, "-1 cs + 1 pcs (-13 pcs)"),
    ],
)
def test_quantities_are_shown_in_levels(tape, qty, shown):
    assert in_levels(qty, levels_of(Item.get(Item.sku == "TAPE-48")), "pcs") == shown


def test_an_item_without_levels_shows_the_plain_number(tape):
    add_item(ItemSpec("GLUE", "Glue"), by=tape)
    assert shown_quantity("GLUE", 63) == "63"
    assert shown_quantity("TAPE-48", 5) == "5"
    assert shown_quantity("TAPE-48", 63) == "5 cs + 3 pcs (63 pcs)"


@pytest.mark.parametrize(
    ("typed", "units"),
    [
        ("5 cs", 60),
        ("5cs + 3", 63),
        ("5 CS + 3 pcs", 63),
        ("1 pallet + 1 inner", 726),
        ("5 cs + 3 pcs (63 pcs)", 63),  # what the field shows, Enter again
        ("-1 cs (-12 pcs)", -12),
        ("+2 cs", 24),
        ("63", None),  # a plain number is not in levels: the caller reads it
        ("cs", None),
        ("5 cs 3", None),
    ],
)
def test_quantities_are_typed_in_levels(tape, typed, units):
    assert read_in_levels(typed, "TAPE-48") == units


def test_a_level_the_item_lacks_or_a_wrong_total_is_refused(tape):
    with pytest.raises(Refused, match="Item TAPE-48 has no packaging level 'box'"):
        read_in_levels("2 box", "TAPE-48")
    with pytest.raises(Refused, match="5 cs is 60 pcs, not 61"):
        read_in_levels("5 cs (61 pcs)", "TAPE-48")
    with pytest.raises(Refused, match="at most 9,999,999"):
        read_in_levels("9999999 pallet", "TAPE-48")


def test_a_level_gtin_is_unique_across_items_and_levels(tape):
    add_item(ItemSpec("GLUE", "Glue"), by=tape)
    with pytest.raises(Refused, match="already belongs to the cs of 12 of item TAPE-48"):
        add_packaging("GLUE", "cs", 24, gtin=CASE_GTIN, by=tape)
    with pytest.raises(Refused, match=f"GTIN {TAPE_GTIN} already belongs to item TAPE-48"):
        add_packaging("GLUE", "cs", 24, gtin=TAPE_GTIN, by=tape)
    with pytest.raises(Refused, match="already belongs to the cs of item TAPE-48"):
        add_item(ItemSpec("GLUE-2", "Glue", CASE_GTIN), by=tape)
    with pytest.raises(Refused, match="already belongs to the cs of item TAPE-48"):
        update_item("GLUE", gtin=CASE_GTIN, by=tape)


def test_a_level_gtin_needs_a_good_check_digit(tape):
    with pytest.raises(Refused, match="is not valid"):
        add_packaging("TAPE-48", "tray", 24, gtin="18712345000019", by=tape)
    assert len(levels_of(Item.get(Item.sku == "TAPE-48"))) == 3


@pytest.mark.parametrize(
    ("name", "qty", "problem"),
    [
        ("cs", 24, "already has a cs of 12: remove it first"),
        ("pcs", 24, "'pcs' is the base unit of item TAPE-48"),
        ("two words", 24, "must be 1 to 16 letters"),
        ("12", 24, "must be 1 to 16 letters"),
        ("tray", 0, "A tray must hold a whole number of pcs, 1 to 9,999,999"),
    ],
)
def test_a_level_must_make_sense(tape, name, qty, problem):
    with pytest.raises(Refused, match=problem):
        add_packaging("TAPE-48", name, qty, by=tape)


def test_an_operator_may_not_change_packaging(tape):
    from backroom.models.masterdata.adding import add_user

    olaf = add_user("olaf", "operator", by=tape)
    with pytest.raises(Refused, match="needs a lead"):
        add_packaging("TAPE-48", "tray", 24, by=olaf)


def test_removing_a_level_stops_its_gtin_from_scanning(tape):
    removed = remove_packaging("TAPE-48", "cs", by=tape)
    assert removed == PackLevel("cs", 12, CASE_GTIN)
    assert level_by_gtin(CASE_GTIN) is None
    assert Event.select().where(Event.kind == "item.unpack").count() == 1
    with pytest.raises(NotFound, match="has no packaging level 'cs'"):
        remove_packaging("TAPE-48", "cs", by=tape)


def test_a_database_from_before_packaging_gains_it_when_opened(sqlite_url):
    from backroom.models.db import db, make_database
    from backroom.models.masterdata.adding import init_database
    from backroom.models.migrations import CURRENT_VERSION, migrate, open_database

    before = [step.__name__ for step in STEPS].index("_packaging_levels")
    db.initialize(make_database(sqlite_url))
    db.connect()
    assert migrate(upto=before) == before
    init_database("tester")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    assert "packaging" not in db.get_tables()
    db.close()
    assert open_database(sqlite_url) == CURRENT_VERSION
    add_packaging("TAPE-48", "cs", 12, gtin=CASE_GTIN, by=get_user("tester"))
    assert shown_quantity("TAPE-48", 24) == "2 cs (24 pcs)"
    db.close()
