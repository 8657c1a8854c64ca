"""A receipt against an order, reversed: the order stops counting it, in the same
transaction as the reversing move; a closed order's record stays as it was closed. A
pallet's receipt is undone whole, and the pallet waits to be received again."""

from __future__ import annotations

import datetime as dt

from backroom.models.goods_in.asn import AnnouncedLine, AsnDraft, announce, asn_view
from backroom.models.goods_in.orders import close_order, order_detail
from backroom.models.goods_in.receiving import pallet_view, receive_on_order, receive_pallet
from backroom.models.goods_in.report import asn_discrepancies
from backroom.models.goods_in.unreceiving import reverse_pallet, undo_receipt
from backroom.models.schema import Move
from backroom.models.stock.operations import reverse, transfer
from tests.models.goods_in.conftest import pallet_sscc
from tests.models.support import USER, assert_clean, ledger_state, on_shelf, refused


def test_a_reversed_receipt_is_no_longer_counted_on_its_order(order):
    first = receive_on_order(order.number, "MILK", 30, "A1", user="op", lot="L1")
    second = receive_on_order(order.number, "MILK", 20, "A1", user="op", lot="L1")
    assert order_detail(order.number).lines[0].received == 50
    reverse(second.move.id, user=USER, reason="scanned twice")
    detail = order_detail(order.number)
    assert (detail.lines[0].received, detail.summary.status) == (30, "partly-received")
    reverse(first.move.id, user=USER, reason="wrong order")
    detail = order_detail(order.number)
    assert (detail.lines[0].received, detail.summary.status) == (0, "confirmed")
    said = [h for h in detail.history if h.kind == "po.receipt_reversed"]
    assert [h.detail["qty"] for h in said] == [20, 30]
    assert on_shelf().get(("MILK", "L1", "A1"), 0) == 0
    assert_clean()


def test_a_reversed_damaged_receipt_takes_its_damage_back_too(order):
    booked = receive_on_order(order.number, "MILK", 6, "A1", user="op", lot="L1", damaged=True)
    assert order_detail(order.number).lines[0].damaged == 6
    reverse(booked.move.id, user=USER)
    line = order_detail(order.number).lines[0]
    assert (line.received, line.damaged) == (0, 0)


def test_a_receipt_on_a_closed_order_is_not_reversed(order):
    booked = receive_on_order(order.number, "MILK", 30, "A1", user="op", lot="L1")
    close_order(order.number, user=USER, reason="supplier ran out")
    with refused("which is closed"):
        reverse(booked.move.id, user=USER)
    assert order_detail(order.number).lines[0].received == 30


def _milk_pallet(order) -> str:
    sscc = pallet_sscc(5)
    lines = (
        AnnouncedLine(sscc, "MILK", 60, "L-A", dt.date(2027, 1, 15)),
        AnnouncedLine(sscc, "MILK", 40, "L-B", dt.date(2027, 1, 20)),
    )
    announce(AsnDraft("DA-5", order.number, lines), user=USER)
    return sscc


def _received(asn: str) -> list[tuple[str | None, int]]:
    return [(r.lot, r.received) for r in asn_discrepancies(asn).rows]


def test_a_pallet_receipt_undone_is_undone_whole_and_the_pallet_waits_again(order):
    sscc = _milk_pallet(order)
    receive_pallet(sscc, "A1", user="op", counted={("MILK", "L-A"): 58})
    assert _received("DA-5") == [("L-A", 58), ("L-B", 40)]
    undone = reverse_pallet(sscc, user="op", reason="wrong bin")
    assert sorted((m.lot, m.qty, m.from_location) for m in undone) == [
        ("L-A", 58, "A1"),
        ("L-B", 40, "A1"),
    ]
    assert order_detail(order.number).lines[0].received == 0
    assert order_detail(order.number).summary.status == "confirmed"
    assert (pallet_view(sscc).received_at, asn_view("DA-5").status) == (None, "announced")
    assert _received("DA-5") == [("L-A", 0), ("L-B", 0)]
    assert on_shelf().get(("MILK", "L-A", "A1"), 0) == 0
    with refused("is not received: nothing to undo"):
        reverse_pallet(sscc, user="op")
    again = receive_pallet(sscc, "A1", user="op")  # receivable again, as announced
    assert [b.move.qty for b in again] == [60, 40]
    assert order_detail(order.number).lines[0].received == 100
    assert_clean()


def test_undoing_any_move_of_a_pallet_undoes_the_pallet_and_a_line_alone_does_not(order):
    sscc = _milk_pallet(order)
    booked = receive_pallet(sscc, "A1", user="op")
    reverse(booked[0].move.id, user=USER, reason="one line was wrong")  # one line alone
    assert pallet_view(sscc).received_at is not None  # the rest of it is still in
    assert _received("DA-5") == [("L-A", 0), ("L-B", 40)]
    undone = undo_receipt(booked[1].move.id, user="op")
    assert [m.reverses for m in undone] == [booked[1].move.id]
    assert pallet_view(sscc).received_at is None
    with refused("already reversed"):
        undo_receipt(booked[1].move.id, user="op")
    assert order_detail(order.number).lines[0].received == 0
    assert_clean()


def test_a_pallet_whose_goods_moved_on_is_not_undone_at_all(order):
    sscc = _milk_pallet(order)
    booked = receive_pallet(sscc, "A1", user="op")
    transfer("MILK", 30, "A1", "A2", user=USER, lot="L-B")  # 10 of the 40 left in A1
    before = ledger_state()
    with refused("L-B"):
        undo_receipt(booked[0].move.id, user="op")
    assert ledger_state() == before  # not even the L-A line
    assert pallet_view(sscc).received_at is not None
    assert order_detail(order.number).lines[0].received == 100


def test_a_single_receipt_undone_is_that_move_only(order):
    first = receive_on_order(order.number, "MILK", 30, "A1", user="op", lot="L1")
    second = receive_on_order(order.number, "MILK", 20, "A1", user="op", lot="L1")
    undone = undo_receipt(second.move.id, user="op")
    assert [m.reverses for m in undone] == [second.move.id]
    assert order_detail(order.number).lines[0].received == 30
    assert Move.get_by_id(first.move.id).kind == "receipt"
