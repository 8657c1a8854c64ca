"""`backroom doctor` as a lead runs it: one line per check, exit 1 when something needs
fixing, the same findings as JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from backroom.models import doctor, file_modes
from tests.tui.test_cli import Backroom, backroom, isolated  # noqa: F401


@pytest.fixture
def site(backroom, tmp_path, monkeypatch) -> Backroom:  # noqa: F811
    """A database made by `backroom init`, and a private signing key where doctor looks."""
    monkeypatch.setattr(file_modes._site, "_value", None)
    key = tmp_path / "signing.key"
    key.write_bytes(b"k" * 32)
    key.chmod(0o600)
    monkeypatch.setattr(doctor, "SIGNING_KEY", key)
    return backroom


def test_a_new_database_passes_the_doctor(site):
    run = site("doctor")
    assert (run.code, run.err) == (0, "")
    assert run.out.splitlines()[-1] == "Nothing to fix"
    assert all(line.startswith("ok ") for line in run.out.splitlines()[:-1])


def test_a_world_readable_database_fails_the_doctor_with_one_line_saying_so(site):
    path = Path(site.url.removeprefix("sqlite:///"))
    path.chmod(0o644)
    run = site("doctor")
    assert run.code == 1
    # SQLite gives the WAL and its index the database file's mode: all three are open.
    assert [line for line in run.out.splitlines() if line.startswith("FIX")] == [
        f"FIX  Database {path} is readable by everyone (mode 0644)",
        f"FIX  WAL {path}-wal is readable by everyone (mode 0644)",
        f"FIX  WAL index {path}-shm is readable by everyone (mode 0644)",
    ]
    assert run.out.splitlines()[-1] == "3 things to fix"
    data = site("doctor", "--json").json
    assert data["ok"] is False
    wrong = [f for f in data["findings"] if not f["ok"]]
    assert wrong[0] == {
        "check": "files",
        "ok": False,
        "message": f"Database {path} is readable by everyone (mode 0644)",
    }
    assert len(wrong) == 3


def test_an_operator_may_not_run_the_doctor(site):
    site.ok("user", "add", "ann", "--role", "operator")
    run = site("doctor", user="ann")
    assert (run.code, run.err) == (
        1,
        "backroom: User ann is an operator: running reports needs a lead\n",
    )
