"""Floor forms check what they can the moment it is known: the role when the form
opens, before anyone fills a field."""

from __future__ import annotations

import pytest

from backroom.models.masterdata.adding import add_location, add_user, get_user
from backroom.models.schema import Move
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut


@pytest.fixture
def floor(sqlite_database):
    add_location("A-01")
    add_user("olga", "operator", by=get_user(TEST_USER))
    return sqlite_database


async def test_an_operator_opening_adjust_is_told_at_once_and_can_enter_nothing(floor):
    before = Move.select().count()
    app = BackroomApp(Session("olga", floor))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "a")
        await settle(pilot)
        form = app.screen
        assert "adjusting stock needs a lead" in str(form.query_one("#message").render())
        await pilot.press(*"A-01", "enter")
        await settle(pilot)
        assert form.values == {}
        assert app.screen is form  # the scan did not open A-01 elsewhere
        assert "needs a lead" in str(form.query_one("#message").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not form
    assert Move.select().count() == before


async def test_an_operator_opening_move_may_start_at_once(floor):
    app = BackroomApp(Session("olga", floor))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "m")
        await settle(pilot)
        form = app.screen
        assert str(form.query_one("#message").render()) == ""
        assert form.refusal == ""
        assert form.focused is form.field_input("from")


@pytest.fixture
def stocked(floor):
    from backroom.models.masterdata.adding import ItemSpec, add_item
    from backroom.models.stock.operations import receive

    add_location("A-02")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    add_item(ItemSpec("DRILL-1", "Cordless drill", tracking="serial"))
    receive("TAPE-48", 20, "A-01", user=TEST_USER)
    receive("DRILL-1", 1, "A-01", user=TEST_USER, lot="SN-1")
    return floor


def _message(app) -> str:
    return str(app.screen.query_one("#message").render())


async def test_a_quantity_above_what_the_bin_holds_is_refused_at_the_quantity(stocked):
    from backroom.models.browse import on_hand

    app = BackroomApp(Session("olga", stocked))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "m")
        for text in ("A-01", "TAPE-48", "25"):
            await pilot.press(*text, "enter")
            await settle(pilot)
        form = app.screen
        assert "Only 20 pcs of TAPE-48 at A-01; cannot take 25" in _message(app)
        assert "qty" not in form.values
        assert form.focused is form.field_input("qty")
        assert form.field_input("qty").selected_text == "25"
        for text in ("5", "A-02"):
            await pilot.press(*text, "enter")
            await settle(pilot)
        assert "Posted move" in str(form.query_one("#result").render())
    assert on_hand("TAPE-48", location="A-02") == 5


async def test_a_serial_already_in_stock_is_refused_when_it_is_scanned(stocked):
    app = BackroomApp(Session("olga", stocked))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "r")
        for text in ("DRILL-1", "SN-1"):
            await pilot.press(*text, "enter")
            await settle(pilot)
        assert "Serial SN-1 of DRILL-1 is already in stock at A-01" in _message(app)
        assert "lot" not in app.screen.values


async def _entries(pilot, *texts: str) -> None:
    for text in texts:
        if text:
            await pilot.press(*text)
        await pilot.press("enter")
        await settle(pilot)


async def test_receiving_far_more_than_ever_moved_asks_and_posts_only_when_confirmed(stocked):
    from backroom.models.browse import on_hand

    before = Move.select().count()
    app = BackroomApp(Session("olga", stocked))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "r")
        await _entries(pilot, "TAPE-48", "9999999")
        form = app.screen
        assert "more than 100,000" in _message(app)
        assert "Enter again" in _message(app)
        assert "qty" not in form.values
        await _entries(pilot, "")  # Enter again on the same, still selected, value
        assert form.values["qty"] == 9999999
        await pilot.press("escape")  # ... but the person thinks again
        await settle(pilot)
        await _entries(pilot, "TAPE-48", "201")  # 10 x the largest move (20) is 200
        assert "more than 10 times its largest move so far (20)" in _message(app)
        await _entries(pilot, "200", "A-02")
        assert "Posted move" in str(form.query_one("#result").render())
    assert Move.select().count() == before + 1
    assert on_hand("TAPE-48", location="A-02") == 200


async def test_a_typed_number_too_long_for_a_quantity_is_not_read_as_a_barcode(stocked):
    app = BackroomApp(Session("olga", stocked))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "r")
        await _entries(pilot, "TAPE-48", "99999999")
        assert "99999999 is too large for a quantity" in _message(app)
        assert "qty" not in app.screen.values


async def test_receiving_an_expired_lot_asks_first(stocked):
    import datetime as dt

    from backroom.models.masterdata.adding import ItemSpec, add_item

    add_item(ItemSpec("MILK-1", "Milk 1 l", tracking="lot"))
    gone = (dt.date.today() - dt.timedelta(days=31)).isoformat()
    app = BackroomApp(Session("olga", stocked))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "r")
        await _entries(pilot, "MILK-1", "L-OLD", gone)
        assert f"Lot L-OLD expired on {gone} (31 days ago)" in _message(app)
        assert "expiry" not in app.screen.values
        await _entries(pilot, "")
        assert app.screen.values["expiry"].isoformat() == gone
