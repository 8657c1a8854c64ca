"""TUI test helpers: a frozen header clock, so that screenshots are repeatable."""

from __future__ import annotations

import unicodedata

import pytest
from rich.text import Text
from textual import events
from textual._wait import wait_for_idle
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._header import HeaderClock


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """The header clock always shows 12:00:00, and text cursors never blink off."""
    monkeypatch.setattr(HeaderClock, "render", lambda self: Text("12:00:00"))
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


def key_event(key: str) -> events.Key:
    """The event Textual's pilot sends for KEY (a character or a key's name)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def typed(self: Pilot, *keys: str) -> None:
    """Pilot.press without its two idle waits per key (each at least 20 ms, judged by
    process time): each key is sent as soon as the screen has taken the one before it,
    faster than a person types (a key's worker may still run, and the form holds
    what comes meanwhile; `settle` waits for it), then one idle wait for the last.
    Where the pace matters (a key held 120 ms for a shortcut, a scanner's burst) the
    tests say so with `shortcut`, `key_burst` or their own timing. Pilot.press cost
    ~70 ms a key."""
    for key in keys:
        self.app._driver.send_message(key_event(key))
        await self._wait_for_screen()
    # A key's binding runs after the key has gone through the focused widget and its
    # parents, messages queued after the wait above: one idle wait for them all.
    await wait_for_idle(0)
    await self._wait_for_screen()


@pytest.fixture(autouse=True)
def quick_keys(monkeypatch):
    """Every pilot in these tests types with `typed`."""
    monkeypatch.setattr(Pilot, "press", typed)


def key_burst(app, keys: list[str]) -> None:
    """Every key queued at once, as an SSH batch delivers them: a single character
    stands for itself, a longer name ("enter", "ctrl+o") for that key."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_character_to_key(key), key))
        else:
            app.post_message(events.Key(key, "\r" if key == "enter" else None))


async def settle(pilot) -> None:
    """Until every key has reached where it belongs and the workers it started have
    finished. The app's own state says so: Textual's idle test compares process time
    with wall time, and on a loaded machine it can see idle while keys still wait."""
    app = pilot.app
    for _ in range(500):
        await pilot.pause()
        if not app.keys_waiting and not any(not w.is_finished for w in app.workers):
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
