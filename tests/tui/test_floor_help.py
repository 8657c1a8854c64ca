"""Help for the floor: F1 says this screen's keys, what to scan and the command codes
first; `?` opens help and never lands in a field; a lot number that several items
carry offers a pick of those items; the footer and the login news fit a 40x16 handheld."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.browse import on_hand
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut


@pytest.fixture
def warehouse(sqlite_database) -> str:
    """Two items that both carry a lot L1, at A-01."""
    add_location("A-01")
    add_location("A-02")
    add_item(ItemSpec("OAT-500", "Oat flakes 500 g", gtin="5412345000013", tracking="lot"))
    add_item(ItemSpec("RICE-1K", "Rice 1 kg", tracking="lot"))
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("OAT-500", 10, "A-01", user=TEST_USER, lot="L1", expiry=dt.date(2099, 3, 31))
    receive("RICE-1K", 7, "A-01", user=TEST_USER, lot="L1")
    receive("TAPE-48", 20, "A-01", user=TEST_USER)
    return sqlite_database


async def _enter(pilot, *entries: str) -> None:
    """Type each entry then Enter, as a scanner or a person would."""
    for text in entries:
        await pilot.press(*text, "enter")
        await settle(pilot)


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_a_lot_several_items_carry_offers_those_items_and_takes_the_one_chosen(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "m")
        await _enter(pilot, "A-01", "L1")
        assert type(app.screen).__name__ == "LotPicker"
        options = app.screen.query_one("#picker-lots")
        offered = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert sorted(offered) == [
            "OAT-500  Oat flakes 500 g  (on hand 10)",
            "RICE-1K  Rice 1 kg  (on hand 7)",
        ]
        rice = next(i for i, text in enumerate(offered) if text.startswith("RICE-1K"))
        await pilot.press(*(["down"] * rice), "enter")
        await settle(pilot)
        form = app.screen
        assert type(form).__name__ == "MoveScreen"
        assert form.values["item"] == "RICE-1K" and form.values["lot"] == "L1"
        assert form.field_input("item").value == "RICE-1K"
        assert form.cursor == "qty"
        await _enter(pilot, "3", "A-02")
        assert "Posted move" in _text(app, "#result")
    assert on_hand("RICE-1K", location="A-02", lot="L1") == 3
    assert on_hand("OAT-500", location="A-01", lot="L1") == 10


async def test_esc_in_the_lot_picker_leaves_the_scan_refused_and_selected(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "m")
        await _enter(pilot, "A-01", "L1")
        await pilot.press("escape")
        await settle(pilot)
        form = app.screen
        assert type(form).__name__ == "MoveScreen"
        assert "item" not in form.values
        assert "exists for several items" in _text(app, "#message")
        field = form.field_input("item")
        assert field.value == "L1" and field.selected_text == "L1"
