"""The trace of a lot as it is shown and exported: its lots, moves, receipts,
shipments, returns, stock and transformations, their totals, the JSON form of
`backroom trace --json` and the one-table form of `backroom trace --csv`.

The walk that fills these in is `backroom.models.trace.walk`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

# --- values ---------------------------------------------------------------------------
# Moves, receipts and shipments are made by the thousand for a busy lot: plain slotted
# dataclasses build several times faster than frozen ones.


@dataclass(frozen=True)
class LotInfo:
    """A lot and its item, as the trace shows it."""

    id: int
    item: str
    item_name: str
    unit: str
    tracking: str
    number: str
    status: str
    expiry: dt.date | None
    production_date: dt.date | None
    supplier: str | None
    supplier_lot: str | None

    @property
    def label(self) -> str:
        """'MILK lot L1', or 'PHONE serial SN1'."""
        word = "serial" if self.tracking == "serial" else "lot"
        return f"{self.item} {word} {self.number}"

    def as_dict(self) -> dict[str, object]:
        return {
            "item": self.item,
            "item_name": self.item_name,
            "unit": self.unit,
            "lot": self.number,
            "serial": self.tracking == "serial",
            "status": self.status,
            "expiry": _iso(self.expiry),
            "production_date": _iso(self.production_date),
            "supplier": self.supplier,
            "supplier_lot": self.supplier_lot,
        }


@dataclass(slots=True)
class TraceMove:
    """One movement of a lot, with the shipment's consignee when it went to a customer
    (a "ship" move, or any other move into a customer location) or came back."""

    id: int
    time: dt.datetime
    kind: str
    lot_id: int
    qty: int
    from_location: str
    from_name: str
    to_location: str
    user: str
    reference: str | None
    note: str | None
    reverses: int | None
    from_kind: str = "internal"
    to_kind: str = "internal"
    shipment_status: str | None = None
    consignee: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "time": _iso(self.time),
            "kind": self.kind,
            "qty": self.qty,
            "from": self.from_location,
            "to": self.to_location,
            "user": self.user,
            "reference": self.reference,
            "note": self.note,
            "reverses": self.reverses,
        }


@dataclass(slots=True)
class Receipt:
    """Goods in from a supplier."""

    move_id: int
    time: dt.datetime
    supplier: str
    supplier_name: str
    supplier_lot: str | None
    qty: int
    to_location: str
    reference: str | None
    reversed: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "move": self.move_id,
            "date": _iso(self.time),
            "supplier": self.supplier,
            "supplier_name": self.supplier_name,
            "supplier_lot": self.supplier_lot,
            "qty": self.qty,
            "to": self.to_location,
            "reference": self.reference,
            "reversed": self.reversed,
        }


@dataclass(slots=True)
class Shipped:
    """Goods out to a customer: the ship move, its shipment and consignee."""

    move_id: int
    time: dt.datetime
    shipment: str | None  # the move's reference: a shipment number (or an order)
    shipment_status: str | None
    consignee: str | None
    address: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    qty: int
    from_location: str
    ssccs: tuple[str, ...] = ()
    reversed: bool = False

    @property
    def full_address(self) -> str:
        """Street lines, postal code, city and country on one line."""
        street = ", ".join(line for line in (self.address or "").splitlines() if line.strip())
        town = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (street, town, self.country) if p)

    def as_dict(self) -> dict[str, object]:
        return {
            "move": self.move_id,
            "date": _iso(self.time),
            "shipment": self.shipment,
            "shipment_status": self.shipment_status,
            "consignee": self.consignee,
            "address": self.full_address or None,
            "qty": self.qty,
            "from": self.from_location,
            "ssccs": list(self.ssccs),
            "reversed": self.reversed,
        }


@dataclass(slots=True)
class Returned:
    """Goods back from a customer, into quarantine."""

    move_id: int
    time: dt.datetime
    shipment: str | None
    consignee: str | None
    qty: int
    to_location: str
    note: str | None
    reversed: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "move": self.move_id,
            "date": _iso(self.time),
            "shipment": self.shipment,
            "consignee": self.consignee,
            "qty": self.qty,
            "to": self.to_location,
            "note": self.note,
            "reversed": self.reversed,
        }


@dataclass(frozen=True)
class OnHand:
    """What of the lot is at one internal location now."""

    location: str
    qty: int
    quarantine: bool

    def as_dict(self) -> dict[str, object]:
        return {"location": self.location, "qty": self.qty, "quarantine": self.quarantine}


@dataclass(frozen=True)
class LineFacts:
    """One line of a transformation: QTY of ITEM (LOT) in or out."""

    item: str
    lot: str | None
    lot_id: int | None
    qty: int
    move_id: int

    def as_dict(self) -> dict[str, object]:
        return {"item": self.item, "lot": self.lot, "qty": self.qty, "move": self.move_id}


@dataclass(frozen=True)
class TransformFacts:
    """A transformation with its inputs and outputs."""

    id: int
    kind: str
    time: dt.datetime
    location: str
    user: str
    reference: str | None
    note: str | None
    inputs: tuple[LineFacts, ...]
    outputs: tuple[LineFacts, ...]

    @property
    def number(self) -> str:
        return f"TF-{self.id:06d}"

    def as_dict(self) -> dict[str, object]:
        return {
            "transformation": self.id,
            "number": self.number,
            "kind": self.kind,
            "date": _iso(self.time),
            "location": self.location,
            "user": self.user,
            "reference": self.reference,
            "inputs": [line.as_dict() for line in self.inputs],
            "outputs": [line.as_dict() for line in self.outputs],
        }


@dataclass
class LotFacts:
    """What the trace knows of one lot: receipts, shipments, returns, stock, and the
    transformations that link it to the traced lot."""

    info: LotInfo
    depth: int = 0
    receipts: list[Receipt] = field(default_factory=list)
    shipments: list[Shipped] = field(default_factory=list)
    returns: list[Returned] = field(default_factory=list)
    on_hand: list[OnHand] = field(default_factory=list)
    made_by: list[int] = field(default_factory=list)  # transformations it came out of
    used_in: list[int] = field(default_factory=list)  # transformations it went into

    @property
    def received(self) -> int:
        return sum(r.qty for r in self.receipts if not r.reversed)

    @property
    def shipped(self) -> int:
        return sum(s.qty for s in self.shipments if not s.reversed)

    @property
    def returned(self) -> int:
        return sum(r.qty for r in self.returns if not r.reversed)

    @property
    def on_hand_total(self) -> int:
        return sum(o.qty for o in self.on_hand)

    def as_dict(self) -> dict[str, object]:
        return {
            **self.info.as_dict(),
            "depth": self.depth,
            "made_by": self.made_by,
            "used_in": self.used_in,
            "receipts": [r.as_dict() for r in self.receipts],
            "shipments": [s.as_dict() for s in self.shipments],
            "returns": [r.as_dict() for r in self.returns],
            "on_hand": [o.as_dict() for o in self.on_hand],
            "on_hand_total": self.on_hand_total,
        }


@dataclass
class Trace:
    """A lot's trace: the lot itself, its source lots and the lots made from it."""

    root: LotFacts
    moves: list[TraceMove]  # every movement of the traced lot, oldest first
    upstream: list[LotFacts]  # source lots, nearest first
    downstream: list[LotFacts]  # lots made from it, nearest first
    transformations: dict[int, TransformFacts]

    def lot(self, lot_id: int) -> LotFacts | None:
        """The facts of a lot anywhere in the trace."""
        for facts in (self.root, *self.upstream, *self.downstream):
            if facts.info.id == lot_id:
                return facts
        return None

    def reached(self) -> Iterator[tuple[LotFacts, Shipped]]:
        """Every shipment of the lot and of the lots made from it (not reversed ones)."""
        for facts in (self.root, *self.downstream):
            for shipped in facts.shipments:
                if not shipped.reversed:
                    yield facts, shipped

    @property
    def consumed(self) -> int:
        """How much of the traced lot went into transformations."""
        return sum(
            line.qty
            for tid in self.root.used_in
            for line in self.transformations[tid].inputs
            if line.lot_id == self.root.info.id
        )

    @property
    def produced(self) -> int:
        """How much of the traced lot came out of transformations."""
        return sum(
            line.qty
            for tid in self.root.made_by
            for line in self.transformations[tid].outputs
            if line.lot_id == self.root.info.id
        )

    def as_dict(self) -> dict[str, object]:
        """The JSON form of `backroom trace --json`."""
        root = self.root
        return {
            **root.info.as_dict(),
            "upstream": {
                "receipts": [r.as_dict() for r in root.receipts],
                "made_by": [self.transformations[t].as_dict() for t in root.made_by],
                "source_lots": [f.as_dict() for f in self.upstream],
            },
            "downstream": {
                "moves": [m.as_dict() for m in self.moves],
                "on_hand": [o.as_dict() for o in root.on_hand],
                "on_hand_total": root.on_hand_total,
                "shipments": [s.as_dict() for s in root.shipments],
                "returns": [r.as_dict() for r in root.returns],
                "used_in": [self.transformations[t].as_dict() for t in root.used_in],
                "lots_made_from_it": [f.as_dict() for f in self.downstream],
                "customers_reached": sorted(
                    {s.consignee or s.shipment or "" for _f, s in self.reached()}
                ),
            },
            "totals": {
                "received": root.received,
                "produced": self.produced,
                "returned": root.returned,
                "shipped": root.shipped,
                "consumed": self.consumed,
                "on_hand": root.on_hand_total,
                "shipped_downstream": sum(s.qty for f, s in self.reached() if f is not root),
            },
            "transformations": [t.as_dict() for t in self.transformations.values()],
        }


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return value.isoformat()


# --- the trace as one table -------------------------------------------------------------

TRACE_COLUMNS = (
    "section",
    "depth",
    "item",
    "lot",
    "status",
    "date",
    "qty",
    "location",
    "partner",
    "reference",
    "move",
)


def trace_rows(found: Trace) -> Iterator[dict[str, object]]:
    """The trace as rows of TRACE_COLUMNS: the lot, its receipts and source lots, its
    movements, stock and shipments, and the lots made from it with theirs."""
    yield _lot_row("lot", found.root)
    yield from _facts_rows(found.root)
    yield from _movement_rows(found)
    yield from _transformation_rows(found)
    for facts in found.upstream:
        yield _lot_row("source lot", facts)
        yield from _facts_rows(facts)
    for facts in found.downstream:
        yield _lot_row("lot made from it", facts)
        yield from _facts_rows(facts)


def _blank() -> dict[str, object]:
    return dict.fromkeys(TRACE_COLUMNS, "")


def _lot_row(section: str, facts: LotFacts) -> dict[str, object]:
    """The heading row of one lot: its item, number, status and production date."""
    info = facts.info
    return {
        **_blank(),
        "section": section,
        "depth": facts.depth,
        "item": info.item,
        "lot": info.number,
        "status": info.status,
        "date": _iso(info.production_date) or "",
    }


def _facts_rows(facts: LotFacts) -> Iterator[dict[str, object]]:
    """A lot's receipts, stock on hand, shipments and returns, in that order."""
    base = {**_blank(), "depth": facts.depth, "item": facts.info.item, "lot": facts.info.number}
    for r in facts.receipts:
        yield {
            **base,
            "section": "receipt",
            "date": _iso(r.time),
            "qty": r.qty,
            "location": r.to_location,
            "partner": r.supplier_name,
            "reference": r.reference or "",
            "move": r.move_id,
        }
    for o in facts.on_hand:
        yield {**base, "section": "on hand", "qty": o.qty, "location": o.location}
    for s in facts.shipments:
        yield {
            **base,
            "section": "shipment (reversed)" if s.reversed else "shipment",
            "date": _iso(s.time),
            "qty": s.qty,
            "location": s.from_location,
            "partner": s.consignee or "",
            "reference": s.shipment or "",
            "move": s.move_id,
        }
    for back in facts.returns:
        yield {
            **base,
            "section": "return",
            "date": _iso(back.time),
            "qty": back.qty,
            "location": back.to_location,
            "partner": back.consignee or "",
            "reference": back.shipment or "",
            "move": back.move_id,
        }


def _movement_rows(found: Trace) -> Iterator[dict[str, object]]:
    """Every movement of the traced lot, oldest first."""
    for m in found.moves:
        yield {
            **_blank(),
            "section": "movement",
            "depth": 0,
            "item": found.root.info.item,
            "lot": found.root.info.number,
            "date": _iso(m.time),
            "qty": m.qty,
            "location": f"{m.from_location} -> {m.to_location}",
            "partner": m.kind,
            "reference": m.reference or "",
            "move": m.id,
        }


def _transformation_rows(found: Trace) -> Iterator[dict[str, object]]:
    """Every input and output line of the transformations in the trace."""
    for t in found.transformations.values():
        for line in (*t.inputs, *t.outputs):
            yield {
                **_blank(),
                "section": "transformation " + ("input" if line in t.inputs else "output"),
                "item": line.item,
                "lot": line.lot or "",
                "date": _iso(t.time),
                "qty": line.qty,
                "location": t.location,
                "partner": t.kind,
                "reference": t.number,
                "move": line.move_id,
            }
