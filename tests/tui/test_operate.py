"""Operation screens driven end to end with the keyboard, checked in the database."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.browse import on_hand
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.schema import Move
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut


@pytest.fixture
def warehouse(sqlite_database):
    add_location("A-01")
    add_location("A-02")
    add_item(ItemSpec("OAT-500", "Oat flakes 500 g", gtin="5412345000013", tracking="lot"))
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("TAPE-48", 20, "A-01", user=TEST_USER)
    receive("OAT-500", 10, "A-01", user=TEST_USER, lot="L1", expiry=dt.date(2027, 3, 31))
    return sqlite_database


async def _settle(app, pilot) -> None:
    await settle(pilot)


async def _enter(app, pilot, *entries: str) -> None:
    """Type each entry then Enter, as a scanner or a person would."""
    for text in entries:
        if text:
            await pilot.press(*text)
        await pilot.press("enter")
        await _settle(app, pilot)


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def _open(app, pilot, key: str) -> None:
    await shortcut(pilot, key)


async def test_receiving_a_new_lot_by_gtin_posts_the_receipt(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, "r")
        await _enter(app, pilot, "5412345000013", "L7", "2027-06-30", "24", "A-02")
        assert "Posted move" in _text(app, "#result")
    assert on_hand("OAT-500", location="A-02", lot="L7") == 24


async def test_moving_more_than_on_hand_is_refused_and_writes_nothing(warehouse):
    before = Move.select().count()
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, "m")
        await _enter(app, pilot, "A-01", "TAPE-48", "25")
        assert "Only 20" in _text(app, "#message")  # at the quantity, not at the end
    assert Move.select().count() == before
    assert on_hand("TAPE-48", location="A-01") == 20


async def test_an_untracked_item_skips_the_lot_field(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await _open(app, pilot, "m")
        await _enter(app, pilot, "A-01", "TAPE-48", "5", "A-02")
        assert "Posted move" in _text(app, "#result")
    assert on_hand("TAPE-48", location="A-02") == 5


async def test_count_is_blind_until_confirmed(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, "c")
        await _enter(app, pilot, "A-01", "OAT-500", "L1")
        screen_text = " ".join(_text(app, s) for s in ("#message", "#result"))
        assert "10" not in screen_text and "expected" not in screen_text
        await _enter(app, pilot, "8")
        assert "expected 10, difference -2" in _text(app, "#result")
    assert on_hand("OAT-500", location="A-01") == 8


async def test_adjust_and_scrap_need_a_reason_and_post(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, "a")
        await _enter(app, pilot, "A-01", "TAPE-48", "+3", "found behind rack")
        assert "Posted move" in _text(app, "#result")
        await pilot.press("escape")
        await _open(app, pilot, "x")
        await _enter(app, pilot, "A-01", "TAPE-48", "2", "crushed")
        assert "Posted move" in _text(app, "#result")
    assert on_hand("TAPE-48", location="A-01") == 21


async def test_ctrl_z_asks_then_undoes_this_screens_last_posting_only(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, "m")
        await _enter(app, pilot, "A-01", "TAPE-48", "5", "A-02")
        await pilot.press("ctrl+s")  # on the emptied form: a complaint...
        await _settle(app, pilot)
        assert "Fill in" in _text(app, "#message")
        await pilot.press("ctrl+z")
        await _settle(app, pilot)
        question = _text(app, "#dialog-question")
        assert "5 TAPE-48 A-01 → A-02" in question and "Reverse it?" in question
        await pilot.press("n")  # not after all
        await _settle(app, pilot)
        assert "Kept: nothing undone" in _text(app, "#message")
        assert Move.select().where(Move.kind == "reversal").count() == 0
        await pilot.press("ctrl+z")
        await _settle(app, pilot)
        await pilot.press("y")
        await _settle(app, pilot)
        assert "Undone" in _text(app, "#result")
        assert _text(app, "#message") == ""  # ...that the undo's news replaces
        await pilot.press("ctrl+z")
        await _settle(app, pilot)
        assert "Nothing posted on Move to undo" in _text(app, "#message")
    assert on_hand("TAPE-48", location="A-01") == 20
    assert Move.select().where(Move.kind == "reversal").count() == 1


async def test_ctrl_z_on_another_screen_does_not_undo_this_ones_posting(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, "m")
        await _enter(app, pilot, "A-01", "TAPE-48", "5", "A-02")
        await pilot.press("escape")  # leave the empty Move form
        await _settle(app, pilot)
        await _open(app, pilot, "c")
        await pilot.press("ctrl+z")
        await _settle(app, pilot)
        assert "Nothing posted on Count to undo" in _text(app, "#message")
    assert on_hand("TAPE-48", location="A-02") == 5
    assert Move.select().where(Move.kind == "reversal").count() == 0


async def test_an_unknown_code_rings_the_bell_and_changes_nothing(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, "m")
        await _enter(app, pilot, "NOWHERE")
        assert "Unknown code 'NOWHERE'" in _text(app, "#message")
        assert app.screen.focused.id == "f-from"
    assert bells


async def test_escape_clears_a_form_then_leaves(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, "m")
        await _enter(app, pilot, "A-01")
        await pilot.press("escape")
        await _settle(app, pilot)
        assert app.screen.query_one("#f-from").value == ""
        await pilot.press("escape")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"


async def _scan(app, pilot, code: str) -> None:
    """A scanner burst: the characters, Ctrl+] for each GS1 separator, then Enter."""
    keys = ["ctrl+right_square_bracket" if c == "\x1d" else c for c in code]
    await pilot.press(*keys, "enter")
    await _settle(app, pilot)


async def test_a_gs1_scan_with_separator_fills_item_lot_and_quantity_at_once(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, "r")
        # (30) is a trade item's count; (37) may only stand beside (00) and (02) (GS1).
        await _scan(app, pilot, "]C1010541234500001310L77\x1d30" + "12")
        assert app.screen.query_one("#f-item").value == "OAT-500"
        assert app.screen.query_one("#f-lot").value == "L77"
        assert app.screen.query_one("#f-qty").value == "12"
        assert app.screen.focused.id == "f-expiry"  # a new lot without expiry: asked for
        await _enter(app, pilot, "2027-05-31", "A-02")
        assert "Posted move" in _text(app, "#result")
    assert on_hand("OAT-500", location="A-02", lot="L77") == 12


async def test_typed_gs1_text_with_parentheses_fills_expiry_too(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await _open(app, pilot, "r")
        await _scan(app, pilot, "(01)05412345000013(17)270630(10)L88")
        assert app.screen.query_one("#f-expiry").value == "2027-06-30"
        assert app.screen.focused.id == "f-qty"
        await _enter(app, pilot, "5", "A-01")
    assert on_hand("OAT-500", location="A-01", lot="L88") == 5


async def test_a_bad_check_digit_is_refused_and_fills_nothing(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, "r")
        await _scan(app, pilot, "(01)05412345000014(10)L1")
        assert "check digit" in _text(app, "#message").lower()
        assert app.screen.query_one("#f-lot").value == ""


async def test_command_codes_set_the_quantity_and_confirm(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, "m")
        await _enter(app, pilot, "A-01", "TAPE-48")
        await _scan(app, pilot, "CMD:QTY:6")
        assert app.screen.query_one("#f-qty").value == "6"
        await _scan(app, pilot, "A-02")
        assert "Posted move" in _text(app, "#result")
    assert on_hand("TAPE-48", location="A-02") == 6
