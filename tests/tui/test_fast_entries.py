"""Entries typed faster than the form takes them (an SSH batch, a scanner at speed): each
key lands in the field its entry belongs to. Both races were seen in tmux and over
`serve ssh`: TAPE-48, Enter, 1 put the 1 into the item field (TAPE-481), and the form
was left with a location in the item field, taking nothing more."""

from __future__ import annotations

from textual import events

from backroom.tui.app import BackroomApp
from tests.tui.conftest import settle, shortcut
from tests.tui.test_shipping_flow import session, warehouse  # noqa: F401


async def test_a_key_already_on_its_way_goes_to_the_field_the_form_moved_to(warehouse):  # noqa: F811
    """Widget.focus() moves the focus only after the keys already queued: the form
    moves it at once, so a key that came with the last Enter reaches the next field."""
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "r")
        form = app.screen
        app.post_message(events.Key("1", "1"))  # queued before the form moves on
        form._put_cursor("qty")
        await settle(pilot)
        assert form.field_input("item").value == ""
        assert form.field_input("qty").value == "1"


async def test_a_second_resume_waits_for_the_entry_the_first_handed_on(warehouse):  # noqa: F811
    """Two resumes queued by two ends of `busy`: the second found the first's entry not
    yet taken and typed the next entry's keys into the same field."""
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "r")
        form = app.screen
        form.busy = True
        form.hold.keys.extend("BOX\r1\r")  # held while the last entry was taken
        form._busy = False
        form._resume()
        form._resume()
        await settle(pilot)
        assert form.field_input("item").value == "BOX"
        assert form.values == {"item": "BOX", "qty": 1}


async def test_a_key_given_to_a_field_the_form_has_left_is_typed_where_the_form_is(warehouse):  # noqa: F811
    """Textual hands a key to the queue of the field focused when the app read it. The A
    of A-01, given to the quantity field as the form moved on to the location, was read
    by that field after the hold had been lifted, and typed into it: A-01 became -01."""
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "r")
        form = app.screen
        await pilot.press(*"BOX", "enter")
        await settle(pilot)
        qty = form.field_input("qty")
        assert form.focused is qty and not form.hold.on
        qty._forward_event(events.Key("A", "A"))  # as the app does, qty focused
        form._put_cursor("to")  # the form moves on before qty's queue is read
        await pilot.press(*"-02")
        await settle(pilot)
        assert qty.value == ""
        assert form.field_input("to").value == "A-02"
        assert form.values == {"item": "BOX"}


async def test_held_keys_replayed_into_a_field_just_focused_are_kept(warehouse):  # noqa: F811
    """Input selects its text when its Focus event is read. Held keys replayed into the
    field the form had just moved to were selected then, and replaced by the next key:
    the A of A-01 was lost and "-01" refused as an unknown location."""
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "r")
        form = app.screen
        await pilot.press(*"BOX", "enter")
        await settle(pilot)
        form.values["qty"] = 1  # as the quantity's entry leaves it
        form.hold.on = True
        form.hold.keys.append("A")  # held while the quantity was taken
        form._put_cursor("to")  # its Focus event is still to be read
        form._resume()
        await pilot.press(*"-02")
        await settle(pilot)
        assert form.field_input("to").value == "A-02"
