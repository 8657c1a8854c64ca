"""Shipments from the command line, as a shipping office's scripts use them."""

from __future__ import annotations

import csv
import io

import pytest

from tests.tui.test_cli import Backroom, isolate

CONFIG = """
[site]
name = "Backroom Nord"
gs1_company_prefix = "4012345"
address = ["Hafenstrasse 5", "20457 Hamburg"]
"""


class Office(Backroom):
    """`backroom --config site.toml ...`: a site with a GS1 company prefix."""

    def __init__(self, url, capsys, config: str) -> None:
        super().__init__(url, capsys)
        self.config = config

    def __call__(self, *args: str, user: str = "tester", db_url: str | None = None):
        return super().__call__("--config", self.config, *args, user=user, db_url=db_url)


@pytest.fixture
def office(sqlite_url, capsys, tmp_path, monkeypatch) -> Office:
    isolate(tmp_path, monkeypatch)
    config = tmp_path / "site.toml"
    config.write_text(CONFIG)
    cli = Office(sqlite_url, capsys, str(config))
    cli.ok("init")
    cli.ok("item", "add", "MILK", "--name", "Milk 1 l", "--tracking", "lot")
    cli.ok("item", "add", "FLOUR", "--name", "Wheat flour", "--gtin", "4006381333931")
    cli.ok("location", "add", "A")
    cli.ok("location", "add", "A-01", "--parent", "A")
    cli.ok("location", "add", "A-02", "--parent", "A")
    cli.ok("receive", "MILK", "10", "--to", "A-02", "--lot", "L-2", "--expiry", "2031-06-30")
    cli.ok("receive", "MILK", "6", "--to", "A-01", "--lot", "L-1", "--expiry", "2031-03-31")
    cli.ok("receive", "FLOUR", "50", "--to", "A-01")
    cli.ok(
        "consignee", "add", "Kaufhaus Süd", "--address", "Marktplatz 1|Hof 2",
        "--postal-code", "80331", "--city", "München", "--country", "de",
        "--gln", "4012345000009", "--contact", "Frau Meier", "--min-shelf-life", "30",
    )  # fmt: skip
    cli.ok(
        "carrier", "add", "dhl", "--name", "DHL Freight", "--services", "std,express",
        "--tracking-url", "https://dhl.example/t/{tracking}",
    )  # fmt: skip
    return cli


def test_a_shipment_from_the_command_line_end_to_end(office, tmp_path):
    number = office.ok(
        "shipment", "create", "--consignee", "Kaufhaus Süd", "--carrier", "DHL",
        "--date", "2031-01-15",
    ).out.strip()  # fmt: skip
    assert number == "SHP-000001"
    office.ok("shipment", "add-line", number, "MILK", "12")
    line = office.ok("shipment", "add-line", number, "4006381333931", "20", "--json").json
    assert line["item"] == "FLOUR" and line["ordered"] == 20

    allocated = office.ok("shipment", "allocate", number)
    assert "reserved 6 MILK lot L-1 at A-01 (expires 2031-03-31)" in allocated.out
    assert office.ok("shipment", "pick", number, "--json").json[0]["location"] == "A-01"

    pick = office.ok(
        "shipment", "pick", number, "--at", "A-01", "--item", "MILK", "--lot", "L-1",
        "--qty", "6", "--json",
    ).json  # fmt: skip
    assert pick["move"]["kind"] == "pick" and pick["move"]["reference"] == number
    office.ok("shipment", "pick", number, "--all")
    first = office.ok(
        "shipment", "pack", number, "--item", "MILK", "--lot", "L-1", "--qty", "6",
        "--weight", "6.5", "--json",
    ).json["parcel"]["sscc"]  # fmt: skip
    packed = office.ok("shipment", "pack", number, "--kind", "pallet", "--weight", "31,25")
    assert "all packed (shipment packed)" in packed.out
    shipped = office.ok("shipment", "ship", number, "--tracking", f"{first}=JD0001", "--json")
    assert shipped.json["status"] == "shipped" and len(shipped.json["parcels"]) == 2
    office.ok("shipment", "deliver", number, "--signed-by", "K. Meier", "--at", "2031-01-16 09:15")

    show = office.ok("shipment", "show", number).out
    assert "SHP-000001  delivered" in show
    assert "Delivered 2031-01-16 09:15 UTC, signed by K. Meier" in show
    parcel_line = next(line for line in show.splitlines() if line.strip().startswith(first))
    assert parcel_line.split() == [first, "box", "6.500", "kg", "JD0001", "6", "MILK", "lot", "L-1"]
    listed = office.ok("shipment", "list", "--status", "delivered", "--json").json
    assert [s["number"] for s in listed] == [number]

    manifest = office.ok("manifest", "DHL", "--format", "csv").out
    rows = list(csv.DictReader(io.StringIO(manifest)))
    assert {r["sscc"]: r["weight_kg"] for r in rows} == {
        first: "6.500",
        shipped.json["parcels"][1]: "31.250",
    }
    assert rows[0]["consignee"] == "Kaufhaus Süd" and rows[0]["tracking"] == "JD0001"
    text = office.ok("manifest", "DHL").out
    assert "Total: 1 shipments, 2 parcels, 37.750 kg" in text
    assert office.ok("manifest", "DHL", "--json").json["total_weight_g"] == 37_750

    note = office.ok("shipment", "document", number, "delivery-note").out
    assert "DELIVERY NOTE  SHP-000001" in note and "Hafenstrasse 5" in note
    pdf = tmp_path / "packing.pdf"
    office.ok("shipment", "document", number, "packing-list", "--format", "pdf", "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-1.4")


def test_the_sscc_label_reads_its_parcel(office, tmp_path):
    number = office.ok("shipment", "create", "--consignee", "Kaufhaus Süd").out.strip()
    office.ok("shipment", "add-line", number, "FLOUR", "5")
    office.ok("shipment", "allocate", number)
    office.ok("shipment", "pick", number, "--all")
    sscc = office.ok("shipment", "pack", number, "--json").json["parcel"]["sscc"]
    scanned = office.ok("scan", sscc, "--json").json
    assert (scanned["result"]["kind"], scanned["result"]["sscc"]) == ("parcel", sscc)
    assert office.ok("scan", number).out.strip().endswith(f"shipment {number}")

    from backroom.labels.lookup import logistic_content
    from backroom.models.config import load_config
    from backroom.models.migrations import open_database

    open_database(office.url)
    content = logistic_content(sscc, load_config(office.config))
    assert content.ship_to == ("Kaufhaus Süd", "Marktplatz 1", "Hof 2", "80331 München", "DE")
    assert content.ship_to_postal_code == "80331"
    assert content.ship_from == ("Backroom Nord", "Hafenstrasse 5", "20457 Hamburg")
    assert content.contents == (f"{number}, box", "5 x FLOUR")


def test_shipment_commands_refuse_with_one_line_and_write_nothing(office):
    number = office.ok("shipment", "create", "--consignee", "Kaufhaus Süd").out.strip()
    office.ok("shipment", "add-line", number, "MILK", "5")
    before = office.ok("moves", "--json").json

    for args, message in [
        (("shipment", "create", "--consignee", "Nobody"), "Unknown consignee 'Nobody'"),
        (("shipment", "add-line", number, "NOPE", "1"), "Unknown item 'NOPE'"),
        (("shipment", "add-line", "SHP-999999", "MILK", "1"), "No shipment SHP-999999"),
        (("shipment", "ship", number), f"Shipment {number} is draft: cannot ship"),
        (("shipment", "pick", number, "--at", "A-01"), "A pick needs --at LOC, --item"),
        (("manifest", "UPS"), "Unknown carrier 'UPS'"),
        (("carrier", "add", "DHL", "--name", "Again"), "Carrier DHL already exists"),
    ]:
        run = office(*args)
        assert run.code == 1, args
        assert run.err.count("\n") == 1 and message in run.err, run.err
    for args in [
        ("shipment", "add-line", number, "MILK", "many"),
        ("shipment", "pack", number, "--weight", "heavy"),
        ("shipment", "frobnicate", number),
    ]:
        assert office(*args).code == 2, args
    assert office.ok("moves", "--json").json == before


def test_every_parcel_label_of_a_shipment_in_one_batch(office, tmp_path):
    import zxingcpp
    from PIL import Image

    number = office.ok("shipment", "create", "--consignee", "Kaufhaus Süd").out.strip()
    office.ok("shipment", "add-line", number, "FLOUR", "5")
    office.ok("shipment", "allocate", number)
    office.ok("shipment", "pick", number, "--all")
    first = office.ok("shipment", "pack", number, "--json").json["parcel"]["sscc"]
    out = tmp_path / "parcels.png"
    office.ok("label", "sscc", "--shipment", number, "--out", str(out))
    printed = sorted(tmp_path.glob("parcels*.png"))
    codes = {c.text for p in printed for c in zxingcpp.read_barcodes(Image.open(p))}
    assert f"(00){first}" in codes
    refused = office("label", "location", "A-01", "--shipment", number)
    assert refused.code == 1
    assert refused.err.strip() == "backroom: --shipment goes with the sscc kind"
