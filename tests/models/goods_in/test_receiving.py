"""Receiving against an order: a whole ASN pallet from one SSCC scan, tolerance and the
lead who lets more in, unexpected and damaged goods, and a DESADV file of two pallets."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest

from backroom.models.browse import list_moves
from backroom.models.errors import DomainError
from backroom.models.goods_in.asn import AnnouncedLine, AsnDraft, announce, asn_view, draft_from_csv
from backroom.models.goods_in.desadv import draft_from_desadv
from backroom.models.goods_in.orders import order_detail
from backroom.models.goods_in.receiving import (
    ReceivingRules,
    lead_approval,
    pallet_view,
    receive_on_order,
    receive_pallet,
)
from backroom.models.people.users import set_pin
from backroom.models.schema import Move
from backroom.models.trace.walk import trace_lot
from tests.models.goods_in.conftest import LEAD_PIN, pallet_sscc
from tests.models.support import USER, assert_clean, on_shelf, refused

HERE = Path(__file__).parent


def _milk_pallet(order, serial: int = 1) -> str:
    sscc = pallet_sscc(serial)
    announce(
        AsnDraft(
            f"DA-{serial}",
            order.number,
            (
                AnnouncedLine(sscc, "MILK", 60, "L-A", dt.date(2027, 1, 15)),
                AnnouncedLine(sscc, "AC-M1", 40, "L-B", dt.date(2027, 1, 20)),
            ),
        ),
        user=USER,
    )
    return sscc


def test_one_scan_of_an_announced_pallet_receives_all_of_it(order):
    sscc = _milk_pallet(order)
    shown = pallet_view("(00)" + sscc)  # as the scanner sends it
    assert [(x.item, x.lot, x.qty) for x in shown.lines] == [
        ("MILK", "L-A", 60),
        ("MILK", "L-B", 40),
    ]
    moves_before = Move.select().count()

    booked = receive_pallet("00" + sscc, "A1", user="op")

    assert Move.select().count() == moves_before + 2  # one move per line
    assert [(b.move.lot, b.move.qty, b.move.reference, b.line) for b in booked] == [
        ("L-A", 60, sscc, 1),
        ("L-B", 40, sscc, 1),
    ]
    ledger = [m for m in list_moves(limit=10) if m.reference == sscc]
    assert {(m.kind, m.from_location, m.to_location) for m in ledger} == {("receipt", "ACME", "A1")}
    shelf = on_shelf()
    assert (shelf[("MILK", "L-A", "A1")], shelf[("MILK", "L-B", "A1")]) == (60, 40)
    receipt = trace_lot("L-A").root.receipts[0]
    assert (receipt.supplier, receipt.supplier_name, receipt.reference, receipt.qty) == (
        "ACME",
        "Acme Dairies",
        sscc,
        60,
    )
    assert trace_lot("L-B").root.info.expiry == dt.date(2027, 1, 20)
    detail = order_detail(order.number)
    assert (detail.lines[0].received, detail.summary.status) == (100, "partly-received")
    assert asn_view("DA-1").status == "received"
    assert_clean()


def test_a_pallet_is_received_once(order):
    sscc = _milk_pallet(order)
    receive_pallet(sscc, "A1", user="op")
    with refused("received already"):
        receive_pallet(sscc, "A1", user="op")


def test_a_pallet_over_the_order_is_refused_whole_without_a_lead(order):
    receive_on_order(order.number, "MILK", 10, "A1", user="op", lot="L-0")
    sscc = _milk_pallet(order)  # 100 more: 110 of 100
    with refused("110 of 100 ordered, 10 over"):
        receive_pallet(sscc, "A1", user="op")
    booked = receive_pallet(sscc, "A1", user="op", approval=lead_approval("boss", LEAD_PIN))
    assert [b.approved_by for b in booked] == [None, "boss"]  # the first 60 were within
    assert order_detail(order.number).lines[0].received == 110


def test_over_receipt_within_the_tolerance_needs_nobody(order):
    rules = ReceivingRules(over_tolerance_percent=Fraction(5))
    receive_on_order(order.number, "MILK", 105, "A1", user="op", lot="L1", rules=rules)
    with refused("106 of 100 ordered, 6 over \\(tolerance 5%, at most 105\\)"):
        receive_on_order(order.number, "MILK", 1, "A1", user="op", lot="L1", rules=rules)


def test_a_lead_receives_over_the_order_in_their_own_session(order):
    booked = receive_on_order(order.number, "MILK", 120, "A1", user="boss", lot="L1")
    assert booked.approved_by == "boss"


def test_a_wrong_lead_pin_approves_nothing(order):
    with pytest.raises(DomainError, match="Wrong name or PIN"):
        lead_approval("boss", "000111")
    set_pin("op", "591827", by=None)
    with pytest.raises(DomainError, match="receiving more than was ordered needs a lead"):
        lead_approval("op", "591827")  # the right PIN of an operator


def test_an_unexpected_item_is_refused_or_quarantined_as_the_site_chooses(order):
    with refused("not on purchase order .* refuses unexpected items"):
        receive_on_order(order.number, "PHONE", 1, "A1", user="op", lot="SN1")
    rules = ReceivingRules(unexpected="quarantine")
    booked = receive_on_order(order.number, "PHONE", 1, "A1", user="op", lot="SN1", rules=rules)
    assert (booked.disposition, booked.move.to_location, booked.line) == ("unexpected", "QC", None)


def test_damaged_goods_go_to_quarantine_and_count_as_received_and_damaged(order):
    booked = receive_on_order(order.number, "FLOUR", 500, "A1", user="op", damaged=True)
    assert (booked.disposition, booked.move.to_location) == ("damaged", "QC")
    line = order_detail(order.number).lines[1]
    assert (line.received, line.damaged) == (500, 500)


def test_a_desadv_file_with_two_pallets_is_announced_and_received_pallet_by_pallet(order):
    draft = draft_from_desadv((HERE / "desadv_two_pallets.xml").read_bytes())
    assert (draft.number, draft.order, draft.expected) == (
        "DA-7781",
        "PO-000001",
        dt.date(2026, 12, 4),
    )
    view = announce(draft, user=USER)
    assert [p.sscc for p in view.pallets] == [pallet_sscc(1), pallet_sscc(2)]
    assert [(x.item, x.lot, x.expiry, x.qty) for x in view.pallets[0].lines] == [
        ("MILK", "L-A", dt.date(2027, 1, 15), 60),
        ("MILK", "L-B", dt.date(2027, 1, 20), 40),
    ]
    receive_pallet(pallet_sscc(1), "A1", user="op")
    assert asn_view("DA-7781").status == "partly-received"
    receive_pallet(pallet_sscc(2), "A2", user="op")
    assert asn_view("DA-7781").status == "received"
    assert order_detail(order.number).summary.status == "received"
    assert on_shelf()[("FLOUR", None, "A2")] == 5000
    assert_clean()


def test_a_desadv_with_an_entity_bomb_is_refused(order):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
        b"<despatchAdvice>&a;</despatchAdvice>"
    )
    with refused("not XML Backroom reads"):
        draft_from_desadv(bomb)


def test_an_asn_csv_is_refused_whole_when_one_row_is_wrong(order):
    good = pallet_sscc(5)
    text = (
        "asn,order,sscc,item,qty,lot,expiry\n"
        f"ASN-9,{order.number},{good},MILK,10,L1,2027-01-01\n"
        f"ASN-9,{order.number},{good},NOPE,10,,\n"
    )
    with refused("Row 3: unknown item 'NOPE'"):
        announce(draft_from_csv(text), user=USER)
    with refused("not announced"):
        pallet_view(good)
    ok = text.splitlines()[:2]
    view = announce(draft_from_csv("\n".join(ok) + "\n"), user=USER)
    assert [line.qty for line in view.pallets[0].lines] == [10]


def test_a_pallet_already_announced_cannot_be_announced_again(order):
    _milk_pallet(order, 7)
    with refused("already announced"):
        announce(
            AsnDraft("DA-X", order.number, (AnnouncedLine(pallet_sscc(7), "FLOUR", 1),)), user=USER
        )


def test_a_pallet_counted_short_receives_what_came_and_the_asn_shows_the_rest(order):
    from backroom.models.goods_in.report import asn_discrepancies

    sscc = _milk_pallet(order)
    with refused("not announced with MILK lot L-Z"):
        receive_pallet(sscc, "A1", user="op", counted={("MILK", "L-Z"): 5})
    booked = receive_pallet(
        sscc, "A1", user="op", counted={("MILK", "L-A"): 58, ("MILK", "L-B"): 0}
    )
    assert [(b.move.lot, b.move.qty) for b in booked] == [("L-A", 58)]
    assert [(r.lot, r.expected, r.received, r.short) for r in asn_discrepancies("DA-1").rows] == [
        ("L-A", 60, 58, 2),
        ("L-B", 40, 0, 40),
    ]
    assert order_detail(order.number).lines[0].received == 58


def test_a_count_is_checked_before_posting_as_the_posting_would_check_it(order):
    from backroom.models.goods_in.receiving import check_count

    sscc = _milk_pallet(order)
    assert check_count(sscc, {("MILK", "L-A"): 58}, ReceivingRules()) is None
    over = check_count(sscc, {("MILK", "L-A"): 62}, ReceivingRules())
    assert over == (
        "Line 1 (MILK) would have 102 of 100 ordered, 2 over (tolerance 0%, at most 100): "
        "a lead approves at posting"
    )
    assert check_count(sscc, {("MILK", "L-A"): 62}, ReceivingRules(Fraction(5))) is None
    with refused("not announced with MILK lot L-Z"):
        check_count(sscc, {("MILK", "L-Z"): 1}, ReceivingRules())
    with refused("is not a whole number"):
        check_count(sscc, {("MILK", "L-A"): -1}, ReceivingRules())
    with refused("102 of 100 ordered, 2 over"):  # and the posting agrees
        receive_pallet(sscc, "A1", user="op", counted={("MILK", "L-A"): 62})
    assert Move.select().count() == 0
