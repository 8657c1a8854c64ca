"""The people commands and `backroom audit` as an admin's script would use them."""

from __future__ import annotations

import io

import pytest

from backroom.models.db import db
from backroom.models.masterdata.adding import add_user, get_user
from backroom.models.stock.operations import receive
from tests.models.test_roles import public_key
from tests.tui.test_cli import Backroom
from tests.tui.test_login import terminal  # noqa: F401 - the fixture


@pytest.fixture
def backroom(terminal, capsys) -> Backroom:  # noqa: F811
    """`backroom` on the login tests' terminal (ann has PIN 471147)."""
    return Backroom(terminal, capsys)


def test_an_admin_registers_keys_sets_pins_and_issues_badges(backroom, tmp_path, monkeypatch):
    key = tmp_path / "ann.pub"
    key.write_text(public_key("ann@handheld") + "\n")
    added = backroom("user", "add-key", "ann", str(key), "--json")
    assert added.code == 0 and added.json[0]["fingerprint"].startswith("SHA256:")
    assert "ann@handheld" in backroom("user", "keys", "ann").out
    monkeypatch.setattr("sys.stdin", io.StringIO("246813\n"))
    assert backroom("user", "set-pin", "ann", "--pin-stdin").out == "PIN set for ann\n"
    badge = backroom("user", "badge", "ann", "--json").json
    assert badge["badge"].startswith("BADGE:") and len(badge["badge"]) == len("BADGE:") + 16
    again = backroom("user", "badge", "ann")  # the code was shown once: only a new one now
    assert again.code == 1 and "ann has a badge already" in again.err
    renewed = backroom("user", "badge", "ann", "--renew", "--json").json
    assert renewed["badge"] != badge["badge"]
    assert backroom("user", "deactivate", "ann").out == "User ann is deactivated\n"


def test_an_operator_managing_people_is_refused_in_one_line(backroom, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("246813\n"))
    run = backroom("user", "set-pin", "ann", "--pin-stdin", user="ann")
    assert (run.code, run.err) == (
        1,
        "backroom: User ann is an operator: setting PINs needs an admin\n",
    )


def test_audit_lists_what_a_user_did_newest_first(backroom):
    db.connect(reuse_if_open=True)
    add_user("lee", "lead", by=get_user("tester"))
    receive("TAPE-48", 3, "A-01", user="ann")
    receive("TAPE-48", 4, "A-01", user="lee")
    db.close()
    lines = backroom("audit", "--user", "ann", "--json").json
    assert [(x["source"], x["kind"], x["user"]) for x in lines][:1] == [("move", "receipt", "ann")]
    assert {x["user"] for x in lines} == {"ann"}
    text = backroom("audit", "--since", "2000-01-01", "--limit", "2").out.splitlines()
    assert text[0].split()[:2] == ["TIME", "USER"] and len(text) == 4
    assert backroom("audit", "--user", "nobody").err == "backroom: Unknown user 'nobody'\n"
