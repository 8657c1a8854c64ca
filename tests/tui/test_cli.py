"""The `backroom` command line: each sub-command, as a script would use it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from backroom.models import db as models_db
from backroom.models.db import db
from backroom.models.migrations import CURRENT_VERSION
from backroom.tui.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MOVE_KEYS = {"id", "time", "kind", "item", "lot", "qty", "from", "to", "user", "reference"}
STOCK_KEYS = {"item", "lot", "location", "qty"}


@dataclass
class Run:
    """What one `backroom` command printed, and its exit status."""

    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


class Backroom:
    """Runs `backroom --db URL --user tester ...` in this process."""

    def __init__(self, url: str, capsys) -> None:
        self.url = url
        self.capsys = capsys

    def __call__(self, *args: str, user: str = "tester", db_url: str | None = None) -> Run:
        self.capsys.readouterr()
        try:
            code = main(["--db", db_url or self.url, "--user", user, *args])
        except SystemExit as exc:
            code = exc.code
        finally:
            if db.obj is not None:  # a command that failed before opening one
                db.close()
        out, err = self.capsys.readouterr()
        return Run(code, out, err)

    def ok(self, *args: str) -> Run:
        """Run a command that must succeed."""
        run = self(*args)
        assert (run.code, run.err) == (0, ""), run
        return run

    def ledger(self) -> list[dict]:
        """The whole ledger as `moves --json` shows it."""
        return self.ok("moves", "--limit", "100000", "--json").json


def isolate(tmp_path: Path, monkeypatch) -> None:
    """No config file, BACKROOM_DB or data directory from the machine running the tests."""
    monkeypatch.delenv("BACKROOM_DB", raising=False)
    monkeypatch.delenv("BACKROOM_USER", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def isolated(tmp_path, monkeypatch) -> None:
    """Run in tmp_path, away from the machine's own Backroom configuration."""
    isolate(tmp_path, monkeypatch)


@pytest.fixture
def backroom(sqlite_url, capsys, isolated) -> Backroom:
    """A fresh database made with `backroom init`."""
    cli = Backroom(sqlite_url, capsys)
    cli.ok("init")
    return cli


@pytest.fixture
def warehouse(backroom) -> Backroom:
    """Items FLOUR (untracked, with a GTIN) and MILK (lots); shelves A/A1, A/A2 and QC."""
    backroom.ok("item", "add", "FLOUR", "--name", "Wheat flour", "--gtin", "4006381333931")
    backroom.ok("item", "add", "MILK", "--name", "Milk 1 l", "--tracking", "lot")
    backroom.ok("location", "add", "A", "--name", "Aisle A")
    backroom.ok("location", "add", "A1", "--parent", "A")
    backroom.ok("location", "add", "A2", "--parent", "A")
    backroom.ok("location", "add", "QC", "--quarantine")
    backroom.ok("receive", "FLOUR", "100", "--to", "A1", "--ref", "PO-1")
    backroom.ok("receive", "MILK", "24", "--to", "A1", "--lot", "L-1", "--expiry", "2031-04-24")
    return backroom


def test_init_creates_the_database_and_its_admin(sqlite_url, capsys, isolated):
    cli = Backroom(sqlite_url, capsys)
    run = cli.ok("init", "--json")
    assert run.json == {
        "database": sqlite_url,
        "schema_version": CURRENT_VERSION,
        "admin": "tester",
    }
    run = cli.ok("init")  # a second init changes nothing and says so plainly
    assert run.out == (
        f"Database ready: {sqlite_url} (schema {CURRENT_VERSION}); admin user: tester\n"
    )
    locations = cli.ok("location", "list", "--json").json
    assert {loc["code"] for loc in locations} == {
        "SUPPLIER",
        "CUSTOMER",
        "ADJUSTMENT",
        "SCRAP",
        "PRODUCTION",
        "TRANSIT",
    }


def test_items_are_added_and_listed(backroom):
    run = backroom.ok("item", "add", "FLOUR", "--name", "Wheat flour", "--gtin", "4006381333931")
    assert run.out == "Item FLOUR added: Wheat flour\n"
    added = backroom.ok(
        "item", "add", "MILK", "--name", "Milk", "--tracking", "lot", "--shelf-life", "10", "--json"
    ).json
    assert added == {
        "sku": "MILK",
        "gtin": None,
        "name": "Milk",
        "unit": "pcs",
        "tracking": "lot",
        "shelf_life_days": 10,
        "active": True,
    }
    items = backroom.ok("item", "list", "--json").json
    assert [(i["sku"], i["gtin"], i["tracking"]) for i in items] == [
        ("FLOUR", "04006381333931", "none"),
        ("MILK", None, "lot"),
    ]
    table = backroom.ok("item", "list").out
    assert table.splitlines()[0].split() == [
        "SKU",
        "GTIN",
        "NAME",
        "UNIT",
        "TRACKING",
        "SHELF",
        "LIFE",
    ]
    assert "04006381333931" in table


def test_locations_are_added_under_their_parent_and_listed_in_walking_order(backroom):
    backroom.ok("location", "add", "A", "--name", "Aisle A")
    added = backroom.ok("location", "add", "A1", "--parent", "A", "--json").json
    assert (added["code"], added["path"], added["parent"], added["kind"]) == (
        "A1",
        "A/A1",
        "A",
        "internal",
    )
    backroom.ok("location", "add", "QC", "--quarantine")
    listed = backroom.ok("location", "list", "--under", "A", "--json").json
    assert [x["path"] for x in listed] == ["A", "A/A1"]
    assert backroom.ok("location", "list", "--json").json[-1]["code"] == "TRANSIT"


def test_lots_are_added_listed_and_blocked(warehouse):
    added = warehouse.ok("lot", "add", "MILK", "L-2", "--expiry", "2031-05-01", "--json").json
    assert added == {
        "item": "MILK",
        "lot": "L-2",
        "expiry": "2031-05-01",
        "status": "released",
        "supplier_lot": None,
    }
    run = warehouse.ok("lot", "status", "L-1", "blocked", "--reason", "lab result")
    assert run.out == "Lot L-1 of MILK is now blocked\n"
    lots = warehouse.ok("lot", "list", "--json").json
    assert [(x["lot"], x["expiry"], x["status"]) for x in lots] == [
        ("L-1", "2031-04-24", "blocked"),
        ("L-2", "2031-05-01", "released"),
    ]
    assert [
        x["lot"] for x in warehouse.ok("lot", "list", "--status", "blocked", "--json").json
    ] == ["L-1"]


def test_receive_prints_the_move_and_stock_shows_it(warehouse):
    run = warehouse.ok("receive", "4006381333931", "50", "--to", "A2", "--json")
    move = run.json
    assert set(move) >= MOVE_KEYS
    assert (move["kind"], move["item"], move["qty"], move["from"], move["to"]) == (
        "receipt",
        "FLOUR",
        50,
        "SUPPLIER",
        "A2",
    )
    assert move["user"] == "tester"
    assert move["time"].endswith("Z")
    text = warehouse.ok("receive", "FLOUR", "5", "--to", "A2").out
    assert text == f"Posted move {move['id'] + 1}: receipt 5 FLOUR SUPPLIER → A2\n"
    rows = warehouse.ok("stock", "--json").json
    assert all(set(r) >= STOCK_KEYS for r in rows)
    assert [(r["item"], r["lot"], r["location"], r["qty"]) for r in rows] == [
        ("FLOUR", None, "A1", 100),
        ("FLOUR", None, "A2", 55),
        ("MILK", "L-1", "A1", 24),
    ]
    assert rows[2]["expiry"] == "2031-04-24"


def test_stock_is_filtered_by_item_location_and_lot(warehouse):
    warehouse.ok("move", "FLOUR", "30", "--from", "A1", "--to", "A2")

    def qty(*filters: str) -> list[tuple[str, str, int]]:
        return [
            (r["item"], r["location"], r["qty"])
            for r in warehouse.ok("stock", *filters, "--json").json
        ]

    assert qty("--item", "FLOUR") == [("FLOUR", "A1", 70), ("FLOUR", "A2", 30)]
    assert qty("--location", "A2") == [("FLOUR", "A2", 30)]
    assert qty("--location", "A") == [("FLOUR", "A1", 70), ("FLOUR", "A2", 30), ("MILK", "A1", 24)]
    assert qty("--lot", "L-1") == [("MILK", "A1", 24)]
    text = warehouse.ok("stock", "--item", "MILK").out.splitlines()
    assert text[0].split() == ["ITEM", "LOT", "EXPIRY", "LOCATION", "QTY", "UNIT"]
    assert text[2].split() == ["MILK", "L-1", "2031-04-24", "A1", "24", "pcs"]


def test_move_takes_stock_from_one_shelf_to_another(warehouse):
    move = warehouse.ok(
        "move", "MILK", "4", "--from", "A1", "--to", "A2", "--lot", "L-1", "--json"
    ).json
    assert (move["kind"], move["lot"], move["from"], move["to"], move["qty"]) == (
        "transfer",
        "L-1",
        "A1",
        "A2",
        4,
    )
    rows = warehouse.ok("stock", "--item", "MILK", "--json").json
    assert [(r["location"], r["qty"]) for r in rows] == [("A1", 20), ("A2", 4)]


def test_adjust_takes_a_signed_delta(warehouse):
    down = warehouse.ok(
        "adjust", "FLOUR", "-3", "--at", "A1", "--reason", "bag torn", "--json"
    ).json
    assert (down["kind"], down["qty"], down["from"], down["to"]) == (
        "adjust",
        3,
        "A1",
        "ADJUSTMENT",
    )
    up = warehouse.ok("adjust", "FLOUR", "+2", "--at", "A1", "--reason", "found", "--json").json
    assert (up["qty"], up["from"], up["to"]) == (2, "ADJUSTMENT", "A1")
    assert warehouse.ok("stock", "--item", "FLOUR", "--json").json[0]["qty"] == 99


def test_count_posts_the_difference_or_nothing(warehouse):
    result = warehouse.ok("count", "FLOUR", "96", "--at", "A1", "--json").json
    assert {k: result[k] for k in ("item", "location", "expected", "counted", "difference")} == {
        "item": "FLOUR",
        "location": "A1",
        "expected": 100,
        "counted": 96,
        "difference": -4,
    }
    assert (result["move"]["kind"], result["move"]["qty"]) == ("count", 4)
    same = warehouse.ok("count", "FLOUR", "96", "--at", "A1")
    assert same.out == "Counted 96 FLOUR at A1; expected 96; difference +0\n"
    assert (
        warehouse.ok("count", "MILK", "24", "--at", "A1", "--lot", "L-1", "--json").json["move"]
        is None
    )
    assert len(warehouse.ledger()) == 3


def test_scrap_writes_off_with_the_reason(warehouse):
    move = warehouse.ok(
        "scrap", "MILK", "2", "--at", "A1", "--lot", "L-1", "--reason", "dropped", "--json"
    ).json
    assert (move["kind"], move["to"], move["qty"], move["note"]) == ("scrap", "SCRAP", 2, "dropped")
    assert warehouse.ok("stock", "--item", "MILK", "--json").json[0]["qty"] == 22


def test_reverse_undoes_a_move_and_names_it(warehouse):
    wrong = warehouse.ok("move", "FLOUR", "40", "--from", "A1", "--to", "A2", "--json").json
    undo = warehouse.ok("reverse", str(wrong["id"]), "--reason", "wrong shelf", "--json").json
    assert (undo["kind"], undo["reverses"], undo["from"], undo["to"], undo["qty"]) == (
        "reversal",
        wrong["id"],
        "A2",
        "A1",
        40,
    )
    assert [
        (r["location"], r["qty"]) for r in warehouse.ok("stock", "--item", "FLOUR", "--json").json
    ] == [("A1", 100)]


def test_moves_lists_the_ledger_newest_first(warehouse):
    warehouse.ok("move", "FLOUR", "10", "--from", "A1", "--to", "A2")
    rows = warehouse.ok("moves", "--json").json
    assert all(set(r) >= MOVE_KEYS for r in rows)
    assert [(r["kind"], r["item"], r["lot"], r["qty"], r["from"], r["to"]) for r in rows] == [
        ("transfer", "FLOUR", None, 10, "A1", "A2"),
        ("receipt", "MILK", "L-1", 24, "SUPPLIER", "A1"),
        ("receipt", "FLOUR", None, 100, "SUPPLIER", "A1"),
    ]
    assert rows[2]["reference"] == "PO-1"
    assert [r["id"] for r in warehouse.ok("moves", "--item", "MILK", "--json").json] == [
        rows[1]["id"]
    ]
    assert len(warehouse.ok("moves", "--location", "A2", "--json").json) == 1
    assert len(warehouse.ok("moves", "--limit", "1", "--json").json) == 1
    text = warehouse.ok("moves").out.splitlines()
    assert text[0].split()[:4] == ["ID", "TIME", "(UTC)", "KIND"]
    assert text[2].split()[3:] == ["transfer", "FLOUR", "10", "A1", "A2", "tester"]


def test_verify_reports_clean(warehouse):
    report = warehouse.ok("verify", "--json").json
    assert {k: report[k] for k in ("clean", "moves", "quants", "problems")} == {
        "clean": True,
        "moves": 2,
        "quants": 4,
        "problems": [],
    }
    assert report["head"]["move_id"] == 2
    assert warehouse.ok("verify").out.startswith(f"2 moves, 4 quants, {report['events']} events")


def test_verify_reports_a_tampered_quant_and_exits_1(warehouse):
    conn = sqlite3.connect(models_db.sqlite_path(warehouse.url))
    conn.execute('UPDATE "quant" SET "qty" = "qty" + 5 WHERE "qty" = 100')
    conn.commit()
    conn.close()
    run = warehouse("verify", "--json")
    assert run.code == 1
    # Under --json the refusal is JSON on stderr too.
    assert json.loads(run.err) == {
        "error": {"code": "check_failed", "message": "verify found 2 problem(s) in the ledger"}
    }
    assert json.loads(run.out)["problems"] == [
        "quant FLOUR at A1: ledger says 100, quant says 105",
        "item FLOUR: locations sum to 5, not 0",
    ]
    text = warehouse("verify").out.splitlines()
    assert text[0].startswith("2 moves, 4 quants, ") and text[0].endswith(": 2 problem(s)")


@pytest.mark.postgres
def test_the_command_line_works_against_postgresql(pg_url, capsys, isolated):
    cli = Backroom(pg_url, capsys)
    assert cli.ok("init", "--json").json["schema_version"] == CURRENT_VERSION
    cli.ok("item", "add", "FLOUR", "--name", "Wheat flour")
    cli.ok("location", "add", "A1")
    cli.ok("receive", "FLOUR", "5", "--to", "A1")
    run = cli("move", "FLOUR", "6", "--from", "A1", "--to", "CUSTOMER")
    assert (run.code, run.err) == (1, "backroom: Only 5 pcs of FLOUR at A1; cannot take 6\n")
    assert [(r["item"], r["qty"]) for r in cli.ok("stock", "--json").json] == [("FLOUR", 5)]
    assert cli.ok("verify", "--json").json["clean"] is True


@pytest.mark.slow
def test_the_installed_command_runs_a_short_day(tmp_path, isolated):
    """The real `backroom` script, in its own processes, with exit statuses."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    script = Path(sys.executable).parent / "backroom"
    if not script.exists():
        pytest.skip("the backroom script is not installed in this environment")

    def backroom(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(script), "--db", url, "--user", "tester", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )

    for args in (
        ["init"],
        ["item", "add", "FLOUR", "--name", "Flour"],
        ["location", "add", "A1"],
        ["receive", "FLOUR", "5", "--to", "A1"],
    ):
        assert backroom(*args).returncode == 0
    refused = backroom("move", "FLOUR", "6", "--from", "A1", "--to", "CUSTOMER")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == "backroom: Only 5 pcs of FLOUR at A1; cannot take 6\n"
    verified = backroom("verify", "--json")
    assert verified.returncode == 0
    assert json.loads(verified.stdout)["clean"] is True
