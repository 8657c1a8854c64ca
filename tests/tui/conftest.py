"""TUI test helpers: a frozen header clock, so that screenshots are repeatable."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input
from textual.widgets._header import HeaderClock


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """The header clock always shows 12:00:00, and text cursors never blink off."""
    monkeypatch.setattr(HeaderClock, "render", lambda self: Text("12:00:00"))
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


def key_burst(app, keys: list[str]) -> None:
    """Every key queued at once, as an SSH batch delivers them: a single character
    stands for itself, a longer name ("enter", "ctrl+o") for that key."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_character_to_key(key), key))
        else:
            app.post_message(events.Key(key, "\r" if key == "enter" else None))


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
