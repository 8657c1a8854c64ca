"""The home screen: tasks by letter, today's figures; the stock screen lists stock."""

from __future__ import annotations

import sys

from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut


def _app(url: str) -> BackroomApp:
    return BackroomApp(Session(user=TEST_USER, db_url=url, site="Test DC"))


async def _settle(app, pilot) -> None:
    await settle(pilot)


async def test_home_shows_todays_receipts(sqlite_database):
    add_location("A-01")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("TAPE-48", 36, "A-01", user=TEST_USER)
    receive("TAPE-48", 4, "A-01", user=TEST_USER)
    app = _app(sqlite_database)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        text = str(app.screen.query_one("#figure-text").render())
        assert "Receipts today" in text
        assert text.splitlines()[0].split()[-1] == "2"
        assert app.title == "Test DC"


async def test_s_on_home_opens_stock_on_hand(sqlite_database):
    add_location("A-01")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("TAPE-48", 36, "A-01", user=TEST_USER)
    app = _app(sqlite_database)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        await shortcut(pilot, "s")
        table = app.screen.query_one("#stock")
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert (row[0], row[4], row[5]) == ("TAPE-48", "A-01", "36")


async def test_f1_lists_the_keys_of_the_current_screen(sqlite_database):
    app = _app(sqlite_database)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        keys = str(app.screen.query_one("#help-keys").render())
        assert "Stock on hand" in keys
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


async def test_the_station_theme_from_the_configuration_is_used(sqlite_database):
    app = BackroomApp(Session(user=TEST_USER, db_url=sqlite_database, theme="textual-light"))
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        assert app.theme == "textual-light"


async def test_an_unknown_theme_is_said_and_the_default_kept(sqlite_database, monkeypatch):
    rung: list[int] = []
    monkeypatch.setattr(BackroomApp, "bell", lambda self: rung.append(1))
    app = BackroomApp(Session(user=TEST_USER, db_url=sqlite_database, theme="nope"))
    default = app.theme
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        assert app.theme == default and rung == [1]
        said = [n.message for n in app._notifications]
        assert any(m.startswith("Unknown theme 'nope' in [terminal] theme") for m in said)


def test_run_tui_hands_the_configured_theme_to_the_app(sqlite_database, tmp_path, monkeypatch):
    from backroom.tui.cli.main import main

    config = tmp_path / "station.toml"
    config.write_text('[terminal]\ntheme = "gruvbox"\n')
    seen: list[Session] = []
    monkeypatch.setattr("backroom.tui.run.warm_up", lambda: None)  # no gc.freeze() in the tests
    # run() is faked, so there is no terminal to find
    monkeypatch.setattr(sys.modules["backroom.tui.cli.main"], "has_terminal", lambda: True)
    monkeypatch.setattr(BackroomApp, "run", lambda self: seen.append(self.session))
    assert main(["--db", sqlite_database, "--user", TEST_USER, "--config", str(config)]) == 0
    assert [s.theme for s in seen] == ["gruvbox"]
