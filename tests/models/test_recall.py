"""Recalls, lot status rules, and the reports regulators ask for."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from backroom.models.db import write
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    find_lot,
    get_user,
    set_lot_status,
)
from backroom.models.schema import Event, Item, Location, Lot
from backroom.models.schema.shipping import Allocation, Consignee, Shipment, ShipmentLine
from backroom.models.stock.operations import receive, scrap, transfer
from backroom.models.trace.recall import (
    EVENT_COLUMNS,
    one_step_report,
    recall,
    recall_report,
    trace_events,
    write_csv,
)
from backroom.models.trace.transform import Line, transform
from tests.models.support import USER, on_shelf, refused

DAY = dt.datetime(2026, 5, 4, 8, 0)


def shop(name: str, city: str) -> Consignee:
    return Consignee.create(
        name=name, address=f"{name} lane 2", postal_code="2000", city=city, country="BE"
    )


@pytest.fixture
def dairy(sqlite_database) -> str:
    """Milk M1 from a farm made into cheese C1 and C2; C1 shipped to two shops; C2
    allocated to an open shipment; milk M2 unrelated."""
    add_item(ItemSpec("MILK", "Milk 1 l", tracking="lot"))
    add_item(ItemSpec("CHEESE", "Cheese 500 g", tracking="lot"))
    add_location("FARM", kind="supplier", name="Hoeve Farm")
    add_location("A1")
    add_location("DOCK")
    add_location("QC", quarantine=True)
    receive("MILK", 100, "A1", user=USER, lot="M1", supplier="FARM", supplier_lot="F-88", at=DAY)
    receive("MILK", 100, "A1", user=USER, lot="M2", at=DAY)
    transform(
        "A1",
        [Line("MILK", "M1", 90)],
        [Line("CHEESE", "C1", 9), Line("CHEESE", "C2", 9)],
        user=USER,
        at=DAY + dt.timedelta(hours=2),
    )
    ghent, bruges = shop("Corner Shop", "Ghent"), shop("Bistro Nord", "Bruges")
    Shipment.create(number="SHP-000001", consignee=ghent, planned_date=DAY.date(), status="shipped")
    Shipment.create(
        number="SHP-000002", consignee=bruges, planned_date=DAY.date(), status="shipped"
    )
    later = DAY + dt.timedelta(days=1)
    for number, qty in (("SHP-000001", 3), ("SHP-000002", 2)):
        transfer(
            "CHEESE", qty, "A1", "CUSTOMER", user=USER, lot="C1", kind="ship", ref=number, at=later
        )
    transfer(
        "MILK", 5, "A1", "CUSTOMER", user=USER, lot="M1", kind="ship", ref="SHP-000002", at=later
    )
    open_one = Shipment.create(
        number="SHP-000003", consignee=ghent, planned_date=dt.date(2026, 5, 9), status="allocated"
    )
    with write():
        line = ShipmentLine.create(
            shipment=open_one, item=Item.get(Item.sku == "CHEESE"), qty_ordered=4, qty_allocated=4
        )
        Allocation.create(
            line=line,
            item=line.item,
            lot=find_lot("C2"),
            location=Location.get(Location.code == "A1"),
            qty=4,
        )
    return sqlite_database


def test_recalling_the_milk_recalls_the_cheese_made_from_it(dairy):
    report = recall("M1", "Listeria in the farm's tank", user=USER)
    assert {f"{i.item}/{i.number}": i.status for i in report.lots} == {
        "MILK/M1": "recalled",
        "CHEESE/C1": "recalled",
        "CHEESE/C2": "recalled",
    }
    assert report.newly_recalled == ("MILK/M1", "CHEESE/C1", "CHEESE/C2")
    assert find_lot("M2").status == "released"
    reasons = [e.detail for e in Event.select().where(Event.kind == "lot.status")]
    assert len(reasons) == 3 and all("Listeria" in r for r in reasons)


def test_the_recall_report_names_customers_stock_and_open_shipments(dairy):
    report = recall("M1", "Listeria", user=USER)
    assert [(c.consignee, c.shipment, c.item, c.lot, c.qty) for c in report.customers] == [
        ("Bistro Nord", "SHP-000002", "CHEESE", "C1", 2),
        ("Bistro Nord", "SHP-000002", "MILK", "M1", 5),
        ("Corner Shop", "SHP-000001", "CHEESE", "C1", 3),
    ]
    assert report.customers[0].address == "Bistro Nord lane 2, 2000 Bruges, BE"
    assert report.customers[0].date == dt.date(2026, 5, 5)
    assert sorted((s.location, s.item, s.lot, s.qty) for s in report.on_hand) == [
        ("A1", "CHEESE", "C1", 4),
        ("A1", "CHEESE", "C2", 9),
        ("A1", "MILK", "M1", 5),
    ]
    (held,) = report.open_shipments
    assert (held.shipment, held.consignee, held.lot, held.allocated) == (
        "SHP-000003",
        "Corner Shop",
        "C2",
        4,
    )
    data = report.as_dict()
    assert data["totals"] == {"customers": 2, "shipped": 10, "on_hand": 18, "allocated": 4}
    assert data["reason"] == "Listeria" and data["by"] == USER


def test_the_recall_report_as_csv(dairy):
    report = recall("M1", "Listeria", user=USER)
    out = io.StringIO()
    from backroom.models.trace.recall import REPORT_COLUMNS

    write_csv(out, REPORT_COLUMNS, report.rows())
    lines = out.getvalue().splitlines()
    assert lines[0] == "section,consignee,address,shipment,date,item,lot,location,qty,unit,detail"
    assert (
        'customer,Corner Shop,"Corner Shop lane 2, 2000 Ghent, BE",SHP-000001,'
        "2026-05-05,CHEESE,C1,,3,pcs," in lines
    )
    assert "on hand,,,,,MILK,M1,A1,5,pcs,pull back" in lines
    assert (
        'open shipment,Corner Shop,,SHP-000003,2026-05-09,CHEESE,C2,A1,4,,"allocated, 0 picked"'
        in lines
    )


def test_a_recall_needs_a_reason(dairy):
    with refused("A recall needs a reason"):
        recall("M1", "  ", user=USER)


def test_a_recalled_lot_cannot_be_moved_except_to_quarantine_or_scrap(dairy):
    recall("C1", "Label misprint", user=USER)
    with refused("Lot C1 is recalled and can only go to quarantine or scrap"):
        transfer("CHEESE", 1, "A1", "DOCK", user=USER, lot="C1")
    with refused("Lot C1 is recalled"):
        transfer("CHEESE", 1, "A1", "CUSTOMER", user=USER, lot="C1", kind="ship", ref="SHP-000001")
    transfer("CHEESE", 2, "A1", "QC", user=USER, lot="C1")
    scrap("CHEESE", 2, "A1", user=USER, lot="C1", reason="recalled")
    assert on_shelf()[("CHEESE", "C1", "QC")] == 2
    assert ("CHEESE", "C1", "A1") not in on_shelf()


def test_a_blocked_lot_is_held_like_a_recalled_one_and_every_change_is_logged(dairy):
    lot = find_lot("M2")
    set_lot_status(lot, "blocked", "Damaged pallet", by=get_user(USER))
    with refused("Lot M2 is blocked and can only go to quarantine or scrap"):
        transfer("MILK", 1, "A1", "DOCK", user=USER, lot="M2")
    set_lot_status(lot, "released", "Checked, fine", by=get_user(USER))
    transfer("MILK", 1, "A1", "DOCK", user=USER, lot="M2")
    changes = [
        e.detail for e in Event.select().where(Event.subject == "MILK/M2").order_by(Event.id)
    ]
    assert '"reason": "Damaged pallet"' in changes[-2] and '"new": "blocked"' in changes[-2]
    assert '"reason": "Checked, fine"' in changes[-1]
    assert all(e.user.name == USER for e in Event.select().where(Event.subject == "MILK/M2"))


def test_a_recall_report_without_a_recall_changes_nothing(dairy):
    report = recall_report("C1")
    assert report.reason is None
    assert [i.status for i in report.lots] == ["released"]
    assert Lot.get(Lot.number == "C1").status == "released"


def test_one_step_back_and_one_step_forward(dairy):
    report = one_step_report("C1")
    assert [(p.name, p.item, p.lot, p.partner_lot, p.qty) for p in report.suppliers] == [
        ("Hoeve Farm", "MILK", "M1", "F-88", 100)
    ]
    assert sorted((p.name, p.reference, p.qty) for p in report.customers) == [
        ("Bistro Nord", "SHP-000002", 2),
        ("Corner Shop", "SHP-000001", 3),
    ]


def test_trace_events_list_receiving_transformation_and_shipping_in_the_range(dairy):
    rows = list(trace_events(dt.date(2026, 5, 4), dt.date(2026, 5, 5)))
    assert [r["event"] for r in rows] == [
        "receiving",
        "receiving",
        "transformation input",
        "transformation output",
        "transformation output",
        "shipping",
        "shipping",
        "shipping",
    ]
    first = rows[0]
    assert {k: first[k] for k in ("item", "lot", "qty", "location", "partner", "supplier_lot")} == {
        "item": "MILK",
        "lot": "M1",
        "qty": 100,
        "location": "A1",
        "partner": "Hoeve Farm",
        "supplier_lot": "F-88",
    }
    assert rows[-1]["partner"] == "Bistro Nord"
    assert list(first) == list(EVENT_COLUMNS)
    assert [r["event"] for r in trace_events(dt.date(2026, 5, 4), dt.date(2026, 5, 4))][-1] == (
        "transformation output"
    )


def test_trace_events_sort_by_any_key_data(dairy):
    by_qty = [r["qty"] for r in trace_events(dt.date(2026, 5, 1), dt.date(2026, 5, 31), "-qty")]
    assert by_qty == sorted(by_qty, reverse=True)
    partners = [
        r["partner"] for r in trace_events(dt.date(2026, 5, 1), dt.date(2026, 5, 31), "partner")
    ]
    assert partners == sorted(partners)
    with refused("Cannot sort by 'colour'"):
        list(trace_events(dt.date(2026, 5, 1), dt.date(2026, 5, 31), "colour"))
    with refused("ends"):
        list(trace_events(dt.date(2026, 5, 31), dt.date(2026, 5, 1)))


def test_recall_return_and_events_read_the_same_on_every_database(database):
    from backroom.models.goods_out.returns import receive_return

    add_item(ItemSpec("HONEY", "Honey 250 g", tracking="lot"))
    add_item(ItemSpec("GIFT", "Honey gift box", tracking="lot"))
    add_location("A1")
    add_location("QC", quarantine=True)
    receive("HONEY", 30, "A1", user=USER, lot="H1", supplier_lot="HIVE-2", at=DAY)
    transform(
        "A1", [Line("HONEY", "H1", 10)], [Line("GIFT", "G1", 5)], user=USER, kind="kitting", at=DAY
    )
    Shipment.create(
        number="SHP-000001", consignee=shop("Corner Shop", "Ghent"), planned_date=DAY.date()
    )
    later = DAY + dt.timedelta(hours=3)
    transfer(
        "GIFT", 4, "A1", "CUSTOMER", user=USER, lot="G1", kind="ship", ref="SHP-000001", at=later
    )
    receive_return("GIFT", 1, "QC", user=USER, lot="G1", shipment="SHP-000001")
    report = recall("H1", "Glass in a jar", user=USER)
    assert [(c.consignee, c.lot, c.qty) for c in report.customers] == [("Corner Shop", "G1", 4)]
    assert sorted((s.location, s.lot, s.qty) for s in report.on_hand) == [
        ("A1", "G1", 1),
        ("A1", "H1", 20),
        ("QC", "G1", 1),
    ]
    events = list(trace_events(DAY.date(), DAY.date()))
    assert [(e["event"], e["lot"], e["qty"], e["partner"]) for e in events] == [
        ("receiving", "H1", 30, "Suppliers"),
        ("transformation input", "H1", 10, ""),
        ("transformation output", "G1", 5, ""),
        ("shipping", "G1", 4, "Corner Shop"),
    ]
