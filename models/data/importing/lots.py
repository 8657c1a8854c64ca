"""Importing lots of lot- or serial-tracked items: new lots are added, known ones brought
up to date."""

from __future__ import annotations

from backroom.models.data.importing.csv_rows import Problem, Record
from backroom.models.data.importing.plans import (
    ApplyCursor,
    ItemLookup,
    Planned,
    RowChecker,
    by_key,
)
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import add_lot
from backroom.models.rules.dates import optional_date
from backroom.models.rules.identifiers import check_lot_number
from backroom.models.rules.tracking import check_takes_lots
from backroom.models.schema import LOT_STATUSES, Item, Location, Lot


def plan_lots(records: list[Record], problems: list[Problem], source: str) -> list[Planned]:
    """Check each lot row; a status change records the file it came from as its reason."""
    check = RowChecker(problems)
    items = ItemLookup(r.get("sku") for r in records)
    suppliers: dict[str, Location] = by_key(
        Location, Location.code, (r.get("supplier") for r in records)
    )  # type: ignore[assignment]
    lots = items.lots_named(records)
    planned = []
    for r in records:
        with check.row(r.line):
            item = items.get(r.get("sku"))
            check_takes_lots(item)
            number = check_lot_number(r.get("lot"))
            check.once(("lot", item.id, number), r.line, f"lot {number} of {item.sku}")
            planned.append(_plan_lot(r, item, number, lots.get((item.id, number)), suppliers))
    for row in planned:
        if row.action == "update" and "status" in row.data:
            row.data["reason"] = f"imported from {source}"
    return planned


def _plan_lot(
    r: Record, item: Item, number: str, lot: Lot | None, suppliers: dict[str, Location]
) -> Planned:
    expiry = optional_date(r.get("expiry"), "Expiry")
    made = optional_date(r.get("production_date"), "Production date")
    supplier = r.get("supplier") or None
    if supplier is not None:
        loc = suppliers.get(supplier)
        if loc is None:
            raise Refused(f"Unknown supplier location {supplier!r}")
        if loc.kind != "supplier":
            raise Refused(f"{supplier} is a {loc.kind} location, not a supplier")
    status = r.get("status").lower() or None
    if status is not None and status not in LOT_STATUSES:
        raise Refused(f"Lot status {status!r} is not one of {', '.join(LOT_STATUSES)}")
    supplier_lot = r.get("supplier_lot") or None
    if supplier_lot is not None and len(supplier_lot) > 64:
        raise Refused("The supplier's lot number is at most 64 characters")
    key = f"{item.sku}/{number}"
    wanted = {
        "expiry": expiry,
        "production_date": made,
        "supplier": supplier,
        "supplier_lot": supplier_lot,
        "status": status,
    }
    if lot is None:
        wanted["status"] = status or "released"
        ends = expiry
    else:
        current = {
            "expiry": lot.expiry,
            "production_date": lot.production_date,
            "supplier": lot.supplier.code if lot.supplier_id else None,
            "supplier_lot": lot.supplier_lot,
            "status": lot.status,
        }
        # An empty cell leaves the lot's value as it is.
        wanted = {n: v for n, v in wanted.items() if v is not None and v != current[n]}
        made = wanted.get("production_date", current["production_date"])  # type: ignore[assignment]
        ends = wanted.get("expiry", current["expiry"])  # type: ignore[assignment]
    if made and ends and made > ends:
        raise Refused(f"Lot {number} cannot expire ({ends}) before it was made ({made})")
    if lot is None:
        return Planned(r.line, "create", key, {"item": item.sku, "number": number, **wanted})
    if not wanted:
        return Planned(r.line, "unchanged", key)
    return Planned(r.line, "update", key, {"item": item.sku, "number": number, **wanted})


def apply_lots(rows: list[Planned], who, cursor: ApplyCursor) -> None:
    """Add or update the planned lots. Call inside a write transaction."""
    from backroom.models.masterdata.adding import get_item, get_location, set_lot_status
    from backroom.models.masterdata.editing import update_lot

    for row in cursor.each(rows):
        data = dict(row.data)
        if row.action == "create":
            supplier = data["supplier"]
            lot = add_lot(
                get_item(str(data["item"])),
                str(data["number"]),
                expiry=data["expiry"],  # type: ignore[arg-type]
                production_date=data["production_date"],  # type: ignore[arg-type]
                supplier=get_location(str(supplier)) if supplier else None,
                supplier_lot=data["supplier_lot"],  # type: ignore[arg-type]
                by=who,
            )
            if data["status"] != "released":
                set_lot_status(lot, str(data["status"]), "imported with this status", by=who)
        elif row.action == "update":
            item, number = str(data.pop("item")), str(data.pop("number"))
            update_lot(item, number, by=who, **data)
