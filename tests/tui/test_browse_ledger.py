"""The ledger screen: newest first, filters, a move's details, reversal after a question."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from backroom.models.schema import Move
from backroom.models.stock.operations import receive, transfer
from backroom.tui.app import BackroomApp
from backroom.tui.screens.dialogs import ConfirmDialog
from backroom.tui.screens.stock.ledger import FIELDS, LedgerScreen, MoveScreen
from backroom.tui.widgets.browse_screen import BrowseScreen
from tests.conftest import TEST_USER
from tests.tui.test_browse_helpers import catch_bells, keys, make_app, search, settle


@pytest.fixture
def app(sqlite_database, monkeypatch) -> BackroomApp:
    return make_app(sqlite_database, monkeypatch)


@pytest.fixture
def bells(monkeypatch) -> list[int]:
    return catch_bells(monkeypatch)


def ids(app) -> list[str]:
    table = app.screen.table
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def fields(app) -> dict[str, str]:
    """The move's fields as the screen shows them, label by label."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one("#move-fields").content)
    found = {}
    for line in console.export_text().splitlines():
        label = next((lab for lab, _ in FIELDS if line.startswith(lab + " ")), None)
        if label:
            found[label] = line[len(label) :].strip()
    return found


async def open_ledger(pilot) -> None:
    await settle(pilot)
    await keys(pilot, "l")
    await settle(pilot)


async def test_l_opens_the_ledger_newest_first_and_kind_filters_it(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ledger(pilot)
        assert isinstance(app.screen, LedgerScreen)
        assert ids(app) == ["6", "5", "4", "3", "2", "1"]
        assert str(app.screen.status.render()) == "Newest first · 6 moves"
        await search(pilot, "kind:transfer")
        assert ids(app) == ["6"]
        row = [str(c) for c in app.screen.table.get_row_at(0)]
        assert row[2:] == ["transfer", "TAPE-48", "", "6", "A-01", "B-01"]


async def test_enter_shows_every_field_of_a_move(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ledger(pilot)
        await keys(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, MoveScreen)
        shown = fields(app)
        move = Move.get_by_id(6)
        assert shown["Move"] == "6"
        assert shown["Kind"] == "transfer"
        assert shown["Item"] == "TAPE-48 · Packing tape 48 mm"
        assert shown["Quantity"] == "6 pcs"
        assert (shown["From"], shown["To"]) == ("A-01", "B-01")
        assert shown["Time (UTC)"] == "2026-01-05 10:30:00"
        assert shown["Hash"] == move.hash
        assert shown["Previous hash"] == move.prev_hash
        assert (shown["Reverses"], shown["Reversed by"]) == ("–", "–")
        await keys(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, LedgerScreen)


async def test_x_asks_then_reverses_the_move_once_and_the_ledger_shows_it(app, bells):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ledger(pilot)
        await keys(pilot, "x")  # on move 6, the transfer
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await keys(pilot, "y")
        await settle(pilot)
        reversal = Move.get(Move.reverses == 6)
        assert (reversal.kind, reversal.qty, reversal.user.name) == ("reversal", 6, TEST_USER)
        assert isinstance(app.screen, MoveScreen)
        assert str(app.screen.status.render()) == f"Move 6 reversed by move {reversal.id}"
        assert fields(app)["Reversed by"] == f"move {reversal.id}"
        assert not bells
        await keys(pilot, "g")  # to the reversal itself
        assert fields(app)["Reverses"] == "move 6"
        await keys(pilot, "x")  # a reversal is not reversed: no question is asked
        assert isinstance(app.screen, MoveScreen)
        assert "itself a reversal" in str(app.screen.status.render())
        assert bells
        await keys(pilot, "escape", "escape")
        assert isinstance(app.screen, LedgerScreen)
        assert ids(app)[:2] == [str(reversal.id), "6↩"]


async def test_answering_no_changes_nothing(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ledger(pilot)
        await keys(pilot, "x")
        await settle(pilot)
        await keys(pilot, "n")
        await settle(pilot)
        assert isinstance(app.screen, MoveScreen)
        assert Move.select().count() == 6


async def test_a_refused_reversal_is_said_on_the_screen_with_the_bell(app, bells):
    # The tape received at A-01 has partly moved on: its receipt cannot be undone whole.
    transfer("TAPE-48", 30, "A-01", "A-02", user=TEST_USER)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ledger(pilot)
        await search(pilot, "ref:PO-1")
        assert ids(app) == ["1"]
        await keys(pilot, "x")
        await settle(pilot)
        await keys(pilot, "y")
        await settle(pilot)
        status = app.screen.status
        assert "Only 0 pcs of TAPE-48 at A-01; cannot take 36" in str(status.render())
        assert status.has_class("-error") and bells
        assert Move.select().count() == 7


async def test_the_ledger_shows_moves_posted_elsewhere_and_keeps_the_cursor(app, monkeypatch):
    monkeypatch.setattr(BrowseScreen, "POLL_SECONDS", 0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ledger(pilot)
        await keys(pilot, "down", "down")
        assert app.screen.table.current.key == "4"
        receive("TAPE-48", 1, "A-02", user=TEST_USER)
        receive("TAPE-48", 2, "A-02", user=TEST_USER)
        await pilot.pause(0.4)
        await settle(pilot)
        assert ids(app)[:3] == ["8", "7", "6"]
        assert app.screen.table.current.key == "4"
        assert app.screen.table.cursor_row == 4


async def test_a_handheld_shows_number_kind_item_and_quantity(app):
    async with app.run_test(size=(40, 16)) as pilot:
        await open_ledger(pilot)
        heads = [str(c.label) for c in app.screen.table.ordered_columns]
        assert heads == ["#", "Kind", "Item", "Qty"]
        await keys(pilot, "enter")
        await settle(pilot)
        assert fields(app)["Move"] == "6"
