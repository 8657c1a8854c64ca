"""Shipping: the goods leave. Each parcel's contents move from dispatch to the customer
location, with the shipment number as reference and the parcel's SSCC in the note; each
parcel content keeps its ship move, so a trace reaches the consignee. And the carrier's
end-of-day manifest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from backroom.models.db import run_write
from backroom.models.errors import Refused
from backroom.models.goods_out.packing import get_parcel
from backroom.models.goods_out.shipments import (
    DEFAULT_DISPATCH,
    check_status,
    customer_location,
    dispatch_location,
    get_carrier,
    get_shipment,
    set_status,
    unpacked,
)
from backroom.models.masterdata.adding import log_event
from backroom.models.people.roles import acting, require
from backroom.models.schema.shipping import (
    Consignee,
    Parcel,
    ParcelContent,
    Shipment,
    ShipmentLine,
)
from backroom.models.stock.ledger import MoveSpec, PostedMove, lock_head, post


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
        day = today or dt.date.today()
        contents = list(
            ParcelContent.select(ParcelContent, Parcel)
            .join(Parcel)
            .where(Parcel.shipment == shipment)
            .order_by(Parcel.id, ParcelContent.id)
        )
        expired = []
        for c in contents:
            lot = c.lot if c.lot_id else None
            if lot is None:
                continue
            if lot.status in ("blocked", "recalled"):
                raise Refused(f"Lot {lot.number} is {lot.status} and cannot be shipped")
            if lot.expiry is not None and lot.expiry < day and lot.number not in expired:
                expired.append(lot.number)
        if expired and not override_expired:
            raise Refused(
                f"Lot {', '.join(expired)} expired: a lead must override to ship it "
                "(--override-expired)"
            )
        if expired:
            require(who, "ship", doing="shipping expired lots")
            log_event("shipment.override_expired", shipment.number, who, lots=expired)
        _apply_tracking(shipment, tracking or {}, who)
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
        shipped: dict[int, int] = {}
        for content, move in zip(contents, moves, strict=True):
            ParcelContent.update(move=move.id).where(ParcelContent.id == content.id).execute()
            shipped[content.item_id] = shipped.get(content.item_id, 0) + content.qty
        for line in shipment.lines:
            ShipmentLine.update(qty_shipped=shipped.get(line.item_id, 0)).where(
                ShipmentLine.id == line.id
            ).execute()
        parcels = tuple(dict.fromkeys(c.parcel.sscc for c in contents))
        set_status(shipment, "shipped", who, parcels=len(parcels))
        return ShipResult(shipment.number, shipment.status, tuple(moves), parcels, tuple(expired))

    return run_write(_ship)


def _apply_tracking(shipment: Shipment, tracking: Mapping[str, str], who) -> None:
    for sscc, number in tracking.items():
        parcel = get_parcel(sscc)
        if parcel.shipment_id != shipment.id:
            raise Refused(f"Parcel {parcel.sscc} belongs to shipment {parcel.shipment.number}")
        value = number.strip()
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
