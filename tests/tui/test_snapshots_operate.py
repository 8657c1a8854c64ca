"""Screenshots of home and the operation screens at 80x24 and on a 40x16 handheld."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut

PAST = dt.datetime(2026, 1, 5, 9, 30)
SIZES = [(80, 24), (40, 16)]


@pytest.fixture
def app(sqlite_database) -> BackroomApp:
    add_location("A-01")
    add_location("A-02")
    add_item(ItemSpec("OAT-500", "Oat flakes 500 g", gtin="5412345000013", tracking="lot"))
    receive("OAT-500", 10, "A-01", user=TEST_USER, lot="L1", expiry=dt.date(2099, 3, 31), at=PAST)
    return BackroomApp(Session(TEST_USER, "sqlite:////data/backroom.db", site="Test DC"))


async def _settle(pilot) -> None:
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_receive_with_an_error_shown(snap_compare, app, size):
    async def fill(pilot) -> None:
        await _settle(pilot)
        await shortcut(pilot, "r")
        for text in ("OAT-500", "L1", "abc"):
            await pilot.press(*text, "enter")
            await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=fill)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_count_after_confirming(snap_compare, app, size):
    async def fill(pilot) -> None:
        await _settle(pilot)
        await shortcut(pilot, "c")
        for text in ("A-01", "OAT-500", "L1", "9"):
            await pilot.press(*text, "enter")
            await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=fill)
