"""The home screen lists what is on the shelves."""

from __future__ import annotations

from models.masterdata import ItemSpec, add_item, add_location
from models.operations import receive
from tests.conftest import TEST_USER
from tui.app import BackroomApp
from tui.session import Session


async def test_home_screen_lists_stock_on_hand(sqlite_database):
    add_location("A-01")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("TAPE-48", 36, "A-01", user=TEST_USER)
    app = BackroomApp(Session(user=TEST_USER, db_url=sqlite_database, site="Test DC"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#stock")
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert row[0] == "TAPE-48"
        assert row[4] == "A-01"
        assert row[5] == "36"
        assert "Test DC" in app.title
