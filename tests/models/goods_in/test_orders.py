"""Suppliers and purchase orders: statuses, lines and the event log."""

from __future__ import annotations

import datetime as dt

from backroom.models.goods_in.orders import (
    add_order_line,
    cancel_order,
    close_order,
    confirm_order,
    create_order,
    due_orders,
    list_orders,
    order_detail,
)
from backroom.models.goods_in.receiving import receive_on_order
from backroom.models.goods_in.suppliers import add_supplier, get_supplier
from backroom.models.schema import Location
from tests.models.goods_in.conftest import SUPPLIER_GLN
from tests.models.support import USER, refused


def test_a_supplier_is_a_supplier_location_with_name_address_and_gln(order):
    supplier = get_supplier("ACME")
    assert (supplier.name, supplier.gln) == ("Acme Dairies", SUPPLIER_GLN)
    assert Location.get(Location.code == "ACME").kind == "supplier"
    assert get_supplier(SUPPLIER_GLN).location.code == "ACME"


def test_a_gln_with_a_wrong_check_digit_is_refused(warehouse):
    wrong = SUPPLIER_GLN[:-1] + str((int(SUPPLIER_GLN[-1]) + 1) % 10)
    with refused("not valid"):
        add_supplier("BAD", name="Bad GLN Ltd", gln=wrong, user=USER)


def test_an_order_goes_from_draft_to_received_and_says_so_in_its_history(order):
    detail = order_detail(order.number)
    assert detail.summary.status == "confirmed"
    assert [(x.item, x.ordered, x.pack_name, x.pack_qty) for x in detail.lines] == [
        ("MILK", 100, "case", 12),
        ("FLOUR", 5000, None, None),
    ]
    receive_on_order(order.number, "MILK", 100, "A1", user=USER, lot="L1")
    assert order_detail(order.number).summary.status == "partly-received"
    receive_on_order(order.number, "FLOUR", 5000, "A1", user=USER)
    detail = order_detail(order.number)
    assert detail.summary.status == "received"
    kinds = [h.kind for h in detail.history]
    assert kinds[:3] == ["po.create", "po.line", "po.line"]
    statuses = [(h.detail["old"], h.detail["new"]) for h in detail.history if h.kind == "po.status"]
    assert statuses == [
        ("draft", "confirmed"),
        ("confirmed", "partly-received"),
        ("partly-received", "received"),
    ]


def test_an_order_without_lines_cannot_be_confirmed(order):
    number = create_order("ACME", user=USER)
    with refused("no lines"):
        confirm_order(number, user=USER)


def test_an_operator_cannot_create_orders(order):
    with refused("purchase orders needs a lead"):
        create_order("ACME", user="op")


def test_a_partly_received_order_is_closed_not_cancelled_and_keeps_its_shortfall(order):
    receive_on_order(order.number, "MILK", 60, "A1", user=USER, lot="L1")
    with refused("close it instead"):
        cancel_order(order.number, user=USER)
    lines = close_order(order.number, user=USER, reason="supplier out of stock")
    assert [(x.item, x.received, x.short) for x in lines] == [("MILK", 60, 40), ("FLOUR", 0, 5000)]
    closed = [h for h in order_detail(order.number).history if h.detail.get("new") == "closed"]
    assert closed[0].detail["short"] == [
        {"item": "MILK", "missing": 40, "line": 1},
        {"item": "FLOUR", "missing": 5000, "line": 2},
    ]
    with refused("closed: nothing is received"):
        receive_on_order(order.number, "MILK", 1, "A1", user=USER, lot="L1")


def test_a_cancelled_order_takes_no_lines_and_no_goods(order):
    number = create_order("ACME", user=USER)
    add_order_line(number, "FLOUR", 10, user=USER)
    cancel_order(number, user=USER, reason="ordered twice")
    with refused("cancelled: cannot add lines"):
        add_order_line(number, "FLOUR", 10, user=USER)
    with refused("cancelled: nothing is received"):
        receive_on_order(number, "FLOUR", 10, "A1", user=USER)


def test_orders_due_today_and_late_ones_are_told_apart(order):
    today = dt.date(2030, 1, 10)  # long after the fixture's order, which is late by then
    late = create_order("ACME", user=USER, expected=today - dt.timedelta(days=2))
    due = create_order("ACME", user=USER, expected=today)
    later = create_order("ACME", user=USER, expected=today + dt.timedelta(days=1))
    for number in (late, due, later):
        add_order_line(number, "FLOUR", 1, user=USER)
        confirm_order(number, user=USER)
    found = due_orders(today)
    assert [o.number for o in found.today] == [due]
    assert [o.number for o in found.late] == [order.number, late]
    assert later not in [o.number for o in found.late + found.today]
    assert {o.number for o in list_orders(statuses=("confirmed",))} >= {late, due, later}
