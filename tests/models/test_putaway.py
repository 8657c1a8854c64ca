"""Directed put-away: each rule suggests its bin, capacity is never exceeded, and the bin
actually used is recorded with the override."""

from __future__ import annotations

import json

import pytest

from backroom.models.browse import on_hand
from backroom.models.errors import Refused
from backroom.models.goods_in.putaway import (
    Suggestion,
    add_rule,
    put_away,
    set_capacity,
    set_category,
    suggest,
)
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    find_lot,
    get_user,
    set_lot_status,
)
from backroom.models.masterdata.packaging import add_packaging
from backroom.models.schema import Event, Move
from backroom.models.stock.operations import receive

USER = "tester"


@pytest.fixture
def site(database):
    """Zones A (A-01..A-03) and B (B-01, B-02), a dock, a quarantine cage; TAPE (pallets
    of 480), FISH (lots) and MILK (lots), each received at the dock."""
    admin = get_user(USER)
    for zone, bins in (("A", ("A-01", "A-02", "A-03")), ("B", ("B-01", "B-02"))):
        add_location(zone, by=admin)
        for code in bins:
            add_location(code, parent=zone, by=admin)
    add_location("DOCK", by=admin)
    add_location("QC", quarantine=True, by=admin)
    add_item(ItemSpec("TAPE", "Packing tape"), by=admin)
    add_packaging("TAPE", "pallet", 480, by=admin)
    add_item(ItemSpec("FISH", "Frozen cod", tracking="lot"), by=admin)
    add_item(ItemSpec("MILK", "Milk 1 l", tracking="lot"), by=admin)
    receive("TAPE", 960, "DOCK", user=USER)
    receive("FISH", 50, "DOCK", user=USER, lot="F1")
    receive("MILK", 50, "DOCK", user=USER, lot="L1")
    return admin


def test_with_no_rule_the_first_empty_bin_in_walking_order_is_suggested(site):
    assert suggest("TAPE", 480, src="DOCK") == Suggestion("A-01", "nearest empty bin")


def test_the_nearest_empty_bin_is_next_to_where_the_item_is_kept(site):
    receive("TAPE", 10, "B-01", user=USER)
    assert suggest("TAPE", 480, src="DOCK") == Suggestion("B-02", "nearest empty bin")


def test_a_lot_on_hold_goes_to_quarantine(site):
    set_lot_status(find_lot("L1", "MILK"), "quarantine", "lab test", by=site)
    found = suggest("MILK", 50, "L1", "DOCK")
    assert found == Suggestion("QC", "lot L1 is quarantine: quarantine")


def test_an_item_with_a_pick_face_goes_there_even_when_it_holds_stock(site):
    add_rule("A-03", item="TAPE", pick_face=True, by=site)
    receive("TAPE", 5, "A-03", user=USER)
    assert suggest("TAPE", 480, src="DOCK") == Suggestion("A-03", "pick face")


def test_a_lot_goes_next_to_itself(site):
    receive("MILK", 5, "B-02", user=USER, lot="L1")
    add_rule("A", item="MILK", by=site)  # the lot's own bin comes before the zone
    assert suggest("MILK", 20, "L1", "DOCK") == Suggestion("B-02", "same lot")


def test_an_item_rule_sends_it_to_the_nearest_empty_bin_of_its_zone(site):
    add_rule("B", item="TAPE", by=site)
    assert suggest("TAPE", 480, src="DOCK") == Suggestion("B-01", "rule for TAPE")


def test_a_category_rule_sends_its_items_to_their_zone_after_the_items_own_rules(site):
    set_category("FISH", "Frozen", by=site)
    add_rule("B", category="frozen", by=site)
    assert suggest("FISH", 50, "F1", "DOCK") == Suggestion("B-01", "rule for frozen")
    add_rule("A-02", item="FISH", by=site)
    assert suggest("FISH", 50, "F1", "DOCK") == Suggestion("A-02", "rule for FISH")


def test_a_bin_without_room_is_passed_over(site):
    set_capacity("A-01", max_units=100, by=site)
    assert suggest("TAPE", 480, src="DOCK") == Suggestion("A-02", "nearest empty bin")
    set_capacity("A-02", max_pallets=1, by=site)
    assert suggest("TAPE", 960, src="DOCK") == Suggestion("A-03", "nearest empty bin")  # 2
    assert suggest("TAPE", 480, src="DOCK") == Suggestion("A-02", "nearest empty bin")
    add_rule("A-03", item="TAPE", pick_face=True, by=site)
    set_capacity("A-03", max_units=10, by=site)
    assert suggest("TAPE", 480, src="DOCK") == Suggestion("A-02", "nearest empty bin")


def test_the_bin_used_instead_of_the_suggested_one_is_recorded(site):
    done = put_away("TAPE", 480, "DOCK", "B-02", user=USER)
    assert done.suggested == Suggestion("A-01", "nearest empty bin")
    assert done.sentence().endswith("; A-01 was suggested: override recorded")
    event = Event.select().where(Event.kind == "putaway.override").get()
    detail = json.loads(event.detail)
    assert (event.subject, detail["suggested"], detail["used"]) == ("TAPE", "A-01", "B-02")
    assert detail["move"] == done.move.id
    # next to where it is now kept: B-01, and taken
    followed = put_away("TAPE", 480, "DOCK", "B-01", user=USER)
    assert followed.suggested == Suggestion("B-01", "nearest empty bin")
    assert not followed.overridden
    assert Event.select().where(Event.kind == "putaway.override").count() == 1
    assert on_hand("TAPE", location="B-01") == 480


def test_a_put_away_over_capacity_is_refused_and_writes_nothing(site):
    set_capacity("A-01", max_pallets=1, by=site)
    before = Move.select().count()
    with pytest.raises(Refused, match="A-01 holds at most 1 pallet: put it elsewhere"):
        put_away("TAPE", 960, "DOCK", "A-01", user=USER)
    assert Move.select().count() == before


def test_rules_are_set_by_a_lead_and_must_make_sense(site):
    from backroom.models.masterdata.adding import add_user

    olaf = add_user("olaf", "operator", by=site)
    with pytest.raises(Refused, match="needs a lead"):
        add_rule("A", item="TAPE", by=olaf)
    with pytest.raises(Refused, match="an item or a category, not both"):
        add_rule("A", item="TAPE", category="frozen", by=site)
    with pytest.raises(Refused, match="A pick face is one bin; A has locations under it"):
        add_rule("A", item="TAPE", pick_face=True, by=site)
    with pytest.raises(Refused, match="QC is not a storage location"):
        add_rule("QC", item="TAPE", by=site)
