"""The trace of a lot or serial number: where it came from and where it went.

Upstream: its receipts (supplier, supplier's lot, date, quantity) and, recursively,
the input lots of every transformation that made it. Downstream: every movement of
the lot, what is on hand where, its shipments, the transformations it went into and,
recursively, the lots made from it with their shipments and stock.

Nothing here loads the ledger: moves are read by lot (index on move (lot, id)), and
the genealogy is walked by one recursive query over transformation lines per
direction (UNION, so a cycle ends the walk instead of looping).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from backroom.models.db import db
from backroom.models.masterdata.adding import find_lot
from backroom.models.schema import Lot
from backroom.models.stock.ledger import sql

RETURNED_BY = "Returned by "  # how a return against a consignee alone names it (returns.py)
CHUNK = 500  # ids per IN (...) list
OUTSIDE = ("supplier", "customer")


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


# --- reading ----------------------------------------------------------------------------


def trace_lot(number: str, item: str | None = None) -> Trace:
    """The trace of lot (or serial) NUMBER, of ITEM where the number is not unique."""
    lot = find_lot(number.strip(), item)
    return trace(lot)


def trace(lot: Lot | int) -> Trace:
    """The trace of LOT (a Lot or its id)."""
    root_id = lot if isinstance(lot, int) else lot.id
    up_lines = _genealogy(root_id, upstream=True)
    down_lines = _genealogy(root_id, upstream=False)
    transformations = _transformations([*up_lines, *down_lines])
    up_depth = _depths(root_id, transformations.values(), upstream=True)
    down_depth = _depths(root_id, transformations.values(), upstream=False)
    ids = [root_id, *up_depth, *down_depth]
    infos = _lot_infos(ids)
    facts = {lot_id: LotFacts(infos[lot_id]) for lot_id in dict.fromkeys(ids) if lot_id in infos}
    for t in transformations.values():
        for line in t.inputs:
            if line.lot_id in facts and t.id not in facts[line.lot_id].used_in:
                facts[line.lot_id].used_in.append(t.id)
        for line in t.outputs:
            if line.lot_id in facts and t.id not in facts[line.lot_id].made_by:
                facts[line.lot_id].made_by.append(t.id)
    root_moves = _moves('m."lot_id" = ?', [root_id])
    others = [i for i in facts if i != root_id]
    other_moves = [
        move
        for chunk in _chunks(others)
        for move in _moves(
            f'm."lot_id" IN ({_marks(chunk)}) AND (m."kind" IN (?, ?) '
            'OR f."kind" IN (?, ?) OR t."kind" IN (?, ?))',
            [*chunk, "receipt", "reversal", *OUTSIDE, *OUTSIDE],
        )
    ]
    ssccs = _ssccs(list(facts))
    _sort_moves(facts, [*root_moves, *other_moves], ssccs)
    for row in _on_hand(list(facts)):
        facts[row[0]].on_hand.append(OnHand(row[1], row[2], bool(row[3])))
    for lot_id, depth in {**up_depth, **down_depth}.items():
        if lot_id in facts:
            facts[lot_id].depth = depth
    upstream = sorted((facts[i] for i in up_depth if i in facts), key=_by_depth)
    downstream = sorted((facts[i] for i in down_depth if i in facts), key=_by_depth)
    return Trace(facts[root_id], root_moves, upstream, downstream, transformations)


def _by_depth(facts: LotFacts) -> tuple[int, str, str]:
    return facts.depth, facts.info.item, facts.info.number


GENEALOGY = """
WITH RECURSIVE "walk" ("lot_id") AS (
    SELECT CAST(? AS INTEGER)
    UNION
    SELECT "there"."lot_id" FROM "walk"
    JOIN "transformation_line" "here"
        ON "here"."lot_id" = "walk"."lot_id" AND "here"."direction" = ?
    JOIN "transformation_line" "there"
        ON "there"."transformation_id" = "here"."transformation_id"
        AND "there"."direction" = ? AND "there"."lot_id" IS NOT NULL
)
SELECT t."id", t."kind", t."time", loc."code", u."name", t."reference", t."note",
       tl."direction", i."sku", l."number", tl."lot_id", tl."qty", tl."move_id"
FROM "transformation" t
JOIN "transformation_line" tl ON tl."transformation_id" = t."id"
JOIN "location" loc ON loc."id" = t."location_id"
JOIN "user" u ON u."id" = t."user_id"
JOIN "item" i ON i."id" = tl."item_id"
LEFT JOIN "lot" l ON l."id" = tl."lot_id"
WHERE t."id" IN (
    SELECT "link"."transformation_id" FROM "walk"
    JOIN "transformation_line" "link"
        ON "link"."lot_id" = "walk"."lot_id" AND "link"."direction" = ?
)
ORDER BY t."id", tl."id"
"""


def _genealogy(root_id: int, *, upstream: bool) -> list[tuple]:
    """Every line of every transformation between ROOT and its sources (or products)."""
    # Upstream: from a lot to the transformations it came out of, then to their inputs.
    near, far = ("out", "in") if upstream else ("in", "out")
    return list(db.execute_sql(sql(GENEALOGY), [root_id, near, far, near]))


def _transformations(rows: Iterable[tuple]) -> dict[int, TransformFacts]:
    heads: dict[int, tuple] = {}
    lines: dict[int, tuple[list[LineFacts], list[LineFacts]]] = {}
    seen: set[int] = set()
    for tid, kind, time, loc, user, ref, note, direction, sku, number, lot_id, qty, move in rows:
        if move in seen:
            continue  # the same transformation reached from both sides
        seen.add(move)
        heads.setdefault(tid, (kind, db_time(time), loc, user, ref, note))
        ins, outs = lines.setdefault(tid, ([], []))
        (ins if direction == "in" else outs).append(LineFacts(sku, number, lot_id, qty, move))
    return {
        tid: TransformFacts(tid, *heads[tid], tuple(lines[tid][0]), tuple(lines[tid][1]))
        for tid in sorted(heads)
    }


def _depths(
    root_id: int, transformations: Iterable[TransformFacts], *, upstream: bool
) -> dict[int, int]:
    """How many transformations away from ROOT each source (or product) lot is."""
    edges: dict[int, list[int]] = {}
    for t in transformations:
        near, far = (t.outputs, t.inputs) if upstream else (t.inputs, t.outputs)
        for a in near:
            for b in far:
                if a.lot_id is not None and b.lot_id is not None:
                    edges.setdefault(a.lot_id, []).append(b.lot_id)
    depth = {root_id: 0}
    frontier = [root_id]
    while frontier:
        following = []
        for lot_id in frontier:
            for other in edges.get(lot_id, ()):
                if other not in depth:
                    depth[other] = depth[lot_id] + 1
                    following.append(other)
        frontier = following
    del depth[root_id]
    return depth


def _lot_infos(ids: Sequence[int]) -> dict[int, LotInfo]:
    infos = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        rows = db.execute_sql(
            sql(
                'SELECT l."id", i."sku", i."name", i."unit", i."tracking", l."number", '
                'l."status", l."expiry", l."production_date", s."code", l."supplier_lot" '
                'FROM "lot" l JOIN "item" i ON i."id" = l."item_id" '
                'LEFT JOIN "location" s ON s."id" = l."supplier_id" '
                f'WHERE l."id" IN ({_marks(chunk)})'
            ),
            chunk,
        )
        for row in rows:
            infos[row[0]] = LotInfo(*row[:7], db_date(row[7]), db_date(row[8]), row[9], row[10])
    return infos


MOVES = """
SELECT m."id", m."time", m."kind", m."lot_id", m."qty", f."code", f."name", t."code",
       u."name", m."reference", m."note", m."reverses_id", f."kind", t."kind",
       s."status", c."name", c."address", c."postal_code", c."city", c."country"
FROM "move" m
JOIN "location" f ON f."id" = m."from_location_id"
JOIN "location" t ON t."id" = m."to_location_id"
JOIN "user" u ON u."id" = m."user_id"
LEFT JOIN "shipment" s ON s."number" = m."reference" AND m."kind" <> 'reversal'
    AND (f."kind" = 'customer' OR t."kind" = 'customer')
LEFT JOIN "consignee" c ON c."id" = s."consignee_id"
WHERE {where}
ORDER BY m."id"
"""


def _moves(where: str, params: Sequence[object]) -> list[TraceMove]:
    rows = db.execute_sql(sql(MOVES.format(where=where)), list(params))
    return [TraceMove(row[0], db_time(row[1]), *row[2:]) for row in rows]


def _sort_moves(facts: dict[int, LotFacts], moves: list[TraceMove], ssccs: dict) -> None:
    """Receipts, shipments and returns, each to its lot; reversed ones marked."""
    reversed_ids = {m.reverses for m in moves if m.kind == "reversal" and m.reverses}
    for m in moves:
        lot = facts.get(m.lot_id)
        if lot is None:
            continue
        undone = m.id in reversed_ids
        if m.kind == "reversal":
            continue
        if m.kind == "receipt" or m.from_kind == "supplier":
            lot.receipts.append(
                Receipt(
                    m.id,
                    m.time,
                    m.from_location,
                    m.from_name,
                    lot.info.supplier_lot,
                    m.qty,
                    m.to_location,
                    m.reference,
                    undone,
                )
            )
        elif m.to_kind == "customer":
            lot.shipments.append(
                Shipped(
                    m.id,
                    m.time,
                    m.reference,
                    m.shipment_status,
                    m.consignee,
                    m.address,
                    m.postal_code,
                    m.city,
                    m.country,
                    m.qty,
                    m.from_location,
                    tuple(ssccs.get(m.id, ())),
                    undone,
                )
            )
        elif m.from_kind == "customer":
            consignee = m.consignee
            if consignee is None and m.note and m.note.startswith(RETURNED_BY):
                consignee = m.note[len(RETURNED_BY) :].split(":", 1)[0]
            lot.returns.append(
                Returned(
                    m.id,
                    m.time,
                    m.reference,
                    consignee,
                    m.qty,
                    m.to_location,
                    m.note,
                    undone,
                )
            )


def _ssccs(lot_ids: list[int]) -> dict[int, list[str]]:
    """The SSCCs of the parcels each ship move of these lots left in."""
    found: dict[int, list[str]] = {}
    for chunk in _chunks(lot_ids):
        rows = db.execute_sql(
            sql(
                'SELECT pc."move_id", p."sscc" FROM "parcel_content" pc '
                'JOIN "parcel" p ON p."id" = pc."parcel_id" '
                f'WHERE pc."lot_id" IN ({_marks(chunk)}) AND pc."move_id" IS NOT NULL '
                'ORDER BY p."sscc"'
            ),
            chunk,
        )
        for move_id, sscc in rows:
            if sscc not in found.setdefault(move_id, []):
                found[move_id].append(sscc)
    return found


def _on_hand(lot_ids: list[int]) -> list[tuple[int, str, int, bool]]:
    rows: list[tuple[int, str, int, bool]] = []
    for chunk in _chunks(lot_ids):
        rows.extend(
            db.execute_sql(
                sql(
                    'SELECT q."lot_key", loc."code", q."qty", loc."quarantine" FROM "quant" q '
                    'JOIN "location" loc ON loc."id" = q."location_id" '
                    f'WHERE q."lot_key" IN ({_marks(chunk)}) AND q."qty" <> 0 '
                    'AND loc."kind" = ? ORDER BY loc."path"'
                ),
                [*chunk, "internal"],
            )
        )
    return rows


# --- small helpers ----------------------------------------------------------------------


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _marks(chunk: Sequence[object]) -> str:
    return ", ".join(["?"] * len(chunk))


def db_time(value: object) -> dt.datetime:
    """A time as the database hands it back: text on SQLite, datetime on PostgreSQL."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def db_date(value: object) -> dt.date | None:
    """A date as the database hands it back: text on SQLite, date on PostgreSQL."""
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value)[:10])


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
    blank = dict.fromkeys(TRACE_COLUMNS, "")

    def lot_row(section: str, facts: LotFacts) -> dict[str, object]:
        info = facts.info
        return {
            **blank,
            "section": section,
            "depth": facts.depth,
            "item": info.item,
            "lot": info.number,
            "status": info.status,
            "date": _iso(info.production_date) or "",
        }

    def facts_rows(facts: LotFacts) -> Iterator[dict[str, object]]:
        base = {**blank, "depth": facts.depth, "item": facts.info.item, "lot": facts.info.number}
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
        for r in facts.returns:
            yield {
                **base,
                "section": "return",
                "date": _iso(r.time),
                "qty": r.qty,
                "location": r.to_location,
                "partner": r.consignee or "",
                "reference": r.shipment or "",
                "move": r.move_id,
            }

    yield lot_row("lot", found.root)
    yield from facts_rows(found.root)
    for m in found.moves:
        yield {
            **blank,
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
    for t in found.transformations.values():
        for line in (*t.inputs, *t.outputs):
            yield {
                **blank,
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
    for facts in found.upstream:
        yield lot_row("source lot", facts)
        yield from facts_rows(facts)
    for facts in found.downstream:
        yield lot_row("lot made from it", facts)
        yield from facts_rows(facts)
