"""The receipt discrepancy report: expected, received, over, short and damaged, per
order line and per ASN item and lot; unordered goods as lines of their own."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from backroom.models.errors import NotFound
from backroom.models.goods_in.asn import AnnouncedLine, AsnDraft, announce
from backroom.models.goods_in.orders import close_order
from backroom.models.goods_in.receiving import ReceivingRules, receive_on_order, receive_pallet
from backroom.models.goods_in.report import (
    asn_discrepancies,
    order_discrepancies,
    receipt_discrepancies,
)
from tests.models.goods_in.conftest import pallet_sscc
from tests.models.support import USER


def _rows(report):
    return [
        (r.line, r.item, r.lot, r.expected, r.received, r.over, r.short, r.damaged)
        for r in report.rows
    ]


def test_an_order_received_exactly_is_clean(order):
    receive_on_order(order.number, "MILK", 100, "A1", user=USER, lot="L1")
    receive_on_order(order.number, "FLOUR", 5000, "A1", user=USER)
    report = order_discrepancies(order.number)
    assert report.clean
    assert report.document().as_text().rstrip().endswith("Everything came as expected.")


def test_over_short_damaged_and_unordered_each_show(order):
    quarantine = ReceivingRules(unexpected="quarantine")
    receive_on_order(order.number, "MILK", 110, "A1", user="boss", lot="L1")  # a lead: 10 over
    receive_on_order(order.number, "FLOUR", 4000, "A1", user=USER)
    receive_on_order(order.number, "FLOUR", 250, "A1", user=USER, damaged=True)
    receive_on_order(order.number, "PHONE", 1, "A1", user=USER, lot="SN-9", rules=quarantine)
    close_order(order.number, user=USER)
    report = order_discrepancies(order.number)
    assert not report.clean and report.status == "closed"
    assert _rows(report) == [
        (1, "MILK", "L1", 100, 110, 10, 0, 0),
        (2, "FLOUR", None, 5000, 4250, 0, 750, 250),
        (None, "PHONE", "SN-9", 0, 1, 1, 0, 0),
    ]
    rows = list(csv.DictReader(io.StringIO(report.csv())))
    assert [(r["item"], r["over"], r["short"], r["damaged"]) for r in rows] == [
        ("MILK", "10", "0", "0"),
        ("FLOUR", "0", "750", "250"),
        ("PHONE", "1", "0", "0"),
    ]


def test_an_asn_report_shows_pallets_still_to_come_as_short(order):
    first, second = pallet_sscc(21), pallet_sscc(22)
    lines = (
        AnnouncedLine(first, "MILK", 60, "L-A", dt.date(2027, 1, 15)),
        AnnouncedLine(second, "MILK", 40, "L-B", dt.date(2027, 1, 20)),
    )
    announce(AsnDraft("DA-21", order.number, lines), user=USER)
    receive_pallet(first, "A1", user=USER)
    report = asn_discrepancies("DA-21")
    assert (report.kind, report.order, report.status) == ("asn", order.number, "partly-received")
    assert _rows(report) == [
        (1, "MILK", "L-A", 60, 60, 0, 0, 0),
        (1, "MILK", "L-B", 40, 0, 0, 40, 0),
    ]


def test_an_order_an_asn_or_a_pallet_scan_finds_its_report(order):
    sscc = pallet_sscc(31)
    announce(AsnDraft("DA-31", order.number, (AnnouncedLine(sscc, "MILK", 60, "L-A"),)), user=USER)
    found = [receipt_discrepancies(doc) for doc in ("po-1", "DA-31", "(00)" + sscc)]
    assert [(r.kind, r.number) for r in found] == [
        ("order", order.number),
        ("asn", "DA-31"),
        ("asn", "DA-31"),
    ]
    with pytest.raises(NotFound, match="No purchase order or ASN PO-99"):
        receipt_discrepancies("PO-99")
    with pytest.raises(NotFound, match=f"No ASN announces pallet {pallet_sscc(32)}"):
        receipt_discrepancies(pallet_sscc(32))


def test_totals_add_up_each_unit_on_its_own(order):
    receive_on_order(order.number, "MILK", 90, "A1", user=USER, lot="L1")
    receive_on_order(order.number, "FLOUR", 5200, "A1", user="boss", damaged=True)
    report = order_discrepancies(order.number)
    assert [
        (t.unit, t.expected, t.received, t.over, t.short, t.damaged) for t in report.totals()
    ] == [
        ("pcs", 100, 90, 0, 10, 0),
        ("g", 5000, 5200, 200, 0, 5200),
    ]


def test_an_order_line_names_the_lots_it_came_in_as(order):
    receive_on_order(order.number, "MILK", 60, "A1", user=USER, lot="L2")
    receive_on_order(order.number, "MILK", 40, "A1", user=USER, lot="L1")
    (milk, _flour) = order_discrepancies(order.number).rows
    assert (milk.item, milk.lot, milk.received) == ("MILK", "L1, L2", 100)
