"""Exports: streamed CSV and JSON, paged by keyset, and a round trip into an empty
database that gives the same stock."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from backroom.models.data import exporting
from backroom.models.data.exporting import export
from backroom.models.data.importing import apply_import, plan_import
from backroom.models.db import db
from backroom.models.errors import Refused
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.packing import pack_all
from backroom.models.goods_out.parties import add_carrier, add_consignee
from backroom.models.goods_out.picking import pick_all
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, init_database
from backroom.models.migrations import open_database
from backroom.models.schema import Move
from backroom.models.stock.operations import receive, scrap, transfer
from tests.models.support import assert_clean, on_shelf

USER = "tester"


def exported(kind: str, fmt: str = "csv", **options) -> str:
    out = io.StringIO()
    export(kind, out, fmt=fmt, **options)
    return out.getvalue()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_moves_come_out_in_ledger_order_across_many_pages(warehouse, monkeypatch):
    monkeypatch.setattr(exporting, "PAGE", 3)
    for _ in range(5):
        receive("FLOUR", 10, "A1", user=USER)
        transfer("FLOUR", 4, "A1", "A2", user=USER)
    moves = rows(exported("moves"))
    assert [int(m["id"]) for m in moves] == list(range(1, 11))
    assert moves[1]["kind"] == "transfer"
    assert (moves[1]["from"], moves[1]["to"], moves[1]["qty"]) == ("A1", "A2", "4")


def test_json_export_is_one_array_of_objects(warehouse):
    receive("MILK", 6, "A1", user=USER, lot="M-1", expiry=dt.date(2027, 1, 31))
    moves = json.loads(exported("moves", "json"))
    assert [(m["item"], m["lot"], m["qty"], m["to"]) for m in moves] == [("MILK", "M-1", 6, "A1")]
    stock = json.loads(exported("stock", "json"))
    assert stock == [
        {"sku": "MILK", "lot": "M-1", "location": "A1", "qty": 6, "expiry": "2027-01-31"}
    ]
    assert json.loads(exported("shipments", "json")) == []


def test_since_leaves_out_older_moves(warehouse):
    receive("FLOUR", 10, "A1", user=USER, at=dt.datetime(2026, 1, 5, 12))
    receive("FLOUR", 20, "A1", user=USER, at=dt.datetime(2026, 2, 1, 8))
    moves = rows(exported("moves", since=dt.date(2026, 2, 1)))
    assert [m["qty"] for m in moves] == ["20"]


def test_since_is_refused_for_what_has_no_time(warehouse):
    with pytest.raises(Refused, match="--since applies to lots, moves, shipments"):
        exported("items", since=dt.date(2026, 1, 1))


def _busy_warehouse() -> None:
    add_item(ItemSpec("OAT-500", "Oat flakes; 500 g", gtin="5412345000013", tracking="lot"))
    add_location("A1-01", name="Aisle 1, bay 1", parent="A1")
    receive("FLOUR", 25_000, "A1", user=USER)
    transfer("FLOUR", 5_000, "A1", "A1-01", user=USER)
    receive("MILK", 12, "A1", user=USER, lot="M-1", expiry=dt.date(2027, 1, 31))
    receive("MILK", 8, "A2", user=USER, lot="M-2", expiry=dt.date(2027, 2, 28))
    scrap("MILK", 8, "A2", user=USER, reason="broken", lot="M-2")
    receive("OAT-500", 40, "QC", user=USER, lot="L-9")
    receive("PHONE", 1, "A2", user=USER, lot="SN-1")
    add_consignee(
        "Bakery Janssens",
        address="Kerkstraat 12\nUnit 4",
        postal_code="9000",
        city="Gent",
        country="BE",
        gln="5412345000020",
        user=USER,
    )


def test_export_then_import_into_an_empty_database_gives_the_same_stock(warehouse, tmp_path):
    _busy_warehouse()
    files = {kind: exported(kind) for kind in ("items", "locations", "stock", "lots", "consignees")}
    before = on_shelf()
    db.close()
    open_database(f"sqlite:///{tmp_path / 'empty.db'}", create=True)
    init_database(USER)
    for kind, text in files.items():
        plan = plan_import(kind, text.encode(), source=f"{kind}.csv", user=USER)
        assert plan.problems == []
        apply_import(plan, user=USER)
    assert on_shelf() == before
    lots = {lot["lot"]: lot for lot in rows(exported("lots"))}
    assert lots["M-2"]["expiry"] == "2027-02-28"  # the lot with no stock left came too
    assert rows(exported("consignees")) == rows(files["consignees"])
    assert {m.from_location.code for m in Move.select()} == {"OPENING"}
    assert_clean()
    db.close()
    open_database(warehouse.url)


def test_shipments_come_out_with_their_own_lines_and_parcels_across_pages(warehouse, monkeypatch):
    monkeypatch.setattr(exporting, "PAGE", 1)  # a page per shipment: lines must not mix
    add_consignee(
        "Bakery", address="Kerkstraat 12", postal_code="9000", city="Gent", country="BE", user=USER
    )
    add_carrier("DHL", name="DHL Freight", services=["std"], user=USER)
    receive("MILK", 10, "A1", user=USER, lot="M-1", expiry=dt.date.today() + dt.timedelta(30))
    receive("FLOUR", 500, "A1", user=USER)
    packed = create_shipment("Bakery", user=USER, carrier="DHL", service="std")
    add_line(packed, "MILK", 4, user=USER)
    add_line(packed, "FLOUR", 100, user=USER)
    allocate(packed, user=USER)
    pick_all(packed, user=USER)
    box = pack_all(packed, user=USER, company_prefix="4012345", weight_g=2_500)
    draft = create_shipment("Bakery", user=USER)
    add_line(draft, "FLOUR", 50, user=USER)
    empty = create_shipment("Bakery", user=USER)

    shipments = json.loads(exported("shipments", "json"))
    assert [s["shipment"] for s in shipments] == [packed, draft, empty]
    first, second, third = shipments
    assert (first["status"], first["consignee"], first["carrier"]) == ("packed", "Bakery", "DHL")
    assert [(x["item"], x["qty_ordered"], x["qty_picked"]) for x in first["lines"]] == [
        ("MILK", 4, 4),
        ("FLOUR", 100, 100),
    ]
    assert first["parcels"] == [
        {"sscc": box.parcel.sscc, "kind": "box", "weight_g": 2_500, "tracking_number": None}
    ]
    assert [(x["item"], x["qty_ordered"], x["qty_picked"]) for x in second["lines"]] == [
        ("FLOUR", 50, 0)
    ]
    assert (second["carrier"], second["parcels"], third["lines"]) == (None, [], [])

    table = rows(exported("shipments"))
    assert [(r["shipment"], r["item"], r["qty_ordered"]) for r in table] == [
        (packed, "MILK", "4"),
        (packed, "FLOUR", "100"),
        (draft, "FLOUR", "50"),
        (empty, "", ""),
    ]
