"""The trace of a lot or serial number: where it came from and where it went.

Upstream: its receipts (supplier, supplier's lot, date, quantity) and, recursively,
the input lots of every transformation that made it. Downstream: every movement of
the lot, what is on hand where, its shipments, the transformations it went into and,
recursively, the lots made from it with their shipments and stock.

Nothing here loads the ledger: moves are read by lot (index on move (lot, id)), and
the genealogy is walked by one recursive query over transformation lines per
direction (UNION, so a cycle ends the walk instead of looping). What the walk finds,
and how it is shown, is in `backroom.models.trace.report`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from backroom.models.db import db
from backroom.models.masterdata.adding import find_lot
from backroom.models.rules.dates import stored_date, stored_time
from backroom.models.schema import Lot
from backroom.models.stock.ledger import sql
from backroom.models.trace.report import (
    LineFacts,
    LotFacts,
    LotInfo,
    OnHand,
    Receipt,
    Returned,
    Shipped,
    Trace,
    TraceMove,
    TransformFacts,
)

RETURNED_BY = "Returned by "  # how a return against a consignee alone names it (returns.py)
CHUNK = 500  # ids per IN (...) list
OUTSIDE = ("supplier", "customer")


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
        heads.setdefault(tid, (kind, stored_time(time), loc, user, ref, note))
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
            infos[row[0]] = LotInfo(
                *row[:7], stored_date(row[7]), stored_date(row[8]), row[9], row[10]
            )
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
    return [TraceMove(row[0], stored_time(row[1]), *row[2:]) for row in rows]


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
