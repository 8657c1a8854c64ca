"""What a scan resolves to: exactly one thing, or a ScanError saying why not.

Plain frozen values (no database rows), so they cross into the TUI and its
threads safely; `id` fields let a screen load the row when it needs more. FrozenValues,
not dataclasses: defining eleven dataclasses cost `backroom scan` ~45 M instructions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from backroom.models.values import FrozenValue

UNKNOWN = "unknown"  # a valid code, but nothing in the database has it
INVALID = "invalid"  # the code itself is wrong (check digit, date, shape, ...)
AMBIGUOUS = "ambiguous"  # several things have this code


class Resolved(FrozenValue, kw_only=True):
    """Base of every result; `warnings` are shown but do not stop the scan."""

    kind: ClassVar[str] = "thing"
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """One line naming the thing, for people."""
        return self.kind

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: kind, fields and label."""
        data: dict[str, Any] = {"kind": self.kind}
        for name in self.value_fields:
            data[name] = _plain(getattr(self, name))
        data["label"] = self.label
        return data


class ResolvedLocation(Resolved):
    """A location: a shelf, a dock, a quarantine area."""

    kind: ClassVar[str] = "location"
    id: int
    code: str
    name: str
    location_kind: str
    active: bool = True

    @property
    def label(self) -> str:
        name = f" ({self.name})" if self.name else ""
        return f"location {self.code}{name}"


class ResolvedItem(Resolved):
    """An item, by SKU or GTIN; `quantity` when the code carries a count."""

    kind: ClassVar[str] = "item"
    id: int
    sku: str
    name: str
    gtin: str | None = None
    unit: str = "pcs"
    tracking: str = "none"
    active: bool = True
    quantity: int | None = None  # a count the code carries, (37) or (30), in base units
    # The packaging level whose GTIN was scanned ("cs"), and the base units it holds.
    packaging: str | None = None
    per_pack: int | None = None

    @property
    def label(self) -> str:
        qty = f", quantity {self.quantity} {self.unit}" if self.quantity is not None else ""
        if self.packaging and self.per_pack and self.quantity is not None:
            packs = self.quantity // self.per_pack
            qty = f", {packs} {self.packaging} of {self.per_pack} = {self.quantity} {self.unit}"
        return f"item {self.sku} ({self.name}){qty}"


class ResolvedLot(Resolved):
    """A lot of an item: from (01)+(10), or a lot number found alone."""

    kind: ClassVar[str] = "lot"
    item: ResolvedItem
    number: str
    id: int | None = None  # None: the lot is not in the database (see ScanError.partial)
    expiry: dt.date | None = None  # the database's, else the label's
    status: str | None = None
    quantity: int | None = None

    @property
    def label(self) -> str:
        parts = [f"lot {self.number} of item {self.item.sku} ({self.item.name})"]
        if self.expiry:
            parts.append(f"expiry {self.expiry.isoformat()}")
        if self.status:
            parts.append(self.status)
        if self.quantity is not None:
            parts.append(f"quantity {self.quantity} {self.item.unit}")
        return ", ".join(parts)


class ResolvedSerial(Resolved):
    """One serial-numbered unit of a serial-tracked item: (01)+(21)."""

    kind: ClassVar[str] = "serial"
    item: ResolvedItem
    serial: str
    id: int | None = None
    expiry: dt.date | None = None
    status: str | None = None

    @property
    def label(self) -> str:
        status = f", {self.status}" if self.status else ""
        return f"serial {self.serial} of item {self.item.sku} ({self.item.name}){status}"


class ResolvedParcel(Resolved):
    """A logistic unit by its SSCC (00), with what its label says it holds."""

    kind: ClassVar[str] = "parcel"
    sscc: str
    id: int | None = None
    # What the logistic label says is inside: (02) GTIN, (10) lot, expiry, (37) count.
    content_gtin: str | None = None
    lot: str | None = None
    expiry: dt.date | None = None
    quantity: int | None = None

    @property
    def label(self) -> str:
        held = [f"{self.quantity} x" if self.quantity is not None else ""]
        held += [f"GTIN {self.content_gtin}" if self.content_gtin else ""]
        held += [f"lot {self.lot}" if self.lot else ""]
        held += [f"expiry {self.expiry.isoformat()}" if self.expiry else ""]
        contents = " ".join(h for h in held if h)
        return f"parcel SSCC {self.sscc}" + (f" holding {contents}" if contents else "")


class ResolvedPallet(Resolved):
    """A supplier's pallet (or case) by its SSCC, announced by an ASN and not yet received."""

    kind: ClassVar[str] = "pallet"
    sscc: str
    asn: str
    order: str

    @property
    def label(self) -> str:
        return f"pallet SSCC {self.sscc} announced by ASN {self.asn} of {self.order}"


class ResolvedOrder(Resolved):
    """A purchase order by its number, or by the number of an ASN announcing goods on it."""

    kind: ClassVar[str] = "order"
    number: str
    asn: str | None = None

    @property
    def label(self) -> str:
        if self.asn:
            return f"ASN {self.asn} of purchase order {self.number}"
        return f"purchase order {self.number}"


class ResolvedShipment(Resolved):
    """A shipment by its number, SHP- and digits."""

    kind: ClassVar[str] = "shipment"
    number: str
    id: int | None = None

    @property
    def label(self) -> str:
        return f"shipment {self.number}"


class ResolvedBadge(Resolved):
    """A user's badge: BADGE: and the user's badge token."""

    kind: ClassVar[str] = "badge"
    user_id: int
    user: str
    role: str

    @property
    def label(self) -> str:
        return f"badge of user {self.user} ({self.role})"


class ResolvedCommand(Resolved):
    """A command code from the command sheet: CONFIRM, CANCEL, BACK or QTY."""

    kind: ClassVar[str] = "command"
    command: str  # CONFIRM, CANCEL, BACK or QTY
    quantity: int | None = None  # for QTY

    @property
    def label(self) -> str:
        if self.quantity is not None:
            return f"command: quantity {self.quantity}"
        return f"command: {self.command}"


class ScanError(Resolved):
    """The scan names nothing usable. `message` is what the worker is shown."""

    kind: ClassVar[str] = "error"
    problem: str  # UNKNOWN, INVALID or AMBIGUOUS
    message: str
    # What the code does say, when it is valid but not (yet) in the database: a new
    # lot on a receiving label, an SSCC of a parcel not yet known.
    partial: Resolved | None = None

    @property
    def label(self) -> str:
        return self.message


Resolution = (
    ResolvedLocation
    | ResolvedItem
    | ResolvedLot
    | ResolvedSerial
    | ResolvedParcel
    | ResolvedPallet
    | ResolvedOrder
    | ResolvedShipment
    | ResolvedBadge
    | ResolvedCommand
    | ScanError
)


def _plain(value: Any) -> Any:
    if isinstance(value, Resolved):
        return value.as_dict()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value
