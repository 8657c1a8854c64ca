"""Shipment orders: a shipment's number, creating it and ordering its lines, and
reading one shipment (lines, allocations, parcels, history) or a list of them.

Every operation is one write transaction that fully happens or raises a DomainError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import peewee as pw

from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.goods_out.parties import (
    CarrierInfo,
    ConsigneeInfo,
    get_carrier,
    get_consignee,
)
from backroom.models.goods_out.status import HistoryEntry, check_status, history
from backroom.models.masterdata.adding import get_item, log_event
from backroom.models.people.roles import acting
from backroom.models.rules.codes import SHIPMENT_PREFIX
from backroom.models.rules.text import check_optional_text
from backroom.models.schema import Item, Location, Lot
from backroom.models.schema.shipping import (
    SHIPMENT_STATUSES,
    Allocation,
    Carrier,
    Consignee,
    Counter,
    Load,
    Parcel,
    ParcelContent,
    Shipment,
    ShipmentLine,
)

SHIPMENT_DIGITS = 6


# --- numbers ------------------------------------------------------------------------------


def next_value(name: str) -> int:
    """The next number of counter NAME. Inside a write transaction: the UPDATE holds the
    counter's row lock until commit, so two sessions never get the same number."""
    Counter.insert(name=name, value=0).on_conflict_ignore().execute()
    Counter.update(value=Counter.value + 1).where(Counter.name == name).execute()
    return Counter.get(Counter.name == name).value


def get_shipment(number: str, *, lock: bool = False) -> Shipment:
    """The shipment with NUMBER (SHP-000012; 'SHP-12' and '12' are understood too)."""
    text = number.strip().upper()
    digits = text.removeprefix(SHIPMENT_PREFIX)
    if digits.isdigit():
        text = f"{SHIPMENT_PREFIX}{int(digits):0{SHIPMENT_DIGITS}d}"
    query = Shipment.select().where(Shipment.number == text)
    if lock and _is_postgres():
        query = query.for_update()
    row = query.first()
    if row is None:
        raise NotFound(f"No shipment {number.strip()}")
    return row


def _is_postgres() -> bool:
    from backroom.models.db import is_postgres

    return is_postgres()


# --- creating a shipment and ordering its lines ------------------------------------


def create_shipment(
    consignee: str,
    *,
    user: str,
    carrier: str | None = None,
    service: str | None = None,
    planned_date: dt.date | None = None,
) -> str:
    """A new draft shipment to CONSIGNEE; returns its number (SHP- and six digits)."""
    check_optional_text(service, "The service level", max_length=64)

    def _create() -> str:
        who = acting(user, "shipment")
        to = get_consignee(consignee)
        if not to.active:
            raise Refused(f"Consignee {to.name} is inactive")
        by = get_carrier(carrier) if carrier else None
        if service:
            if by is None:
                raise Refused("A service level needs a carrier")
            levels = CarrierInfo.of(by).services
            if levels and service not in levels:
                raise Refused(
                    f"Carrier {by.code} offers {', '.join(levels)}, not service {service!r}"
                )
        number = f"{SHIPMENT_PREFIX}{next_value('shipment'):0{SHIPMENT_DIGITS}d}"
        Shipment.create(
            number=number,
            consignee=to,
            carrier=by,
            service=service or None,
            planned_date=planned_date or dt.date.today(),
            created_by=who,
        )
        log_event(
            "shipment.create",
            number,
            who,
            consignee=to.name,
            carrier=by.code if by else None,
            planned_date=planned_date,
        )
        return number

    return run_write(_create)


def add_line(number: str, item: str, qty: int, *, user: str) -> LineView:
    """Order QTY of ITEM on the shipment; a second line for the same item adds to it."""
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise Refused(f"Quantity must be a positive whole number, not {qty!r}")

    def _add() -> LineView:
        who = acting(user, "shipment")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("draft", "allocated"), "add lines")
        it = get_item(item)
        if not it.active:
            raise Refused(f"Item {it.sku} is inactive and cannot be ordered")
        line = ShipmentLine.get_or_none(
            (ShipmentLine.shipment == shipment) & (ShipmentLine.item == it)
        )
        if line is None:
            line = ShipmentLine.create(shipment=shipment, item=it, qty_ordered=qty)
        else:
            line.qty_ordered += qty
            line.save()
        log_event("shipment.line", shipment.number, who, item=it.sku, qty=qty)
        return LineView.of(line)

    return run_write(_add)


def sync_line(line: ShipmentLine) -> None:
    """Recount a line's allocated and picked quantities from its allocations."""
    alloc, picked = (
        Allocation.select(
            pw.fn.COALESCE(pw.fn.SUM(Allocation.qty), 0),
            pw.fn.COALESCE(pw.fn.SUM(Allocation.picked), 0),
        )
        .where(Allocation.line == line)
        .tuples()
        .first()
    )
    line.qty_allocated, line.qty_picked = int(alloc), int(picked)
    ShipmentLine.update(qty_allocated=line.qty_allocated, qty_picked=line.qty_picked).where(
        ShipmentLine.id == line.id
    ).execute()


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LineView:
    """A shipment line: ordered, allocated, picked and shipped."""

    item: str
    name: str
    unit: str
    ordered: int
    allocated: int
    picked: int
    shipped: int

    @classmethod
    def of(cls, line: ShipmentLine) -> LineView:
        """The view of a line row."""
        it = line.item
        return cls(
            it.sku,
            it.name,
            it.unit,
            line.qty_ordered,
            line.qty_allocated,
            line.qty_picked,
            line.qty_shipped,
        )

    @property
    def short(self) -> int:
        """Ordered but not allocated."""
        return max(self.ordered - self.allocated, 0)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "item": self.item,
            "name": self.name,
            "unit": self.unit,
            "ordered": self.ordered,
            "allocated": self.allocated,
            "picked": self.picked,
            "shipped": self.shipped,
        }


@dataclass(frozen=True)
class AllocationView:
    """Stock reserved for a shipment: where, which lot, how much, how much picked."""

    item: str
    lot: str | None
    expiry: dt.date | None
    location: str
    qty: int
    picked: int

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "item": self.item,
            "lot": self.lot,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "location": self.location,
            "qty": self.qty,
            "picked": self.picked,
        }


@dataclass(frozen=True)
class ContentView:
    """Some of one item (and lot) in a parcel."""

    item: str
    name: str
    lot: str | None
    expiry: dt.date | None
    qty: int
    move: int | None = None

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "item": self.item,
            "lot": self.lot,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "qty": self.qty,
            "move": self.move,
        }


@dataclass(frozen=True)
class ParcelView:
    """A parcel: its SSCC, kind, weight, tracking number and what it holds."""

    sscc: str
    shipment: str
    kind: str
    weight_g: int | None
    tracking: str | None
    contents: tuple[ContentView, ...] = ()
    tracking_url: str | None = None

    @property
    def weight_text(self) -> str:
        """The weight in kilograms as people write it, or '-' when unweighed."""
        return "-" if self.weight_g is None else f"{self.weight_g / 1000:.3f} kg"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "sscc": self.sscc,
            "shipment": self.shipment,
            "kind": self.kind,
            "weight_g": self.weight_g,
            "tracking": self.tracking,
            "tracking_url": self.tracking_url,
            "contents": [c.as_dict() for c in self.contents],
        }


def parcel_view(parcel: Parcel) -> ParcelView:
    """What a parcel is and holds."""
    contents = tuple(
        ContentView(
            c.item.sku,
            c.item.name,
            c.lot.number if c.lot else None,
            c.lot.expiry if c.lot else None,
            c.qty,
            c.move_id,
        )
        for c in parcel.contents.order_by(ParcelContent.id)
    )
    shipment = parcel.shipment
    carrier = CarrierInfo.of(shipment.carrier) if shipment.carrier_id else None
    return ParcelView(
        parcel.sscc,
        shipment.number,
        parcel.kind,
        parcel.weight_g,
        parcel.tracking_number,
        contents,
        carrier.tracking_link(parcel.tracking_number) if carrier else None,
    )


@dataclass(frozen=True)
class ShipmentSummary:
    """A shipment in a list: number, consignee, carrier, date, status, totals."""

    number: str
    consignee: str
    carrier: str | None
    service: str | None
    planned_date: dt.date
    status: str
    shipped_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    pod_name: str | None = None
    load: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "number": self.number,
            "consignee": self.consignee,
            "carrier": self.carrier,
            "service": self.service,
            "planned_date": self.planned_date.isoformat(),
            "status": self.status,
            "shipped_at": self.shipped_at.isoformat() if self.shipped_at else None,
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
            "signed_by": self.pod_name,
            "load": self.load,
        }


@dataclass(frozen=True)
class ShipmentDetail:
    """Everything about one shipment: lines, allocations, parcels and history."""

    summary: ShipmentSummary
    consignee: ConsigneeInfo
    carrier: CarrierInfo | None
    lines: tuple[LineView, ...]
    allocations: tuple[AllocationView, ...]
    parcels: tuple[ParcelView, ...]
    history: tuple[HistoryEntry, ...] = field(default=())

    @property
    def number(self) -> str:
        return self.summary.number

    @property
    def status(self) -> str:
        return self.summary.status

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            **self.summary.as_dict(),
            "consignee": self.consignee.as_dict(),
            "carrier": self.carrier.as_dict() if self.carrier else None,
            "lines": [line.as_dict() for line in self.lines],
            "allocations": [a.as_dict() for a in self.allocations],
            "parcels": [p.as_dict() for p in self.parcels],
            "history": [h.as_dict() for h in self.history],
        }


def summary(row: Shipment) -> ShipmentSummary:
    """The list view of a shipment row."""
    return ShipmentSummary(
        row.number,
        row.consignee.name,
        row.carrier.code if row.carrier_id else None,
        row.service,
        row.planned_date,
        row.status,
        row.shipped_at,
        row.delivered_at,
        row.pod_name,
        row.load.number if row.load_id else None,
    )


def shipment_detail(number: str) -> ShipmentDetail:
    """Lines, allocations, parcels and history of the shipment with NUMBER."""
    row = get_shipment(number)
    lines = tuple(
        LineView.of(line) for line in row.lines.join(Item).order_by(Item.sku, ShipmentLine.id)
    )
    allocs = (
        Allocation.select(Allocation, Item, Lot, Location)
        .join(ShipmentLine)
        .switch(Allocation)
        .join(Item)
        .switch(Allocation)
        .join(Location)
        .switch(Allocation)
        .join(Lot, pw.JOIN.LEFT_OUTER)
        .where(ShipmentLine.shipment == row)
        .order_by(Location.path, Item.sku, Allocation.id)
    )
    allocations = tuple(
        AllocationView(
            a.item.sku,
            a.lot.number if a.lot_id else None,
            a.lot.expiry if a.lot_id else None,
            a.location.code,
            a.qty,
            a.picked,
        )
        for a in allocs
        if a.qty or a.picked
    )
    parcels = tuple(parcel_view(p) for p in row.parcels.order_by(Parcel.id))
    return ShipmentDetail(
        summary(row),
        ConsigneeInfo.of(row.consignee),
        CarrierInfo.of(row.carrier) if row.carrier_id else None,
        lines,
        allocations,
        parcels,
        history(row.number),
    )


def list_shipments(
    *,
    status: str | Sequence[str] | None = None,
    carrier: str | None = None,
    consignee: str | None = None,
    on: dt.date | None = None,
    search: str = "",
    after: str | None = None,
    limit: int = 100,
) -> list[ShipmentSummary]:
    """Shipments, newest number first, filtered; AFTER pages on from a number."""
    query = Shipment.select(Shipment, Consignee, Carrier, Load).join(Consignee).switch(Shipment)
    query = query.join(Carrier, pw.JOIN.LEFT_OUTER).switch(Shipment).join(Load, pw.JOIN.LEFT_OUTER)
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        bad = [s for s in statuses if s not in SHIPMENT_STATUSES]
        if bad:
            raise Refused(f"Status {bad[0]!r} is not one of {', '.join(SHIPMENT_STATUSES)}")
        query = query.where(Shipment.status.in_(statuses))
    if carrier:
        query = query.where(Shipment.carrier == get_carrier(carrier))
    if consignee:
        query = query.where(Shipment.consignee == get_consignee(consignee))
    if on:
        query = query.where(Shipment.planned_date == on)
    if search.strip():
        text = search.strip()
        query = query.where(Shipment.number.contains(text) | Consignee.name.contains(text))
    if after:
        query = query.where(Shipment.number < after)
    return [summary(row) for row in query.order_by(Shipment.number.desc()).limit(limit)]
