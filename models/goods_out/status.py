"""The status of a shipment: which status may follow which, how far picking and packing
have got, and the shipment's history as the event log tells it.

Every change of status goes to the event log with the user and the time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import peewee as pw

from backroom.models.errors import Refused
from backroom.models.masterdata.adding import log_event
from backroom.models.schema import Event, User, utcnow
from backroom.models.schema.shipping import (
    SHIPMENT_STATUSES,
    Allocation,
    Parcel,
    ParcelContent,
    Shipment,
    ShipmentLine,
)

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


# --- how far picking and packing have got ---------------------------------------------


def allocations_of(shipment: Shipment) -> list[Allocation]:
    """Every allocation of SHIPMENT's lines, open, picked or given up."""
    return list(Allocation.select().join(ShipmentLine).where(ShipmentLine.shipment == shipment))


def open_remainder(shipment: Shipment) -> int:
    """Units allocated to SHIPMENT and not yet picked (nor given up as short)."""
    value = (
        Allocation.select(pw.fn.COALESCE(pw.fn.SUM(Allocation.qty - Allocation.picked), 0))
        .join(ShipmentLine)
        .where(ShipmentLine.shipment == shipment)
        .scalar()
    )
    return int(value or 0)


def unpacked(shipment: Shipment) -> dict[tuple[int, int], int]:
    """Picked units not yet in a parcel, as {(item id, lot id or 0): units}."""
    left: dict[tuple[int, int], int] = {}
    for alloc in allocations_of(shipment):
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


# --- history ---------------------------------------------------------------------------


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
