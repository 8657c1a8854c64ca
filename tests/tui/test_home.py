"""The home screen: tasks by letter, today's figures; the stock screen lists stock."""

from __future__ import annotations

from models.masterdata import ItemSpec, add_item, add_location
from models.operations import receive
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut
from tui.app import BackroomApp
from tui.session import Session


def _app(url: str) -> BackroomApp:
    return BackroomApp(Session(user=TEST_USER, db_url=url, site="Test DC"))


async def _settle(app, pilot) -> None:
    await settle(pilot)


async def test_home_shows_todays_receipts(sqlite_database):
    add_location("A-01")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("TAPE-48", 36, "A-01", user=TEST_USER)
    receive("TAPE-48", 4, "A-01", user=TEST_USER)
    app = _app(sqlite_database)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        text = str(app.screen.query_one("#figure-text").render())
        assert "Receipts today" in text
        assert text.splitlines()[0].split()[-1] == "2"
        assert app.title == "Test DC"


async def test_s_on_home_opens_stock_on_hand(sqlite_database):
    add_location("A-01")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("TAPE-48", 36, "A-01", user=TEST_USER)
    app = _app(sqlite_database)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        await shortcut(pilot, "s")
        table = app.screen.query_one("#stock")
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert (row[0], row[4], row[5]) == ("TAPE-48", "A-01", "36")


async def test_f1_lists_the_keys_of_the_current_screen(sqlite_database):
    app = _app(sqlite_database)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        keys = str(app.screen.query_one("#help-keys").render())
        assert "Stock on hand" in keys
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
