"""A served TUI says in its header who is watching it (a lead helping) and where else
it is shown, as its server tells it (tui/serve/notices.py)."""

from __future__ import annotations

import os

from backroom.tui.app import BackroomApp
from backroom.tui.serve.notices import NOTICES_ENV, Company, parse
from backroom.tui.session import Session
from tests.conftest import TEST_USER


async def _until(pilot, done) -> None:
    for _ in range(200):
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError("the header never changed")


async def test_the_header_names_who_watches_and_stops_when_they_leave(sqlite_database, monkeypatch):
    heard, told = os.pipe()
    monkeypatch.setenv(NOTICES_ENV, str(heard))
    app = BackroomApp(Session(TEST_USER, sqlite_database))
    async with app.run_test(size=(80, 24)) as pilot:
        alone = app.sub_title
        os.write(told, b'{"watching": ["lena"], "sharing": []}\n')
        await _until(pilot, lambda: "watched by lena" in app.sub_title)
        assert app.sub_title == f"watched by lena · {alone}"
        os.write(told, b"not a notice\n")
        os.write(told, b'{"watching": [], "sharing": ["10.0.0.7:5122"]}\n')
        await _until(pilot, lambda: "shared with" in app.sub_title)
        assert app.sub_title == f"shared with 10.0.0.7:5122 · {alone}"
        os.write(told, b'{"watching": [], "sharing": []}\n')
        await _until(pilot, lambda: app.sub_title == alone)
    os.close(told)


def test_a_notice_is_read_only_when_it_is_one():
    assert parse(b'{"watching": ["lena", "bo"]}') == Company(("lena", "bo"), ())
    assert parse(b"[1, 2]") is None and parse(b"\xff") is None
    assert Company(("lena",), ("h1",)).header() == "watched by lena; shared with h1"
    assert Company().header() == ""
