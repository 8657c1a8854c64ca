"""NO_COLOR: every colour becomes a grey, and what colour told is still told."""

from __future__ import annotations

import re

from textual.filter import Monochrome

from backroom.tui.widgets.status_line import StatusLine
from tests.tui.conftest import shortcut
from tests.tui.test_browse_helpers import catch_bells, keys, make_app, search, settle

# Rich's screenshot frame, not the app: the three window buttons and the title's colour.
WINDOW_BUTTONS = {"ff5f57", "febc2e", "28c840", "c5c8c6"}


def colours(svg: str) -> set[str]:
    return {c.lower() for c in re.findall(r'fill="#([0-9a-fA-F]{6})"', svg)} - WINDOW_BUTTONS


def grey(colour: str) -> bool:
    return colour[0:2] == colour[2:4] == colour[4:6]


async def test_no_color_draws_in_greys_and_the_cursor_row_still_stands_out(
    sqlite_database, monkeypatch
):
    monkeypatch.setenv("NO_COLOR", "1")
    catch_bells(monkeypatch)
    app = make_app(sqlite_database, monkeypatch)
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("s", "l", "i", "n", "r"):
            await shortcut(pilot, key)
            await settle(pilot)
            shown = colours(app.export_screenshot())
            assert shown and all(grey(c) for c in shown), (key, [c for c in shown if not grey(c)])
            await keys(pilot, "escape")
            await settle(pilot)
        await shortcut(pilot, "s")
        await settle(pilot)
        table = app.screen.table
        mono = Monochrome()
        background = app.screen.styles.background

        def line_background(y: int):
            segments = mono.apply(list(table.render_line(y)), background)
            return segments[0].style.bgcolor, segments[0].style.bold

        cursor, plain, striped = line_background(1), line_background(2), line_background(3)
        assert cursor[0] not in (plain[0], striped[0]) and cursor[1]  # grey and bold
        # An error is said in words and marked, not only coloured.
        await search(pilot, "item:NOPE")
        status = app.screen.query_one(StatusLine)
        assert "✗" in str(status.render()) and "NOPE" in str(status.render())
