"""TUI test helpers: a frozen header clock, so that screenshots are repeatable."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.widgets import Input
from textual.widgets._header import HeaderClock


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """The header clock always shows 12:00:00, and text cursors never blink off."""
    monkeypatch.setattr(HeaderClock, "render", lambda self: Text("12:00:00"))
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


async def settle(pilot) -> None:
    """Until held keys are released and the workers they started have finished."""
    app = pilot.app
    for _ in range(500):
        await pilot.pause()
        if app.scans.idle and not any(not w.is_finished for w in app.workers):
            break
        await pilot.pause(0.01)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def shortcut(pilot, key: str) -> None:
    """A person pressing one key on its own, then looking at the screen."""
    await settle(pilot)
    await pilot.press(key)
    await pilot.pause(0.13)  # the key is held ~120 ms in case a scan follows
    await settle(pilot)
