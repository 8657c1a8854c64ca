"""Screenshots of the browse screens at 80x24 and on a 40x16 handheld, on a small
warehouse with fixed dates (today is 2026-01-10: one lot expired, one expiring)."""

from __future__ import annotations

import pytest

from backroom.tui.app import BackroomApp
from tests.tui.test_browse_helpers import fill, keys, make_app, search, settle

SIZES = [(80, 24), (40, 16)]


@pytest.fixture
def app(sqlite_database, monkeypatch) -> BackroomApp:
    return make_app(sqlite_database, monkeypatch)


def opening(*presses: str):
    """What the person does before the picture is taken."""

    async def run(pilot) -> None:
        await settle(pilot)
        for key in presses:
            await keys(pilot, key)
        await settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "presses",
    [("s", "3"), ("l",), ("i",), ("n",)],
    ids=["stock_by_lot", "ledger", "items", "lots"],
)
def test_browse_screen(snap_compare, app, size, presses):
    assert snap_compare(app, terminal_size=size, run_before=opening(*presses))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_locations_opened_down_to_a_shelf(snap_compare, app, size):
    async def run(pilot) -> None:
        await opening("o")(pilot)
        await search(pilot, "A-02")

    assert snap_compare(app, terminal_size=size, run_before=run)


def test_move_details_on_a_handheld(snap_compare, app):
    assert snap_compare(app, terminal_size=(40, 16), run_before=opening("l", "enter"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_new_item_with_a_bad_gtin(snap_compare, app, size):
    async def run(pilot) -> None:
        await opening("i", "n")(pilot)
        await fill(pilot, "sku", "CUP-1")
        await fill(pilot, "gtin", "4006381333932")
        await keys(pilot, "tab")

    assert snap_compare(app, terminal_size=size, run_before=run)
