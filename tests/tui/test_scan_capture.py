"""Scans where no field waits for one: they open what they name; lone keys stay keys."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut


@pytest.fixture
def app(sqlite_database) -> BackroomApp:
    add_location("B-07")
    add_item(ItemSpec("OAT-500", "Oat flakes 500 g", gtin="5412345000013", tracking="lot"))
    receive("OAT-500", 10, "B-07", user=TEST_USER, lot="L1", expiry=dt.date(2027, 3, 31))
    return BackroomApp(Session(TEST_USER, sqlite_database))


async def _settle(app, pilot) -> None:
    await settle(pilot)


async def _scan(app, pilot, code: str) -> None:
    keys = ["ctrl+right_square_bracket" if c == "\x1d" else c for c in code]
    await pilot.press(*keys, "enter")
    await _settle(app, pilot)


def _notes(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_scanning_a_location_on_home_opens_its_stock(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        await _scan(app, pilot, "B-07")
        assert type(app.screen).__name__ == "StockScreen"
        assert any("location B-07" in n for n in _notes(app))


async def test_scanning_a_gs1_lot_label_opens_its_trace(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        await _scan(app, pilot, "]C1010541234500001310L1\x1d3012")  # (30): a trade item's count
        assert type(app.screen).__name__ == "TraceScreen"
        assert any("lot L1 of item OAT-500" in n for n in _notes(app))


async def test_a_lot_scanned_without_its_gtin_opens_its_trace_and_says_what_is_missing(app):
    async with app.run_test(size=(40, 16)) as pilot:
        await _settle(app, pilot)
        await _scan(app, pilot, "]C110L1")
        assert type(app.screen).__name__ == "TraceScreen"
        assert any("(10) lot needs (01) or (02)" in n for n in _notes(app))


async def test_an_unknown_scan_rings_the_bell_and_stays_put(app):
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        await _scan(app, pilot, "NO-SUCH-BIN")
        assert type(app.screen).__name__ == "HomeScreen"
        assert any("Unknown code 'NO-SUCH-BIN'" in n for n in _notes(app))
    assert bells


async def test_a_lone_letter_is_still_a_shortcut(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        await shortcut(pilot, "m")
        assert type(app.screen).__name__ == "MoveScreen"


async def test_a_scan_into_a_form_field_is_not_captured_app_wide(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        await shortcut(pilot, "m")
        await _scan(app, pilot, "B-07")
        assert type(app.screen).__name__ == "MoveScreen"
        assert app.screen.query_one("#f-from").value == "B-07"


async def test_the_back_command_code_leaves_the_screen(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        await _scan(app, pilot, "B-07")
        app.screen.set_focus(None)
        await _scan(app, pilot, "CMD:BACK")
        assert type(app.screen).__name__ == "HomeScreen"
