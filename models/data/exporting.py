"""Exporting items, locations, lots, stock, consignees, moves and shipments as CSV or
JSON, streamed: rows are read a page at a time by keyset (id > last id, never OFFSET)
and written as they come, so a million moves never sit in memory at once.

The master-data and stock layouts are exactly the import layouts of
models/data/importing/, so an export imports back as it is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

import peewee as pw
from peewee import JOIN

from backroom.models.browse import POSTED_MOVE_COLUMNS, moves_with_places
from backroom.models.data.csv_cells import SafeCsvWriter
from backroom.models.data.importing.csv_rows import LAYOUTS
from backroom.models.db import db, is_postgres
from backroom.models.errors import Refused
from backroom.models.people.roles import acting
from backroom.models.schema import Item, Location, Lot, Move, Quant, User

EXPORT_KINDS = ("items", "locations", "lots", "stock", "consignees", "moves", "shipments")
# Kinds with a time to filter on with --since.
SINCE_KINDS = ("lots", "moves", "shipments")
FORMATS = ("csv", "json")
PAGE = 5_000
MOVE_COLUMNS = (
    "id",
    "time",
    "kind",
    "item",
    "lot",
    "qty",
    "from",
    "to",
    "user",
    "reference",
    "note",
    "reverses",
    "hash",
)
SHIPMENT_COLUMNS = (
    "shipment",
    "status",
    "consignee",
    "carrier",
    "service",
    "planned_date",
    "shipped_at",
    "delivered_at",
    "item",
    "qty_ordered",
    "qty_allocated",
    "qty_picked",
    "qty_shipped",
)

Progress = Callable[[int, int], None]
Row = tuple[object, ...]


@contextmanager
def read_snapshot() -> Iterator[None]:
    """Read in one transaction, so that a long export sees one moment of the database
    (WAL on SQLite, REPEATABLE READ on PostgreSQL: writers are never held up)."""
    if db.transaction_depth() > 0:
        yield
        return
    if is_postgres():
        db.execute_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    else:
        db.execute_sql("BEGIN DEFERRED")
    try:
        yield
    finally:
        db.execute_sql("COMMIT")


def since_start(since: dt.date | dt.datetime | None) -> dt.datetime | None:
    """The first moment --since takes in: midnight UTC of a date, or the time itself."""
    if since is None or isinstance(since, dt.datetime):
        return since
    return dt.datetime.combine(since, dt.time())


def _pages(query_after: Callable[[int], list[tuple]], key: int = 0) -> Iterator[tuple]:
    """Rows of successive pages; QUERY_AFTER(last id) returns a page whose rows start
    with their id, in id order."""
    last = 0
    while True:
        page = query_after(last)
        if not page:
            return
        yield from page
        last = page[-1][key]
        if len(page) < PAGE:
            return


# --- the rows of each kind ------------------------------------------------------------------


def _items(_since) -> Iterator[Row]:
    fields = (
        Item.id,
        Item.sku,
        Item.name,
        Item.gtin,
        Item.unit,
        Item.tracking,
        Item.shelf_life_days,
        Item.active,
    )
    for row in _pages(
        lambda last: list(
            Item.select(*fields).where(Item.id > last).order_by(Item.id).limit(PAGE).tuples()
        )
    ):
        yield row[1:]


def _locations(_since) -> Iterator[Row]:
    parent = Location.alias("parent")
    query = (
        Location.select(
            Location.id,
            Location.code,
            Location.name,
            parent.code,
            Location.kind,
            Location.quarantine,
            Location.active,
        )
        .join(parent, JOIN.LEFT_OUTER, on=(Location.parent == parent.id))
        .order_by(Location.id)
        .limit(PAGE)
    )
    for row in _pages(lambda last: list(query.where(Location.id > last).tuples())):
        yield row[1:]


def _lots(since) -> Iterator[Row]:
    supplier = Location.alias("supplier")
    query = (
        Lot.select(
            Lot.id,
            Item.sku,
            Lot.number,
            Lot.expiry,
            Lot.production_date,
            supplier.code,
            Lot.supplier_lot,
            Lot.status,
        )
        .join(Item, on=(Lot.item == Item.id))
        .switch(Lot)
        .join(supplier, JOIN.LEFT_OUTER, on=(Lot.supplier == supplier.id))
        .order_by(Lot.id)
        .limit(PAGE)
    )
    if since is not None:
        query = query.where(Lot.created_at >= since)
    for row in _pages(lambda last: list(query.where(Lot.id > last).tuples())):
        yield row[1:]


def _stock(_since) -> Iterator[Row]:
    query = (
        Quant.select(Quant.id, Item.sku, Lot.number, Location.code, Quant.qty, Lot.expiry)
        .join(Item, on=(Quant.item == Item.id))
        .switch(Quant)
        .join(Location, on=(Quant.location == Location.id))
        .switch(Quant)
        .join(Lot, JOIN.LEFT_OUTER, on=(Quant.lot == Lot.id))
        .where(Quant.qty != 0, Location.kind == "internal")
        .order_by(Quant.id)
        .limit(PAGE)
    )
    for row in _pages(lambda last: list(query.where(Quant.id > last).tuples())):
        yield row[1:]


def _consignees(_since) -> Iterator[Row]:
    from backroom.models.schema.shipping import Consignee

    fields = (
        Consignee.id,
        Consignee.name,
        Consignee.address,
        Consignee.postal_code,
        Consignee.city,
        Consignee.country,
        Consignee.gln,
        Consignee.contact,
        Consignee.min_shelf_life_days,
    )
    query = Consignee.select(*fields).order_by(Consignee.id).limit(PAGE)
    for row in _pages(lambda last: list(query.where(Consignee.id > last).tuples())):
        address = " | ".join(line for line in (row[2] or "").splitlines() if line.strip())
        yield (row[1], address, *row[3:])


def move_query(since: dt.datetime | None = None) -> pw.ModelSelect:
    """Moves with codes instead of ids, in id order, a page long; add `Move.id > last`."""
    query = (
        moves_with_places(*POSTED_MOVE_COLUMNS)
        .switch(Move)
        .join(User, on=(Move.user == User.id))
        .order_by(Move.id)
        .limit(PAGE)
    )
    if since is not None:
        query = query.where(Move.time >= since)
    return query


def _time_text(value: object) -> str:
    """A move's time as ISO 8601 UTC: SQLite hands back the stored text, PostgreSQL a
    datetime."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds") + "Z"
    return str(value).replace(" ", "T", 1) + "Z"


def _moves(since) -> Iterator[Row]:
    # Through the driver's cursor: peewee's row conversion (a datetime parsed per move,
    # then formatted back) was most of the time of a million-move export.
    query = move_query(since)

    def page_after(last: int) -> list[tuple]:
        sql, params = query.where(Move.id > last).sql()
        return db.execute_sql(sql, params).fetchall()

    for row in _pages(page_after):
        yield (row[0], _time_text(row[1]), *row[2:])


def _shipment_pages(since) -> Iterator[list[dict[str, object]]]:
    """Shipments a page at a time, each with its lines and parcels."""
    from backroom.models.schema.shipping import Carrier, Consignee, Shipment

    query = (
        Shipment.select(Shipment, Consignee.name, Carrier.code)
        .join(Consignee, on=(Shipment.consignee == Consignee.id))
        .switch(Shipment)
        .join(Carrier, JOIN.LEFT_OUTER, on=(Shipment.carrier == Carrier.id))
        .order_by(Shipment.id)
        .limit(PAGE)
    )
    if since is not None:
        query = query.where(Shipment.planned_date >= since.date())
    last = 0
    while True:
        page = list(query.where(Shipment.id > last).dicts())
        if not page:
            return
        ids = [row["id"] for row in page]
        lines, parcels = _shipment_lines(ids), _shipment_parcels(ids)
        yield [
            {
                "shipment": row["number"],
                "status": row["status"],
                "consignee": row["name"],
                "carrier": row["code"],
                "service": row["service"],
                "planned_date": row["planned_date"],
                "created_at": row["created_at"],
                "shipped_at": row["shipped_at"],
                "delivered_at": row["delivered_at"],
                "lines": lines[row["id"]],
                "parcels": parcels[row["id"]],
            }
            for row in page
        ]
        last = ids[-1]
        if len(page) < PAGE:
            return


def _shipment_lines(ids: list[int]) -> dict[int, list[dict[str, object]]]:
    """The lines of the shipments with these IDS, by shipment id, in line order."""
    from backroom.models.schema.shipping import ShipmentLine

    lines: dict[int, list[dict[str, object]]] = {i: [] for i in ids}
    for line in (
        ShipmentLine.select(ShipmentLine, Item.sku)
        .join(Item)
        .where(ShipmentLine.shipment.in_(ids))
        .order_by(ShipmentLine.id)
        .dicts()
    ):
        lines[line["shipment"]].append(
            {
                "item": line["sku"],
                "qty_ordered": line["qty_ordered"],
                "qty_allocated": line["qty_allocated"],
                "qty_picked": line["qty_picked"],
                "qty_shipped": line["qty_shipped"],
            }
        )
    return lines


def _shipment_parcels(ids: list[int]) -> dict[int, list[dict[str, object]]]:
    """The parcels of the shipments with these IDS, by shipment id, in parcel order."""
    from backroom.models.schema.shipping import Parcel

    parcels: dict[int, list[dict[str, object]]] = {i: [] for i in ids}
    for parcel in Parcel.select().where(Parcel.shipment.in_(ids)).order_by(Parcel.id).dicts():
        parcels[parcel["shipment"]].append(
            {
                "sscc": parcel["sscc"],
                "kind": parcel["kind"],
                "weight_g": parcel["weight_g"],
                "tracking_number": parcel["tracking_number"],
            }
        )
    return parcels


def _shipment_rows(since) -> Iterator[Row]:
    for page in _shipment_pages(since):
        for ship in page:
            head = tuple(ship[c] for c in SHIPMENT_COLUMNS[:8])
            lines = ship["lines"] or [dict.fromkeys(SHIPMENT_COLUMNS[8:])]
            for line in lines:  # type: ignore[attr-defined]
                yield head + tuple(line[c] for c in SHIPMENT_COLUMNS[8:])


ROWS: dict[str, Callable[[dt.datetime | None], Iterator[Row]]] = {
    "items": _items,
    "locations": _locations,
    "lots": _lots,
    "stock": _stock,
    "consignees": _consignees,
    "moves": _moves,
    "shipments": _shipment_rows,
}


def columns(kind: str) -> tuple[str, ...]:
    """The column names of KIND's export, in order."""
    if kind == "moves":
        return MOVE_COLUMNS
    if kind == "shipments":
        return SHIPMENT_COLUMNS
    return tuple(c.name for c in LAYOUTS[kind])


def count(kind: str, since: dt.date | dt.datetime | None = None) -> int:
    """How many rows (JSON objects, for shipments) an export of KIND writes, about."""
    from backroom.models.schema.shipping import Consignee, Shipment

    start = since_start(since)
    if kind == "items":
        return Item.select().count()
    if kind == "locations":
        return Location.select().count()
    if kind == "lots":
        query = Lot.select()
        return (query.where(Lot.created_at >= start) if start else query).count()
    if kind == "stock":
        inside = Location.select(Location.id).where(Location.kind == "internal")
        return Quant.select().where(Quant.qty != 0, Quant.location.in_(inside)).count()
    if kind == "consignees":
        return Consignee.select().count()
    if kind == "moves":
        query = Move.select()
        return (query.where(Move.time >= start) if start else query).count()
    query = Shipment.select()
    return (query.where(Shipment.planned_date >= start.date()) if start else query).count()


# --- writing --------------------------------------------------------------------------------


def check_export(kind: str, fmt: str, since: dt.date | dt.datetime | None) -> None:
    """Refuse a kind, format or --since that an export cannot take."""
    if kind not in EXPORT_KINDS:
        raise Refused(f"Cannot export {kind!r}: choose one of {', '.join(EXPORT_KINDS)}, epcis")
    if fmt not in FORMATS:
        raise Refused(f"Format {fmt!r} is not one of {', '.join(FORMATS)}")
    if since is not None and kind not in SINCE_KINDS:
        raise Refused(f"--since applies to {', '.join(SINCE_KINDS)} and epcis, not {kind}")


def exporter(name: str) -> User:
    """The user NAME, allowed to export data (a lead or above); else Refused."""
    return acting(name, "export")


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _json_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return value


class JsonArrayWriter:
    """Writes a JSON array one element at a time."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0
        out.write("[")

    def add(self, value: object) -> None:
        """One more element."""
        self.out.write(",\n" if self.count else "\n")
        self.out.write(json.dumps(value, ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        """End the array."""
        self.out.write("\n]\n" if self.count else "]\n")


def export(
    kind: str,
    out: TextIO,
    *,
    fmt: str = "csv",
    since: dt.date | dt.datetime | None = None,
    progress: Progress | None = None,
    user: str | None = None,
) -> int:
    """Write every row of KIND to OUT as CSV or a JSON array, streamed; returns the rows.

    USER is the person exporting, who must be a lead or above (None: Backroom itself).
    CSV cells a spreadsheet would run as a formula are neutralised (csv_cells.py)."""
    check_export(kind, fmt, since)
    if user is not None:
        exporter(user)
    start = since_start(since)
    report = progress or (lambda done, total: None)
    with read_snapshot():
        total = count(kind, start)
        report(0, total)
        if kind == "shipments" and fmt == "json":
            return _write_json_shipments(out, start, total, report)
        names = columns(kind)
        done = 0
        if fmt == "csv":
            done = _write_csv(out, kind, ROWS[kind](start), total, report)
        else:
            array = JsonArrayWriter(out)
            for row in ROWS[kind](start):
                array.add({n: _json_value(v) for n, v in zip(names, row, strict=True)})
                done += 1
                if done % PAGE == 0:
                    report(done, total)
            array.close()
        report(done, max(total, done))
        return done


def _write_csv(out: TextIO, kind: str, rows: Iterator[Row], total: int, report: Progress) -> int:
    """The header and ROWS as CSV, cells a spreadsheet would run neutralised; the rows."""
    writer = SafeCsvWriter(out)
    writer.writerow(columns(kind))
    plain = kind == "moves"  # text, numbers and None already: csv writes them as they are
    done = 0

    def counted() -> Iterator[Row]:
        nonlocal done
        for row in rows:
            yield row if plain else tuple(_csv_cell(v) for v in row)
            done += 1
            if done % PAGE == 0:
                report(done, total)

    writer.writerows(counted())
    return done


def _write_json_shipments(out: TextIO, since, total: int, report: Progress) -> int:
    array = JsonArrayWriter(out)
    for page in _shipment_pages(since):
        for ship in page:
            array.add(_json_value(ship))
        report(array.count, total)
    array.close()
    return array.count
