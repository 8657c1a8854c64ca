"""`backroom COMMAND --help` as a person reads it: every argument explained, an example
per command that the real parser takes and the real command runs against the demo
warehouse, and one output idiom (--format, with --json and --csv its aliases).

The walker tests read whatever commands are registered: a command added later is held
to the same rules, and a failure names the command and the argument."""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backroom.models.db import db
from backroom.models.rules.codes import SCANNER_TEST_TEXT
from backroom.tui.cli.help_texts import examples_of
from backroom.tui.cli.main import build_parser, command_parsers, main
from tests.tui.test_cli import isolate

pytestmark = pytest.mark.xdist_group("cli_help")  # one demo warehouse for the module

PARSER = build_parser()
COMMANDS = list(command_parsers(PARSER))
EXAMPLES = [(path, line) for path, leaf in COMMANDS for line in examples_of(leaf)]

# Examples shown but not run here: they open the TUI or start a server and wait.
NOT_RUN = {"demo", "serve ssh", "serve web"}


def _public_key(seed: int, comment: str) -> str:
    """An OpenSSH ed25519 public key line."""
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(range(seed, seed + 32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}\n"


# What an example reads from standard input, by command: a PIN, a key, a scan.
STDIN = {
    "user set-pin": "739251\n",
    "user add-key": _public_key(100, "jonas@office"),
    "scanner test": SCANNER_TEST_TEXT + "\r",
}


def _named(action: argparse.Action) -> str:
    return "/".join(action.option_strings) or str(action.metavar or action.dest)


def _format_action(leaf: argparse.ArgumentParser) -> argparse.Action | None:
    return next((a for a in leaf._actions if "--format" in a.option_strings), None)


# --- help and examples, for every command -------------------------------------------------


def test_every_argument_of_every_command_says_what_it_is():
    missing = [
        f"backroom {path}: {_named(action)} has no help"
        for path, leaf in COMMANDS
        for action in leaf._actions
        if not isinstance(action, argparse._HelpAction) and not action.help
    ]
    assert missing == []
    for path, leaf in COMMANDS:  # and every page renders (a stray % would not)
        assert f"backroom {path}" in leaf.format_help(), path


def test_a_default_is_said_in_the_help():
    text = dict(COMMANDS)["moves"].format_help()
    assert "show at most N rows (default: 50)" in " ".join(text.split())
    text = dict(COMMANDS)["item add"].format_help()
    assert "(default: pcs)" in " ".join(text.split())


def test_every_command_has_an_example_of_itself():
    assert len(COMMANDS) > 50
    lacking = [
        f"backroom {path} has no example" for path, leaf in COMMANDS if not examples_of(leaf)
    ]
    assert lacking == []


def test_examples_keep_their_lines_in_the_help():
    text = dict(COMMANDS)["receive"].format_help()
    tail = text.split("examples:\n", 1)[1].splitlines()
    assert tail[0].startswith("  backroom receive FD-1001 48 --to RECEIVING --lot L-0424 ")


@pytest.mark.parametrize(("path", "line"), EXAMPLES, ids=[line for _, line in EXAMPLES])
def test_every_example_line_parses_as_its_own_command(path, line):
    words = shlex.split(line)
    assert words[0] == "backroom"
    try:
        args = PARSER.parse_args(words[1:])
    except SystemExit:
        pytest.fail(f"the example of 'backroom {path}' is a usage error: {line}")
    assert args.command_path == path, line


# --- the examples, run against the demo warehouse -----------------------------------------


@dataclass
class Ran:
    line: str
    code: int
    out: str
    err: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A demo warehouse built once by `backroom demo --no-tui`, in a folder of its own."""
    folder = tmp_path_factory.mktemp("cli_help")
    url = f"sqlite:///{folder / 'demo.db'}"
    with pytest.MonkeyPatch.context() as mp:
        isolate(folder, mp)
        mp.setenv("XDG_STATE_HOME", str(folder / "state"))
        backroom = [sys.executable, "-m", "backroom", "--db", url]
        subprocess.run([*backroom, "demo", "--no-tui"], check=True, capture_output=True)
        # What the examples name beside the database: files a person would have, and a
        # site config that keeps the signing key here rather than in /etc/backroom.
        site = f'[signing]\nkey = "{folder / "signing.key"}"\nsyslog = false\n'
        (folder / "config" / "backroom").mkdir(parents=True)
        (folder / "config" / "backroom" / "config.toml").write_text(site)
        elsewhere = f'[signing]\nkey = "{folder / "site-signing.key"}"\nsyslog = false\n'
        (folder / "site.toml").write_text(elsewhere)
        (folder / "maria.pub").write_text(_public_key(1, "maria@handheld"))
        subprocess.run([*backroom, "signing-key", "create"], check=True, capture_output=True)
        template = [*backroom, "import", "items", "--template"]
        (folder / "items.csv").write_text(subprocess.check_output(template, text=True))
        yield url, folder


def _run(url: str, line: str, capsys, monkeypatch, stdin: str = "") -> Ran:
    """LINE run as `backroom --db URL ...` in this process."""
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(["--db", url, *shlex.split(line)[1:]])
    except SystemExit as exc:
        code = exc.code
    finally:
        if db.obj is not None:
            db.close()
    out, err = capsys.readouterr()
    return Ran(line, code, out, err)


def test_every_example_runs_or_is_refused_but_never_misused_or_broken(demo, capsys, monkeypatch):
    url, _folder = demo
    ran = [
        _run(url, line, capsys, monkeypatch, STDIN.get(path, ""))
        for path, line in EXAMPLES
        if path not in NOT_RUN
    ]
    broken = [f"{r.line} -> exit {r.code}: {r.err.strip()}" for r in ran if r.code not in (0, 1)]
    assert broken == []
    refused = [f"{r.line}: {r.err.strip()}" for r in ran if r.code == 1]
    # Against the demo warehouse most examples do what they say (a refusal is allowed:
    # a check that finds something, a printer that is not there).
    assert len(refused) <= len(ran) // 5, "\n".join(refused)


READS = [
    "backroom stock --item FD-1001",
    "backroom moves --limit 5",
    "backroom item list --search FD-10",
    "backroom shipment show SHP-000002",
    "backroom consignee list",
    "backroom verify",
]


@pytest.mark.parametrize("line", READS)
def test_format_json_and_json_print_the_same(demo, capsys, monkeypatch, line):
    url, _folder = demo
    spelled = _run(url, f"{line} --format json", capsys, monkeypatch)
    alias = _run(url, f"{line} --json", capsys, monkeypatch)
    assert spelled.code == 0, spelled.err
    assert json.loads(spelled.out) == json.loads(alias.out)
    assert _run(url, f"{line} --format=json", capsys, monkeypatch).out == alias.out


def test_format_json_and_json_are_one_choice_in_every_command():
    for path, leaf in COMMANDS:
        chosen = _format_action(leaf)
        if chosen is None or "json" not in (chosen.choices or ()):
            continue
        words = _without_output(shlex.split(examples_of(leaf)[0])[1:])
        spelled = vars(PARSER.parse_args([*words, "--format", "json"]))
        alias = vars(PARSER.parse_args([*words, "--json"]))
        assert spelled == alias, path
        assert alias["json"] is True and alias["format"] == "json", path


def _without_output(words: list[str]) -> list[str]:
    """WORDS without any --json, --csv or --format X the example had."""
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word == "--format":
            skip = True
        elif word not in ("--json", "--csv") and not word.startswith("--format="):
            kept.append(word)
    return kept


@pytest.mark.parametrize(
    "line",
    [
        "backroom trace-events --from 2020-01-01 --to 2030-12-31",
        "backroom export items",
        "backroom trace {lot} --item FD-1001",
        "backroom recall-report {lot} --item FD-1001",
        "backroom one-step {lot} --item FD-1001",
    ],
)
def test_format_csv_prints_csv_rows_under_one_header(demo, capsys, monkeypatch, line):
    url, _folder = demo
    lots = _run(url, "backroom lot list --item FD-1001 --json", capsys, monkeypatch)
    line = line.format(lot=json.loads(lots.out)[0]["lot"])
    ran = _run(url, f"{line} --format csv", capsys, monkeypatch)
    assert ran.code == 0, ran.err
    rows = list(csv.reader(io.StringIO(ran.out)))
    assert len(rows) >= 2, ran.out[:400]  # the header and at least one row
    assert {len(row) for row in rows} == {len(rows[0])}, ran.out[:400]
    assert _run(url, f"{line} --csv", capsys, monkeypatch).out == ran.out


def test_commands_that_offer_csv_take_csv_as_an_alias():
    offered = [
        path
        for path, leaf in COMMANDS
        if (chosen := _format_action(leaf)) is not None and "csv" in (chosen.choices or ())
    ]
    assert set(offered) >= {
        "trace",
        "recall",
        "recall-report",
        "one-step",
        "trace-events",
        "manifest",
        "export",
    }
    for path in offered:
        leaf = dict(COMMANDS)[path]
        words = _without_output(shlex.split(examples_of(leaf)[0])[1:])
        assert PARSER.parse_args([*words, "--csv"]).format == "csv", path


def test_a_format_the_command_does_not_offer_is_a_usage_error(demo, capsys, monkeypatch):
    url, _folder = demo
    ran = _run(url, "backroom stock --format yaml", capsys, monkeypatch)
    assert ran.code == 2
    assert "invalid choice: 'yaml'" in ran.err
    ran = _run(url, "backroom stock --format=pdf --json", capsys, monkeypatch)
    assert ran.code == 2
    assert json.loads(ran.err)["error"]["code"] == "usage"
    for path, leaf in COMMANDS:
        if _format_action(leaf) is None:
            continue
        words = _without_output(shlex.split(examples_of(leaf)[0])[1:])
        with pytest.raises(SystemExit) as ended:
            PARSER.parse_args([*words, "--format", "yaml"])
        assert ended.value.code == 2, path


def test_the_readme_shows_the_help_as_it_is(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert dict(COMMANDS)["receive"].format_help() in readme
