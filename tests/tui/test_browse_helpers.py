"""Shared by the browse tests (no tests here): a small warehouse with fixed dates, and
a keyboard user's helpers for Pilot."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from textual.worker import WorkerState

from backroom.models import browse
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    find_lot,
    get_user,
    set_lot_status,
)
from backroom.models.stock.operations import receive, transfer
from backroom.tui.app import BackroomApp
from backroom.tui.scan_capture import HOLD_SECONDS
from backroom.tui.session import Session
from backroom.tui.widgets.search_bar import SearchBar
from tests.conftest import TEST_USER

PAST = dt.datetime(2026, 1, 5, 9, 30)
TODAY = dt.date(2026, 1, 10)


def build_warehouse() -> None:
    """A small warehouse with fixed dates: WH with aisle A (A-01, A-02), shelf B-01 and
    a quarantine cage QC; tape (untracked), milk and glue (lots, one expired, one
    expiring soon, one in quarantine, one without expiry)."""
    add_location("WH", name="Main warehouse")
    add_location("A", name="Aisle A", parent="WH")
    add_location("A-01", parent="A")
    add_location("A-02", parent="A")
    add_location("B-01", parent="WH")
    add_location("QC", name="Quarantine cage", parent="WH", quarantine=True)
    add_location("A-0X")  # a top-level code that starts like A-0: not under A
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    add_item(ItemSpec("MILK", "Milk 1 l", tracking="lot"))
    add_item(ItemSpec("GLUE", "Glue stick", tracking="lot"))
    at = PAST
    receive("TAPE-48", 36, "A-01", user=TEST_USER, at=at, ref="PO-1")
    receive("MILK", 12, "A-02", user=TEST_USER, lot="M-OLD", expiry=dt.date(2026, 1, 8), at=at)
    receive("MILK", 20, "A-01", user=TEST_USER, lot="M-SOON", expiry=dt.date(2026, 1, 30), at=at)
    receive("GLUE", 5, "B-01", user=TEST_USER, lot="G-1", expiry=dt.date(2027, 6, 30), at=at)
    receive("GLUE", 3, "QC", user=TEST_USER, lot="G-NOEXP", at=at)
    transfer("TAPE-48", 6, "A-01", "B-01", user=TEST_USER, at=at + dt.timedelta(hours=1))
    set_lot_status(find_lot("G-NOEXP"), "quarantine", "damaged box", by=get_user(TEST_USER))


def make_app(url: str, monkeypatch: pytest.MonkeyPatch) -> BackroomApp:
    """The app on the small warehouse, with today frozen at TODAY."""
    monkeypatch.setattr(browse.query, "today", lambda: TODAY)
    build_warehouse()
    return BackroomApp(Session(TEST_USER, url, site="Test DC"))


def catch_bells(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one at each ring of the terminal bell."""
    rung: list[int] = []
    monkeypatch.setattr(BackroomApp, "bell", lambda self: rung.append(1))
    return rung


async def settle(pilot) -> None:
    """Until the screen has done what the last key asked (live polls aside)."""
    await pilot.pause()
    for _ in range(500):
        busy = [
            w
            for w in pilot.app.workers
            if w.group != "poll" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        ]
        if not busy:
            break
        await asyncio.sleep(0.01)
    await pilot.pause()


async def keys(pilot, *names: str) -> None:
    """Press keys as a person does: after a shortcut letter, a look at the screen (a
    printable key waits HOLD_SECONDS for more, in case it is the start of a scan)."""
    for name in names:
        await pilot.press(name)
        if len(name) == 1 or name == "slash":
            await pilot.pause(HOLD_SECONDS + 0.02)
            # On a busy machine the hold may end late: wait until the key is let go.
            capture = getattr(pilot.app, "scans", None)
            for _ in range(100):
                if not getattr(capture, "_held", None):
                    break
                await pilot.pause(0.02)
            await pilot.pause(0.05)  # the key let go still travels to the focused widget
    await settle(pilot)


async def search(pilot, text: str) -> None:
    """Put TEXT in the search line and press Enter, as a scanner would."""
    await keys(pilot, "slash")
    pilot.app.screen.query_one(SearchBar).value = text
    await keys(pilot, "enter")


async def fill(pilot, name: str, text: str) -> None:
    """Put TEXT in form field NAME, replacing what it held."""
    field = pilot.app.screen.query_one(f"#f-{name}")
    field.focus()
    field.value = text
    await pilot.pause()


def rows(app) -> list[list[str]]:
    """The table as the person sees it, cell by cell."""
    table = app.screen.table
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
