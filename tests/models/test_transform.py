"""Production, repack and kitting: inputs consumed, outputs produced, in one transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    find_lot,
    get_user,
    set_lot_status,
)
from backroom.models.schema import Event, Move
from backroom.models.schema.genealogy import Transformation, TransformationLine
from backroom.models.stock.operations import receive
from backroom.models.trace.transform import Line, transform
from tests.models.support import USER, assert_clean, on_shelf, refused


@pytest.fixture
def kitchen(sqlite_database) -> str:
    """Milk (10 days shelf life), cultures, cheese (60 days), yoghurt (no shelf life),
    cartons (untracked) and gift boxes (serials); shelf A1, quarantine QC."""
    add_item(ItemSpec("MILK", "Milk 1 l", tracking="lot", shelf_life_days=10))
    add_item(ItemSpec("CULTURE", "Cheese culture", tracking="lot"))
    add_item(ItemSpec("CHEESE", "Cheese 500 g", tracking="lot", shelf_life_days=60))
    add_item(ItemSpec("YOGHURT", "Yoghurt", tracking="lot"))
    add_item(ItemSpec("CARTON", "Carton"))
    add_item(ItemSpec("GIFTBOX", "Gift box", tracking="serial"))
    add_location("A1")
    add_location("QC", quarantine=True)
    at = dt.datetime(2026, 3, 1, 8, 0)
    receive("MILK", 100, "A1", user=USER, lot="M1", expiry=dt.date(2026, 3, 9), at=at)
    receive("MILK", 50, "A1", user=USER, lot="M2", expiry=dt.date(2026, 3, 12), at=at)
    receive("CULTURE", 10, "A1", user=USER, lot="K1", at=at)
    receive("CARTON", 20, "A1", user=USER, at=at)
    return sqlite_database


def test_production_consumes_inputs_and_puts_the_new_lot_on_the_shelf(kitchen):
    result = transform(
        "A1",
        [Line("MILK", "M1", 60), Line("CULTURE", "K1", 1), Line("CARTON", "-", 2)],
        [Line("CHEESE", "C1", 6)],
        user=USER,
        reference="WO-7",
    )
    assert result.number == "TF-000001"
    assert result.new_lots == ("CHEESE/C1",)
    shelf = on_shelf()
    assert shelf[("MILK", "M1", "A1")] == 40
    assert shelf[("CULTURE", "K1", "A1")] == 9
    assert shelf[("CARTON", None, "A1")] == 18
    assert shelf[("CHEESE", "C1", "A1")] == 6
    kinds = [m.kind for m in Move.select().where(Move.reference == "TF-000001")]
    assert sorted(kinds) == ["consume", "consume", "consume", "produce"]
    assert Transformation.get_by_id(result.id).reference == "WO-7"
    assert_clean()


def test_the_new_lot_takes_the_earliest_input_expiry(kitchen):
    transform(
        "A1",
        [Line("MILK", "M1", 10), Line("MILK", "M2", 10)],
        [Line("YOGHURT", "Y1", 20)],
        user=USER,
    )
    assert find_lot("Y1").expiry == dt.date(2026, 3, 9)


def test_an_expiry_given_wins_over_the_inputs(kitchen):
    transform(
        "A1",
        [Line("MILK", "M1", 10)],
        [Line("CHEESE", "C2", 1)],
        user=USER,
        expiry=dt.date(2026, 9, 1),
    )
    assert find_lot("C2").expiry == dt.date(2026, 9, 1)


def test_without_input_expiry_the_shelf_life_sets_it(kitchen):
    at = dt.datetime(2026, 3, 2, 10, 0)
    transform("A1", [Line("CULTURE", "K1", 1)], [Line("CHEESE", "C3", 1)], user=USER, at=at)
    lot = find_lot("C3")
    assert lot.expiry == dt.date(2026, 5, 1)  # 60 days after production
    assert lot.production_date == dt.date(2026, 3, 2)


def test_a_running_lot_takes_more_output(kitchen):
    transform("A1", [Line("MILK", "M1", 10)], [Line("YOGHURT", "Y1", 10)], user=USER)
    result = transform("A1", [Line("MILK", "M2", 10)], [Line("YOGHURT", "Y1", 10)], user=USER)
    assert result.new_lots == ()
    assert on_shelf()[("YOGHURT", "Y1", "A1")] == 20


def test_kitting_serials_into_a_gift_box(kitchen):
    result = transform(
        "A1",
        [Line("MILK", "M1", 2), Line("CARTON", "-", 1)],
        [Line("GIFTBOX", "GB-0001", 1)],
        user=USER,
        kind="kitting",
    )
    assert result.kind == "kitting"
    assert on_shelf()[("GIFTBOX", "GB-0001", "A1")] == 1


def test_consuming_more_than_on_hand_is_refused_and_writes_nothing(kitchen):
    with refused("Only 100 pcs of MILK lot M1 at A1"):
        transform("A1", [Line("MILK", "M1", 101)], [Line("CHEESE", "C9", 1)], user=USER)
    assert Transformation.select().count() == 0
    assert TransformationLine.select().count() == 0


def test_a_recalled_lot_cannot_go_into_production(kitchen):
    set_lot_status(find_lot("M1"), "recalled", "Listeria", by=get_user(USER))
    with refused("Lot M1 is recalled and can only go to quarantine or scrap"):
        transform("A1", [Line("MILK", "M1", 1)], [Line("CHEESE", "C9", 1)], user=USER)


def test_a_quarantined_lot_is_released_before_use(kitchen):
    set_lot_status(find_lot("M2"), "quarantine", "Temperature check", by=get_user(USER))
    with refused("Lot M2 of MILK is in quarantine"):
        transform("A1", [Line("MILK", "M2", 1)], [Line("CHEESE", "C9", 1)], user=USER)


def test_refusals_name_what_is_wrong(kitchen):
    with refused("consumes at least one input"):
        transform("A1", [], [Line("CHEESE", "C9", 1)], user=USER)
    with refused("produces at least one output"):
        transform("A1", [Line("MILK", "M1", 1)], [], user=USER)
    with refused("give the lot it consumes"):
        transform("A1", [Line("MILK", "-", 1)], [Line("CHEESE", "C9", 1)], user=USER)
    with refused("not lot-tracked"):
        transform("A1", [Line("CARTON", "X", 1)], [Line("CHEESE", "C9", 1)], user=USER)
    with refused("both consumed and produced"):
        transform("A1", [Line("MILK", "M1", 1)], [Line("MILK", "M1", 1)], user=USER)
    with refused("internal location"):
        transform("CUSTOMER", [Line("MILK", "M1", 1)], [Line("CHEESE", "C9", 1)], user=USER)
    with refused("not one of production, repack, kitting"):
        transform("A1", [Line("MILK", "M1", 1)], [Line("CHEESE", "C9", 1)], user=USER, kind="x")
    with refused("Unknown lot 'M7'"):
        transform("A1", [Line("MILK", "M7", 1)], [Line("CHEESE", "C9", 1)], user=USER)
    with refused("serial-tracked: each serial number moves one at a time"):
        transform("A1", [Line("MILK", "M1", 1)], [Line("GIFTBOX", "GB-1", 2)], user=USER)


def test_each_transformation_is_in_the_event_log(kitchen):
    transform("A1", [Line("MILK", "M1", 1)], [Line("CHEESE", "C1", 1)], user=USER)
    event = Event.get(Event.kind == "transformation")
    assert event.subject == "TF-000001"
    assert event.user.name == USER
