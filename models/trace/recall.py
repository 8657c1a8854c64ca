"""Recalls and the traceability reports regulators ask for.

- `recall`: a lot and every lot made from it become recalled, and the report says
  which customers got it, what is still on hand to pull back, and which open
  shipments hold it.
- `one_step_report`: one step back, one step forward (EU Regulation 178/2002 art. 18):
  the suppliers the lot came from and the customers it went to, through any
  transformations inside the warehouse.
- `trace_events`: receiving, transformation and shipping events with their key data
  for a date range, sortable, as the FDA food traceability rule (FSMA 204) asks for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import IO

from backroom.models.data.csv_cells import SafeCsvWriter
from backroom.models.db import db, is_sqlite, run_write
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import find_lot, log_event, set_lot_status
from backroom.models.people.roles import acting
from backroom.models.rules.dates import stored_date, stored_time
from backroom.models.rules.text import REASON_MOST, check_text
from backroom.models.schema import Lot, utcnow
from backroom.models.stock.ledger import lock_head, sql, time_text
from backroom.models.trace.report import LotInfo, Trace
from backroom.models.trace.walk import RETURNED_BY, trace

OPEN_SHIPMENT_STATUSES = ("draft", "allocated", "picking", "packed")


# --- the recall report ------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerReached:
    """A shipment that took the recalled lot (or a lot made from it) to a customer."""

    consignee: str
    address: str
    shipment: str
    date: dt.date
    item: str
    lot: str
    qty: int
    unit: str
    ssccs: str


@dataclass(frozen=True)
class StockToPull:
    """Recalled stock still in the warehouse."""

    location: str
    item: str
    lot: str
    qty: int
    unit: str
    in_quarantine: bool


@dataclass(frozen=True)
class OpenShipment:
    """A shipment not yet gone that has recalled stock allocated to it."""

    shipment: str
    consignee: str
    status: str
    planned_date: dt.date
    item: str
    lot: str
    location: str
    allocated: int
    picked: int


REPORT_COLUMNS = (
    "section",
    "consignee",
    "address",
    "shipment",
    "date",
    "item",
    "lot",
    "location",
    "qty",
    "unit",
    "detail",
)


@dataclass(frozen=True)
class RecallReport:
    """What a recall has to reach: customers, stock on hand and open shipments."""

    lot: LotInfo
    reason: str | None
    by: str | None
    time: dt.datetime
    lots: tuple[LotInfo, ...]  # the lot and every lot made from it
    newly_recalled: tuple[str, ...]  # "SKU/LOT" whose status this recall changed
    customers: tuple[CustomerReached, ...]
    on_hand: tuple[StockToPull, ...]
    open_shipments: tuple[OpenShipment, ...]

    @property
    def consignees(self) -> list[str]:
        """The customers reached, each once."""
        return sorted({c.consignee for c in self.customers})

    def as_dict(self) -> dict[str, object]:
        """The JSON form of the report."""
        return {
            "lot": self.lot.number,
            "item": self.lot.item,
            "status": self.lot.status,
            "reason": self.reason,
            "by": self.by,
            "time": self.time.isoformat(timespec="seconds") + "Z",
            "lots": [
                {"item": i.item, "lot": i.number, "status": i.status, "expiry": _iso(i.expiry)}
                for i in self.lots
            ],
            "newly_recalled": list(self.newly_recalled),
            "customers": [_plain(c) for c in self.customers],
            "on_hand": [_plain(s) for s in self.on_hand],
            "open_shipments": [_plain(o) for o in self.open_shipments],
            "totals": {
                "customers": len(self.consignees),
                "shipped": sum(c.qty for c in self.customers),
                "on_hand": sum(s.qty for s in self.on_hand),
                "allocated": sum(o.allocated for o in self.open_shipments),
            },
        }

    def rows(self) -> Iterator[dict[str, object]]:
        """The report as one table (REPORT_COLUMNS), a section per kind of row."""
        blank = dict.fromkeys(REPORT_COLUMNS, "")
        for lot in self.lots:
            yield {
                **blank,
                "section": "lot",
                "item": lot.item,
                "lot": lot.number,
                "detail": lot.status,
            }
        for c in self.customers:
            yield {
                **blank,
                "section": "customer",
                "consignee": c.consignee,
                "address": c.address,
                "shipment": c.shipment,
                "date": c.date.isoformat(),
                "item": c.item,
                "lot": c.lot,
                "qty": c.qty,
                "unit": c.unit,
                "detail": c.ssccs,
            }
        for s in self.on_hand:
            yield {
                **blank,
                "section": "on hand",
                "item": s.item,
                "lot": s.lot,
                "location": s.location,
                "qty": s.qty,
                "unit": s.unit,
                "detail": "in quarantine" if s.in_quarantine else "pull back",
            }
        for o in self.open_shipments:
            yield {
                **blank,
                "section": "open shipment",
                "consignee": o.consignee,
                "shipment": o.shipment,
                "date": o.planned_date.isoformat(),
                "item": o.item,
                "lot": o.lot,
                "location": o.location,
                "qty": o.allocated,
                "detail": f"{o.status}, {o.picked} picked",
            }


def recall(number: str, reason: str, *, user: str, item: str | None = None) -> RecallReport:
    """Recall lot NUMBER and every lot made from it, with REASON; returns the report."""
    check_text(reason or "", "The reason", max_length=REASON_MOST)
    if not reason or not reason.strip():
        raise Refused("A recall needs a reason")
    why = reason.strip()

    def _recall() -> RecallReport:
        # Serialise with postings: a move posted after the recall sees the new status.
        lock_head()
        who = acting(user, "recall")
        lot = find_lot(number.strip(), item)
        found = trace(lot)
        changed = []
        for facts in (found.root, *found.downstream):
            info = facts.info
            if info.status == "recalled":
                continue
            text = why if facts is found.root else f"made from recalled {lot.number}: {why}"
            set_lot_status(Lot.get_by_id(info.id), "recalled", text, by=who)
            changed.append(f"{info.item}/{info.number}")
        subject = f"{lot.item.sku}/{lot.number}"
        log_event("recall", subject, who, reason=why, lots=changed)
        return _report(trace(lot), why, who.name, changed)

    return run_write(_recall)


def recall_report(number: str, item: str | None = None) -> RecallReport:
    """The recall report of lot NUMBER as things stand, without changing any status."""
    return _report(trace(find_lot(number.strip(), item)), None, None)


def _report(
    found: Trace, reason: str | None, by: str | None, changed: Sequence[str] = ()
) -> RecallReport:
    lots = [found.root, *found.downstream]
    customers = [
        CustomerReached(
            s.consignee or "(no consignee on record)",
            s.full_address,
            s.shipment or "",
            s.time.date(),
            f.info.item,
            f.info.number,
            s.qty,
            f.info.unit,
            " ".join(s.ssccs),
        )
        for f, s in found.reached()
    ]
    customers.sort(key=lambda c: (c.consignee, c.date, c.shipment, c.item, c.lot))
    stock = [
        StockToPull(o.location, f.info.item, f.info.number, o.qty, f.info.unit, o.quarantine)
        for f in lots
        for o in f.on_hand
    ]
    return RecallReport(
        found.root.info,
        reason,
        by,
        utcnow(),
        tuple(f.info for f in lots),
        tuple(changed),
        tuple(customers),
        tuple(stock),
        tuple(_open_shipments([f.info.id for f in lots])),
    )


OPEN_ALLOCATIONS = """
SELECT s."number", c."name", s."status", s."planned_date", i."sku", l."number",
       loc."code", a."qty", a."picked"
FROM "allocation" a
JOIN "shipment_line" sl ON sl."id" = a."line_id"
JOIN "shipment" s ON s."id" = sl."shipment_id"
JOIN "consignee" c ON c."id" = s."consignee_id"
JOIN "item" i ON i."id" = a."item_id"
JOIN "lot" l ON l."id" = a."lot_id"
JOIN "location" loc ON loc."id" = a."location_id"
WHERE a."lot_id" IN ({marks}) AND s."status" IN ({statuses})
ORDER BY s."planned_date", s."number", i."sku", l."number"
"""


def _open_shipments(lot_ids: Sequence[int]) -> list[OpenShipment]:
    found = []
    for start in range(0, len(lot_ids), 500):
        chunk = list(lot_ids[start : start + 500])
        query = OPEN_ALLOCATIONS.format(
            marks=", ".join(["?"] * len(chunk)),
            statuses=", ".join(["?"] * len(OPEN_SHIPMENT_STATUSES)),
        )
        for row in db.execute_sql(sql(query), [*chunk, *OPEN_SHIPMENT_STATUSES]):
            found.append(OpenShipment(*row[:3], stored_date(row[3]), *row[4:]))
    return found


# --- one step back, one step forward ----------------------------------------------------


@dataclass(frozen=True)
class Partner:
    """A supplier the lot came from, or a customer it went to."""

    direction: str  # "supplier" or "customer"
    partner: str
    name: str
    address: str
    date: dt.date
    item: str
    lot: str
    partner_lot: str
    qty: int
    unit: str
    reference: str


ONE_STEP_COLUMNS = tuple(Partner.__dataclass_fields__)


@dataclass(frozen=True)
class OneStepReport:
    """The lot's immediate suppliers and customers, through internal transformations."""

    lot: LotInfo
    suppliers: tuple[Partner, ...]
    customers: tuple[Partner, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "lot": self.lot.number,
            "item": self.lot.item,
            "status": self.lot.status,
            "suppliers": [_plain(p) for p in self.suppliers],
            "customers": [_plain(p) for p in self.customers],
        }

    def rows(self) -> Iterator[dict[str, object]]:
        """Suppliers then customers, as one table (ONE_STEP_COLUMNS)."""
        for partner in (*self.suppliers, *self.customers):
            yield _plain(partner)


def one_step_report(number: str, item: str | None = None) -> OneStepReport:
    """Where lot NUMBER came from and where it went, one step outside the warehouse
    each way: receipts of it and of its source lots, shipments of it and of the lots
    made from it."""
    found = trace(find_lot(number.strip(), item))
    suppliers = [
        Partner(
            "supplier",
            r.supplier,
            r.supplier_name,
            "",
            r.time.date(),
            f.info.item,
            f.info.number,
            r.supplier_lot or "",
            r.qty,
            f.info.unit,
            r.reference or "",
        )
        for f in (found.root, *found.upstream)
        for r in f.receipts
        if not r.reversed
    ]
    customers = [
        Partner(
            "customer",
            s.consignee or "",
            s.consignee or "(no consignee on record)",
            s.full_address,
            s.time.date(),
            f.info.item,
            f.info.number,
            "",
            s.qty,
            f.info.unit,
            s.shipment or "",
        )
        for f, s in found.reached()
    ]
    return OneStepReport(found.root.info, tuple(suppliers), tuple(customers))


# --- key data elements of receiving, transformation and shipping events ----------------


EVENT_COLUMNS = (
    "date",
    "event",
    "item",
    "item_name",
    "lot",
    "qty",
    "unit",
    "location",
    "partner",
    "reference",
    "supplier_lot",
    "expiry",
    "move",
    "reversed",
)
SORTABLE = ("date", "event", "item", "lot", "qty", "location", "partner", "reference")

# Receiving is a receipt or any move from a supplier; shipping any move to a customer
# (a "ship" move, or a plain move to CUSTOMER); a return any move from a customer.
EVENTS = """
SELECT "ev_date", "ev_event", "ev_item", "name", "ev_lot", "ev_qty", "unit", "ev_location",
       "ev_partner", "ev_reference", "supplier_lot", "expiry", "id", "reversed"
FROM (
    SELECT m."time" AS "ev_date",
           CASE WHEN m."kind" = 'consume' THEN 'transformation input'
                WHEN m."kind" = 'produce' THEN 'transformation output'
                WHEN f."kind" = 'customer' THEN 'receiving (return)'
                WHEN t."kind" = 'customer' THEN 'shipping'
                ELSE 'receiving' END AS "ev_event",
           i."sku" AS "ev_item", i."name", l."number" AS "ev_lot", m."qty" AS "ev_qty",
           i."unit",
           CASE WHEN t."kind" = 'internal' THEN t."code" ELSE f."code" END AS "ev_location",
           CASE WHEN f."kind" = 'supplier' THEN f."name"
                WHEN f."kind" = 'customer' OR t."kind" = 'customer'
                    THEN COALESCE(c."name", m."note", '')
                ELSE '' END AS "ev_partner",
           COALESCE(m."reference", '') AS "ev_reference", l."supplier_lot", l."expiry", m."id",
           EXISTS (SELECT 1 FROM "move" r WHERE r."reverses_id" = m."id") AS "reversed"
    FROM "move" m
    JOIN "item" i ON i."id" = m."item_id"
    LEFT JOIN "lot" l ON l."id" = m."lot_id"
    JOIN "location" f ON f."id" = m."from_location_id"
    JOIN "location" t ON t."id" = m."to_location_id"
    LEFT JOIN "shipment" s ON s."number" = m."reference"
        AND (f."kind" = 'customer' OR t."kind" = 'customer')
    LEFT JOIN "consignee" c ON c."id" = s."consignee_id"
    WHERE m."time" >= ? AND m."time" < ? AND m."kind" <> 'reversal'
      AND (m."kind" IN ('consume', 'produce') OR f."kind" IN ('supplier', 'customer')
           OR t."kind" = 'customer')
) "events"
ORDER BY {order}, "id"
"""


def trace_events(start: dt.date, end: dt.date, sort: str = "date") -> Iterator[dict[str, object]]:
    """Receiving, transformation and shipping events from START to END (both days
    included), sorted by SORT (a column name; '-qty' for descending), one dict each
    (EVENT_COLUMNS). Rows stream from the database: a year fits, as CSV."""
    if end < start:
        raise Refused(f"The range ends ({end}) before it starts ({start})")
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTABLE:
        raise Refused(f"Cannot sort by {key!r}: sort by one of {', '.join(SORTABLE)}")
    column = f'"ev_{key}"'
    order = f"{column} {'DESC' if descending else 'ASC'}"
    low = dt.datetime.combine(start, dt.time())
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    bounds = [time_text(low), time_text(high)] if is_sqlite() else [low, high]
    cursor = db.execute_sql(sql(EVENTS.format(order=order)), bounds)
    for row in cursor:
        (when, event, sku, name, lot, qty, unit, loc, partner, ref, slot, expiry, mid, rev) = row
        yield {
            "date": stored_time(when).isoformat(timespec="seconds") + "Z",
            "event": event,
            "item": sku,
            "item_name": name,
            "lot": lot or "",
            "qty": qty,
            "unit": unit,
            "location": loc,
            "partner": partner.removeprefix(RETURNED_BY).split(":", 1)[0]
            if partner.startswith(RETURNED_BY)
            else partner,
            "reference": ref,
            "supplier_lot": slot or "",
            "expiry": _iso(stored_date(expiry)) or "",
            "move": mid,
            "reversed": bool(rev),
        }


# --- output -----------------------------------------------------------------------------


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[dict[str, object]]) -> int:
    """Write ROWS as CSV with a header line of COLUMNS, cells a spreadsheet would run
    neutralised (models/data/csv_cells.py); returns how many rows."""
    writer = SafeCsvWriter(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
        count += 1
    return count


def _plain(value: object) -> dict[str, object]:
    data = asdict(value)  # type: ignore[call-overload]
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
