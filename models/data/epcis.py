"""EPCIS 2.0: the ledger as a GS1 EPCIS JSON-LD document, for trading partners and
regulators who trace lots across companies.

- Each move is an ObjectEvent: receipts ADD with bizStep receiving, transfers OBSERVE
  storing (holding, into quarantine), picks picking, shipments shipping with the
  consignee in the destination list, scrap DELETE destroying, counts and adjustments
  cycle_counting and stock_taking. A reversal is the reversed move's event again,
  carrying an errorDeclaration: in EPCIS terms the original did not occur.
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
import functools
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO
from urllib.parse import quote

from peewee import JOIN

from backroom.models.browse import LocationFrom, LocationTo, moves_with_places
from backroom.models.config import Config
from backroom.models.data.exporting import read_snapshot, since_start
from backroom.models.masterdata.adding import find_lot
from backroom.models.schema import Item, Location, Lot, Move

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
DIGITAL_LINK = "https://id.gs1.org"
PRIVATE = "urn:backroom"
PAGE = 2_000
# Event ids are UUIDs derived from each move's ledger hash: the same move always
# gets the same event id, in every export.
EVENT_NAMESPACE = uuid.UUID("5b0e7c1e-8f0a-4c55-9a61-6b2f0f3d9e21")
# Base units as UN/ECE Recommendation 20 codes; pieces are counted, without a unit.
UOM = {"g": "GRM", "kg": "KGM", "mg": "MGM", "ml": "MLT", "l": "LTR", "m": "MTR", "cm": "CMT"}
# Move kind -> (action, bizStep, disposition).
MOVE_EVENTS: dict[str, tuple[str, str, str | None]] = {
    "receipt": ("ADD", "receiving", "in_progress"),
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


def _epc_escape(text: str) -> str:
    """A GS1 AI value as it goes into an EPC URI (TDS: escape " % & / < > ? #)."""
    return "".join(f"%{ord(c):02X}" if c in '"%&/<>?#' else c for c in text)


def _private(*parts: str) -> str:
    return ":".join([PRIVATE, *(quote(p, safe="-._~") for p in parts)])


@dataclass(frozen=True)
class Identifiers:
    """How Backroom's items, lots, parcels and places are named as EPCIS URIs."""

    company_prefix: str | None = None
    site_gln: str | None = None

    @classmethod
    def from_config(cls, config: Config | None) -> Identifiers:
        """Company prefix from site.gs1_company_prefix, site GLN from site.gln."""
        if config is None:
            return cls()
        prefix = str(config.gs1_company_prefix or "").strip() or None
        gln = str(config.get("site.gln") or "").strip() or None
        return cls(prefix, gln)

    def _split(self, digits: str) -> tuple[str, str] | None:
        """(company prefix, rest) when DIGITS start with the site's company prefix."""
        cp = self.company_prefix
        if cp and cp.isdigit() and digits.startswith(cp):
            return cp, digits[len(cp) :]
        return None

    def item_class(self, sku: str, gtin: str | None, lot: str | None) -> str:
        """The class-level identifier of ITEM (and LOT): LGTIN, SGTIN pattern, Digital
        Link or private URI."""
        return _item_class(self, sku, gtin, lot)

    def _item_class(self, sku: str, gtin: str | None, lot: str | None) -> str:
        if gtin:
            split = self._split(gtin[1:13])
            if split is not None:
                cp, ref = split
                if lot:
                    return f"urn:epc:class:lgtin:{cp}.{gtin[0]}{ref}.{_epc_escape(lot)}"
                return f"urn:epc:idpat:sgtin:{cp}.{gtin[0]}{ref}.*"
            link = f"{DIGITAL_LINK}/01/{gtin}"
            return f"{link}/10/{quote(lot, safe='')}" if lot else link
        return _private("sku", sku, "lot", lot) if lot else _private("sku", sku)

    def parcel(self, sscc: str) -> str:
        """A parcel's SSCC as an EPC URI, or in Digital Link form."""
        split = self._split(sscc[1:17])
        if split is not None:
            cp, ref = split
            return f"urn:epc:id:sscc:{cp}.{sscc[0]}{ref}"
        return f"{DIGITAL_LINK}/00/{sscc}"

    def place(self, code: str | None = None) -> str:
        """A location of this site (the site itself without CODE): an SGLN with the
        location code as extension when site.gln is set, else a private URI."""
        return _place(self, code)

    def _place(self, code: str | None) -> str:
        gln = self.site_gln
        ext = code or "0"
        if gln and len(gln) == 13 and gln.isdigit() and _fits_extension(ext):
            split = self._split(gln[:12])
            if split is not None:
                cp, ref = split
                return f"urn:epc:id:sgln:{cp}.{ref}.{_epc_escape(ext)}"
            link = f"{DIGITAL_LINK}/414/{gln}"
            return f"{link}/254/{quote(code, safe='')}" if code else link
        return _private("loc", code) if code else _private("site")

    def transaction(self, reference: str) -> str:
        """A business transaction (shipment, order): urn:epcglobal:cbv:bt:GLN:ID with the
        site GLN, else a private URI."""
        if self.site_gln:
            return f"urn:epcglobal:cbv:bt:{self.site_gln}:{quote(reference, safe='-._~')}"
        return _private("ref", reference)


# A million moves name a few thousand items, lots and places: work each URI out once.
@functools.lru_cache(maxsize=200_000)
def _item_class(ids: Identifiers, sku: str, gtin: str | None, lot: str | None) -> str:
    return ids._item_class(sku, gtin, lot)


@functools.lru_cache(maxsize=50_000)
def _place(ids: Identifiers, code: str | None) -> str:
    return ids._place(code)


def _fits_extension(code: str) -> bool:
    """Whether CODE can be a GLN extension (GS1 AI 254: 1-20 characters of set 82)."""
    from backroom.models.rules.identifiers import GS1_CSET82

    return 0 < len(code) <= 20 and all(c in GS1_CSET82 for c in code)


def _time(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds") + "Z"


def _quantity(ids: Identifiers, sku, gtin, unit, lot, qty) -> dict[str, object]:
    element: dict[str, object] = {"epcClass": ids.item_class(sku, gtin, lot), "quantity": qty}
    if unit in UOM:
        element["uom"] = UOM[unit]
    return element


def _event_id(seed: str) -> str:
    return f"urn:uuid:{uuid.uuid5(EVENT_NAMESPACE, seed)}"


def _common(kind: str, moment: dt.datetime, seed: str) -> dict[str, object]:
    return {
        "type": kind,
        "eventTime": _time(moment),
        "eventTimeZoneOffset": "+00:00",
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
    event = _common("ObjectEvent", m.time, m.hash)
    event["quantityList"] = [_quantity(ids, m.sku, m.gtin, m.unit, m.lot, m.qty)]
    event["action"] = action
    event["bizStep"] = step
    if disposition:
        event["disposition"] = disposition
    here = m.dst if m.dst_kind == "internal" else m.src
    event["readPoint"] = {"id": ids.place(here)}
    if m.dst_kind == "internal":
        event["bizLocation"] = {"id": ids.place(m.dst)}
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
    event = _common("TransformationEvent", t.time, f"transformation/{number}/{t.time}")
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
            event = _common("AggregationEvent", created, f"parcel/{sscc}")
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
