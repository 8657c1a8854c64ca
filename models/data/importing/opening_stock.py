"""Importing opening stock: each row is a receipt from the virtual supplier location
OPENING ("Opening balance") into an internal location."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from backroom.models.data.importing.csv_rows import Problem, Record, _whole
from backroom.models.data.importing.plans import (
    KEY_CHUNK,
    MAX_QTY,
    OPENING,
    POST_CHUNK,
    ApplyCursor,
    ImportRefused,
    ItemLookup,
    Planned,
    RowChecker,
    by_key,
)
from backroom.models.errors import DomainError, Refused
from backroom.models.masterdata.adding import add_lot, log_event
from backroom.models.rules.dates import optional_date
from backroom.models.rules.identifiers import check_lot_number
from backroom.models.rules.tracking import check_lot_given
from backroom.models.schema import Item, Location, Lot, Quant
from backroom.models.stock.ledger import MoveSpec, post


def _in_stock(lot_ids: Iterable[int]) -> dict[int, int]:
    """How much of each lot is in internal locations (for serial numbers)."""
    ids = sorted(set(lot_ids))
    totals: dict[int, int] = {}
    for start in range(0, len(ids), KEY_CHUNK):
        chunk = ids[start : start + KEY_CHUNK]
        rows = (
            Quant.select(Quant.lot_key, Quant.qty)
            .join(Location, on=(Quant.location == Location.id))
            .where(Quant.lot_key.in_(chunk), Location.kind == "internal")
            .tuples()
        )
        for lot_id, qty in rows:
            totals[lot_id] = totals.get(lot_id, 0) + qty
    return totals


def plan_stock(records: list[Record], problems: list[Problem]) -> list[Planned]:
    """Check each opening stock row: item, location, lot, quantity, serial numbers."""
    check = RowChecker(problems)
    items = ItemLookup(r.get("sku") for r in records)
    locations: dict[str, Location] = by_key(
        Location, Location.code, (r.get("location") for r in records)
    )  # type: ignore[assignment]
    lots = items.lots_named(records)
    serial_items = {
        i.id for i in (*items.by_sku.values(), *items.by_gtin.values()) if i.tracking == "serial"
    }
    serials = _in_stock(lot.id for lot in lots.values() if lot.item_id in serial_items)
    new_lots: dict[tuple[int, str], tuple[int, dt.date | None]] = {}
    planned = []
    for r in records:
        with check.row(r.line):
            row = _plan_stock_row(r, items, locations, lots, serials, new_lots, check)
            planned.append(row)
    return planned


def _plan_stock_row(
    r: Record,
    items: ItemLookup,
    locations: dict[str, Location],
    lots: dict[tuple[int, str], Lot],
    serials: dict[int, int],
    new_lots: dict[tuple[int, str], tuple[int, dt.date | None]],
    check: RowChecker,
) -> Planned:
    item = items.get(r.get("sku"))
    if not item.active:
        raise Refused(f"Item {item.sku} is inactive and cannot be received")
    code = r.get("location")
    loc = locations.get(code)
    if loc is None:
        raise Refused(f"Unknown location {code!r}")
    if not loc.is_internal:
        raise Refused(f"{loc.code} is a {loc.kind} location: stock goes to internal locations")
    if not loc.active:
        raise Refused(f"Location {loc.code} is inactive and refuses moves")
    qty = _whole(r.get("qty"), "Quantity")
    if qty < 0:
        raise Refused(f"Negative stock: {qty} {item.unit} of {item.sku} at {loc.code}")
    if qty > MAX_QTY:
        raise Refused(f"Quantity {qty} is more than one move can hold (at most {MAX_QTY:,})")
    expiry = optional_date(r.get("expiry"), "Expiry")
    number = r.get("lot") or None
    check_lot_given(item, number)
    if number:
        number = check_lot_number(number)
    key = f"{item.sku}/{number}@{loc.code}" if number else f"{item.sku}@{loc.code}"
    check.once(("stock", item.id, number, loc.id), r.line, key.replace("@", " at "))
    lot = lots.get((item.id, number)) if number else None
    if lot is not None:
        if lot.status in ("blocked", "recalled") and not loc.quarantine:
            raise Refused(f"Lot {number} is {lot.status} and can only go to quarantine")
        if expiry and lot.expiry and lot.expiry != expiry:
            raise Refused(f"Lot {number} of {item.sku} has expiry {lot.expiry}, not {expiry}")
    elif number:
        first = new_lots.setdefault((item.id, number), (r.line, expiry))
        if first[1] != expiry and first[0] != r.line:
            raise Refused(f"Lot {number} has expiry {first[1]} on line {first[0]}, not {expiry}")
    if item.tracking == "serial" and qty:
        if qty != 1:
            raise Refused(f"{item.sku} is serial-tracked: each serial number is one piece")
        check.once(("serial", item.id, number), r.line, f"serial {number} of {item.sku}")
        if lot is not None and serials.get(lot.id, 0) > 0:
            raise Refused(f"Serial {number} of {item.sku} is already in stock")
    data = {"item": item, "lot": lot, "number": number, "location": loc, "qty": qty}
    data["expiry"] = expiry
    return Planned(r.line, "post" if qty else "skip", key, data)


def opening_location() -> Location:
    """The virtual supplier location opening stock comes from, made on first use.

    Call inside a write transaction."""
    code, name = OPENING
    loc = Location.get_or_none(Location.code == code)
    if loc is None:
        loc = Location.create(code=code, name=name, kind="supplier", path=code)
        log_event("location.add", code, None, kind="supplier", note="opening balance imports")
    if loc.kind != "supplier":
        raise Refused(f"Location {code} is a {loc.kind} location, not the opening balance")
    return loc


def apply_stock(rows: list[Planned], who, cursor: ApplyCursor, source: str) -> int:
    """Post the planned rows as receipts from OPENING; returns how many moves were posted."""
    opening = opening_location()
    todo = [row for row in rows if row.action == "post"]
    cursor.total = len(todo)
    note = f"opening balance from {source}"
    created: dict[tuple[int, str], Lot] = {}
    specs = []
    for row in todo:
        data = row.data
        item: Item = data["item"]  # type: ignore[assignment]
        lot: Lot | None = data["lot"]  # type: ignore[assignment]
        number = data["number"]
        if lot is None and number:
            cursor.line = row.line
            lot = created.get((item.id, str(number))) or _new_lot(item, str(number), data, who)
            created[(item.id, str(number))] = lot
        qty = int(data["qty"])  # type: ignore[call-overload]
        loc: Location = data["location"]  # type: ignore[assignment]
        specs.append(MoveSpec("receipt", item, qty, opening, loc, lot, OPENING[0], note))
    for start in range(0, len(specs), POST_CHUNK):
        chunk = specs[start : start + POST_CHUNK]
        first, last = todo[start].line, todo[start + len(chunk) - 1].line
        try:
            post(chunk, who)
        except DomainError as exc:
            raise ImportRefused(source, [Problem(first, f"{exc} (lines {first}-{last})")]) from exc
        cursor.done += len(chunk)
        cursor.progress(cursor.done, cursor.total)
    return len(specs)


def _new_lot(item: Item, number: str, data: dict[str, object], who) -> Lot:
    lot = Lot.get_or_none((Lot.item == item.id) & (Lot.number == number))
    if lot is None:
        expiry = data["expiry"] or _shelf_life_expiry(item)
        lot = add_lot(item, number, expiry=expiry, by=who)  # type: ignore[arg-type]
    return lot


def _shelf_life_expiry(item: Item) -> dt.date | None:
    if not item.shelf_life_days:
        return None
    return dt.date.today() + dt.timedelta(days=item.shelf_life_days)
