"""Transport shipments: consignees, carriers, shipments and their lines, the status
rules, cancelling and delivery. Allocation, picking, packing and shipping build on it
(models/goods_out/allocation.py, picking.py, packing.py, shipping.py).

Every operation is one write transaction that fully happens or raises a DomainError;
every change of status goes to the event log with the user and the time.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import peewee as pw

from backroom.models.config import Config
from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import get_item, get_location, log_event
from backroom.models.people.roles import acting
from backroom.models.rules.codes import SHIPMENT_PREFIX
from backroom.models.schema import Event, Item, Location, Lot, User, utcnow
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
from backroom.models.stock.ledger import MoveSpec, lock_head, post

DEFAULT_DISPATCH = "DISPATCH"
SHIPMENT_DIGITS = 6
# Which status may follow which. Cancelling is possible until the goods leave.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("allocated", "cancelled"),
    "allocated": ("picking", "cancelled"),
    "picking": ("packed", "cancelled"),
    "packed": ("shipped", "cancelled"),
    "shipped": ("delivered",),
    "delivered": (),
    "cancelled": (),
}
SHIPMENT_NUMBER = re.compile(re.escape(SHIPMENT_PREFIX) + r"[0-9]{6,}")


# --- configuration ----------------------------------------------------------------------


def dispatch_code(config: Config | None) -> str:
    """The code of the dispatch location, where picked stock waits: shipping.dispatch_location."""
    if config is None:
        return DEFAULT_DISPATCH
    return str(config.get("shipping.dispatch_location", DEFAULT_DISPATCH) or DEFAULT_DISPATCH)


def dispatch_location(code: str = DEFAULT_DISPATCH) -> Location:
    """The dispatch location, created (internal) the first time it is needed.

    Call inside a write transaction."""
    loc = Location.get_or_none(Location.code == code)
    if loc is None:
        loc = Location.create(code=code, name="Dispatch", kind="internal", path=code)
        log_event("location.add", code, None, kind="internal", note="dispatch for shipments")
    if not loc.is_internal:
        raise Refused(f"Dispatch location {code} is a {loc.kind} location, not in the warehouse")
    return loc


def customer_location() -> Location:
    """The virtual location goods go to when they are shipped."""
    loc = Location.get_or_none((Location.code == "CUSTOMER") & (Location.kind == "customer"))
    loc = loc or Location.select().where(Location.kind == "customer").order_by(Location.id).first()
    if loc is None:
        raise NotFound("No customer location: run 'backroom init'")
    return loc


# --- counters -------------------------------------------------------------------------


def next_value(name: str) -> int:
    """The next number of counter NAME. Inside a write transaction: the UPDATE holds the
    counter's row lock until commit, so two sessions never get the same number."""
    Counter.insert(name=name, value=0).on_conflict_ignore().execute()
    Counter.update(value=Counter.value + 1).where(Counter.name == name).execute()
    return Counter.get(Counter.name == name).value


# --- master data: consignees and carriers ---------------------------------------------


@dataclass(frozen=True)
class ConsigneeInfo:
    """A consignee as people read it."""

    name: str
    address: tuple[str, ...]
    postal_code: str
    city: str
    country: str
    gln: str | None
    contact: str | None
    min_shelf_life_days: int

    @classmethod
    def of(cls, row: Consignee) -> ConsigneeInfo:
        """The view of a consignee row."""
        lines = tuple(line for line in row.address.splitlines() if line.strip())
        return cls(
            row.name,
            lines,
            row.postal_code,
            row.city,
            row.country,
            row.gln,
            row.contact,
            row.min_shelf_life_days,
        )

    def address_block(self) -> tuple[str, ...]:
        """Name, street lines, postal code and city, country: as on a label."""
        return (self.name, *self.address, f"{self.postal_code} {self.city}", self.country)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "name": self.name,
            "address": list(self.address),
            "postal_code": self.postal_code,
            "city": self.city,
            "country": self.country,
            "gln": self.gln,
            "contact": self.contact,
            "min_shelf_life_days": self.min_shelf_life_days,
        }


@dataclass(frozen=True)
class CarrierInfo:
    """A carrier as people read it."""

    code: str
    name: str
    services: tuple[str, ...]
    tracking_url: str | None

    @classmethod
    def of(cls, row: Carrier) -> CarrierInfo:
        """The view of a carrier row."""
        services = tuple(s for s in row.service_levels.split(",") if s)
        return cls(row.code, row.name, services, row.tracking_url)

    def tracking_link(self, tracking: str | None) -> str | None:
        """Where a parcel with TRACKING can be followed, if the carrier has a template."""
        if not tracking or not self.tracking_url:
            return None
        return self.tracking_url.replace("{tracking}", tracking)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "code": self.code,
            "name": self.name,
            "services": list(self.services),
            "tracking_url": self.tracking_url,
        }


def _check_gln(gln: str) -> str:
    from biip import ParseError
    from biip.gln import Gln

    value = gln.strip()
    if not value.isdigit() or len(value) != 13:
        raise Refused(f"GLN {gln!r} must be 13 digits")
    try:
        Gln.parse(value)
    except ParseError as exc:
        raise Refused(f"GLN {gln!r} is not valid: {exc}") from exc
    return value


def add_consignee(
    name: str,
    *,
    address: str,
    postal_code: str,
    city: str,
    country: str,
    gln: str | None = None,
    contact: str | None = None,
    min_shelf_life_days: int = 0,
    user: str,
) -> ConsigneeInfo:
    """A new consignee (ship-to party). ADDRESS is the street lines, newline-separated."""
    name = name.strip()
    if not name or len(name) > 200:
        raise Refused("A consignee needs a name of 1 to 200 characters")
    country = country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise Refused(f"Country {country!r} must be a two-letter code such as DE or NL")
    if not postal_code.strip() or len(postal_code.strip()) > 16:
        raise Refused("Give the postal code (at most 16 characters)")
    if not city.strip():
        raise Refused("Give the city")
    if isinstance(min_shelf_life_days, bool) or min_shelf_life_days < 0:
        raise Refused("Minimum remaining shelf life must be zero or more days")
    the_gln = _check_gln(gln) if gln else None
    lines = "\n".join(part.strip() for part in re.split(r"\n|\|", address) if part.strip())

    def _add() -> ConsigneeInfo:
        who = acting(user, "partner")
        if Consignee.select().where(Consignee.name == name).exists():
            raise Refused(f"Consignee {name!r} already exists")
        row = Consignee.create(
            name=name,
            address=lines,
            postal_code=postal_code.strip(),
            city=city.strip(),
            country=country,
            gln=the_gln,
            contact=(contact or "").strip() or None,
            min_shelf_life_days=min_shelf_life_days,
        )
        log_event("consignee.add", name, who, city=row.city, country=country)
        return ConsigneeInfo.of(row)

    return run_write(_add)


def get_consignee(name: str) -> Consignee:
    """The consignee called NAME."""
    row = Consignee.get_or_none(Consignee.name == name.strip())
    if row is None:
        raise NotFound(f"Unknown consignee {name!r}: add it with 'backroom consignee add'")
    return row


def list_consignees() -> list[ConsigneeInfo]:
    """Every active consignee, by name."""
    rows = Consignee.select().where(Consignee.active).order_by(Consignee.name)
    return [ConsigneeInfo.of(row) for row in rows]


def add_carrier(
    code: str,
    *,
    name: str,
    services: Sequence[str] = (),
    tracking_url: str | None = None,
    user: str,
) -> CarrierInfo:
    """A new carrier with its service levels and tracking URL template ({tracking})."""
    code = code.strip().upper()
    if not code or len(code) > 32 or any(c.isspace() for c in code):
        raise Refused(f"Carrier code {code!r} must be 1 to 32 characters without spaces")
    if not name.strip():
        raise Refused(f"Carrier {code} needs a name")
    levels = [s.strip() for s in services if s.strip()]
    if tracking_url and "{tracking}" not in tracking_url:
        raise Refused("The tracking URL must hold {tracking} where the tracking number goes")

    def _add() -> CarrierInfo:
        who = acting(user, "partner")
        if Carrier.select().where(Carrier.code == code).exists():
            raise Refused(f"Carrier {code} already exists")
        row = Carrier.create(
            code=code,
            name=name.strip(),
            service_levels=",".join(levels),
            tracking_url=tracking_url or None,
        )
        log_event("carrier.add", code, who, name=row.name, services=levels)
        return CarrierInfo.of(row)

    return run_write(_add)


def get_carrier(code: str) -> Carrier:
    """The carrier with CODE."""
    row = Carrier.get_or_none(Carrier.code == code.strip().upper())
    if row is None:
        raise NotFound(f"Unknown carrier {code!r}: add it with 'backroom carrier add'")
    return row


def list_carriers() -> list[CarrierInfo]:
    """Every active carrier, by code."""
    rows = Carrier.select().where(Carrier.active).order_by(Carrier.code)
    return [CarrierInfo.of(row) for row in rows]


# --- shipments ------------------------------------------------------------------------


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


def check_status(shipment: Shipment, allowed: Sequence[str], doing: str) -> None:
    """Refuse DOING unless the shipment is in one of the ALLOWED statuses."""
    if shipment.status not in allowed:
        raise Refused(
            f"Shipment {shipment.number} is {shipment.status}: cannot {doing} "
            f"(only when {' or '.join(allowed)})"
        )


def set_status(shipment: Shipment, new: str, user: User, **detail: object) -> None:
    """Move SHIPMENT to status NEW if the rules allow it, and log the change."""
    if new not in SHIPMENT_STATUSES:
        raise Refused(f"Shipment status {new!r} is not one of {', '.join(SHIPMENT_STATUSES)}")
    old = shipment.status
    if new == old:
        return
    if new not in TRANSITIONS[old]:
        raise Refused(f"Shipment {shipment.number} is {old}: it cannot become {new}")
    changes: dict[str, object] = {"status": new}
    now = utcnow()
    if new == "shipped":
        changes["shipped_at"] = now
        shipment.shipped_at = now
    Shipment.update(changes).where(Shipment.id == shipment.id).execute()
    shipment.status = new
    log_event("shipment.status", shipment.number, user, old=old, new=new, **detail)


def create_shipment(
    consignee: str,
    *,
    user: str,
    carrier: str | None = None,
    service: str | None = None,
    planned_date: dt.date | None = None,
) -> str:
    """A new draft shipment to CONSIGNEE; returns its number (SHP- and six digits)."""

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


def open_remainder(shipment: Shipment) -> int:
    """Units allocated to SHIPMENT and not yet picked (nor given up as short)."""
    value = (
        Allocation.select(pw.fn.COALESCE(pw.fn.SUM(Allocation.qty - Allocation.picked), 0))
        .join(ShipmentLine)
        .where(ShipmentLine.shipment == shipment)
        .scalar()
    )
    return int(value or 0)


# --- cancel and deliver -----------------------------------------------------------------


def cancel(
    number: str,
    *,
    user: str,
    return_to: str | None = None,
    reason: str = "",
    dispatch: str = DEFAULT_DISPATCH,
) -> list[str]:
    """Cancel a shipment that has not left: release its allocation and take picked
    stock from dispatch back to RETURN_TO. Returns what was done, line by line."""

    def _cancel() -> list[str]:
        lock_head()
        who = acting(user, "shipment")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("draft", "allocated", "picking", "packed"), "cancel it")
        done: list[str] = []
        picked = _picked_stock(shipment)
        if picked:
            if not return_to:
                total = sum(qty for _, _, qty in picked)
                raise Refused(
                    f"{total} picked units of {shipment.number} wait at dispatch: "
                    "say where they go back to"
                )
            back = get_location(return_to)
            if not back.is_internal:
                raise Refused(
                    f"{back.code} is a {back.kind} location, not a place in the warehouse"
                )
            dock = dispatch_location(dispatch)
            specs = [
                MoveSpec(
                    "transfer",
                    item,
                    qty,
                    dock,
                    back,
                    lot,
                    reference=shipment.number,
                    note=f"shipment {shipment.number} cancelled",
                )
                for item, lot, qty in picked
            ]
            for move in post(specs, who):
                lot_text = f" lot {move.lot}" if move.lot else ""
                done.append(f"returned {move.qty} {move.item}{lot_text} to {back.code}")
        released = open_remainder(shipment)
        for alloc in _allocations(shipment):
            if alloc.qty != alloc.picked:
                Allocation.update(qty=alloc.picked).where(Allocation.id == alloc.id).execute()
        for line in shipment.lines:
            sync_line(line)
        if released:
            done.append(f"released {released} allocated units")
        ssccs = [p.sscc for p in shipment.parcels]
        if ssccs:
            ParcelContent.delete().where(
                ParcelContent.parcel.in_([p.id for p in shipment.parcels])
            ).execute()
            Parcel.delete().where(Parcel.shipment == shipment).execute()
            done.append(f"unpacked {len(ssccs)} parcels")
        set_status(
            shipment,
            "cancelled",
            who,
            reason=reason.strip() or None,
            returned_to=return_to if picked else None,
            parcels=ssccs or None,
        )
        return done

    return run_write(_cancel)


def _allocations(shipment: Shipment) -> list[Allocation]:
    return list(Allocation.select().join(ShipmentLine).where(ShipmentLine.shipment == shipment))


def _picked_stock(shipment: Shipment) -> list[tuple[Item, Lot | None, int]]:
    """What was picked for SHIPMENT and still waits at dispatch, per item and lot."""
    totals: dict[tuple[int, int], list] = {}
    for alloc in _allocations(shipment):
        if alloc.picked:
            key = (alloc.item_id, alloc.lot_id or 0)
            entry = totals.setdefault(key, [alloc.item, alloc.lot, 0])
            entry[2] += alloc.picked
    return [(item, lot, qty) for item, lot, qty in totals.values()]


def deliver(
    number: str,
    *,
    user: str,
    signed_by: str,
    at: dt.datetime | None = None,
    note: str = "",
) -> ShipmentSummary:
    """Record the proof of delivery: who signed for the goods, and when (UTC)."""
    if not signed_by.strip():
        raise Refused("Proof of delivery needs the name of who signed")

    def _deliver() -> ShipmentSummary:
        who = acting(user, "ship")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("shipped",), "record delivery")
        when = at or utcnow()
        if shipment.shipped_at and when < shipment.shipped_at:
            raise Refused(f"Delivered at {when:%Y-%m-%d %H:%M} is before it was shipped")
        Shipment.update(
            delivered_at=when, pod_name=signed_by.strip(), pod_note=note.strip() or None
        ).where(Shipment.id == shipment.id).execute()
        set_status(shipment, "delivered", who, signed_by=signed_by.strip(), at=when)
        return summary(get_shipment(shipment.number))

    return run_write(_deliver)


# --- reading --------------------------------------------------------------------------


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
class HistoryEntry:
    """One line of a shipment's history: when, who, what."""

    time: dt.datetime
    user: str | None
    kind: str
    detail: dict[str, object]

    @property
    def text(self) -> str:
        """The entry as one line of words."""
        d = self.detail
        if self.kind == "shipment.status":
            extra = ", ".join(_words(k, v) for k, v in d.items() if k not in ("old", "new") and v)
            return f"{d.get('old')} -> {d.get('new')}" + (f" ({extra})" if extra else "")
        words = ", ".join(_words(k, v) for k, v in d.items() if v not in (None, "", []))
        return f"{self.kind.removeprefix('shipment.')}: {words}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "time": self.time.isoformat(),
            "user": self.user,
            "kind": self.kind,
            "detail": self.detail,
        }


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


def history(number: str) -> tuple[HistoryEntry, ...]:
    """The event log of a shipment, oldest first."""
    events = (
        Event.select(Event, User)
        .join(User, pw.JOIN.LEFT_OUTER)
        .where(Event.subject == number)
        .order_by(Event.id)
    )
    return tuple(
        HistoryEntry(e.time, e.user.name if e.user_id else None, e.kind, json.loads(e.detail))
        for e in events
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


# --- picked and packed ------------------------------------------------------------------


def unpacked(shipment: Shipment) -> dict[tuple[int, int], int]:
    """Picked units not yet in a parcel, as {(item id, lot id or 0): units}."""
    left: dict[tuple[int, int], int] = {}
    for alloc in _allocations(shipment):
        if alloc.picked:
            key = (alloc.item_id, alloc.lot_id or 0)
            left[key] = left.get(key, 0) + alloc.picked
    contents = (
        ParcelContent.select(ParcelContent.item, ParcelContent.lot, ParcelContent.qty)
        .join(Parcel)
        .where(Parcel.shipment == shipment)
        .tuples()
    )
    for item_id, lot_id, qty in contents:
        key = (item_id, lot_id or 0)
        left[key] = left.get(key, 0) - qty
    return {key: qty for key, qty in left.items() if qty}


def settle(shipment: Shipment, user: User) -> None:
    """A shipment being picked is packed once nothing is left to pick and every picked
    unit is in a parcel."""
    if shipment.status != "picking" or open_remainder(shipment):
        return
    if not Parcel.select().where(Parcel.shipment == shipment).exists():
        return
    if not unpacked(shipment):
        set_status(shipment, "packed", user)


def _words(key: str, value: object) -> str:
    """One detail of an event as words: lists of stock as '5 MILK lot L1 at A1; ...'."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        parts = []
        for entry in value:
            if "missing" in entry:
                parts.append(f"{entry['item']} {entry['missing']} missing")
                continue
            lot = f" lot {entry['lot']}" if entry.get("lot") else ""
            where = f" at {entry['location']}" if entry.get("location") else ""
            parts.append(f"{entry.get('qty')} {entry.get('item')}{lot}{where}")
        return f"{key} " + "; ".join(parts)
    if isinstance(value, list):
        return f"{key} " + " ".join(str(v) for v in value)
    return f"{key} {value}"


# --- loads: a vehicle departure grouping shipments ----------------------------------------

LOAD_PREFIX = "LOAD-"


@dataclass(frozen=True)
class LoadInfo:
    """A load: vehicle, driver, departure, and the shipments on it."""

    number: str
    vehicle: str
    driver: str
    departure: dt.datetime | None
    shipments: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "number": self.number,
            "vehicle": self.vehicle,
            "driver": self.driver,
            "departure": self.departure.isoformat() if self.departure else None,
            "shipments": list(self.shipments),
        }


def create_load(
    *, vehicle: str, user: str, driver: str = "", departure: dt.datetime | None = None
) -> str:
    """A new load for VEHICLE (its plate or name); returns its number (LOAD-000001)."""
    if not vehicle.strip() or len(vehicle.strip()) > 64:
        raise Refused("A load needs the vehicle (1 to 64 characters)")

    def _create() -> str:
        who = acting(user, "shipment")
        number = f"{LOAD_PREFIX}{next_value('load'):06d}"
        Load.create(
            number=number, vehicle=vehicle.strip(), driver=driver.strip(), departure=departure
        )
        log_event(
            "load.create", number, who, vehicle=vehicle.strip(), driver=driver, departure=departure
        )
        return number

    return run_write(_create)


def get_load(number: str) -> Load:
    """The load with NUMBER (LOAD-000001; '1' is understood too)."""
    text = number.strip().upper()
    digits = text.removeprefix(LOAD_PREFIX)
    if digits.isdigit():
        text = f"{LOAD_PREFIX}{int(digits):06d}"
    row = Load.get_or_none(Load.number == text)
    if row is None:
        raise NotFound(f"No load {number.strip()}")
    return row


def load_info(number: str) -> LoadInfo:
    """A load and the shipments on it."""
    row = get_load(number)
    numbers = tuple(
        s.number
        for s in Shipment.select(Shipment.number)
        .where(Shipment.load == row)
        .order_by(Shipment.number)
    )
    return LoadInfo(row.number, row.vehicle, row.driver, row.departure, numbers)


def assign_load(number: str, load: str | None, *, user: str) -> LoadInfo | None:
    """Put the shipment on LOAD (or take it off with None), until it is shipped."""

    def _assign() -> LoadInfo | None:
        who = acting(user, "shipment")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("draft", "allocated", "picking", "packed"), "change its load")
        row = get_load(load) if load else None
        Shipment.update(load=row).where(Shipment.id == shipment.id).execute()
        log_event("shipment.load", shipment.number, who, load=row.number if row else None)
        return load_info(row.number) if row else None

    return run_write(_assign)
