"""The trace of a lot: receipts and source lots upstream; movements, stock, shipments
and the lots made from it downstream, across several levels of transformation."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from backroom.models.errors import DomainError
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.schema.shipping import Consignee, Shipment
from backroom.models.stock.operations import receive, reverse, transfer
from backroom.models.trace.report import trace_rows
from backroom.models.trace.transform import Line, transform
from backroom.models.trace.walk import trace_lot
from tests.models.support import USER

DAY = dt.datetime(2026, 4, 1, 9, 0)


def customer(name: str, city: str = "Ghent") -> Consignee:
    """A consignee as the shipments work would have created it."""
    return Consignee.create(
        name=name, address=f"{name} street 1", postal_code="9000", city=city, country="BE"
    )


def ship(item: str, qty: int, lot: str, number: str, to: Consignee, day: int = 0) -> int:
    """Ship QTY of LOT to a customer on shipment NUMBER (made if new); the move id."""
    if not Shipment.select().where(Shipment.number == number).exists():
        Shipment.create(number=number, consignee=to, planned_date=DAY.date(), status="shipped")
    at = DAY + dt.timedelta(days=day, hours=6)
    move = transfer(item, qty, "A1", "CUSTOMER", user=USER, lot=lot, kind="ship", ref=number, at=at)
    return move.id


@pytest.fixture
def bakery(sqlite_database) -> str:
    """The bakery's history (see `bake`), on SQLite."""
    bake()
    return sqlite_database


@pytest.fixture
def bakery_anywhere(database) -> str:
    """The bakery's history (see `bake`), on SQLite and on PostgreSQL."""
    bake()
    return database


def bake() -> None:
    """Wheat from a mill, flour milled from it, dough from flour and yeast, bread and
    rolls from the dough: three levels of transformation, and four shipments."""
    for sku, name in (
        ("WHEAT", "Wheat"),
        ("YEAST", "Yeast"),
        ("FLOUR", "Flour"),
        ("DOUGH", "Dough"),
        ("BREAD", "Bread"),
        ("ROLLS", "Rolls"),
    ):
        add_item(ItemSpec(sku, name, tracking="lot"))
    add_location("MILL", kind="supplier", name="Ceres Mill")
    add_location("A1")
    add_location("QC", quarantine=True)
    receive("WHEAT", 1000, "A1", user=USER, lot="W1", supplier="MILL", supplier_lot="H-26", at=DAY)
    receive("YEAST", 50, "A1", user=USER, lot="Y1", at=DAY)
    step = dt.timedelta(hours=1)
    transform(
        "A1", [Line("WHEAT", "W1", 800)], [Line("FLOUR", "F1", 600)], user=USER, at=DAY + step
    )
    transform(
        "A1",
        [Line("FLOUR", "F1", 500), Line("YEAST", "Y1", 5)],
        [Line("DOUGH", "D1", 520)],
        user=USER,
        at=DAY + 2 * step,
    )
    transform(
        "A1",
        [Line("DOUGH", "D1", 520)],
        [Line("BREAD", "B1", 40), Line("ROLLS", "R1", 200)],
        user=USER,
        kind="repack",
        at=DAY + 3 * step,
    )
    shop, bistro = customer("Corner Shop"), customer("Bistro Nord", "Bruges")
    ship("BREAD", 10, "B1", "SHP-000001", shop)
    ship("BREAD", 5, "B1", "SHP-000002", bistro, day=1)
    ship("ROLLS", 50, "R1", "SHP-000002", bistro, day=1)
    ship("WHEAT", 100, "W1", "SHP-000003", shop, day=2)


def test_a_raw_lot_reaches_the_customers_of_the_bread_three_levels_down(bakery_anywhere):
    found = trace_lot("W1")
    made = {(f.info.item, f.info.number): f.depth for f in found.downstream}
    assert made == {("FLOUR", "F1"): 1, ("DOUGH", "D1"): 2, ("BREAD", "B1"): 3, ("ROLLS", "R1"): 3}
    reached = sorted((f.info.number, s.shipment, s.consignee, s.qty) for f, s in found.reached())
    assert reached == [
        ("B1", "SHP-000001", "Corner Shop", 10),
        ("B1", "SHP-000002", "Bistro Nord", 5),
        ("R1", "SHP-000002", "Bistro Nord", 50),
        ("W1", "SHP-000003", "Corner Shop", 100),
    ]
    assert [(o.location, o.qty) for o in found.root.on_hand] == [("A1", 100)]
    data = found.as_dict()
    assert data["totals"] == {
        "received": 1000,
        "produced": 0,
        "returned": 0,
        "shipped": 100,
        "consumed": 800,
        "on_hand": 100,
        "shipped_downstream": 65,
    }
    assert [t["number"] for t in data["downstream"]["used_in"]] == ["TF-000001"]


def test_the_bread_goes_back_to_the_mill_and_the_suppliers_lot(bakery_anywhere):
    found = trace_lot("B1", "BREAD")
    sources = {(f.info.item, f.info.number): f.depth for f in found.upstream}
    assert sources == {
        ("DOUGH", "D1"): 1,
        ("FLOUR", "F1"): 2,
        ("YEAST", "Y1"): 2,
        ("WHEAT", "W1"): 3,
    }
    wheat = next(f for f in found.upstream if f.info.number == "W1")
    (receipt,) = wheat.receipts
    assert (receipt.supplier, receipt.supplier_name, receipt.supplier_lot, receipt.qty) == (
        "MILL",
        "Ceres Mill",
        "H-26",
        1000,
    )
    assert receipt.time.date() == DAY.date()
    assert found.root.made_by == [3]
    assert found.downstream == []
    assert [(s.shipment, s.qty) for s in found.root.shipments] == [
        ("SHP-000001", 10),
        ("SHP-000002", 5),
    ]


def test_every_movement_of_the_lot_is_listed_oldest_first(bakery):
    found = trace_lot("B1")
    assert [(m.kind, m.qty, m.from_location, m.to_location) for m in found.moves] == [
        ("produce", 40, "PRODUCTION", "A1"),
        ("ship", 10, "A1", "CUSTOMER"),
        ("ship", 5, "A1", "CUSTOMER"),
    ]
    assert found.root.on_hand_total == 25


def test_a_split_lot_and_a_merged_lot(sqlite_database):
    add_item(ItemSpec("BEANS", "Coffee beans", tracking="lot"))
    add_item(ItemSpec("BAG", "Coffee 250 g", tracking="lot"))
    add_location("A1")
    receive("BEANS", 100, "A1", user=USER, lot="G1")
    receive("BEANS", 100, "A1", user=USER, lot="G2")
    # Split: one lot into two; merge: two lots into one.
    transform(
        "A1", [Line("BEANS", "G1", 60)], [Line("BAG", "P1", 30), Line("BAG", "P2", 30)], user=USER
    )
    transform(
        "A1", [Line("BEANS", "G1", 40), Line("BEANS", "G2", 40)], [Line("BAG", "P3", 80)], user=USER
    )
    shop = customer("Corner Shop")
    ship("BAG", 30, "P2", "SHP-000010", shop)
    ship("BAG", 20, "P3", "SHP-000011", shop)
    g1 = trace_lot("G1")
    assert sorted(f.info.number for f in g1.downstream) == ["P1", "P2", "P3"]
    assert sum(s.qty for _f, s in g1.reached()) == 50
    g2 = trace_lot("G2")
    assert [f.info.number for f in g2.downstream] == ["P3"]
    assert [(s.shipment, s.qty) for _f, s in g2.reached()] == [("SHP-000011", 20)]
    p3 = trace_lot("P3")
    assert sorted(f.info.number for f in p3.upstream) == ["G1", "G2"]
    (made_by,) = p3.root.made_by
    assert [(i.lot, i.qty) for i in p3.transformations[made_by].inputs] == [("G1", 40), ("G2", 40)]


def test_partial_shipments_add_up_with_stock_left(bakery):
    found = trace_lot("R1")
    assert found.root.shipped == 50
    assert found.produced == 200
    assert found.root.on_hand_total == 150


def test_a_reversed_move_to_the_customer_is_marked_and_left_out_of_the_totals(bakery):
    ship_move = next(s.move_id for s in trace_lot("B1").root.shipments if s.qty == 5)
    with pytest.raises(DomainError, match="belongs to shipment"):
        reverse(ship_move, user=USER)  # a shipment's own move: cancel or return instead
    plain = transfer("BREAD", 3, "A1", "CUSTOMER", user=USER, lot="B1", ref="SO-9")
    reverse(plain.id, user=USER, reason="never left the dock")
    found = trace_lot("B1")
    assert [(s.qty, s.reversed) for s in found.root.shipments] == [
        (10, False),
        (5, False),
        (3, True),
    ]
    assert found.root.shipped == 15
    assert found.root.on_hand_total == 25


def test_a_plain_move_to_the_customer_location_counts_as_a_shipment(sqlite_database):
    add_item(ItemSpec("TEA", "Tea", tracking="lot"))
    add_location("A1")
    receive("TEA", 10, "A1", user=USER, lot="T1")
    transfer("TEA", 4, "A1", "CUSTOMER", user=USER, lot="T1", ref="SO-77")
    (shipped,) = trace_lot("T1").root.shipments
    assert (shipped.shipment, shipped.consignee, shipped.qty) == ("SO-77", None, 4)


def test_a_serial_number_is_traced_like_a_lot(sqlite_database):
    add_item(ItemSpec("SCANNER", "Handheld scanner", tracking="serial"))
    add_location("A1")
    receive("SCANNER", 1, "A1", user=USER, lot="SN-001", supplier_lot="ACME-9")
    ship("SCANNER", 1, "SN-001", "SHP-000020", customer("Corner Shop"))
    found = trace_lot("SN-001")
    assert found.root.info.label == "SCANNER serial SN-001"
    assert [s.consignee for s in found.root.shipments] == ["Corner Shop"]
    assert found.root.on_hand == []


def test_an_unknown_lot_is_named(sqlite_database):
    with pytest.raises(DomainError, match="Unknown lot 'NOPE'"):
        trace_lot("NOPE")


def test_a_cycle_in_the_genealogy_ends_the_walk(sqlite_database):
    add_item(ItemSpec("MIX", "Mix", tracking="lot"))
    add_item(ItemSpec("BASE", "Base", tracking="lot"))
    add_location("A1")
    receive("MIX", 10, "A1", user=USER, lot="X1")
    transform("A1", [Line("MIX", "X1", 5)], [Line("BASE", "Z1", 5)], user=USER)
    # Rework: the base goes back into the running mix lot.
    transform("A1", [Line("BASE", "Z1", 2)], [Line("MIX", "X1", 2)], user=USER)
    found = trace_lot("X1")
    assert [f.info.number for f in found.downstream] == ["Z1"]
    assert [f.info.number for f in found.upstream] == ["Z1"]


def test_the_csv_rows_name_every_section(bakery):
    sections = {row["section"] for row in trace_rows(trace_lot("F1"))}
    assert {"lot", "movement", "on hand", "source lot", "receipt", "lot made from it"} <= sections
    assert {"shipment", "transformation input", "transformation output"} <= sections


def test_a_lot_shipped_to_hundreds_of_orders_lists_every_shipment(sqlite_database):
    add_item(ItemSpec("SALT", "Salt", tracking="lot"))
    add_location("A1")
    receive("SALT", 5000, "A1", user=USER, lot="S1")
    shop = customer("Corner Shop")
    from backroom.models.db import write
    from backroom.models.masterdata.adding import get_item, get_location, get_lot, get_user
    from backroom.models.stock.ledger import MoveSpec, post

    item = get_item("SALT")
    specs = [
        MoveSpec(
            "ship",
            item,
            1,
            get_location("A1"),
            get_location("CUSTOMER"),
            get_lot(item, "S1"),
            reference=f"SHP-{n:06d}",
        )
        for n in range(1, 301)
    ]
    Shipment.insert_many(
        [
            {"number": f"SHP-{n:06d}", "consignee": shop, "planned_date": DAY.date()}
            for n in range(1, 301)
        ]
    ).execute()
    with write():
        post(specs, get_user(USER))
    started = time.perf_counter()
    found = trace_lot("S1")
    elapsed = time.perf_counter() - started
    assert len(found.root.shipments) == 300
    assert {s.consignee for s in found.root.shipments} == {"Corner Shop"}
    # bench/trace_bench.py holds a lot with 1,100 shipments to 200 ms on the large demo.
    assert elapsed < 1.0
