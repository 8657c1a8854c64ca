"""The screen keeps answering while another session holds the database's write lock."""

from __future__ import annotations

import asyncio
import sqlite3

import backroom.tui.screens.help  # noqa: F401  (loaded up front, as run.warm_up does)
from backroom.models.browse import on_hand
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut


async def test_a_posting_waits_for_the_lock_while_the_screen_still_answers(sqlite_database):
    add_location("A-01")
    add_location("A-02")
    add_item(ItemSpec("TAPE-48", "Packing tape"))
    receive("TAPE-48", 20, "A-01", user=TEST_USER)
    other = sqlite3.connect(sqlite_database.removeprefix("sqlite:///"), isolation_level=None)
    app = BackroomApp(Session(TEST_USER, sqlite_database))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "m")
        for text in ("A-01", "TAPE-48", "5"):
            await pilot.press(*text, "enter")
            await settle(pilot)
        other.execute("BEGIN IMMEDIATE")  # another session starts writing, and holds on
        try:
            await pilot.press(*"A-02", "enter")  # the form posts: its worker now waits
            await asyncio.sleep(0.5)
            await pilot.press("f1")  # meanwhile the screen answers a key at once
            await pilot.pause()
            assert type(app.screen).__name__ == "HelpScreen"
            # ... while the posting still waits: the answer did not wait for it.
            assert [w for w in app.workers if w.group == "form" and not w.is_finished]
            await pilot.press("escape")
            await pilot.pause()
            assert "Posted" not in str(app.screen.query_one("#result").render())
        finally:
            other.execute("COMMIT")  # the other session is done
        await settle(pilot)
        assert "Posted move" in str(app.screen.query_one("#result").render())
    other.close()
    assert on_hand("TAPE-48", location="A-02") == 5
