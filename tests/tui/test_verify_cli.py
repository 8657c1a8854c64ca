"""`backroom signing-key create` and `backroom verify --checkpoint`, as the site's cron
and a person checking the ledger run them."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from backroom.models import db as models_db
from tests.tui.test_cli import Backroom, isolate


@pytest.fixture
def site(sqlite_url, capsys, tmp_path, monkeypatch) -> tuple[Backroom, list[str], dict]:
    """A shop with a receipt, and a config naming a key and an off-box file in tmp."""
    isolate(tmp_path, monkeypatch)
    backroom = Backroom(sqlite_url, capsys)
    backroom.ok("init")
    paths = {"key": tmp_path / "keys" / "signing.key", "offbox": tmp_path / "heads.log"}
    config = tmp_path / "site.toml"
    config.write_text(
        f'[signing]\nkey = "{paths["key"]}"\noffbox = "{paths["offbox"]}"\nsyslog = false\n'
    )
    backroom.ok("item", "add", "FLOUR", "--name", "Wheat flour")
    backroom.ok("location", "add", "A1")
    backroom.ok("receive", "FLOUR", "100", "--to", "A1")
    return backroom, ["--config", str(config)], paths


def test_a_key_is_made_once_and_checkpoints_are_signed_with_it(site):
    cli, config, paths = site
    made = cli.ok(*config, "signing-key", "create", "--json").json
    assert os.stat(paths["key"]).st_mode & 0o777 == 0o600
    again = cli(*config, "signing-key", "create")
    assert again.code == 1 and "already at" in again.err
    signed = cli.ok(*config, "verify", "--checkpoint", "--json").json
    assert signed["signed"]["key"] == made["key_id"]
    assert signed["signed"]["sent_to"] == [str(paths["offbox"])]
    line = paths["offbox"].read_text()
    assert line.startswith(f"backroom checkpoint 1 {signed['signed']['time']} move 1 ")
    assert signed["head"]["move_hash"] in line and signed["head"]["event_hash"] in line


def test_verify_prints_the_head_and_what_is_not_signed_yet(site):
    cli, config, _paths = site
    cli.ok(*config, "signing-key", "create")
    cli.ok(*config, "verify", "--checkpoint")
    cli.ok("receive", "FLOUR", "5", "--to", "A1")
    report = cli.ok(*config, "verify", "--json").json
    assert (report["checkpoints"], report["unsigned_moves"], report["offbox_records"]) == (1, 1, 1)
    text = cli.ok(*config, "verify").out.splitlines()
    assert text[1] == f"head: move 2 {report['head']['move_hash']}"
    assert text[3].endswith("at move 1; 1 move(s) since, not yet signed")


def test_a_ledger_with_problems_is_not_signed(site):
    cli, config, paths = site
    cli.ok(*config, "signing-key", "create")
    conn = sqlite3.connect(models_db.sqlite_path(cli.url))
    conn.execute('UPDATE "quant" SET "qty" = "qty" + 5 WHERE "qty" = 100')
    conn.commit()
    conn.close()
    run = cli(*config, "verify", "--checkpoint")
    assert run.code == 1
    assert run.err.endswith("problem(s) in the ledger; no checkpoint was signed\n")
    assert not paths["offbox"].exists()


def test_signing_without_a_key_says_how_to_make_one(site):
    cli, config, paths = site
    run = cli(*config, "verify", "--checkpoint", "--json")
    assert run.code == 1
    message = json.loads(run.err)["error"]["message"]
    assert message == (
        f"No signing key at {paths['key']}: create one with 'backroom signing-key create'"
    )
