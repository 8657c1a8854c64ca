"""Dispatch: the goods leave. Picked stock waits at the dispatch location; loads group
shipments on one vehicle departure; shipping moves each parcel's contents from dispatch
to the customer location, with the shipment number as reference and the parcel's SSCC in
the note, and each parcel content keeps its ship move, so a trace reaches the consignee.
Then the carrier's end-of-day manifest, and the proof of delivery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from backroom.models.config import Config
from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.goods_out.orders import (
    ShipmentSummary,
    get_shipment,
    next_value,
    summary,
)
from backroom.models.goods_out.packing import get_parcel
from backroom.models.goods_out.parties import get_carrier
from backroom.models.goods_out.status import check_status, set_status, unpacked
from backroom.models.masterdata.adding import log_event
from backroom.models.people.roles import acting, require
from backroom.models.rules.text import NAME_MOST, REASON_MOST, check_text
from backroom.models.schema import Location, User, utcnow
from backroom.models.schema.shipping import (
    Consignee,
    Load,
    Parcel,
    ParcelContent,
    Shipment,
    ShipmentLine,
)
from backroom.models.stock.ledger import MoveSpec, PostedMove, lock_head, post
from backroom.models.stock.requests import at_most_once

DEFAULT_DISPATCH = "DISPATCH"
LOAD_PREFIX = "LOAD-"


# --- where picked stock waits, and where shipped goods go ----------------------------------


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


# --- loads: a vehicle departure grouping shipments ----------------------------------------


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
    check_text(vehicle, "The vehicle", max_length=64)
    check_text(driver, "The driver", max_length=100)
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


# --- shipping ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipResult:
    """The shipment after shipping, and the moves that took its parcels out."""

    shipment: str
    status: str
    moves: tuple[PostedMove, ...]
    parcels: tuple[str, ...]
    overridden: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "shipment": self.shipment,
            "status": self.status,
            "parcels": list(self.parcels),
            "moves": [m.as_dict() for m in self.moves],
            "expired_lots_overridden": list(self.overridden),
        }


def ship(
    number: str,
    *,
    user: str,
    tracking: Mapping[str, str] | None = None,
    override_expired: bool = False,
    dispatch: str = DEFAULT_DISPATCH,
    today: dt.date | None = None,
    request_id: str | None = None,
) -> ShipResult:
    """Ship a packed shipment: every parcel goes from dispatch to the customer.

    TRACKING gives parcels their carrier tracking numbers (SSCC -> number). Expired
    lots are refused unless a lead overrides; blocked and recalled lots always are."""

    def _ship() -> ShipResult:
        lock_head()
        who = acting(user, "ship")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("packed",), "ship")
        if unpacked(shipment):
            raise Refused(f"Some picked stock of {shipment.number} is not in a parcel yet")
        contents = _parcel_contents(shipment)
        expired = _expired_lots(contents, today or dt.date.today())
        _allow_expired(shipment, expired, override_expired, who)
        _apply_tracking(shipment, tracking or {}, who)
        moves = _move_out(shipment, contents, dispatch, who)
        _count_shipped(shipment, contents)
        parcels = tuple(dict.fromkeys(c.parcel.sscc for c in contents))
        set_status(shipment, "shipped", who, parcels=len(parcels))
        return ShipResult(shipment.number, shipment.status, tuple(moves), parcels, tuple(expired))

    asked = (number, tracking, override_expired, dispatch, today)
    return at_most_once(request_id, "ship", asked, user, _ship)


def _parcel_contents(shipment: Shipment) -> list[ParcelContent]:
    """What the shipment's parcels hold, parcel by parcel."""
    return list(
        ParcelContent.select(ParcelContent, Parcel)
        .join(Parcel)
        .where(Parcel.shipment == shipment)
        .order_by(Parcel.id, ParcelContent.id)
    )


def _expired_lots(contents: list[ParcelContent], day: dt.date) -> list[str]:
    """The lots in CONTENTS past their expiry on DAY; a blocked or recalled lot is
    refused outright, since no override ships it."""
    expired: list[str] = []
    for c in contents:
        lot = c.lot if c.lot_id else None
        if lot is None:
            continue
        if lot.status in ("blocked", "recalled"):
            raise Refused(f"Lot {lot.number} is {lot.status} and cannot be shipped")
        if lot.expiry is not None and lot.expiry < day and lot.number not in expired:
            expired.append(lot.number)
    return expired


def _allow_expired(shipment: Shipment, expired: list[str], override: bool, who: User) -> None:
    """Expired lots leave only when a lead overrides, and the override is logged."""
    if expired and not override:
        raise Refused(
            f"Lot {', '.join(expired)} expired: a lead must override to ship it "
            "(--override-expired)"
        )
    if expired:
        require(who, "ship", doing="shipping expired lots")
        log_event("shipment.override_expired", shipment.number, who, lots=expired)


def _move_out(
    shipment: Shipment, contents: list[ParcelContent], dispatch: str, who: User
) -> list[PostedMove]:
    """Post one ship move per parcel content, dispatch -> customer, and keep it on the
    content, so a trace goes from the lot through the parcel to the consignee."""
    dock, customer = dispatch_location(dispatch), customer_location()
    specs = [
        MoveSpec(
            "ship",
            c.item,
            c.qty,
            dock,
            customer,
            c.lot if c.lot_id else None,
            reference=shipment.number,
            note=f"parcel {c.parcel.sscc}",
        )
        for c in contents
    ]
    moves = post(specs, who)
    for content, move in zip(contents, moves, strict=True):
        ParcelContent.update(move=move.id).where(ParcelContent.id == content.id).execute()
    return moves


def _count_shipped(shipment: Shipment, contents: list[ParcelContent]) -> None:
    """Each line's shipped quantity: what its item's parcel contents hold."""
    shipped: dict[int, int] = {}
    for content in contents:
        shipped[content.item_id] = shipped.get(content.item_id, 0) + content.qty
    for line in shipment.lines:
        ShipmentLine.update(qty_shipped=shipped.get(line.item_id, 0)).where(
            ShipmentLine.id == line.id
        ).execute()


def _apply_tracking(shipment: Shipment, tracking: Mapping[str, str], who: User) -> None:
    for sscc, number in tracking.items():
        parcel = get_parcel(sscc)
        if parcel.shipment_id != shipment.id:
            raise Refused(f"Parcel {parcel.sscc} belongs to shipment {parcel.shipment.number}")
        value = check_text(number, "A tracking number").strip()
        if not value or len(value) > 64 or any(ch.isspace() for ch in value):
            raise Refused(f"Tracking number {number!r} must be 1 to 64 characters without spaces")
        Parcel.update(tracking_number=value).where(Parcel.id == parcel.id).execute()
        log_event("shipment.tracking", shipment.number, who, sscc=parcel.sscc, tracking=value)


# --- manifest -------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestParcel:
    """One parcel on the manifest."""

    shipment: str
    consignee: str
    postal_code: str
    city: str
    country: str
    service: str | None
    sscc: str
    kind: str
    weight_g: int | None
    tracking: str | None

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "shipment": self.shipment,
            "consignee": self.consignee,
            "postal_code": self.postal_code,
            "city": self.city,
            "country": self.country,
            "service": self.service,
            "sscc": self.sscc,
            "kind": self.kind,
            "weight_g": self.weight_g,
            "tracking": self.tracking,
        }


@dataclass(frozen=True)
class Manifest:
    """What a carrier takes on one day: every parcel of the shipments shipped that day."""

    carrier: str
    carrier_name: str
    day: dt.date
    parcels: tuple[ManifestParcel, ...]

    @property
    def shipments(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.shipment for p in self.parcels))

    @property
    def total_weight_g(self) -> int:
        return sum(p.weight_g or 0 for p in self.parcels)

    @property
    def unweighed(self) -> int:
        return sum(1 for p in self.parcels if p.weight_g is None)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "carrier": self.carrier,
            "carrier_name": self.carrier_name,
            "date": self.day.isoformat(),
            "shipments": len(self.shipments),
            "parcels": len(self.parcels),
            "total_weight_g": self.total_weight_g,
            "unweighed_parcels": self.unweighed,
            "lines": [p.as_dict() for p in self.parcels],
        }


def manifest(carrier: str, day: dt.date | None = None) -> Manifest:
    """The manifest of CARRIER for DAY (UTC; today by default): the parcels of every
    shipment it carries that was shipped that day."""
    the_carrier = get_carrier(carrier)
    day = day or dt.datetime.now(dt.UTC).date()
    start = dt.datetime.combine(day, dt.time())
    end = start + dt.timedelta(days=1)
    rows = (
        Parcel.select(Parcel, Shipment, Consignee)
        .join(Shipment)
        .join(Consignee)
        .where(
            (Shipment.carrier == the_carrier)
            & Shipment.status.in_(("shipped", "delivered"))
            & (Shipment.shipped_at >= start)
            & (Shipment.shipped_at < end)
        )
        .order_by(Shipment.number, Parcel.id)
    )
    parcels = tuple(
        ManifestParcel(
            p.shipment.number,
            p.shipment.consignee.name,
            p.shipment.consignee.postal_code,
            p.shipment.consignee.city,
            p.shipment.consignee.country,
            p.shipment.service,
            p.sscc,
            p.kind,
            p.weight_g,
            p.tracking_number,
        )
        for p in rows
    )
    return Manifest(the_carrier.code, the_carrier.name, day, parcels)


# --- proof of delivery -------------------------------------------------------------------


def deliver(
    number: str,
    *,
    user: str,
    signed_by: str,
    at: dt.datetime | None = None,
    note: str = "",
    request_id: str | None = None,
) -> ShipmentSummary:
    """Record the proof of delivery: who signed for the goods, and when (UTC)."""
    check_text(signed_by, "The name of who signed", max_length=NAME_MOST)
    check_text(note, "The delivery note", max_length=REASON_MOST)
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

    asked = (number, signed_by, at, note)
    return at_most_once(request_id, "deliver", asked, user, _deliver)
