"""The Move and Put away forms show where to put the stock; the bin scanned is the one
used, and a bin other than the suggested one is recorded as an override."""

from __future__ import annotations

import json

import pytest

from backroom.models.browse import on_hand
from backroom.models.goods_in.putaway import add_rule, set_capacity
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.schema import Event
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut

HANDHELD = (40, 16)


@pytest.fixture
def dock(sqlite_database) -> str:
    """40 TAPE-48 at the DOCK; zone B (B-01, B-02) where a rule sends it, B-01 full."""
    add_location("DOCK")
    add_location("B")
    for code in ("B-01", "B-02"):
        add_location(code, parent="B")
    add_location("C-01")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("TAPE-48", 40, "DOCK", user=TEST_USER)
    add_rule("B", item="TAPE-48")
    set_capacity("B-01", max_units=10)
    return sqlite_database


async def enter(pilot, *entries: str) -> None:
    for text in entries:
        if text:
            await pilot.press(*text)
        await pilot.press("enter")
        await settle(pilot)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_the_suggested_bin_is_shown_and_taken_without_an_override(dock):
    app = BackroomApp(Session(TEST_USER, dock))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "m")
        await enter(pilot, "DOCK", "TAPE-48")
        assert "Put away to B-01 (rule for TAPE-48)" in text_of(app, "#context")
        await enter(pilot, "40")  # 40 do not fit in B-01 (10 units): B-02
        assert "Put away to B-02 (rule for TAPE-48)" in text_of(app, "#context")
        await enter(pilot, "B-01")  # full: refused as it is scanned
        assert "B-01 holds at most 10 units and has 0: put it elsewhere" in text_of(app, "#message")
        await enter(pilot, "B-02")
        assert "override" not in text_of(app, "#result")
    assert on_hand("TAPE-48", location="B-02") == 40
    assert not Event.select().where(Event.kind == "putaway.override").exists()


async def test_another_bin_scanned_is_used_and_recorded_as_an_override(dock):
    app = BackroomApp(Session(TEST_USER, dock))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "m")
        await enter(pilot, "DOCK", "TAPE-48", "40", "C-01")
        result = " ".join(text_of(app, "#result").split())
        assert result.endswith("B-02 was suggested: override recorded")
    assert on_hand("TAPE-48", location="C-01") == 40
    event = Event.select().where(Event.kind == "putaway.override").get()
    assert {k: json.loads(event.detail)[k] for k in ("suggested", "used")} == {
        "suggested": "B-02",
        "used": "C-01",
    }


# --- the Put away screen (B on home): the suggestion is the bin the To field expects ----


async def test_put_away_refuses_a_full_bin_esc_clears_and_the_suggested_bin_posts(
    dock, monkeypatch
):
    rung: list[int] = []
    monkeypatch.setattr(BackroomApp, "bell", lambda self: rung.append(1))
    app = BackroomApp(Session(TEST_USER, dock))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "b")
        await enter(pilot, "DOCK", "TAPE-48", "40")
        form = app.screen
        assert "DOCK holds 40 pcs of TAPE-48" in text_of(app, "#context")
        assert "Put away to B-02 (rule for TAPE-48)" in text_of(app, "#context")
        to = form.field_input("to")
        assert to.placeholder == "B-02 (suggested)"
        await enter(pilot, "B-01")
        assert "B-01 holds at most 10 units and has 0: put it elsewhere" in text_of(app, "#message")
        assert "Put away to B-02 (rule for TAPE-48)" in text_of(app, "#context")  # still
        assert rung and form.cursor == "to" and "to" not in form.values
        assert to.value == "B-01" and to.selection == (0, 4)  # the next scan replaces it
        await pilot.press("escape")
        await settle(pilot)
        assert form.values == {} and form.cursor == "from"
        assert all(form.field_input(f.name).value == "" for f in form.FIELDS)
        assert to.placeholder == "scan the bin used" and text_of(app, "#context") == ""
        assert on_hand("TAPE-48", location="B-01") == 0
        await enter(pilot, "DOCK", "TAPE-48", "40", "B-02")
        assert "Posted move" in text_of(app, "#result")
        assert "override" not in text_of(app, "#result")
    assert on_hand("TAPE-48", location="B-02") == 40
    assert not Event.select().where(Event.kind == "putaway.override").exists()


async def test_put_away_asks_about_another_bin_and_records_the_override(dock):
    app = BackroomApp(Session(TEST_USER, dock))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "b")
        await enter(pilot, "DOCK", "TAPE-48", "40", "C-01")
        asked = " ".join(text_of(app, "#message").split())
        assert "Not the suggested bin B-02: put it in C-01 anyway? Enter again" in asked
        assert on_hand("TAPE-48", location="C-01") == 0  # asked, not posted
        await enter(pilot, "C-01")  # the same bin scanned again: taken
        result = " ".join(text_of(app, "#result").split())
        assert result.endswith("B-02 was suggested: override recorded")
    assert on_hand("TAPE-48", location="C-01") == 40
    event = Event.select().where(Event.kind == "putaway.override").get()
    detail = json.loads(event.detail)
    assert (detail["suggested"], detail["used"]) == ("B-02", "C-01")


async def test_put_away_with_no_suggestion_says_so_takes_any_bin_and_keeps_the_dock(dock):
    receive("TAPE-48", 1, "B-02", user=TEST_USER)  # zone B: B-01 too small, B-02 taken;
    receive("TAPE-48", 1, "C-01", user=TEST_USER)  # and no empty bin elsewhere
    app = BackroomApp(Session(TEST_USER, dock))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "b")
        await pilot.press("ctrl+b")  # a run of put-aways from one dock
        await settle(pilot)
        assert "From: keeping the next one entered" in text_of(app, "#message")
        await enter(pilot, "DOCK", "TAPE-48", "40")
        assert "No rule or empty bin fits" in text_of(app, "#context")
        assert app.screen.field_input("to").placeholder == "any bin with room"
        await enter(pilot, "C-01")
        assert "Posted move" in text_of(app, "#result")
        assert app.screen.field_input("from").value == "DOCK" and app.screen.cursor == "item"
    assert on_hand("TAPE-48", location="C-01") == 41


async def test_receive_shows_where_to_put_it_away_and_receives_where_scanned(dock):
    app = BackroomApp(Session(TEST_USER, dock))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "r")
        await enter(pilot, "TAPE-48", "5")
        assert text_of(app, "#context") == "Put away to B-01 (rule for TAPE-48)"
        await enter(pilot, "DOCK")
        assert "Posted move" in text_of(app, "#result")
    assert on_hand("TAPE-48", location="DOCK") == 45
