"""Purchase orders: creating one and its lines, moving it through its statuses, and
reading one order or a list of them. Every change is in the event log, under the
order's number.

draft -> confirmed -> partly-received -> received; closed (short, with the shortfall
recorded) or cancelled (before anything was received).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from backroom.models.db import is_postgres, run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.goods_in.suppliers import SupplierView, get_supplier
from backroom.models.goods_out.orders import next_value
from backroom.models.goods_out.status import HistoryEntry, history
from backroom.models.masterdata.adding import get_item, log_event
from backroom.models.people.roles import acting
from backroom.models.rules.text import REASON_MOST, check_optional_text
from backroom.models.schema import Item, User, utcnow
from backroom.models.schema.goods_in import (
    ORDER_STATUSES,
    RECEIVABLE,
    Asn,
    OrderLine,
    PurchaseOrder,
    Supplier,
)

ORDER_PREFIX = "PO-"
ORDER_DIGITS = 6


def get_order(number: str, *, lock: bool = False) -> PurchaseOrder:
    """The purchase order with NUMBER (PO-000012; 'PO-12' and '12' are understood too)."""
    text = number.strip().upper()
    digits = text.removeprefix(ORDER_PREFIX)
    if digits.isdigit():
        text = f"{ORDER_PREFIX}{int(digits):0{ORDER_DIGITS}d}"
    query = PurchaseOrder.select().where(PurchaseOrder.number == text)
    if lock and is_postgres():
        query = query.for_update()
    row = query.first()
    if row is None:
        raise NotFound(f"No purchase order {number.strip()}")
    return row


def set_status(order: PurchaseOrder, new: str, who: User | None, **detail: object) -> None:
    """Give ORDER the status NEW, logged with DETAIL."""
    assert new in ORDER_STATUSES
    old = order.status
    order.status = new
    PurchaseOrder.update(status=new).where(PurchaseOrder.id == order.id).execute()
    log_event("po.status", order.number, who, old=old, new=new, **detail)


def _check_status(order: PurchaseOrder, allowed: tuple[str, ...], doing: str) -> None:
    if order.status not in allowed:
        raise Refused(f"Purchase order {order.number} is {order.status}: cannot {doing}")


def create_order(
    supplier: str,
    *,
    user: str,
    expected: dt.date | None = None,
    supplier_reference: str | None = None,
) -> str:
    """A new draft purchase order from SUPPLIER, expected on EXPECTED; returns its number."""
    check_optional_text(supplier_reference, "The supplier's reference", max_length=64)

    def _create() -> str:
        who = acting(user, "purchase")
        source = get_supplier(supplier)
        if not source.active:
            raise Refused(f"Supplier {source.name} is inactive")
        number = f"{ORDER_PREFIX}{next_value('purchase_order'):0{ORDER_DIGITS}d}"
        day = expected or utcnow().date()
        PurchaseOrder.create(
            number=number,
            supplier=source,
            expected_date=day,
            supplier_reference=supplier_reference or None,
            created_by=who,
        )
        log_event("po.create", number, who, supplier=source.location.code, expected=day)
        return number

    return run_write(_create)


def add_order_line(
    number: str,
    item: str,
    qty: int,
    *,
    user: str,
    pack_name: str | None = None,
    pack_qty: int | None = None,
    supplier_item: str | None = None,
) -> LineView:
    """Order QTY (base units) of ITEM; PACK_NAME/PACK_QTY say how the supplier packs it."""
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise Refused(f"Quantity must be a positive whole number, not {qty!r}")
    if pack_qty is not None and pack_qty <= 0:
        raise Refused(f"A pack holds a positive whole number of units, not {pack_qty!r}")
    check_optional_text(pack_name, "The packaging level", max_length=32)
    check_optional_text(supplier_item, "The supplier's item code", max_length=64)

    def _add() -> LineView:
        who = acting(user, "purchase")
        order = get_order(number, lock=True)
        _check_status(order, ("draft", "confirmed"), "add lines")
        it = get_item(item)
        if not it.active:
            raise Refused(f"Item {it.sku} is inactive and cannot be ordered")
        last = OrderLine.select(pw.fn.MAX(OrderLine.number)).where(OrderLine.order == order)
        line = OrderLine.create(
            order=order,
            number=(last.scalar() or 0) + 1,
            item=it,
            qty_ordered=qty,
            pack_name=pack_name or None,
            pack_qty=pack_qty,
            supplier_item=supplier_item or None,
        )
        log_event("po.line", order.number, who, line=line.number, item=it.sku, qty=qty)
        return LineView.of(line)

    return run_write(_add)


def confirm_order(number: str, *, user: str) -> None:
    """Confirm a draft order with the supplier: goods may now be received against it."""

    def _confirm() -> None:
        who = acting(user, "purchase")
        order = get_order(number, lock=True)
        _check_status(order, ("draft",), "confirm it")
        if not OrderLine.select().where(OrderLine.order == order).exists():
            raise Refused(f"Purchase order {order.number} has no lines to confirm")
        set_status(order, "confirmed", who)

    run_write(_confirm)


def cancel_order(number: str, *, user: str, reason: str = "") -> None:
    """Cancel an order nothing was received against."""
    check_optional_text(reason, "The reason", max_length=REASON_MOST)

    def _cancel() -> None:
        who = acting(user, "purchase")
        order = get_order(number, lock=True)
        if order.status == "partly-received":
            raise Refused(
                f"Purchase order {order.number} is partly received: close it instead, "
                "which records what is short"
            )
        _check_status(order, ("draft", "confirmed"), "cancel it")
        set_status(order, "cancelled", who, reason=reason or None)

    run_write(_cancel)


def close_order(number: str, *, user: str, reason: str = "") -> list[LineView]:
    """Close an order: nothing more is received, and every line short records its
    shortfall. Returns the lines as closed."""
    check_optional_text(reason, "The reason", max_length=REASON_MOST)

    def _close() -> list[LineView]:
        who = acting(user, "purchase")
        order = get_order(number, lock=True)
        _check_status(order, (*RECEIVABLE, "received"), "close it")
        short = []
        for line in _lines(order):
            missing = max(0, line.qty_ordered - line.qty_received)
            if missing:
                OrderLine.update(qty_short=missing).where(OrderLine.id == line.id).execute()
                short.append({"item": line.item.sku, "missing": missing, "line": line.number})
        set_status(order, "closed", who, reason=reason or None, short=short)
        return [LineView.of(line) for line in _lines(order)]

    return run_write(_close)


def _lines(order: PurchaseOrder) -> list[OrderLine]:
    query = OrderLine.select(OrderLine, Item).join(Item).where(OrderLine.order == order)
    return list(query.order_by(OrderLine.number))


def sync_status(order: PurchaseOrder, who: User | None) -> None:
    """After a receipt (or its reversal): partly-received, received once every line has
    its quantity, confirmed again when nothing is left received."""
    lines = _lines(order)
    done = all(line.qty_received >= line.qty_ordered for line in lines)
    new = "received" if done else "partly-received"
    if not any(line.qty_received for line in lines):  # its only receipts were reversed
        new = "confirmed"
    if order.status != new:
        set_status(order, new, who)


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LineView:
    """An order line: ordered, received (damaged included), damaged and short."""

    number: int
    item: str
    name: str
    unit: str
    ordered: int
    received: int
    damaged: int
    short: int
    pack_name: str | None
    pack_qty: int | None
    supplier_item: str | None

    @classmethod
    def of(cls, line: OrderLine) -> LineView:
        """The view of a line row."""
        it = line.item
        return cls(
            line.number,
            it.sku,
            it.name,
            it.unit,
            line.qty_ordered,
            line.qty_received,
            line.qty_damaged,
            line.qty_short,
            line.pack_name,
            line.pack_qty,
            line.supplier_item,
        )

    @property
    def open(self) -> int:
        """Still to come."""
        return max(0, self.ordered - self.received)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "line": self.number,
            "item": self.item,
            "name": self.name,
            "unit": self.unit,
            "ordered": self.ordered,
            "received": self.received,
            "damaged": self.damaged,
            "short": self.short,
            "open": self.open,
            "pack": self.pack_name,
            "pack_qty": self.pack_qty,
            "supplier_item": self.supplier_item,
        }


@dataclass(frozen=True)
class OrderSummary:
    """One order in a list."""

    number: str
    supplier: str
    supplier_name: str
    expected: dt.date
    status: str
    lines: int

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "number": self.number,
            "supplier": self.supplier,
            "supplier_name": self.supplier_name,
            "expected": self.expected.isoformat(),
            "status": self.status,
            "lines": self.lines,
        }


@dataclass(frozen=True)
class OrderDetail:
    """A purchase order with its lines, ASNs and history."""

    summary: OrderSummary
    supplier: SupplierView
    supplier_reference: str | None
    lines: tuple[LineView, ...]
    asns: tuple[str, ...]
    history: tuple[HistoryEntry, ...]

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            **self.summary.as_dict(),
            "supplier_detail": self.supplier.as_dict(),
            "supplier_reference": self.supplier_reference,
            "order_lines": [line.as_dict() for line in self.lines],
            "asns": list(self.asns),
            "history": [h.as_dict() for h in self.history],
        }


def _summary(order: PurchaseOrder, lines: int) -> OrderSummary:
    return OrderSummary(
        order.number,
        order.supplier.location.code,
        order.supplier.name,
        order.expected_date,
        order.status,
        lines,
    )


def order_detail(number: str) -> OrderDetail:
    """Everything about one purchase order."""
    order = get_order(number)
    lines = tuple(LineView.of(line) for line in _lines(order))
    asns = tuple(
        a.number for a in Asn.select(Asn.number).where(Asn.order == order).order_by(Asn.id)
    )
    return OrderDetail(
        _summary(order, len(lines)),
        SupplierView.of(order.supplier),
        order.supplier_reference,
        lines,
        asns,
        history(order.number),
    )


def list_orders(
    *,
    statuses: tuple[str, ...] = (),
    supplier: str | None = None,
    due_by: dt.date | None = None,
    limit: int = 200,
) -> list[OrderSummary]:
    """Orders, by expected date then number; only STATUSES, SUPPLIER's, due by DUE_BY."""
    for status in statuses:
        if status not in ORDER_STATUSES:
            raise Refused(f"Status {status!r} is not one of {', '.join(ORDER_STATUSES)}")
    count = OrderLine.select(pw.fn.COUNT(OrderLine.id)).where(OrderLine.order == PurchaseOrder.id)
    query = PurchaseOrder.select(PurchaseOrder, Supplier, count.alias("n")).join(Supplier)
    if statuses:
        query = query.where(PurchaseOrder.status.in_(statuses))
    if supplier:
        query = query.where(PurchaseOrder.supplier == get_supplier(supplier))
    if due_by:
        query = query.where(PurchaseOrder.expected_date <= due_by)
    query = query.order_by(PurchaseOrder.expected_date, PurchaseOrder.number).limit(limit)
    return [_summary(order, order.n or 0) for order in query]


@dataclass(frozen=True)
class DueOrders:
    """For the lead's home: orders expected today, and orders late (still open)."""

    today: list[OrderSummary]
    late: list[OrderSummary]
    open: int  # orders still to receive, whenever they are due


def due_orders(today: dt.date | None = None) -> DueOrders:
    """Open orders expected TODAY, and open orders whose expected day has passed."""
    today = today or utcnow().date()
    due = list_orders(statuses=RECEIVABLE, due_by=today)
    waiting = PurchaseOrder.select().where(PurchaseOrder.status.in_(RECEIVABLE)).count()
    return DueOrders(
        [o for o in due if o.expected == today], [o for o in due if o.expected < today], waiting
    )
