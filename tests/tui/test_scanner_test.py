"""The scanner test screen names what is wrong and saves the settings that fix it."""

from __future__ import annotations

import tomllib

from backroom.models.rules.codes import SCANNER_TEST_TEXT
from backroom.tui.app import BackroomApp
from backroom.tui.screens.scanner_test import QUIET_SECONDS
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import shortcut

KEY_NAMES = {"\x1d": "ctrl+right_square_bracket", "\r": "enter", "\t": "tab"}


async def _run_test(pilot, sent: str) -> str:
    app = pilot.app
    await shortcut(pilot, "z")
    await pilot.press(*(KEY_NAMES.get(c, c) for c in sent))
    await pilot.pause(QUIET_SECONDS + 0.2)
    return str(app.screen.query_one("#verdict").render())


async def test_a_good_scanner_passes(sqlite_database, tmp_path):
    app = BackroomApp(Session(TEST_USER, sqlite_database))
    async with app.run_test(size=(80, 24)) as pilot:
        verdict = await _run_test(pilot, SCANNER_TEST_TEXT + "\r")
    assert "arrive exactly as printed" in verdict
    assert "already match" in verdict


async def test_a_tilde_for_gs_and_a_tab_suffix_are_saved_as_station_settings(
    sqlite_database, tmp_path
):
    config = tmp_path / "config.toml"
    app = BackroomApp(Session(TEST_USER, sqlite_database, config_path=str(config)))
    sent = SCANNER_TEST_TEXT.replace("\x1d", "~") + "\t"
    async with app.run_test(size=(80, 24)) as pilot:
        verdict = await _run_test(pilot, sent)
        assert "Ctrl+W saves" in verdict
        await pilot.press("ctrl+w")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.session.scanner.suffix == "\t"
    saved = tomllib.loads(config.read_text())["scanner"]["stations"]["default"]
    assert saved["suffix"] == "tab"
    assert saved["gs_substitutes"] == ["~"]
