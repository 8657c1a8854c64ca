"""Receiving against a purchase order, line by line or a whole announced pallet by one
scan of its SSCC.

Each receipt is an ordinary receipt move (models/stock/operations.receive) plus a
Receipt row tying it to the order line (and pallet). The ledger head is locked before
the order's lines are read, so two sessions receiving against one order are taken one
after the other and the second sees what the first received: never more than the
tolerance without a lead, whatever the number of sessions.

What the site decides (`[receiving]` in the configuration):
- `over_tolerance_percent` (0): how far above the ordered quantity a line may be
  received without a lead; beyond it a lead approves (their own session, or their PIN).
- `unexpected` ("refuse"): an item not on the order is refused, or ("quarantine")
  received into the quarantine location.
- `quarantine`: the location damaged and unexpected goods go to (default: the first
  quarantine location).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from backroom.models.config import Config
from backroom.models.db import run_write
from backroom.models.errors import DomainError, NotFound, Refused
from backroom.models.goods_in.orders import get_order, sync_status
from backroom.models.masterdata.adding import get_item, get_location, log_event
from backroom.models.people.roles import acting, allowed, require
from backroom.models.rules.identifiers import parse_sscc, spaced_sscc
from backroom.models.schema import Item, Location, User, utcnow
from backroom.models.schema.goods_in import (
    RECEIVABLE,
    Asn,
    AsnContent,
    AsnPallet,
    OrderLine,
    PurchaseOrder,
    Receipt,
)
from backroom.models.stock.ledger import PostedMove, lock_head
from backroom.models.stock.operations import receive

UNEXPECTED = ("refuse", "quarantine")
# A pallet's lines as counted, by (SKU, lot), where they differ from its ASN.
Counts = dict[tuple[str, str | None], int]


class NeedsLead(Refused):
    """More than the tolerance: refused unless a lead approves (their PIN, on a screen)."""


@dataclass(frozen=True)
class ReceivingRules:
    """The site's rules for receiving against orders."""

    over_tolerance_percent: Fraction = Fraction(0)
    unexpected: str = "refuse"
    quarantine: str | None = None

    @classmethod
    def from_config(cls, config: Config) -> ReceivingRules:
        """The rules in CONFIG's [receiving] table."""
        pct = config.get("receiving.over_tolerance_percent", 0)
        if isinstance(pct, bool) or not isinstance(pct, int | float) or not 0 <= pct <= 1000:
            raise DomainError(
                f"[receiving] over_tolerance_percent must be a number from 0 to 1000: {pct!r}"
            )
        unexpected = config.get("receiving.unexpected", "refuse")
        if unexpected not in UNEXPECTED:
            raise DomainError(
                f'[receiving] unexpected is "refuse" or "quarantine", not {unexpected!r}'
            )
        quarantine = config.get("receiving.quarantine")
        return cls(Fraction(str(pct)), unexpected, str(quarantine) if quarantine else None)

    def most_for(self, ordered: int) -> int:
        """The most of a line of ORDERED units that may come in without a lead."""
        return ordered + int(ordered * self.over_tolerance_percent / 100)


@dataclass(frozen=True)
class LeadApproval:
    """A lead who proved their PIN to let a receipt beyond the tolerance through."""

    lead: str


def lead_approval(name: str, pin: str) -> LeadApproval:
    """NAME's approval, once their PIN is right and they are a lead. Outside a write
    transaction: a wrong PIN is recorded whatever happens next."""
    from backroom.models.people.users import check_pin

    user = check_pin(name, pin)
    require(user, "receive.over")
    return LeadApproval(user.name)


@dataclass(frozen=True)
class Booked:
    """One receipt against an order: the move, its line and what became of it."""

    move: PostedMove
    order: str
    line: int | None
    disposition: str
    approved_by: str | None

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            **self.move.as_dict(),
            "order": self.order,
            "line": self.line,
            "disposition": self.disposition,
            "approved_by": self.approved_by,
        }


@dataclass(frozen=True)
class _Goods:
    """What arrived: ITEM, QTY, its lot and expiry, and whether it is damaged."""

    item: Item
    qty: int
    lot: str | None = None
    expiry: dt.date | None = None
    damaged: bool = False


def _quarantine(rules: ReceivingRules) -> Location:
    if rules.quarantine:
        return get_location(rules.quarantine)
    loc = (
        Location.select()
        .where((Location.kind == "internal") & Location.quarantine & Location.active)
        .order_by(Location.path)
        .first()
    )
    if loc is None:
        raise NotFound(
            "No quarantine location for damaged or unexpected goods: add one "
            "('backroom location add Q --quarantine') or set [receiving] quarantine"
        )
    return loc


def _line_for(order: PurchaseOrder, item: Item) -> OrderLine | None:
    """The order's first line of ITEM still open, else its last line of ITEM."""
    lines = list(
        OrderLine.select()
        .where((OrderLine.order == order) & (OrderLine.item == item))
        .order_by(OrderLine.number)
    )
    open_ = [line for line in lines if line.qty_received < line.qty_ordered]
    if open_:
        return open_[0]
    return lines[-1] if lines else None


def _approver(
    line: OrderLine, goods: _Goods, who: User, approval: LeadApproval | None, rules
) -> User | None:
    """Who lets a receipt above the tolerance through (None when it is within it)."""
    over = _over(line, line.qty_received + goods.qty, goods.item.sku, rules)
    if over is None:
        return None
    if allowed(who, "receive.over"):
        return who
    if approval is not None:
        lead = User.get_or_none(User.name == approval.lead)
        if lead is not None and lead.active and allowed(lead, "receive.over"):
            return lead
    raise NeedsLead(f"{over}: a lead must approve")


def _over(line: OrderLine, after: int, sku: str, rules: ReceivingRules) -> str | None:
    """How LINE, with AFTER received, is beyond the site's tolerance (None: it is not)."""
    most = rules.most_for(line.qty_ordered)
    if after <= most:
        return None
    tolerance = f"{rules.over_tolerance_percent}%"
    return (
        f"Line {line.number} ({sku}) would have {after} of {line.qty_ordered} "
        f"ordered, {after - line.qty_ordered} over (tolerance {tolerance}, at most {most})"
    )


@dataclass
class _Where:
    """Where goods go and why: the order line (None: unexpected), the location, the
    disposition and who approved a receipt above the tolerance."""

    line: OrderLine | None
    dest: Location
    disposition: str = "stock"
    approver: User | None = None


def _decide(
    order: PurchaseOrder,
    goods: _Goods,
    where: _Where,
    who: User,
    rules: ReceivingRules,
    approval: LeadApproval | None,
) -> _Where:
    """Refuse what the site's rules refuse; else where the goods go and who approved."""
    if where.line is None:
        if rules.unexpected == "refuse":
            raise Refused(
                f"Item {goods.item.sku} is not on purchase order {order.number}: "
                "this site refuses unexpected items"
            )
        return _Where(None, _quarantine(rules), "unexpected")
    line = OrderLine.get_by_id(where.line.id)  # as it stands now, after the lock
    approver = _approver(line, goods, who, approval, rules)
    if goods.damaged:
        return _Where(line, _quarantine(rules), "damaged", approver)
    return _Where(line, where.dest, "stock", approver)


def _book(
    order: PurchaseOrder,
    goods: _Goods,
    dest: Location,
    who: User,
    *,
    rules: ReceivingRules,
    approval: LeadApproval | None,
    pallet: AsnPallet | None = None,
    line: OrderLine | None = None,
) -> Booked:
    """Post one receipt of GOODS against ORDER, inside the caller's transaction."""
    to = _decide(
        order, goods, _Where(line or _line_for(order, goods.item), dest), who, rules, approval
    )
    move = receive(
        goods.item.sku,
        goods.qty,
        to.dest.code,
        user=who.name,
        lot=goods.lot,
        expiry=goods.expiry,
        supplier=order.supplier.location.code,
        ref=pallet.sscc if pallet else order.number,
    )
    Receipt.create(
        order=order,
        line=to.line,
        pallet=pallet,
        move=move.id,
        item=goods.item,
        qty=goods.qty,
        disposition=to.disposition,
        approved_by=to.approver,
    )
    if to.line is not None:
        OrderLine.update(
            qty_received=OrderLine.qty_received + goods.qty,
            qty_damaged=OrderLine.qty_damaged + (goods.qty if goods.damaged else 0),
        ).where(OrderLine.id == to.line.id).execute()
    number = to.line.number if to.line else None
    approver = to.approver.name if to.approver else None
    log_event(
        "po.receipt",
        order.number,
        who,
        move=move.id,
        item=goods.item.sku,
        qty=goods.qty,
        lot=goods.lot,
        line=number,
        disposition=to.disposition,
        approved_by=approver if approver != who.name else None,
        sscc=pallet.sscc if pallet else None,
    )
    return Booked(move, order.number, number, to.disposition, approver)


def _receivable(order: PurchaseOrder) -> None:
    if order.status not in RECEIVABLE:
        raise Refused(f"Purchase order {order.number} is {order.status}: nothing is received")


def receive_on_order(
    number: str,
    item: str,
    qty: int,
    to: str,
    *,
    user: str,
    lot: str | None = None,
    expiry: dt.date | None = None,
    damaged: bool = False,
    approval: LeadApproval | None = None,
    rules: ReceivingRules | None = None,
) -> Booked:
    """Receive QTY of ITEM into TO against purchase order NUMBER (damaged goods go to
    quarantine and count as received and damaged)."""
    rules = rules or ReceivingRules()

    def _receive() -> Booked:
        lock_head()  # before reading the lines: see the module docstring
        who = acting(user, "receive")
        order = get_order(number)
        _receivable(order)
        goods = _Goods(get_item(item), qty, lot or None, expiry, damaged)
        booked = _book(order, goods, get_location(to), who, rules=rules, approval=approval)
        sync_status(order, who)
        return booked

    return run_write(_receive)


@dataclass(frozen=True)
class PalletLine:
    """What an announced pallet holds, line by line."""

    item: str
    name: str
    unit: str
    lot: str | None
    expiry: dt.date | None
    qty: int

    @property
    def key(self) -> tuple[str, str | None]:
        """How receive_pallet's COUNTED names this line: (SKU, lot)."""
        return (self.item, self.lot)

    @property
    def goods(self) -> str:
        """The item and its lot, as people say them."""
        return f"{self.item} {self.lot}" if self.lot else self.item

    def difference(self, counted: int) -> str:
        """This line counted as COUNTED instead of what was announced, in a few words."""
        if counted == 0:
            gap = "none came"
        elif counted < self.qty:
            gap = f"{self.qty - counted} short"
        else:
            gap = f"{counted - self.qty} over"
        return f"{self.goods}: {counted} of {self.qty} {self.unit}, {gap}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "item": self.item,
            "name": self.name,
            "unit": self.unit,
            "lot": self.lot,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "qty": self.qty,
        }


@dataclass(frozen=True)
class PalletView:
    """An announced pallet: its SSCC, ASN, order, supplier and contents."""

    sscc: str
    asn: str
    order: str
    supplier: str
    lines: tuple[PalletLine, ...]
    received_at: dt.datetime | None
    received_by: str | None

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "sscc": self.sscc,
            "asn": self.asn,
            "order": self.order,
            "supplier": self.supplier,
            "contents": [line.as_dict() for line in self.lines],
            "received_at": self.received_at.isoformat() if self.received_at else None,
            "received_by": self.received_by,
        }

    @property
    def spaced(self) -> str:
        """The SSCC as people read it."""
        return spaced_sscc(self.sscc)

    def differences(self, counts: Counts) -> list[str]:
        """The lines COUNTS counts otherwise than announced, in the pallet's order."""
        return [
            x.difference(counts[x.key])
            for x in self.lines
            if x.key in counts and counts[x.key] != x.qty
        ]


def _pallet(sscc: str) -> AsnPallet:
    code = parse_sscc(sscc)
    pallet = AsnPallet.get_or_none(AsnPallet.sscc == code)
    if pallet is None:
        raise NotFound(f"Pallet {spaced_sscc(code)} was not announced by any ASN")
    return pallet


def _waiting_pallet(sscc: str) -> AsnPallet:
    """The announced pallet SSCC, refused once it is received."""
    pallet = _pallet(sscc)
    if pallet.received_at is not None:
        raise Refused(
            f"Pallet {spaced_sscc(pallet.sscc)} was received already, "
            f"{pallet.received_at:%Y-%m-%d %H:%M} by {pallet.received_by.name}"
        )
    return pallet


def _pallet_in(pallet: AsnPallet, asn: Asn, who: User) -> None:
    """Mark PALLET received, and its ASN received once none of its pallets waits."""
    AsnPallet.update(received_at=utcnow(), received_by=who).where(
        AsnPallet.id == pallet.id
    ).execute()
    waiting = AsnPallet.select().where((AsnPallet.asn == asn) & AsnPallet.received_at.is_null())
    status = "partly-received" if waiting.exists() else "received"
    Asn.update(status=status).where(Asn.id == asn.id).execute()


def _check_counted(
    pallet: AsnPallet, contents: list[AsnContent], counted: dict[tuple[str, str | None], int]
) -> None:
    """Every count names one announced line of the pallet."""
    announced = [(c.item.sku, c.lot) for c in contents]
    for sku, lot in counted:
        if announced.count((sku, lot)) != 1:
            what = f"{sku} lot {lot}" if lot else sku
            raise Refused(
                f"Pallet {spaced_sscc(pallet.sscc)} was not announced with {what} (once): "
                "receive goods it did not announce against the order"
            )


def check_count(
    sscc: str, counted: Mapping[tuple[str, str | None], int], rules: ReceivingRules
) -> str | None:
    """Refuse COUNTED for pallet SSCC as receive_pallet would; else why posting it would
    need a lead (a line beyond the tolerance), or None. Reads only: nothing is locked."""
    _check_quantities(counted)
    pallet = _waiting_pallet(sscc)
    order = pallet.asn.order
    contents = list(AsnContent.select().where(AsnContent.pallet == pallet).order_by(AsnContent.id))
    _check_counted(pallet, contents, dict(counted))
    after: dict[int, int] = {}
    for c in contents:
        qty = counted.get((c.item.sku, c.lot), c.qty)
        line = OrderLine.get_by_id(c.line_id) if c.line_id else _line_for(order, c.item)
        if line is None or qty == 0:
            continue
        after[line.id] = after.get(line.id, line.qty_received) + qty
        over = _over(line, after[line.id], c.item.sku, rules)
        if over is not None:
            return f"{over}: a lead approves at posting"
    return None


def _check_quantities(counted: Mapping[tuple[str, str | None], int]) -> None:
    for (sku, lot), qty in counted.items():
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            raise Refused(f"Counted {sku} {lot or ''}: {qty!r} is not a whole number >= 0")


def announced_pallet(sscc: str) -> tuple[str, str] | None:
    """(ASN, order number) of pallet SSCC (18 digits), while it waits to be received."""
    row = (
        AsnPallet.select(Asn.number, PurchaseOrder.number)
        .join(Asn)
        .join(PurchaseOrder)
        .where((AsnPallet.sscc == sscc) & AsnPallet.received_at.is_null())
        .tuples()
        .first()
    )
    return (row[0], row[1]) if row else None


def pallet_view(sscc: str) -> PalletView:
    """What the pallet SSCC holds, as its ASN announced it."""
    pallet = _pallet(sscc)
    asn: Asn = pallet.asn
    contents = AsnContent.select(AsnContent, Item).join(Item).where(AsnContent.pallet == pallet)
    lines = tuple(
        PalletLine(c.item.sku, c.item.name, c.item.unit, c.lot, c.expiry, c.qty)
        for c in contents.order_by(AsnContent.id)
    )
    by = pallet.received_by.name if pallet.received_by_id else None
    return PalletView(
        pallet.sscc,
        asn.number,
        asn.order.number,
        asn.order.supplier.name,
        lines,
        pallet.received_at,
        by,
    )


def receive_pallet(
    sscc: str,
    to: str,
    *,
    user: str,
    approval: LeadApproval | None = None,
    rules: ReceivingRules | None = None,
    counted: Mapping[tuple[str, str | None], int] | None = None,
) -> list[Booked]:
    """Receive everything announced on pallet SSCC into TO: one move per line, one
    transaction; the SSCC is the moves' reference, so a trace reads supplier -> pallet.
    COUNTED, by (SKU, lot), replaces what the ASN announced where the pallet held
    another quantity (0: none of it came); the report then shows the difference."""
    rules = rules or ReceivingRules()
    counted = dict(counted or {})
    _check_quantities(counted)

    def _receive() -> list[Booked]:
        lock_head()
        who = acting(user, "receive")
        pallet = _waiting_pallet(sscc)
        asn: Asn = pallet.asn
        order = asn.order
        _receivable(order)
        dest = get_location(to)
        booked = []
        contents = list(
            AsnContent.select(AsnContent, Item)
            .join(Item)
            .where(AsnContent.pallet == pallet)
            .order_by(AsnContent.id)
        )
        _check_counted(pallet, contents, counted)
        for c in contents:
            qty = counted.get((c.item.sku, c.lot), c.qty)
            if qty == 0:
                continue
            goods = _Goods(c.item, qty, c.lot, c.expiry)
            line = OrderLine.get_by_id(c.line_id) if c.line_id else None
            booked.append(
                _book(
                    order,
                    goods,
                    dest,
                    who,
                    rules=rules,
                    approval=approval,
                    pallet=pallet,
                    line=line,
                )
            )
        if not booked:
            raise Refused(f"Nothing of pallet {spaced_sscc(pallet.sscc)} was counted")
        _pallet_in(pallet, asn, who)
        sync_status(order, who)
        return booked

    return run_write(_receive)
