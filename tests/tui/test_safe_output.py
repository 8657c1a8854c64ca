"""Whatever the command line prints, stored text cannot drive the terminal: an item name
of escapes written into an older database (before the rule refused them) comes out as
visible \\u001b escapes in tables, in readable text and in JSON, which reads back exact."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.tui.test_cli import Backroom, isolate

EVIL = "\x1b]0;PWNED\x07\x1b[2J\u202eevil\x9b31m"
SHOWN = "\\u001b]0;PWNED\\u0007\\u001b[2J\\u202eevil\\u009b31m"


@pytest.fixture
def backroom(sqlite_url, capsys, tmp_path, monkeypatch) -> Backroom:
    """A fresh database made with `backroom init`, away from the machine's own config."""
    isolate(tmp_path, monkeypatch)
    cli = Backroom(sqlite_url, capsys)
    cli.ok("init")
    return cli


@pytest.fixture
def old_database(backroom: Backroom) -> Backroom:
    """A warehouse whose item and location names were stored before the rule (by SQL)."""
    backroom.ok("item", "add", "EVIL", "--name", "placeholder")
    backroom.ok("location", "add", "A1", "--name", "placeholder")
    backroom.ok("receive", "EVIL", "3", "--to", "A1")
    with sqlite3.connect(backroom.url.removeprefix("sqlite:///")) as con:
        con.execute("UPDATE item SET name = ? WHERE sku = 'EVIL'", (EVIL,))
        con.execute("UPDATE location SET name = ? WHERE code = 'A1'", (EVIL + "\nsecond",))
    return backroom


def test_item_list_shows_escapes_instead_of_sending_them(old_database):
    out = old_database.ok("item", "list").out
    assert SHOWN in out
    assert not any(c in out for c in "\x1b\x07\x9b\u202e")


def test_a_line_break_in_a_stored_name_keeps_the_table_one_row_a_line(old_database):
    out = old_database.ok("location", "list").out
    row = next(line for line in out.splitlines() if line.startswith("A1"))
    assert SHOWN + "\\u000asecond" in row


def test_json_output_escapes_every_control_character_and_reads_back_exact(old_database):
    out = old_database.ok("item", "list", "--json").out
    assert not any(c in out for c in "\x1b\x07\x9b\u202e")
    assert [i["name"] for i in json.loads(out) if i["sku"] == "EVIL"] == [EVIL]


def test_readable_text_that_is_not_a_table_escapes_the_stored_name(old_database):
    out = old_database.ok("scan", "EVIL").out
    assert f"item EVIL ({SHOWN})" in out


def test_a_refusal_naming_stored_text_is_escaped_on_stderr(old_database):
    run = old_database("item", "add", "BAD", "--name", "x\x1b[2Jy")
    assert run.code == 1
    assert (
        run.err
        == "backroom: The name of item BAD must be one line of plain text, without U+001B (ESC)\n"
    )


def test_a_command_line_that_is_not_utf8_is_a_usage_error(backroom):
    run = backroom("item", "add", "X1", "--name", "caf\udce9")
    assert run.code == 2
    assert "is not UTF-8 text" in run.err and "\udce9" not in run.err
