"""Names on screen are shown as typed: an item called like Rich markup is not bold, red
or clickable, a stored terminal escape is shown as \\u001b, and a form refuses a name
holding one, naming the character."""

from __future__ import annotations

import pytest

from backroom.models.masterdata.adding import ItemSpec, add_item, get_item
from backroom.models.schema import Item
from backroom.tui.app import BackroomApp
from backroom.tui.screens.masterdata.forms import ItemForm
from backroom.tui.screens.masterdata.items import ItemsScreen
from backroom.tui.widgets.message_line import MessageLine
from tests.tui.test_browse_helpers import fill, keys, make_app, rows, settle

MARKUP = "[red]X[/red] [@click=app.quit]q[/]"


@pytest.fixture
def app(sqlite_database, monkeypatch) -> BackroomApp:
    made = make_app(sqlite_database, monkeypatch)
    add_item(ItemSpec("MARK", MARKUP))
    add_item(ItemSpec("OLD", "placeholder"))
    # A name stored before the rule refused escapes (an older database).
    Item.update(name="bad\x1b[2Jname").where(Item.sku == "OLD").execute()
    return made


def screen_text(widget) -> str:
    """What WIDGET draws, line by line, as the terminal would get it."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


async def test_an_item_named_like_markup_is_listed_as_typed(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await keys(pilot, "i")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert {r[0]: r[1] for r in rows(app)}["MARK"] == MARKUP
        shown = screen_text(app.screen.table)
        assert MARKUP[:24] in shown
        assert "bad\\u001b[2Jname" in shown and "\x1b" not in shown
        assert app.is_running


async def test_a_message_quoting_a_name_is_not_read_as_markup(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await keys(pilot, "r")  # receive: an operation form says things on a MessageLine
        await settle(pilot)
        line = app.screen.query(MessageLine).first()
        line.error(f"Item {MARKUP} is inactive")
        await pilot.pause()
        assert str(line.render()) == f"✗ Item {MARKUP} is inactive"


async def test_the_item_form_refuses_a_name_with_an_escape_and_names_it(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await keys(pilot, "i")
        await keys(pilot, "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemForm)
        sku = app.screen.query_one("#f-sku").value
        before = get_item(sku).name
        await fill(pilot, "name", "Milk\x1b]0;PWNED\x07")
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        note = app.screen.query_one("#e-name")
        assert "U+001B (ESC)" in str(note.render())
        assert get_item(sku).name == before
