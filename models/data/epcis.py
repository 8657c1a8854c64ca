"""EPCIS 2.0: the ledger as a GS1 EPCIS JSON-LD document, for trading partners and
regulators who trace lots across companies.

- Each move is an ObjectEvent: receipts OBSERVE with bizStep receiving (the supplier
  commissioned the goods; only production ADDs, with the expiry as ILMD), transfers
  OBSERVE storing (holding, into quarantine), picks picking read at the bin, shipments
  shipping with the consignee in the destination list, scrap DELETE destroying. A count
  (cycle_counting) carries the quantity counted, an adjustment (stock_taking) the units
  found or missing, both at the location as bizLocation with a disposition. A reversal
  is the reversed move's event again, carrying an errorDeclaration: in EPCIS terms the
  original did not occur.
- eventTime is UTC; eventTimeZoneOffset is the site's (site.timezone) at that time.
- Each transformation (models/schema/genealogy.py) is a TransformationEvent: input
  and output lots as quantity lists.
- Each parcel is an AggregationEvent (packing) with the SSCC as parent and its
  contents as child quantities.

Lots are class-level identifiers: urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot
when the GTIN starts with site.gs1_company_prefix (the only way to know where the
company prefix ends), else the GS1 Digital Link form https://id.gs1.org/01/GTIN/10/LOT,
which EPCIS 2.0 takes as well (the schema asks for URIs, of either form). Parcels are
urn:epc:id:sscc URIs the same way. Items without a GTIN and locations without a site
GLN get private URIs, urn:backroom:...

The document is streamed: moves are read a page at a time by keyset, and each event
is written as it is built.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO

from peewee import JOIN, fn

from backroom.models.browse import LocationFrom, LocationTo, moves_with_places
from backroom.models.config import Config
from backroom.models.data.epcis_ids import DIGITAL_LINK, Identifiers, _private
from backroom.models.data.exporting import read_snapshot, since_start
from backroom.models.masterdata.adding import find_lot
from backroom.models.schema import Item, Location, Lot, Move

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
PAGE = 2_000
# Event ids are UUIDs derived from each move's ledger hash: the same move always
# gets the same event id, in every export.
EVENT_NAMESPACE = uuid.UUID("5b0e7c1e-8f0a-4c55-9a61-6b2f0f3d9e21")
# Base units as UN/ECE Recommendation 20 codes; pieces are counted, without a unit.
UOM = {"g": "GRM", "kg": "KGM", "mg": "MGM", "ml": "MLT", "l": "LTR", "m": "MTR", "cm": "CMT"}
# Move kind -> (action, bizStep, disposition).
MOVE_EVENTS: dict[str, tuple[str, str, str | None]] = {
    # Receiving observes what the supplier commissioned (GS1's own examples do so).
    "receipt": ("OBSERVE", "receiving", "in_progress"),
    "transfer": ("OBSERVE", "storing", "sellable_accessible"),
    "pick": ("OBSERVE", "picking", "in_progress"),
    "ship": ("OBSERVE", "shipping", "in_transit"),
    "return": ("OBSERVE", "receiving", "returned"),
    "count": ("OBSERVE", "cycle_counting", None),
    "adjust": ("OBSERVE", "stock_taking", None),
    "scrap": ("DELETE", "destroying", "destroyed"),
    "consume": ("DELETE", "other", None),
    "produce": ("ADD", "creating_class_instance", "active"),
}
TRANSFORMATION_STEPS = {
    "production": "creating_class_instance",
    "repack": "repackaging",
    "kitting": "assembling",
}

Progress = Callable[[int, int], None]


def _time(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds") + "Z"


def _quantity(ids: Identifiers, sku, gtin, unit, lot, qty) -> dict[str, object]:
    element: dict[str, object] = {"epcClass": ids.item_class(sku, gtin, lot), "quantity": qty}
    if unit in UOM:
        element["uom"] = UOM[unit]
    return element


def _event_id(seed: str) -> str:
    return f"urn:uuid:{uuid.uuid5(EVENT_NAMESPACE, seed)}"


def _common(ids: Identifiers, kind: str, moment: dt.datetime, seed: str) -> dict[str, object]:
    return {
        "type": kind,
        "eventTime": _time(moment),
        "eventTimeZoneOffset": ids.offset(moment),
        "eventID": _event_id(seed),
    }


# --- moves ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Move:
    id: int
    time: dt.datetime
    kind: str
    qty: int
    reference: str | None
    reverses: int | None
    hash: str
    sku: str
    gtin: str | None
    unit: str
    lot: str | None
    expiry: dt.date | None
    src: str
    src_kind: str
    dst: str
    dst_kind: str
    dst_quarantine: bool
    src_quarantine: bool
    item_id: int
    lot_id: int | None
    src_id: int
    dst_id: int


def _move_query():
    return moves_with_places(
        Move.id,
        Move.time,
        Move.kind,
        Move.qty,
        Move.reference,
        Move.reverses_id,
        Move.hash,
        Item.sku,
        Item.gtin,
        Item.unit,
        Lot.number,
        Lot.expiry,
        LocationFrom.code,
        LocationFrom.kind,
        LocationTo.code,
        LocationTo.kind,
        LocationTo.quarantine,
        LocationFrom.quarantine,
        Move.item,
        Move.lot,
        Move.from_location,
        Move.to_location,
    ).order_by(Move.id)


def _consignees(references: set[str]) -> dict[str, tuple[str, str | None]]:
    """Shipment number -> (consignee name, GLN) for the shipments among REFERENCES."""
    from backroom.models.schema.shipping import Consignee, Shipment

    if not references:
        return {}
    rows = (
        Shipment.select(Shipment.number, Consignee.name, Consignee.gln)
        .join(Consignee)
        .where(Shipment.number.in_(sorted(references)))
        .tuples()
    )
    return {number: (name, gln) for number, name, gln in rows}


def _genealogy_moves(ids: list[int]) -> set[int]:
    """Which of these consume/produce moves a TransformationEvent already tells."""
    try:
        from backroom.models.schema.genealogy import TransformationLine
    except ImportError:
        return set()
    if not ids:
        return set()
    rows = TransformationLine.select(TransformationLine.move).where(
        TransformationLine.move.in_(ids)
    )
    return {move_id for (move_id,) in rows.tuples()}


def move_event(
    ids: Identifiers, m: _Move, consignee: tuple[str, str | None] | None = None
) -> dict[str, object]:
    """The ObjectEvent of one move."""
    action, step, disposition = MOVE_EVENTS[m.kind]
    if m.kind == "transfer" and m.dst_quarantine:
        step, disposition = "holding", "non_sellable_other"
    event = _common(ids, "ObjectEvent", m.time, m.hash)
    qty = m.qty
    if m.kind in ("count", "adjust"):
        disposition = _checked_disposition(m)
        if m.kind == "count":
            qty = _counted(m)  # what was counted there, not the difference booked
    event["quantityList"] = [_quantity(ids, m.sku, m.gtin, m.unit, m.lot, qty)]
    event["action"] = action
    event["bizStep"] = step
    if disposition:
        event["disposition"] = disposition
    event.update(_places(ids, m))
    if m.reference:
        kind = "desadv" if m.kind == "ship" and consignee else None
        transaction = {"bizTransaction": ids.transaction(m.reference)}
        event["bizTransactionList"] = [{"type": kind, **transaction} if kind else transaction]
    if m.src_kind in ("supplier", "customer"):
        # Suppliers and customers are other companies, not places of this site.
        event["sourceList"] = [{"type": "owning_party", "source": _private("party", m.src)}]
    if m.kind == "ship":
        event["sourceList"] = [{"type": "location", "source": ids.place()}]
        event["destinationList"] = _destinations(ids, m, consignee)
    if action == "ADD" and m.expiry:
        event["ilmd"] = {"cbvmda:itemExpirationDate": m.expiry.isoformat()}
    return event


def _places(ids: Identifiers, m: _Move) -> dict[str, object]:
    """readPoint (where it was seen) and bizLocation (where it is after): a pick is read
    at the bin it is taken from; a count or adjustment is at the location it corrects."""
    inside = m.dst if m.dst_kind == "internal" else m.src
    if m.kind == "pick" and m.src_kind == "internal":
        places: dict[str, object] = {"readPoint": {"id": ids.place(m.src)}}
    else:
        places = {"readPoint": {"id": ids.place(inside)}}
    if m.kind in ("count", "adjust") or m.dst_kind == "internal":
        places["bizLocation"] = {"id": ids.place(inside)}
    return places


def _checked_disposition(m: _Move) -> str:
    """What a count or adjustment says of the goods: there and sellable (or held, in
    quarantine) when found or counted, whereabouts unknown when booked out as missing."""
    found = m.dst_kind == "internal"
    if m.kind == "adjust" and not found:
        return "unknown"
    quarantine = m.dst_quarantine if found else m.src_quarantine
    return "non_sellable_other" if quarantine else "sellable_accessible"


def _counted(m: _Move) -> int:
    """The quantity at the counted location just after count move M: what was counted."""
    where = m.dst_id if m.dst_kind == "internal" else m.src_id
    lot = Move.lot.is_null() if m.lot_id is None else (Move.lot == m.lot_id)
    mine = (Move.item == m.item_id) & lot & (Move.id <= m.id)
    total = fn.COALESCE(fn.SUM(Move.qty), 0)
    into = Move.select(total).where(mine & (Move.to_location == where)).scalar()
    out = Move.select(total).where(mine & (Move.from_location == where)).scalar()
    return int(into) - int(out)


def _destinations(
    ids: Identifiers, m: _Move, consignee: tuple[str, str | None] | None
) -> list[dict[str, str]]:
    if consignee is None:
        return [{"type": "owning_party", "destination": _private("party", m.dst)}]
    name, gln = consignee
    if gln:
        return [
            {"type": "owning_party", "destination": f"{DIGITAL_LINK}/417/{gln}"},
            {"type": "location", "destination": f"{DIGITAL_LINK}/414/{gln}"},
        ]
    return [{"type": "location", "destination": _private("consignee", name)}]


def _error_declaration(ids: Identifiers, reversal: _Move) -> dict[str, object] | None:
    """The reversed move's event again, declared erroneous at the reversal's time."""
    rows = list(_move_query().where(Move.id == reversal.reverses).tuples())
    if not rows:
        return None
    original = _Move(*rows[0])
    if original.kind not in MOVE_EVENTS:
        return None
    consignees = _consignees({original.reference} if original.reference else set())
    event = move_event(ids, original, consignees.get(original.reference or ""))
    event["errorDeclaration"] = {
        "declarationTime": _time(reversal.time),
        "reason": "did_not_occur",
    }
    return event


def move_events(
    ids: Identifiers, since: dt.datetime | None = None, lot: Lot | None = None
) -> Iterator[dict[str, object]]:
    """ObjectEvents for the moves, in ledger order, read a page at a time."""
    query = _move_query().limit(PAGE)
    if since is not None:
        query = query.where(Move.time >= since)
    if lot is not None:
        query = query.where(Move.lot == lot.id)
    last = 0
    while True:
        page = [_Move(*row) for row in query.where(Move.id > last).tuples()]
        if not page:
            return
        told = _genealogy_moves([m.id for m in page if m.kind in ("consume", "produce")])
        consignees = _consignees({m.reference for m in page if m.kind == "ship" and m.reference})
        for m in page:
            if m.id in told:
                continue
            if m.kind == "reversal":
                event = _error_declaration(ids, m)
                if event is not None:
                    yield event
                continue
            yield move_event(ids, m, consignees.get(m.reference or ""))
        last = page[-1].id
        if len(page) < PAGE:
            return


# --- transformations and parcels ------------------------------------------------------------


def transformation_events(
    ids: Identifiers, since: dt.datetime | None = None, lot: Lot | None = None
) -> Iterator[dict[str, object]]:
    """TransformationEvents from the genealogy tables (none where they do not exist)."""
    try:
        from backroom.models.schema.genealogy import Transformation, TransformationLine
    except ImportError:
        return
    query = Transformation.select().order_by(Transformation.id).limit(PAGE)
    if since is not None:
        query = query.where(Transformation.time >= since)
    if lot is not None:
        having = TransformationLine.select(TransformationLine.transformation).where(
            TransformationLine.lot == lot.id
        )
        query = query.where(Transformation.id.in_(having))
    last = 0
    while True:
        page = list(query.where(Transformation.id > last))
        if not page:
            return
        lines: dict[int, list[tuple]] = {t.id: [] for t in page}
        rows = (
            TransformationLine.select(
                TransformationLine.transformation,
                TransformationLine.direction,
                TransformationLine.qty,
                Item.sku,
                Item.gtin,
                Item.unit,
                Lot.number,
                Lot.expiry,
            )
            .join(Item, on=(TransformationLine.item == Item.id))
            .switch(TransformationLine)
            .join(Lot, JOIN.LEFT_OUTER, on=(TransformationLine.lot == Lot.id))
            .where(TransformationLine.transformation.in_(list(lines)))
            .order_by(TransformationLine.id)
            .tuples()
        )
        for row in rows:
            lines[row[0]].append(row[1:])
        places = dict(
            Location.select(Location.id, Location.code)
            .where(Location.id.in_({t.location_id for t in page}))
            .tuples()
        )
        for t in page:
            yield _transformation_event(ids, t, lines[t.id], places[t.location_id])
        last = page[-1].id
        if len(page) < PAGE:
            return


def _transformation_event(ids: Identifiers, t, lines: list[tuple], place: str) -> dict:
    from backroom.models.trace.transform import transformation_number

    number = transformation_number(t.id)
    event = _common(ids, "TransformationEvent", t.time, f"transformation/{number}/{t.time}")
    ins = [_quantity(ids, *line[2:6], line[1]) for line in lines if line[0] == "in"]
    outs = [_quantity(ids, *line[2:6], line[1]) for line in lines if line[0] == "out"]
    event["inputQuantityList"] = ins
    event["outputQuantityList"] = outs
    event["transformationID"] = ids.transaction(number)
    event["bizStep"] = TRANSFORMATION_STEPS.get(t.kind, "other")
    event["disposition"] = "active"
    event["readPoint"] = {"id": ids.place(place)}
    event["bizLocation"] = {"id": ids.place(place)}
    if t.reference:
        event["bizTransactionList"] = [
            {"type": "prodorder", "bizTransaction": ids.transaction(t.reference)}
        ]
    expiries = {line[5]: line[6] for line in lines if line[0] == "out" and line[5] and line[6]}
    if len(expiries) == 1:
        event["ilmd"] = {"cbvmda:itemExpirationDate": next(iter(expiries.values())).isoformat()}
    return event


def parcel_events(
    ids: Identifiers, since: dt.datetime | None = None, lot: Lot | None = None
) -> Iterator[dict[str, object]]:
    """An AggregationEvent per parcel: its SSCC as parent, its contents as children."""
    from backroom.models.schema.shipping import Parcel, ParcelContent, Shipment

    query = (
        Parcel.select(Parcel.id, Parcel.sscc, Parcel.created_at, Shipment.number)
        .join(Shipment)
        .order_by(Parcel.id)
        .limit(PAGE)
    )
    if since is not None:
        query = query.where(Parcel.created_at >= since)
    if lot is not None:
        holding = ParcelContent.select(ParcelContent.parcel).where(ParcelContent.lot == lot.id)
        query = query.where(Parcel.id.in_(holding))
    last = 0
    while True:
        page = list(query.where(Parcel.id > last).tuples())
        if not page:
            return
        contents: dict[int, list[dict[str, object]]] = {row[0]: [] for row in page}
        rows = (
            ParcelContent.select(
                ParcelContent.parcel,
                Item.sku,
                Item.gtin,
                Item.unit,
                Lot.number,
                ParcelContent.qty,
            )
            .join(Item, on=(ParcelContent.item == Item.id))
            .switch(ParcelContent)
            .join(Lot, JOIN.LEFT_OUTER, on=(ParcelContent.lot == Lot.id))
            .where(ParcelContent.parcel.in_(list(contents)))
            .order_by(ParcelContent.id)
            .tuples()
        )
        for parcel_id, *content in rows:
            contents[parcel_id].append(_quantity(ids, *content))
        for parcel_id, sscc, created, shipment in page:
            if not contents[parcel_id]:
                continue
            event = _common(ids, "AggregationEvent", created, f"parcel/{sscc}")
            event["parentID"] = ids.parcel(sscc)
            event["childQuantityList"] = contents[parcel_id]
            event["action"] = "ADD"
            event["bizStep"] = "packing"
            event["disposition"] = "in_progress"
            event["readPoint"] = {"id": ids.place()}
            event["bizTransactionList"] = [
                {"type": "desadv", "bizTransaction": ids.transaction(shipment)}
            ]
            yield event
        last = page[-1][0]
        if len(page) < PAGE:
            return


# --- the document ---------------------------------------------------------------------------


def _total(since: dt.datetime | None, lot: Lot | None) -> int:
    query = Move.select()
    if since is not None:
        query = query.where(Move.time >= since)
    if lot is not None:
        query = query.where(Move.lot == lot.id)
    return query.count()


def write_epcis(
    out: TextIO,
    *,
    config: Config | None = None,
    since: dt.date | dt.datetime | None = None,
    lot: str | None = None,
    item: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the EPCIS 2.0 document of the ledger (since SINCE, of LOT) to OUT; returns
    the number of events."""
    ids = Identifiers.from_config(config)
    start = since_start(since)
    report = progress or (lambda done, total: None)
    with read_snapshot():
        the_lot = find_lot(lot, item) if lot else None
        total = _total(start, the_lot)
        head = {
            "@context": [CONTEXT],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": _time(dt.datetime.now(dt.UTC).replace(tzinfo=None)),
            "id": f"urn:uuid:{uuid.uuid4()}",
        }
        out.write(json.dumps(head, ensure_ascii=False)[:-1])
        out.write(', "epcisBody": {"eventList": [')
        count = 0
        for events in (
            move_events(ids, start, the_lot),
            transformation_events(ids, start, the_lot),
            parcel_events(ids, start, the_lot),
        ):
            for event in events:
                out.write(",\n" if count else "\n")
                out.write(json.dumps(event, ensure_ascii=False))
                count += 1
                if count % PAGE == 0:
                    report(count, max(total, count))
        out.write("\n]}}\n")
        report(count, count)
        return count


def epcis_document(
    *,
    config: Config | None = None,
    since: dt.date | dt.datetime | None = None,
    lot: str | None = None,
    item: str | None = None,
) -> dict[str, object]:
    """The EPCIS 2.0 document as a dict (for tests and small exports)."""
    import io

    out = io.StringIO()
    write_epcis(out, config=config, since=since, lot=lot, item=item)
    return json.loads(out.getvalue())
