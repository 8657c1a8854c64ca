"""A receipt against an order, reversed: the order stops counting it, in the same
transaction as the reversing move; a closed order's record stays as it was closed."""

from __future__ import annotations

from backroom.models.goods_in.orders import close_order, order_detail
from backroom.models.goods_in.receiving import receive_on_order
from backroom.models.stock.operations import reverse
from tests.models.support import USER, assert_clean, on_shelf, refused


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
