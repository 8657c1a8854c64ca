"""Goods in from the command line: supplier, order, ASN from a despatch advice, pallet
and line receipts, a lead's PIN for too much, the discrepancy report, orders from CSV."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.tui.test_cli import Backroom, isolate

DESADV = Path(__file__).parents[1] / "models" / "goods_in" / "desadv_two_pallets.xml"
PALLET_1 = "040123450000000016"
PALLET_2 = "040123450000000023"


@pytest.fixture
def dock(sqlite_url, capsys, tmp_path, monkeypatch) -> Backroom:
    """Shelves A1, QC (quarantine); supplier ACME and order PO-000001 (100 MILK, 5000 g
    FLOUR), confirmed; lead 'boss' with PIN 482913 and operator 'op'."""
    isolate(tmp_path, monkeypatch)
    cli = Backroom(sqlite_url, capsys)
    cli.ok("init")
    cli.ok("item", "add", "FLOUR", "--name", "Wheat flour", "--unit", "g")
    cli.ok("item", "add", "MILK", "--name", "Milk 1 l", "--tracking", "lot")
    cli.ok("location", "add", "A1")
    cli.ok("location", "add", "QC", "--quarantine")
    cli.ok("supplier", "add", "ACME", "--name", "Acme Dairies", "--gln", "4012345000016")
    assert cli.ok("po", "create", "--supplier", "ACME", "--expected", "2026-12-04").out == (
        "PO-000001\n"
    )
    cli.ok("po", "add-line", "PO-1", "MILK", "100", "--pack", "case", "--pack-qty", "12",
           "--supplier-item", "AC-M1")  # fmt: skip
    cli.ok("po", "add-line", "PO-1", "FLOUR", "5000")
    cli.ok("po", "confirm", "PO-1")
    cli.ok("user", "add", "op", "--role", "operator")
    cli.ok("user", "add", "boss", "--role", "lead")
    monkeypatch.setattr("sys.stdin", io.StringIO("482913\n"))
    cli.ok("user", "set-pin", "boss", "--pin-stdin")
    return cli


def test_a_despatch_advice_is_announced_and_its_pallet_received_by_its_sscc(dock):
    assert "2 pallet(s) announced" in dock.ok("asn", "import", str(DESADV)).out
    shown = dock.ok("asn", "show", "DA-7781", "--json").json
    assert [p["sscc"] for p in shown["pallets"]] == [PALLET_1, PALLET_2]
    run = dock("asn", "receive", "00" + PALLET_1, "--to", "A1", "--json", user="op")
    assert run.code == 0, run
    assert [(m["lot"], m["qty"], m["reference"]) for m in run.json] == [
        ("L-A", 60, PALLET_1),
        ("L-B", 40, PALLET_1),
    ]
    short = dock("asn", "receive", PALLET_2, "--to", "A1", "--counted", "FLOUR=4800", user="op")
    assert short.out.startswith("Posted move 3: receipt 4800 FLOUR"), short
    again = dock("asn", "receive", PALLET_1, "--to", "A1", user="op")
    assert (again.code, "received already" in again.err) == (1, True)
    trace = dock.ok("trace", "L-A").out
    assert f"from Acme Dairies (ACME): 60 into A1, ref {PALLET_1}" in trace


def test_too_much_needs_a_lead_and_the_lead_s_pin(dock, monkeypatch):
    dock.ok("po", "receive", "PO-1", "FLOUR", "4990", "--to", "A1")
    refused = dock("po", "receive", "PO-1", "FLOUR", "20", "--to", "A1", user="op")
    assert refused.code == 1
    assert "5010 of 5000 ordered, 10 over (tolerance 0%, at most 5000): a lead must approve" in (
        refused.err
    )
    monkeypatch.setenv("BACKROOM_APPROVER_PIN", "000000")
    wrong = dock("po", "receive", "PO-1", "FLOUR", "20", "--to", "A1", "--approve-by", "boss",
                 user="op")  # fmt: skip
    assert (wrong.code, "Wrong name or PIN" in wrong.err) == (1, True)
    monkeypatch.setenv("BACKROOM_APPROVER_PIN", "482913")
    run = dock("po", "receive", "PO-1", "FLOUR", "20", "--to", "A1", "--approve-by", "boss",
               "--json", user="op")  # fmt: skip
    assert run.code == 0, run
    assert (run.json["approved_by"], run.json["user"]) == ("boss", "op")


def test_the_site_s_tolerance_comes_from_its_configuration(dock, tmp_path):
    config = tmp_path / "site.toml"
    config.write_text("[receiving]\nover_tolerance_percent = 10\n")
    run = dock("--config", str(config), "po", "receive", "PO-1", "FLOUR", "5500", "--to", "A1",
               user="op")  # fmt: skip
    assert run.code == 0, run
    more = dock("--config", str(config), "po", "receive", "PO-1", "FLOUR", "1", "--to", "A1",
                user="op")  # fmt: skip
    assert (more.code, "tolerance 10%" in more.err) == (1, True)


def test_the_discrepancy_report_as_text_csv_and_pdf(dock, tmp_path):
    dock.ok("po", "receive", "PO-1", "MILK", "90", "--to", "A1", "--lot", "L-9")
    dock.ok("po", "receive", "PO-1", "FLOUR", "200", "--to", "A1", "--damaged")
    text = dock.ok("po", "report", "PO-1").out
    assert "RECEIPT DISCREPANCIES  PO-000001" in text
    rows = list(csv.DictReader(io.StringIO(dock.ok("po", "report", "PO-1", "--format", "csv").out)))
    assert [(r["item"], r["expected"], r["received"], r["short"], r["damaged"]) for r in rows] == [
        ("MILK", "100", "90", "10", "0"),
        ("FLOUR", "5000", "200", "4800", "200"),
    ]
    closed = dock.ok("po", "close", "PO-1", "--reason", "rest cancelled by the supplier").out
    assert closed == "Purchase order PO-000001 is closed (MILK 10 short; FLOUR 4800 short)\n"
    pdf = tmp_path / "po.pdf"
    dock.ok("po", "report", "PO-1", "--format", "pdf", "--out", str(pdf))
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    assert "PO-000001" in words and "closed" in words
    assert [line.split()[:6] for line in words.splitlines() if "FLOUR" in line] == [
        ["2", "FLOUR", "5000", "200", "4800", "200"]
    ]


def test_orders_are_imported_from_csv_all_or_none(dock, tmp_path):
    good = tmp_path / "orders.csv"
    good.write_text(
        "order,supplier,item,qty,expected,pack,pack_qty\n"
        "W-1,ACME,MILK,24,2026-12-10,case,12\n"
        "W-1,ACME,FLOUR,1000,2026-12-10,,\n"
        "W-2,4012345000016,MILK,12,2026-12-11,,\n"
    )
    run = dock.ok("po", "import", str(good), "--confirm", "--json")
    assert run.json == {"orders": ["PO-000002", "PO-000003"]}
    listed = dock.ok("po", "list", "--status", "confirmed", "--json").json
    assert [(o["number"], o["lines"]) for o in listed] == [
        ("PO-000001", 2),
        ("PO-000002", 2),
        ("PO-000003", 1),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("order,supplier,item,qty\nX,ACME,MILK,5\nX,ACME,NOPE,5\n")
    refused = dock("po", "import", str(bad))
    assert (refused.code, "Row 3: Unknown item 'NOPE'" in refused.err) == (1, True), refused
    assert len(dock.ok("po", "list", "--json").json) == 3


def test_every_goods_in_command_has_help_on_its_arguments_and_an_example():
    from backroom.tui.cli.main import build_parser, command_parsers

    found = [(path, p) for path, p in command_parsers(build_parser())
             if path.split()[0] in ("supplier", "po", "asn")]  # fmt: skip
    assert len(found) == 16
    for path, parser in found:
        assert parser.epilog and f"backroom {path}" in parser.epilog, path
        for action in parser._actions:
            assert action.help, f"{path} {action.dest} has no help"
