"""What a scan warns of reaches the form: GS1's required companions are checked over all
the scans of one entry (a label may carry them in two symbols), and a label whose expiry
is not the lot's says so."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.browse import on_hand
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut

GTIN = "05412345000013"  # OAT-500's GTIN-13 as a GTIN-14


@pytest.fixture
def warehouse(sqlite_database) -> str:
    add_location("A-01")
    add_location("A-02")
    add_item(ItemSpec("OAT-500", "Oat flakes 500 g", gtin="5412345000013", tracking="lot"))
    receive("OAT-500", 10, "A-01", user=TEST_USER, lot="L1", expiry=dt.date(2099, 3, 31))
    return sqlite_database


async def _enter(pilot, *entries: str) -> None:
    for text in entries:
        await pilot.press(*text, "enter")
        await settle(pilot)


def _said(app) -> str:
    return str(app.screen.query_one("#message").render())


async def test_a_lot_symbol_after_its_gtin_symbol_lacks_nothing(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "m")
        await _enter(pilot, "A-01", f"]C101{GTIN}")  # the label's first symbol: (01)
        await _enter(pilot, "]C110L1")  # its second: (10) alone
        assert "L1" in _said(app) and "needs" not in _said(app)
        await _enter(pilot, "4", "A-02")
        assert "Posted move" in str(app.screen.query_one("#result").render())


async def test_a_lot_symbol_alone_says_what_it_needs_beside_it(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "m")
        await _enter(pilot, "A-01", "OAT-500", "]C110L1")
        said = " ".join(_said(app).split())
        assert "⚠ (10)" in said and "needs (01)" in said
        await _enter(pilot, "4")  # a warning: the entry goes on
        assert app.screen.cursor == "to"


async def test_a_label_whose_expiry_is_not_the_lots_says_so_in_the_form(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "m")
        await _enter(pilot, "A-01", f"]C101{GTIN}17270101" + "10L1")
        said = " ".join(_said(app).split())
        assert "⚠ The label says expiry 2027-01-01, Backroom has 2099-03-31" in said
    assert on_hand("OAT-500", location="A-01", lot="L1") == 10
