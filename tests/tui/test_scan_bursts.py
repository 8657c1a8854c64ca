"""Scans that arrive back to back, with no gap, land each in its own field."""

from __future__ import annotations

import pytest
from textual import events

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
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("TAPE-48", 20, "A-01", user=TEST_USER)
    return sqlite_database


def burst(app: BackroomApp, text: str) -> None:
    """Every key of TEXT queued at once, as an SSH batch delivers a scanner's keys."""
    for char in text:
        if char == "\r":
            app.post_message(events.Key("enter", "\r"))
        elif char == "\x1d":
            app.post_message(events.Key("ctrl+right_square_bracket", "\x1d"))
        else:
            app.post_message(events.Key(char, char))


async def test_four_scans_glued_in_one_burst_post_one_move(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "m")
        burst(app, "A-01\rTAPE-48\r5\rA-02\r")
        await settle(pilot)
        await settle(pilot)
        result = str(app.screen.query_one("#result").render())
        assert "Posted move" in result, str(app.screen.query_one("#message").render())
    assert on_hand("TAPE-48", location="A-02") == 5
    assert on_hand("TAPE-48", location="A-01") == 15


async def test_a_refused_scan_is_replaced_by_the_scan_glued_to_it(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "m")
        burst(app, "A-09\rA-01\rTAPE-48\r5\rA-02\r")
        await settle(pilot)
        await settle(pilot)
        assert "Posted move" in str(app.screen.query_one("#result").render())
    assert on_hand("TAPE-48", location="A-02") == 5
    assert on_hand("TAPE-48", location="A-01") == 15


async def test_a_number_typed_after_a_refused_count_replaces_the_refused_one(warehouse):
    """The +998 count: a count refused (an operator, a difference above the limit), then
    22 typed was joined to it (10 and 22 made 1022). Now 22 replaces 1, and is posted."""
    from backroom.models.masterdata.adding import add_user, get_user

    add_user("olga", "operator", by=get_user(TEST_USER))
    before = Move.select().count()
    app = BackroomApp(Session("olga", warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "c")
        burst(app, "A-01\rTAPE-48\r1\r")
        await settle(pilot)
        assert "needs a lead" in str(app.screen.query_one("#message").render())
        assert Move.select().count() == before
        burst(app, "22\r")
        await settle(pilot)
        assert "difference +2" in str(app.screen.query_one("#result").render())
    assert on_hand("TAPE-48", location="A-01") == 22


async def test_esc_drops_keys_held_for_the_form_and_the_entry_being_read(warehouse):
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "m")
        burst(app, "A-01\rTAPE-48\r7")
        app.post_message(events.Key("escape", None))
        await settle(pilot)
        form = app.screen
        assert [form.field_input(f.name).value for f in form.FIELDS] == [""] * 5
        assert form.values == {}
        assert form.focused is form.field_input("from")


def _station(url: str, **settings: object) -> Session:
    from backroom.scanners.settings import ScannerSettings

    return Session(TEST_USER, url, scanner=ScannerSettings(**settings))


async def test_a_station_whose_scanner_ends_with_tab_posts_scan_by_scan(warehouse):
    app = BackroomApp(_station(warehouse, suffix="\t"))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "m")
        for key in "A-01\tTAPE-48\t5\tA-02\t":
            if key == "\t":
                app.post_message(events.Key("tab", "\t"))
            else:
                app.post_message(events.Key(key, key))
        await settle(pilot)
        await settle(pilot)
        assert "Posted move" in str(app.screen.query_one("#result").render())
    assert on_hand("TAPE-48", location="A-02") == 5


async def test_a_station_with_no_suffix_takes_a_burst_once_it_pauses(warehouse):
    app = BackroomApp(_station(warehouse, suffix="", end_after=0.05))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "m")
        form = app.screen
        for code, field in (("A-01", "from"), ("TAPE-48", "item")):
            burst(app, code)
            for _ in range(200):  # until the pause has ended the scan and it is taken
                await settle(pilot)
                if field in form.values:
                    break
            assert form.values[field] == code
        assert form.focused is form.field_input("qty")
        await pilot.press("3")  # a person typing one key: no burst, so it waits
        await settle(pilot)
        assert "qty" not in form.values
        await pilot.press("enter")
        await settle(pilot)
        assert form.values["qty"] == 3
