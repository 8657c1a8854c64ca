"""`backroom import | export | backup | restore` as scripts and people use them."""

from __future__ import annotations

import json

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


def test_the_template_prints_the_header_and_an_example_row(cli):
    run = cli.ok("import", "stock", "--template")
    assert run.out == "sku,lot,location,qty,expiry\nOAT-500,L2611,A-01-01,120,2027-08-31\n"


def test_a_bad_file_lists_every_problem_by_line_and_exits_1(cli, tmp_path):
    file = tmp_path / "stock.csv"
    file.write_text("sku;location;qty\nFLOUR;A1;-5\nRICE;A1;3\nFLOUR;B9;2\n")
    run = cli("import", "stock", str(file))
    assert run.code == 1 and run.out == ""
    assert run.err.splitlines() == [
        f"{file}:2: Negative stock: -5 g of FLOUR at A1",
        f"{file}:3: Unknown item 'RICE' (give the SKU or GTIN of an existing item)",
        f"{file}:4: Unknown location 'B9'",
        f"backroom: 3 problems in {file}; nothing was imported",
    ]
    assert cli.ok("stock", "--json").json[0]["qty"] == 1200


def test_a_good_file_is_checked_then_imported(cli, tmp_path):
    file = tmp_path / "stock.csv"
    file.write_text("sku,location,qty\nFLOUR,A1,300\n")
    assert cli.ok("import", "stock", str(file), "--check").out.startswith(
        f"{file}: 1 row, 1 receipt from OPENING"
    )
    assert cli.ok("stock", "--json").json[0]["qty"] == 1200
    run = cli.ok("import", "stock", str(file), "--json")
    assert run.json["moves_posted"] == 1
    assert cli.ok("stock", "--json").json[0]["qty"] == 1500


def test_a_stock_file_imported_before_needs_again(cli, tmp_path):
    file = tmp_path / "stock.csv"
    file.write_text("sku,location,qty\nFLOUR,A1,300\n")
    cli.ok("import", "stock", str(file))
    run = cli("import", "stock", str(file))
    assert run.code == 1 and run.out == ""
    assert run.err.startswith("backroom: This stock file was imported on ")
    assert run.err.rstrip().endswith("If that is meant: backroom import stock FILE --again")
    assert cli.ok("stock", "--json").json[0]["qty"] == 1500
    cli.ok("import", "stock", str(file), "--again")
    assert cli.ok("stock", "--json").json[0]["qty"] == 1800


def test_export_writes_stdout_or_a_file(cli, tmp_path):
    assert cli.ok("export", "stock").out == "sku,lot,location,qty,expiry\nFLOUR,,A1,1200,\n"
    moves = json.loads(cli.ok("export", "moves", "--json").out)
    assert [(m["kind"], m["qty"]) for m in moves] == [("receipt", 1200)]
    out = tmp_path / "items.csv"
    assert cli.ok("export", "items", "--out", str(out)).out == (
        f"1 row of items written to {out}\n"
    )
    assert out.read_text().splitlines()[1] == "FLOUR,Wheat flour,,g,none,,yes"
    epcis = json.loads(cli.ok("export", "epcis").out)
    assert epcis["type"] == "EPCISDocument"
    assert len(epcis["epcisBody"]["eventList"]) == 1


def test_export_refusals_are_one_line(cli):
    run = cli("export", "items", "--since", "2026-01-01")
    assert (run.code, run.err) == (
        1,
        "backroom: --since applies to lots, moves, shipments and epcis, not items\n",
    )
    assert cli("export", "epcis", "--csv").code == 1
    assert cli("export", "bananas").code == 2


def test_backup_and_restore_from_the_command_line(cli, tmp_path):
    file = tmp_path / "nightly.db"
    run = cli.ok("backup", str(file), "--json")
    assert run.json["file"] == str(file) and run.json["bytes"] > 0
    again = cli("backup", str(file))
    assert again.code == 1 and "already exists" in again.err
    cli.ok("receive", "FLOUR", "5", "--to", "A1")
    run = cli.ok("restore", str(file), "--force")  # the receipt of 5 is discarded
    assert run.out.startswith(f"Restored {file}")
    assert run.out.rstrip().endswith("verify: clean (1 moves)")
    assert cli.ok("stock", "--json").json[0]["qty"] == 1200
