"""`backroom transform`, `return`, `trace`, `recall`, `one-step` and `trace-events`, as a
script or a person at a terminal uses them."""

from __future__ import annotations

import csv
import io
import json

import pytest

from backroom.models.schema.shipping import Consignee, Shipment
from tests.tui.test_cli import Backroom, isolate


@pytest.fixture
def backroom(tmp_path, monkeypatch, capsys) -> Backroom:
    """A database with sugar and flour received, and a quarantine cage."""
    isolate(tmp_path, monkeypatch)
    run = Backroom(f"sqlite:///{tmp_path / 'b.db'}", capsys)
    run.ok("init")
    for sku, name in (("SUGAR", "Sugar"), ("FLOUR", "Flour"), ("CAKE", "Cake"), ("BOX", "Box")):
        run.ok("item", "add", sku, "--name", name, "--tracking", "lot" if sku != "BOX" else "none")
    run.ok("location", "add", "A1")
    run.ok("location", "add", "QC", "--quarantine")
    run.ok("receive", "SUGAR", "40", "--to", "A1", "--lot", "S1", "--expiry", "2027-01-31")
    run.ok("receive", "FLOUR", "90", "--to", "A1", "--lot", "F1", "--supplier-lot", "MILL-3")
    run.ok("receive", "BOX", "10", "--to", "A1")
    return run


def _ship(backroom: Backroom, qty: str, lot: str, number: str) -> None:
    from backroom.models.migrations import open_database

    open_database(backroom.url)
    if not Consignee.select().where(Consignee.name == "Corner Shop").exists():
        Consignee.create(
            name="Corner Shop",
            address="1 High St",
            postal_code="1000",
            city="Brussels",
            country="BE",
        )
    shop = Consignee.get(Consignee.name == "Corner Shop")
    Shipment.create(number=number, consignee=shop, planned_date="2026-06-01", status="shipped")
    backroom.ok(
        "move", "CAKE", qty, "--from", "A1", "--to", "CUSTOMER", "--lot", lot, "--ref", number
    )


def test_transform_then_trace_the_flour_to_the_customer(backroom):
    made = backroom.ok(
        "transform", "--at", "A1",
        "--consume", "SUGAR", "S1", "10",
        "--consume", "FLOUR", "F1", "30",
        "--consume", "BOX", "-", "2",
        "--produce", "CAKE", "K1", "20",
    )  # fmt: skip
    assert made.out.splitlines()[0] == "TF-000001 posted: production at A1"
    assert "produced 20 CAKE lot K1 (new)" in made.out
    _ship(backroom, "6", "K1", "SHP-000001")
    data = backroom.ok("trace", "F1", "--json").json
    assert (data["lot"], data["item"], data["status"]) == ("F1", "FLOUR", "released")
    assert data["upstream"]["receipts"][0]["supplier_lot"] == "MILL-3"
    assert data["downstream"]["on_hand"] == [{"location": "A1", "qty": 60, "quarantine": False}]
    (cake,) = data["downstream"]["lots_made_from_it"]
    assert (cake["item"], cake["lot"], cake["expiry"]) == ("CAKE", "K1", "2027-01-31")
    (shipped,) = cake["shipments"]
    assert (shipped["consignee"], shipped["shipment"], shipped["qty"]) == (
        "Corner Shop",
        "SHP-000001",
        6,
    )
    assert data["downstream"]["customers_reached"] == ["Corner Shop"]
    text = backroom.ok("trace", "K1").out
    assert "<- FLOUR lot F1 (Flour) · released · supplier lot MILL-3" in text
    assert "SHP-000001 Corner Shop: 6" in text


def test_trace_as_csv(backroom):
    rows = list(csv.DictReader(io.StringIO(backroom.ok("trace", "S1", "--csv").out)))
    assert rows[0]["section"] == "lot"
    assert any(r["section"] == "receipt" and r["qty"] == "40" for r in rows)


def test_return_recall_and_the_reports(backroom):
    backroom.ok(
        "transform", "--at", "A1", "--kind", "repack",
        "--consume", "SUGAR", "S1", "10", "--produce", "CAKE", "K2", "10",
    )  # fmt: skip
    _ship(backroom, "4", "K2", "SHP-000002")
    back = backroom.ok(
        "return", "CAKE", "1", "--lot", "K2", "--to", "QC", "--shipment", "SHP-000002"
    )
    assert back.out.strip() == (
        "Posted move 7: return 1 CAKE lot K2 CUSTOMER → QC, from Corner Shop "
        "(shipment SHP-000002); lot K2 is quarantine"
    )
    report = backroom.ok("recall", "S1", "--reason", "Glass splinters", "--json").json
    assert [lot["status"] for lot in report["lots"]] == ["recalled", "recalled"]
    assert report["customers"][0]["consignee"] == "Corner Shop"
    assert {(s["location"], s["lot"], s["qty"]) for s in report["on_hand"]} == {
        ("A1", "S1", 30),
        ("A1", "K2", 6),
        ("QC", "K2", 1),
    }
    text = backroom.ok("recall-report", "S1").out
    assert "Customers reached (1)" in text and "1 High St, 1000 Brussels, BE" in text
    steps = backroom.ok("one-step", "K2", "--csv").out.splitlines()
    assert steps[0].startswith("direction,partner,name,address,date,item,lot,partner_lot,qty")
    assert len(steps) == 3  # the sugar's supplier and the shop
    refused = backroom("move", "CAKE", "1", "--from", "A1", "--to", "QC", "--lot", "K2")
    assert refused.code == 0  # into quarantine is allowed
    refused = backroom("move", "SUGAR", "1", "--from", "A1", "--to", "CUSTOMER", "--lot", "S1")
    assert (refused.code, refused.err.strip()) == (
        1,
        "backroom: Lot S1 is recalled and can only go to quarantine or scrap",
    )


def test_trace_events_as_csv_for_a_date_range(backroom, tmp_path):
    backroom.ok(
        "transform", "--at", "A1", "--consume", "SUGAR", "S1", "5", "--produce", "CAKE", "K3", "5"
    )
    out = backroom.ok("trace-events", "--from", "2000-01-01", "--to", "2099-12-31", "--sort=item")
    rows = list(csv.DictReader(io.StringIO(out.out)))
    assert [r["item"] for r in rows] == sorted(r["item"] for r in rows)
    assert {r["event"] for r in rows} == {
        "receiving",
        "transformation input",
        "transformation output",
    }
    target = tmp_path / "events.csv"
    said = backroom.ok(
        "trace-events", "--from", "2000-01-01", "--to", "2099-12-31", "--out", str(target)
    )
    assert said.out.strip() == f"5 events written to {target}"
    assert target.read_text().splitlines()[0].startswith("date,event,item,item_name,lot,qty")
    # --json with --out writes the JSON there (it used to print it, and leave no file)
    as_json = tmp_path / "events.json"
    said = backroom.ok(
        "trace-events",
        "--from",
        "2000-01-01",
        "--to",
        "2099-12-31",
        "--json",
        "--out",
        str(as_json),
    )
    assert said.out.strip() == f"5 events written to {as_json}"
    events = json.loads(as_json.read_text())
    assert len(events) == 5 and {e["event"] for e in events} == {
        "receiving",
        "transformation input",
        "transformation output",
    }


def test_usage_errors_and_refusals(backroom):
    bad = backroom(
        "transform", "--at", "A1", "--consume", "SUGAR", "S1", "ten", "--produce", "CAKE", "K", "1"
    )
    assert (bad.code, bad.err.strip()) == (
        1,
        "backroom: Quantity 'ten' of SUGAR is not a whole number",
    )
    missing = backroom("return", "CAKE", "1", "--lot", "K1", "--to", "QC")
    assert missing.code == 2
    unknown = backroom("trace", "NOPE")
    assert (unknown.code, unknown.err.strip()) == (1, "backroom: Unknown lot 'NOPE'")
