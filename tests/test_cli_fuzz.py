"""The command line under hostile input: over a thousand generated invocations of every
sub-command and option (huge and negative numbers, impossible dates, 100,000-character
strings, control characters, NUL, /dev/zero, missing paths and folders) against a copy
of the small demo warehouse. None may end in a traceback; each exits 0, 1 or 2; and a
refused one (1 or 2) leaves the database exactly as it was."""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backroom.models import db as models_db
from backroom.tui.cli.main import build_parser, main
from tests.tui.test_cli import isolate

SEED = 21
RUNS = 1200
# Servers, the TUI, the demo builder (it replaces the database) and printing are left out.
LEFT_OUT = {"serve", "demo"}
LEFT_OUT_OPTIONS = {"--printer", "--login", "-h", "--help", "--version"}
ADMIN = "root"  # the demo's admin
TRAIL = os.environ.get("BACKROOM_FUZZ_TRAIL")  # a file to list each run in, to find a hang

HUGE = [str(10**30), str(-(10**30)), "9223372036854775808", "2147483648", "-2147483649"]
NUMBERS = [*HUGE, "0", "-1", "-3", "+2", "1", "5", "24", "1e9", "0x10", "١٢"]
DATES = ["9999-12-31", "0001-01-01", "99999-01-01", "2026-02-30", "2026-11-04", "0000-00-00"]
MOMENTS = [*DATES, "9999-12-31 23:59", "0001-01-01 00:00", "2026-11-04T10:00+14:00"]
WEIGHTS = ["12.5", "0,750", "0", "-1", "1e400", "NaN", "Infinity", str(10**30), "0.0001"]
STRINGS = [
    "",
    " ",
    "x" * 100_000,
    "\x1b]0;PWNED\x07\x1b[2J",
    "a\x00b",
    "\u202eevil",
    "two\nlines",
    "tab\there",
    "\x9b31m",
    "Łódź 日本 Ελλάδα",
    "[red]X[/red] [@click=app.quit]q[/]",
    "'; DROP TABLE item; --",
    "%s%n{0}",
    "\udcff",  # an undecodable byte of argv, as Python hands it over
    "-",
    "..",
]


@dataclass
class Command:
    path: list[str]
    parser: argparse.ArgumentParser


def leaf_commands(parser: argparse.ArgumentParser, path: list[str]) -> Iterator[Command]:
    """Every runnable sub-command of the real argparse tree."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield Command(path, parser)
        return
    for name, sub in subs[0].choices.items():
        if not path and name in LEFT_OUT:
            continue
        yield from leaf_commands(sub, [*path, name])


class Warehouse:
    """Plausible values read from the demo database, so that runs get past the look-ups."""

    def __init__(self, file: Path, files: dict[str, str]) -> None:
        con = sqlite3.connect(file)
        try:
            self.known = {
                "item": [r[0] for r in con.execute("SELECT sku FROM item LIMIT 10")],
                "location": [r[0] for r in con.execute("SELECT code FROM location LIMIT 12")],
                "lot": [r[0] for r in con.execute("SELECT number FROM lot LIMIT 10")],
                "user": [r[0] for r in con.execute("SELECT name FROM user")],
                "shipment": [r[0] for r in con.execute("SELECT number FROM shipment LIMIT 8")],
                "carrier": [r[0] for r in con.execute("SELECT code FROM carrier")],
                "consignee": [r[0] for r in con.execute("SELECT name FROM consignee LIMIT 5")],
                "sscc": [r[0] for r in con.execute("SELECT sscc FROM parcel LIMIT 5")],
                "move": [str(r[0]) for r in con.execute("SELECT id FROM move LIMIT 20")],
            }
        finally:
            con.close()
        self.files = files
        folder = Path(files["folder"])
        self.outputs = [str(folder), str(folder / "nope" / "x.csv"), str(folder / "w.out"), ""]

    def known_for(self, dest: str) -> list[str]:
        """Real values for an argument called DEST, or none."""
        for word, values in self.known.items():
            if word in dest:
                return values
        aliases = {"at": "location", "to": "location", "from": "location", "parent": "location"}
        aliases |= {"under": "location", "return_to": "location", "name": "user"}
        aliases |= {"consume": "item", "produce": "item", "keys": "item", "move_id": "move"}
        return self.known.get(aliases.get(dest, ""), [])


def writes_to(command: list[str], action: argparse.Action) -> bool:
    """Whether ACTION names a file the command writes: those get paths under the test's
    folder only (run as root, `export --out /dev/zero` once replaced the device)."""
    return action.dest == "out" or (command == ["backup"] and action.dest == "file")


def a_value(rng: random.Random, action: argparse.Action, where: Warehouse, out: bool) -> str:
    """One value for ACTION: mostly plausible, often hostile; OUT: a path to write to."""
    if out:
        return rng.choice(where.outputs)
    if action.choices is not None and rng.random() < 0.85:
        return str(rng.choice(list(action.choices)))
    kind = getattr(action.type, "__name__", "")
    if kind in ("whole_number", "positive_number", "int"):
        pool = NUMBERS + where.known_for(action.dest)
    elif kind == "iso_date":
        pool = DATES
    elif kind == "moment":
        pool = MOMENTS
    elif kind == "weight_grams":
        pool = WEIGHTS
    elif action.dest in ("file", "keyfile", "input", "config"):
        pool = list(where.files.values())
    else:
        known = where.known_for(action.dest)
        if known and rng.random() < 0.6:
            return rng.choice(known)
        pool = STRINGS + NUMBERS[:3] + DATES[:2] + list(where.files.values())[:3]
    return rng.choice(pool)


def values_for(
    rng: random.Random, command: list[str], action: argparse.Action, where: Warehouse
) -> list[str]:
    nargs = action.nargs
    out = writes_to(command, action)
    if nargs == 0:
        return []
    if isinstance(nargs, int):
        return [a_value(rng, action, where, out) for _ in range(nargs)]
    count = {"?": rng.randint(0, 1), "*": rng.randint(0, 2), "+": rng.randint(1, 2)}
    return [a_value(rng, action, where, out) for _ in range(count.get(nargs, 1))]


def an_invocation(rng: random.Random, command: Command, where: Warehouse) -> list[str]:
    """A command line for COMMAND: its positionals, a random share of its options."""
    words = list(command.path)
    for action in command.parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:
            if rng.random() < 0.97:  # now and then one is missing: a usage error
                words += values_for(rng, command.path, action, where)
            continue
        option = action.option_strings[-1]
        wanted = 0.9 if action.required else 0.3
        if option in LEFT_OUT_OPTIONS or rng.random() > wanted:
            continue
        words += [option, *values_for(rng, command.path, action, where)]
    return words


def global_options(rng: random.Random, url: str, where: Warehouse) -> list[str]:
    """--db always (our copy; now and then a hostile one), --user and --config sometimes."""
    words = ["--db", url]
    if rng.random() < 0.03:
        missing = f"sqlite:///{where.files['folder']}/nope/x.db"
        words = ["--db", rng.choice(["", missing, "nosuch://x", "\x00"])]
    if rng.random() < 0.1:
        words += ["--user", rng.choice([*STRINGS[:8], *where.known["user"]])]
    else:
        words += ["--user", ADMIN]
    if rng.random() < 0.05:
        words += ["--config", rng.choice(list(where.files.values()))]
    return words


def hostile_files(folder: Path) -> dict[str, str]:
    """Files a fuzzed command may be handed: broken CSVs, devices, folders, nothing."""
    folder.mkdir()
    (folder / "unterminated.csv").write_text('sku,name\nA-1,"Flour\nA-2,Rice\n')
    (folder / "nul.csv").write_bytes(b"sku,name\nA-3,Sug\x00ar\n")
    (folder / "huge-field.csv").write_text("sku,name\nA-4," + "y" * 140_000 + "\n")
    (folder / "escape.csv").write_text("sku,name\nA-5,\x1b]0;PWNED\x07\n")
    (folder / "key.pub").write_text("ssh-ed25519 AAAA\x1b[2J comment\n")
    (folder / "config.toml").write_text("[site]\nname = 3\n")
    return {
        "zero": "/dev/zero",
        "missing": "/nonexistent/file.csv",
        "folder": str(folder),
        "empty": "",
        "unterminated": str(folder / "unterminated.csv"),
        "nul": str(folder / "nul.csv"),
        "huge-field": str(folder / "huge-field.csv"),
        "escape": str(folder / "escape.csv"),
        "key": str(folder / "key.pub"),
        "config": str(folder / "config.toml"),
    }


class Digest:
    """What a refused command must leave as it was: for every table its row count and
    highest id, the ledger head, and SQLite's count of commits by other connections."""

    def __init__(self, file: Path) -> None:
        self.con = sqlite3.connect(f"file:{file}?mode=ro", uri=True, isolation_level=None)
        names = self.con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        self.tables = [n for (n,) in names if not n.startswith("sqlite_")]
        self.heads = [t for t in self.tables if "head" in t]  # the chain heads, whole

    def take(self) -> tuple:
        rows = [
            self.con.execute(f'SELECT count(*), max(rowid) FROM "{t}"').fetchone()
            for t in self.tables
        ]
        head = [self.con.execute(f'SELECT * FROM "{t}"').fetchall() for t in self.heads]
        version = self.con.execute("PRAGMA data_version").fetchone()
        return (tuple(rows), repr(head), version)


@pytest.fixture
def bounded_memory() -> Iterator[None]:
    """At most 3 GB more address space while fuzzing: a command that reads /dev/zero
    whole fails with MemoryError (a failure the test reports) instead of the machine."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (kb * 1024 + 3 * 2**30, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """The small demo warehouse, built once; each test works on a copy."""
    folder = tmp_path_factory.mktemp("demo")
    file = folder / "demo.db"
    assert main(["--db", f"sqlite:///{file}", "demo", "--size", "small", "--no-tui"]) == 0
    models_db.db.close()
    return file


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """One in-process run of `backroom ARGV`: exit status, stdout, stderr."""
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    finally:
        models_db.db.close()
    out, err = capsys.readouterr()
    return code, out, err


def _signing_key_in(tmp_path: Path) -> None:
    """A user config (isolate() points XDG_CONFIG_HOME under TMP_PATH) that keeps the
    signing key there: a fuzzed `signing-key create` wrote /etc/backroom/signing.key."""
    config = tmp_path / "config" / "backroom" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[signing]\nkey = "{tmp_path / "signing.key"}"\nsyslog = false\n')


def test_a_thousand_hostile_command_lines_give_no_traceback_and_write_nothing_refused(
    demo_file, tmp_path, monkeypatch, capsys, bounded_memory
):
    isolate(tmp_path, monkeypatch)
    _signing_key_in(tmp_path)
    parser = build_parser()  # the real tree, built once: it costs most of a run's time
    monkeypatch.setattr(sys.modules[main.__module__], "build_parser", lambda words=None: parser)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a prompt reads end-of-file
    file = tmp_path / "fuzz.db"
    shutil.copy(demo_file, file)
    url = f"sqlite:///{file}"
    where = Warehouse(file, hostile_files(tmp_path / "files"))
    commands = list(leaf_commands(parser, []))
    rng = random.Random(SEED)
    digest = Digest(file)
    failures: list[str] = []
    ran = set()
    statuses: dict[object, int] = {}
    started = time.perf_counter()
    before = digest.take()
    for _ in range(RUNS):
        command = rng.choice(commands)
        argv = global_options(rng, url, where) + an_invocation(rng, command, where)
        ran.add(" ".join(command.path))
        if TRAIL:  # written before the run, so that a hang or a crash names its command
            with open(TRAIL, "a") as trail:
                trail.write(repr(argv)[:400] + "\n")
        code, _, err = run(argv, capsys)
        statuses[code] = statuses.get(code, 0) + 1
        after = digest.take()
        shown = repr(argv)[:300]
        if code not in (0, 1, 2) or "Traceback" in err or "internal error" in err:
            failures.append(f"exit {code} for {shown}: {err[-300:]!r}")
        elif code in (1, 2) and after != before:
            failures.append(f"refused (exit {code}) yet written: {shown}: {err[-200:]!r}")
        before = after
    seconds = time.perf_counter() - started
    print(f"{RUNS} runs of {len(ran)} commands in {seconds:.1f} s; exit statuses {statuses}")
    assert len(ran) == len(commands), "every sub-command is tried"
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"


# The tracebacks the issue reports, each now a refusal (1) or a usage error (2).
REPORTED = [
    (["moves", "--limit", str(10**30)], 2),
    (["reverse", str(10**30)], 2),
    (["reverse", "-" + str(10**30)], 2),
    (["item", "add", "NEW-1", "--name", "New", "--shelf-life", str(10**30)], 2),
    (["item", "add", "NEW-1", "--name", "New", "--shelf-life", "2000000000"], 1),
    (["trace-events", "--from", "9999-12-31", "--to", "9999-12-31"], 2),
    (["trace-events", "--from", "0001-01-01", "--to", "0001-01-01"], 2),
    (["item", "list", "--search", "x" * 100_000], 1),
    (["stock", "--search", "x" * 100_000], 1),
    (["import", "items", "{huge-field}"], 1),
    (["import", "items", "{zero}"], 1),
    (["import", "items", "{unterminated}"], 1),
    (["import", "items", "{nul}"], 1),
    (["import", "items", "{folder}"], 1),
    (["user", "add-key", "root", "{zero}"], 1),
    (["item", "add", "EVIL", "--name", "\x1b]0;PWNED\x07\x1b[2J"], 1),
    (["item", "add", "EV\u202eIL", "--name", "Evil"], 1),
    (["location", "add", "A\x00B"], 1),
    (["shipment", "weigh", "376123450000000018", "1e400"], 2),
]


@pytest.mark.parametrize(("words", "status"), REPORTED, ids=[" ".join(w)[:60] for w, _ in REPORTED])
def test_each_reported_traceback_is_a_one_line_refusal_that_writes_nothing(
    demo_file, tmp_path, monkeypatch, capsys, bounded_memory, words, status
):
    isolate(tmp_path, monkeypatch)
    _signing_key_in(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    file = tmp_path / "copy.db"
    shutil.copy(demo_file, file)
    files = hostile_files(tmp_path / "files")
    argv = ["--db", f"sqlite:///{file}", "--user", ADMIN]
    argv += [files[w[1:-1]] if w.startswith("{") and w.endswith("}") else w for w in words]
    digest = Digest(file)
    before = digest.take()
    code, _, err = run(argv, capsys)
    assert (code, "Traceback" in err, "internal error" in err) == (status, False, False), err
    assert digest.take() == before
    assert "\x1b" not in err and "\u202e" not in err
    assert err.count("\n") >= 1 and len(err.splitlines()[-1]) < 400, err[-500:]
