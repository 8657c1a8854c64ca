"""The stock screen, driven from the keyboard: orders, search, colours, drill-down, live."""

from __future__ import annotations

import pytest

from backroom.models.stock.operations import receive, transfer
from backroom.tui.app import BackroomApp
from backroom.tui.screens.stock.ledger import LedgerScreen
from backroom.tui.screens.stock.on_hand import StockScreen
from backroom.tui.widgets.browse_screen import BrowseScreen
from backroom.tui.widgets.search_bar import SearchBar
from tests.conftest import TEST_USER
from tests.tui.test_browse_helpers import catch_bells, keys, make_app, rows, search, settle


@pytest.fixture
def app(sqlite_database, monkeypatch) -> BackroomApp:
    return make_app(sqlite_database, monkeypatch)


@pytest.fixture
def bells(monkeypatch) -> list[int]:
    return catch_bells(monkeypatch)


def headings(app) -> list[str]:
    return [str(c.label) for c in app.screen.table.ordered_columns]


def status(app) -> str:
    return str(app.screen.status.render())


async def test_stock_by_item_then_location_then_expiry_with_expiry_colours(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, StockScreen)
        assert headings(app)[:6] == ["Item", "Name", "Lot", "Expiry", "Location", "Qty"]
        assert [(r[0], r[2], r[4], r[5]) for r in rows(app)] == [
            ("GLUE", "G-1", "B-01", "5"),
            ("GLUE", "G-NOEXP", "QC", "3"),
            ("MILK", "M-OLD", "A-02", "12"),
            ("MILK", "M-SOON", "A-01", "20"),
            ("TAPE-48", "", "A-01", "30"),
            ("TAPE-48", "", "B-01", "6"),
        ]
        assert status(app) == "By item · 6 rows"
        await keys(pilot, "2")
        await settle(pilot)
        assert headings(app)[0] == "Location"
        assert [r[0] for r in rows(app)] == ["A-01", "A-01", "A-02", "B-01", "B-01", "QC"]
        await keys(pilot, "3")
        assert [r[1] for r in rows(app)] == ["M-OLD", "M-SOON", "G-1", "G-NOEXP"]
        assert status(app) == "By expiry · 4 rows"
        # expired in red, within 30 days in yellow, the lot in quarantine said so
        table = app.screen.table
        colours = app.theme_variables
        expiry = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert [str(e) for e in expiry] == ["2026-01-08", "2026-01-30", "2027-06-30", ""]
        assert str(expiry[0].style.color.name).lower() == colours["error"].lower()
        assert str(expiry[1].style.color.name).lower() == colours["warning"].lower()
        assert isinstance(expiry[2], str)  # unstyled text is held as a plain string
        assert rows(app)[-1][headings(app).index("Status")] == "quarantine"


async def test_searching_as_you_type_filters_by_location_and_everything_under_it(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "s")
        await settle(pilot)
        await keys(pilot, "slash")
        await pilot.press(*"loc:A")  # typed, no Enter: the pause starts the search
        await pilot.pause(SearchBar.DELAY + 0.1)
        await settle(pilot)
        assert sorted(r[4] for r in rows(app)) == ["A-01", "A-01", "A-02"]
        assert status(app) == "By item · 3 rows"
        # Enter hands the keyboard back to the list
        await keys(pilot, "enter")
        assert app.screen.focused is app.screen.table
        await search(pilot, "tape")
        assert [r[0] for r in rows(app)] == ["TAPE-48", "TAPE-48"]


async def test_an_unknown_item_is_said_in_the_status_line_with_the_bell(app, bells):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "s")
        await settle(pilot)
        await search(pilot, "item:NOPE")
        assert "Unknown item 'NOPE'" in status(app)
        assert app.screen.status.has_class("-error")
        assert bells and rows(app) == []


async def test_enter_on_a_row_opens_the_ledger_of_that_item_lot_and_location(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "s", "1")
        await settle(pilot)
        await keys(pilot, "down", "down", "down")  # MILK M-SOON at A-01
        await keys(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, LedgerScreen)
        assert app.screen.query_one("#search").value == "item:MILK lot:M-SOON loc:A-01"
        assert [r[0] for r in rows(app)] == ["3"]
        await keys(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, StockScreen)


async def test_stock_follows_moves_posted_elsewhere_and_keeps_the_cursor(app, monkeypatch):
    monkeypatch.setattr(BrowseScreen, "POLL_SECONDS", 0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "s")
        await settle(pilot)
        await keys(pilot, "down", "down", "down", "down")
        assert app.screen.table.current.key == "TAPE-48||A-01"
        # another session receives an item that sorts first, and moves some tape
        from backroom.models.masterdata.adding import ItemSpec, add_item

        add_item(ItemSpec("BOX-1", "Carton"))
        receive("BOX-1", 7, "A-02", user=TEST_USER)
        transfer("TAPE-48", 10, "A-01", "A-02", user=TEST_USER)
        await pilot.pause(0.4)
        await settle(pilot)
        assert rows(app)[0][0] == "BOX-1"
        table = app.screen.table
        assert table.current.key == "TAPE-48||A-01"
        assert table.cursor_row == 5
        assert rows(app)[5][5] == "20"


async def test_a_handheld_shows_the_compact_columns(app):
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await keys(pilot, "s")
        await settle(pilot)
        assert app.screen.has_class("-narrow")
        assert headings(app) == ["Item", "Lot", "Loc", "Qty", "!"]
        assert rows(app)[:2] == [
            ["GLUE", "G-1", "B-01", "5", ""],
            ["GLUE", "G-NOEXP", "QC", "3", "Q"],
        ]


async def test_a_database_gone_away_under_the_live_poll_is_said(app, bells, monkeypatch):
    import backroom.tui.widgets.browse_screen as frame

    def gone() -> int:
        raise OSError("disk I/O error")

    monkeypatch.setattr(BrowseScreen, "POLL_SECONDS", 0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "s")
        monkeypatch.setattr(frame, "ledger_head", gone)
        await pilot.pause(0.4)
        await settle(pilot)
        assert "disk I/O error" in status(app)
        assert len(bells) == 1  # once, not at every poll
