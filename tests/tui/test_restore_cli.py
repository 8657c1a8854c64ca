"""`backroom backup` and `backroom restore` as a lead uses them: what is refused, what
is said, and the bar on a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backroom.models.db import db
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from tests.conftest import TEST_USER
from tests.tui.test_cli import Backroom


@pytest.fixture
def cli(sqlite_database, capsys) -> Backroom:
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"))
    add_location("A1")
    receive("FLOUR", 1200, "A1", user=TEST_USER)
    db.close()
    return Backroom(sqlite_database, capsys)


def test_restore_refuses_to_discard_postings_in_one_line_and_changes_nothing(cli, tmp_path):
    file = tmp_path / "nightly.db"
    cli.ok("backup", str(file))
    cli.ok("receive", "FLOUR", "5", "--to", "A1")
    run = cli("restore", str(file))
    assert run.code == 1 and run.out == ""
    assert run.err.count("\n") == 1
    assert "has 1 move (id 2, posted by tester (1))" in run.err and "--force" in run.err
    assert len(cli.ledger()) == 2


def test_restore_with_force_says_what_it_discarded_and_where_it_is_kept(cli, tmp_path):
    file = tmp_path / "nightly.db"
    cli.ok("backup", str(file))
    cli.ok("receive", "FLOUR", "5", "--to", "A1")
    cli.ok("receive", "FLOUR", "6", "--to", "A1")
    run = cli.ok("restore", str(file), "--force", "--wait", "2", "--json")
    discarded = run.json["discarded"]
    assert (discarded["moves"], discarded["move_ids"]) == (2, [2, 3])
    assert discarded["posted_by"] == {"tester": 2}
    assert Path(discarded["kept_in"]).is_file()
    assert run.json["verify"]["clean"] is True
    assert len(cli.ledger()) == 1


def test_wait_takes_seconds_only(cli, tmp_path):
    assert cli("restore", str(tmp_path / "x.db"), "--wait", "soon").code == 2
    assert cli("restore", str(tmp_path / "x.db"), "--wait", "-1").code == 2


def _stderr_on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run `backroom ARGS` with stderr on a pseudo-terminal: exit status and what it showed."""
    main, other = pty.openpty()
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("backroom")), *args],
        stdout=subprocess.DEVNULL,
        stderr=other,
        stdin=subprocess.DEVNULL,
    )
    os.close(other)
    shown = b""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 1)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the other end closed: the command has finished
                    break
                if not chunk:
                    break
                shown += chunk
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    return code, shown.decode(errors="replace")


def test_backup_and_restore_show_their_progress_on_a_terminal_only(cli, tmp_path):
    file = tmp_path / "nightly.db"
    base = ["--db", cli.url, "--user", TEST_USER]
    code, shown = _stderr_on_a_terminal([*base, "backup", str(file)])
    assert code == 0 and "backing up" in shown and "/s" in shown and "left" in shown
    code, shown = _stderr_on_a_terminal([*base, "restore", str(file)])
    assert code == 0 and "restoring" in shown and "left" in shown
    code, shown = _stderr_on_a_terminal([*base, "restore", str(file), "--json"])
    assert code == 0 and shown == ""


def test_restore_verifies_with_the_sites_signing_key_wherever_it_is_kept(cli, tmp_path):
    """restore's verify used no [signing] settings: a site whose key is not in
    /etc/backroom was told its good backup failed ("no public key")."""
    config = tmp_path / "site.toml"
    config.write_text(f'[signing]\nkey = "{tmp_path / "site.key"}"\nsyslog = false\n')
    site = ("--config", str(config))
    cli.ok(*site, "signing-key", "create")
    cli.ok(*site, "verify", "--checkpoint")
    cli.ok(*site, "backup", str(tmp_path / "nightly.db"))
    run = cli.ok(*site, "restore", str(tmp_path / "nightly.db"), "--force", "--json")
    assert run.json["verify"] == {"clean": True, "problems": []}
