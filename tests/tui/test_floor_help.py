"""Help for the floor: F1 says this screen's keys, what to scan and the command codes
first; `?` opens help and never lands in a field; a lot number that several items
carry offers a pick of those items; the footer and the login news fit a 40x16 handheld."""

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


@pytest.fixture
def warehouse(sqlite_database) -> str:
    """Two items that both carry a lot L1, at A-01."""
    add_location("A-01")
    add_location("A-02")
    add_item(ItemSpec("OAT-500", "Oat flakes 500 g", gtin="5412345000013", tracking="lot"))
    add_item(ItemSpec("RICE-1K", "Rice 1 kg", tracking="lot"))
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("OAT-500", 10, "A-01", user=TEST_USER, lot="L1", expiry=dt.date(2099, 3, 31))
    receive("RICE-1K", 7, "A-01", user=TEST_USER, lot="L1")
    receive("TAPE-48", 20, "A-01", user=TEST_USER)
    return sqlite_database


async def _enter(pilot, *entries: str) -> None:
    """Type each entry then Enter, as a scanner or a person would."""
    for text in entries:
        await pilot.press(*text, "enter")
        await settle(pilot)


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_a_lot_several_items_carry_offers_those_items_and_takes_the_one_chosen(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "m")
        await _enter(pilot, "A-01", "L1")
        assert type(app.screen).__name__ == "LotPicker"
        options = app.screen.query_one("#picker-lots")
        offered = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert sorted(offered) == [
            "OAT-500  Oat flakes 500 g  (on hand 10)",
            "RICE-1K  Rice 1 kg  (on hand 7)",
        ]
        rice = next(i for i, text in enumerate(offered) if text.startswith("RICE-1K"))
        await pilot.press(*(["down"] * rice), "enter")
        await settle(pilot)
        form = app.screen
        assert type(form).__name__ == "MoveScreen"
        assert form.values["item"] == "RICE-1K" and form.values["lot"] == "L1"
        assert form.field_input("item").value == "RICE-1K"
        assert form.cursor == "qty"
        await _enter(pilot, "3", "A-02")
        assert "Posted move" in _text(app, "#result")
    assert on_hand("RICE-1K", location="A-02", lot="L1") == 3
    assert on_hand("OAT-500", location="A-01", lot="L1") == 10


async def test_esc_in_the_lot_picker_leaves_the_scan_refused_and_selected(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "m")
        await _enter(pilot, "A-01", "L1")
        await pilot.press("escape")
        await settle(pilot)
        form = app.screen
        assert type(form).__name__ == "MoveScreen"
        assert "item" not in form.values
        assert "exists for several items" in _text(app, "#message")
        field = form.field_input("item")
        assert field.value == "L1" and field.selected_text == "L1"


def _help_sections(app) -> list[str]:
    """The help screen's lines, as the person reads them."""
    return [line.rstrip() for line in _text(app, "#help-keys").splitlines()]


def _line_of(lines: list[str], start: str) -> int:
    return next(n for n, line in enumerate(lines) if line.startswith(start))


async def test_f1_on_move_says_its_keys_then_each_field_then_the_codes_then_the_rest(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "m")
        await pilot.press("f1")
        await settle(pilot)
        lines = _help_sections(app)
        order = [
            _line_of(lines, "Keys — Move"),
            _line_of(lines, "Ctrl+S"),
            _line_of(lines, "Scan, field by field"),
            _line_of(lines, "From location"),
            _line_of(lines, "Item"),
            _line_of(lines, "Lot"),
            _line_of(lines, "Quantity"),
            _line_of(lines, "To location"),
            _line_of(lines, "Command codes"),
            _line_of(lines, "CMD:CONFIRM"),
            _line_of(lines, "CMD:QTY:n"),
            _line_of(lines, "Keys anywhere"),
            _line_of(lines, "F1 ?"),
            _line_of(lines, "Also, in fields"),
        ]
        assert order == sorted(order)
        assert "Post" in lines[_line_of(lines, "Ctrl+S")]
        assert "Undo last" in lines[_line_of(lines, "Ctrl+Z")]
        # Textual's own keys (cursor, scrolling) come only in the last line, not as rows.
        assert not any(line.startswith(("←", "Home ", "PgUp")) for line in lines)


async def test_f1_on_pick_puts_the_short_pick_key_first_and_the_shipment_field(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "p")
        await pilot.press("f1")
        await settle(pilot)
        lines = _help_sections(app)
        keys = _line_of(lines, "Keys — Pick")
        assert _line_of(lines, "Ctrl+O") < _line_of(lines, "Scan, field by field")
        assert "Short pick" in lines[_line_of(lines, "Ctrl+O")]
        assert keys < _line_of(lines, "Shipment") < _line_of(lines, "Command codes")
        assert "shipment or parcel" in lines[_line_of(lines, "Shipment")]
        # At 40 columns nothing is cut: every line fits the screen.
        assert max(len(line) for line in lines) <= 40


async def test_f1_at_home_lists_the_task_letters_then_what_a_scan_opens(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        lines = _help_sections(app)
        assert lines[0] == "Keys — Home"
        assert lines[1].split() == ["j", "Next", "task"]  # the floor's first task
        assert _line_of(lines, "p ") < _line_of(lines, "Scan to open") < _line_of(lines, "Lot")
        assert "its trace" in lines[_line_of(lines, "Lot")]
        assert "back to home" in lines[_line_of(lines, "CMD:CANCEL")]
        assert _line_of(lines, "CMD:BACK") < _line_of(lines, "Keys anywhere")
        assert not any(line.startswith("CMD:QTY") for line in lines)  # no quantity to set


async def test_a_question_mark_opens_help_and_is_not_typed_into_the_field(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "m")
        await pilot.press("?")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("?")  # and closes it again
        await settle(pilot)
        form = app.screen
        assert type(form).__name__ == "MoveScreen"
        assert form.field_input("from").value == ""
        # After a refusal the bad entry is selected: `?` still asks for help.
        await _enter(pilot, "NOWHERE")
        assert form.field_input("from").selected_text == "NOWHERE"
        await pilot.press("?")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert form.field_input("from").value == "NOWHERE"


async def test_a_question_mark_inside_a_lot_number_is_kept(warehouse):
    # GS1's character set 82 has `?`: a lot (10) may carry one, so a scan must keep it.
    receive("OAT-500", 4, "A-01", user=TEST_USER, lot="Q?7", expiry=dt.date(2099, 1, 31))
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "m")
        await _enter(pilot, "A-01", "OAT-500", "Q?7")
        assert type(app.screen).__name__ == "MoveScreen"
        assert app.screen.values["lot"] == "Q?7"


def _footer(app) -> str:
    keys = app.screen.query("KeyFooter FooterKey")
    return " ".join(f"{k.key_display} {k.description}" for k in keys)


async def test_the_pick_footer_at_40_columns_has_short_pick_post_back_and_help(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "p")
        assert _footer(app) == "^O Short Esc Back ^S Post F1 Help"
        await pilot.resize_terminal(100, 24)
        await settle(pilot)
        shown = _footer(app)
        assert shown.startswith(
            "^O Short pick Esc Clear/back ^S Post ^Z Undo last ^B Keep bin F1 Help"
        )
        assert shown.endswith("F10 Print label")  # whole keys only, as many as fit


async def test_logging_in_on_a_handheld_shows_no_toast_over_the_form(sqlite_database):
    from backroom.models.masterdata.adding import add_user, get_user
    from backroom.models.people.users import set_pin

    add_user("ann", "operator", by=get_user(TEST_USER))
    set_pin("ann", "471100", by=get_user(TEST_USER))
    for size, toasts in (((40, 16), 0), ((80, 24), 1)):
        app = BackroomApp(Session("", sqlite_database, shared=True))
        async with app.run_test(size=size) as pilot:
            await _enter(pilot, "ann", "471100")
            assert app.session.user == "ann"
            assert len(app._notifications) == toasts
            assert app.sub_title.startswith("ann ·")  # the header says who, at any width


# --- screenshots on a 40x16 handheld ---------------------------------------------------


@pytest.fixture
def shot_app(warehouse) -> BackroomApp:
    """The warehouse, with a fixed database name in the header."""
    return BackroomApp(Session(TEST_USER, "sqlite:////data/backroom.db", site="Test DC"))


def test_help_on_move_at_40x16(snap_compare, shot_app):
    async def open_help(pilot) -> None:
        await shortcut(pilot, "m")
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(shot_app, terminal_size=(40, 16), run_before=open_help)


def test_pick_and_its_footer_at_40x16(snap_compare, shot_app):
    async def open_pick(pilot) -> None:
        await shortcut(pilot, "p")

    assert snap_compare(shot_app, terminal_size=(40, 16), run_before=open_pick)


def test_the_lot_picker_at_40x16(snap_compare, shot_app):
    async def scan_a_shared_lot(pilot) -> None:
        await shortcut(pilot, "m")
        await _enter(pilot, "A-01", "L1")

    assert snap_compare(shot_app, terminal_size=(40, 16), run_before=scan_a_shared_lot)


async def test_a_shared_lot_scanned_at_home_asks_which_item_and_traces_that_one(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await pilot.press(*"L1", "enter")  # a burst ending in Enter: a scan
        await settle(pilot)
        assert type(app.screen).__name__ == "LotPicker"
        options = app.screen.query_one("#picker-lots")
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        await pilot.press(*(["down"] * ids.index("OAT-500")), "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "TraceScreen"
        root = str(app.screen.tree.root.label)
        assert "OAT-500" in root and "RICE-1K" not in root
