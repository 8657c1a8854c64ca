"""Screens asked for faster than they mount: the last one asked for is shown."""

from __future__ import annotations

import asyncio

from backroom.tui.screens.home import HomeScreen
from backroom.tui.screens.trace.lot_trace import TraceScreen
from tests.tui.test_browse_helpers import make_app, settle


async def test_eight_screens_asked_for_in_one_instant_end_on_the_last(sqlite_database, monkeypatch):
    app = make_app(sqlite_database, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for name in ("stock", "ledger", "items", "lots", "audit", "receive", "stock", "trace"):
            app.action_goto(name)
            await asyncio.sleep(0)  # a key burst: no time for a screen to mount
        await settle(pilot)
        assert isinstance(app.screen, TraceScreen)
        assert [type(s) for s in app.screen_stack[1:]] == [HomeScreen, TraceScreen]
        app.action_goto("ledger")
        app.action_home()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and len(app.screen_stack) == 2
