"""Changing master data: items, locations and lots.

SKUs, location codes and lot numbers name things on labels and in the ledger, so
they never change; everything else may, each change in one transaction, logged as
an event with the old and new values. Deactivating is an edit like any other.
Changing master data is a lead's (models.roles); `by=None` is Backroom itself.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from backroom.models.db import run_write
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import (
    SHELF_LIFE_MOST,
    UNIT_MOST,
    find_lot,
    get_item,
    get_location,
    log_event,
    refuse_level_gtin,
    set_lot_status,
)
from backroom.models.people.roles import require
from backroom.models.rules.identifiers import normalize_gtin
from backroom.models.rules.text import NAME_MOST, check_text
from backroom.models.schema import (
    LOCATION_KINDS,
    LOT_STATUSES,
    TRACKING,
    Item,
    Location,
    Lot,
    Move,
    Quant,
    User,
)

ITEM_FIELDS = ("name", "gtin", "unit", "tracking", "shelf_life_days", "active")
LOCATION_FIELDS = ("name", "parent", "kind", "quarantine", "active")
LOT_FIELDS = ("expiry", "production_date", "supplier", "supplier_lot", "status", "reason")


KEYS = {"item": ("sku", "SKU"), "location": ("code", "code"), "lot": ("number", "number")}


def _check_fields(what: str, changes: dict[str, object], allowed: tuple) -> None:
    key, label = KEYS[what]
    if key in changes:
        article = "an" if what == "item" else "a"
        raise Refused(
            f"The {label} of {article} {what} cannot be changed: create a new {what} instead"
        )
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise Refused(f"There is no {', '.join(unknown)} to change on a {what}")


def _text(value: object, label: str, *, required: bool, most: int = NAME_MOST) -> str | None:
    text = check_text("" if value is None else str(value), label, max_length=most).strip()
    if required and not text:
        raise Refused(f"{label} must not be empty")
    return text or None


def _flag(value: object, label: str) -> bool:
    if not isinstance(value, bool):
        raise Refused(f"{label} must be yes or no, not {value!r}")
    return value


def _stock_at(condition: pw.Expression) -> int:
    """Stock in internal locations matching CONDITION on Quant."""
    total = (
        Quant.select(pw.fn.COALESCE(pw.fn.SUM(Quant.qty), 0))
        .join(Location, on=(Quant.location == Location.id))
        .where(condition, Location.kind == "internal")
        .scalar()
    )
    return int(total or 0)


def _log(kind: str, subject: str, by: User | None, diff: dict[str, tuple], **extra) -> None:
    detail = {name: [old, new] for name, (old, new) in diff.items()}
    log_event(kind, subject, by, **detail, **extra)


# --- items ------------------------------------------------------------------------------


def update_item(sku: str, /, *, by: User | None = None, **changes: object) -> Item:
    """Change an item's name, GTIN, unit, tracking, shelf life or active flag."""
    require(by, "item.edit")
    require(by, "item.edit")
    _check_fields("item", changes, ITEM_FIELDS)

    def _update() -> Item:
        item = get_item(sku)
        new: dict[str, object] = {}
        for name, value in changes.items():
            new[name] = _item_value(item, name, value)
        diff = {n: (getattr(item, n), v) for n, v in new.items() if getattr(item, n) != v}
        if not diff:
            return item
        has_moves = Move.select().where(Move.item == item.id).exists()
        for name in ("unit", "tracking"):
            if name in diff and has_moves:
                raise Refused(
                    f"Item {item.sku} already has moves in the ledger; "
                    f"its {name} cannot change (create a new item)"
                )
        if "tracking" in diff and Lot.select().where(Lot.item == item.id).exists():
            raise Refused(f"Item {item.sku} has lots; its tracking cannot change")
        if diff.get("active", (None, True))[1] is False:
            on_hand = _stock_at(Quant.item == item.id)
            if on_hand:
                raise Refused(
                    f"Item {item.sku} still has {on_hand} {item.unit} in stock; "
                    "move it out or scrap it before deactivating the item"
                )
        Item.update({getattr(Item, n): v for n, (_, v) in diff.items()}).where(
            Item.id == item.id
        ).execute()
        _log("item.edit", item.sku, by, diff)
        return Item.get_by_id(item.id)

    return run_write(_update)


def _item_value(item: Item, name: str, value: object) -> object:
    if name == "name":
        return _text(value, f"The name of item {item.sku}", required=True)
    if name == "gtin":
        gtin = _text(value, "GTIN", required=False)
        if gtin is None:
            return None
        gtin = normalize_gtin(gtin)
        other = Item.get_or_none((Item.gtin == gtin) & (Item.id != item.id))
        if other is not None:
            raise Refused(f"GTIN {gtin} already belongs to item {other.sku}")
        refuse_level_gtin(gtin)
        return gtin
    if name == "unit":
        return _text(value, "Unit", required=True, most=UNIT_MOST)
    if name == "tracking":
        if value not in TRACKING:
            raise Refused(f"Tracking {value!r} is not one of {', '.join(TRACKING)}")
        return value
    if name == "shelf_life_days":
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise Refused("Shelf life must be a positive number of days")
        if not 0 < value <= SHELF_LIFE_MOST:
            raise Refused(
                f"Shelf life must be a positive number of days, at most {SHELF_LIFE_MOST:,}"
            )
        return value
    return _flag(value, "Active")


# --- locations --------------------------------------------------------------------------


def update_location(code: str, /, *, by: User | None = None, **changes: object) -> Location:
    """Change a location's name, parent, kind, quarantine flag or active flag.

    A new parent moves the location and everything under it: their paths follow.
    """
    require(by, "location.edit")
    require(by, "location.edit")
    _check_fields("location", changes, LOCATION_FIELDS)

    def _update() -> Location:
        loc = get_location(code)
        old_parent = loc.parent.code if loc.parent_id else None
        new: dict[str, object] = {}
        for name, value in changes.items():
            new[name] = _location_value(loc, name, value)
        current = {
            "name": loc.name,
            "parent": old_parent,
            "kind": loc.kind,
            "quarantine": loc.quarantine,
            "active": loc.active,
        }
        diff = {n: (current[n], v) for n, v in new.items() if current[n] != v}
        if not diff:
            return loc
        if "kind" in diff and (
            Move.select()
            .where((Move.from_location == loc.id) | (Move.to_location == loc.id))
            .exists()
        ):
            raise Refused(f"Location {loc.code} already has moves; its kind cannot change")
        if diff.get("active", (None, True))[1] is False:
            on_hand = _held_at(loc)
            if on_hand:
                raise Refused(
                    f"Location {loc.code} still holds stock ({on_hand}); "
                    "move it out before deactivating the location"
                )
        fields = {getattr(Location, n): v for n, (_, v) in diff.items() if n != "parent"}
        if "parent" in diff:
            _move_under(loc, diff["parent"][1])
        if fields:
            Location.update(fields).where(Location.id == loc.id).execute()
        _log("location.edit", loc.code, by, diff)
        return Location.get_by_id(loc.id)

    return run_write(_update)


def _held_at(loc: Location) -> int:
    """Quantities at LOC itself, of any sign (virtual locations hold negative sums)."""
    rows = Quant.select(Quant.qty).where((Quant.location == loc.id) & (Quant.qty != 0))
    return sum(abs(q) for (q,) in rows.tuples())


def _location_value(loc: Location, name: str, value: object) -> object:
    if name == "name":
        return _text(value, "Name", required=False) or ""
    if name == "parent":
        parent_code = _text(value, "Parent", required=False)
        if parent_code is None:
            return None
        parent = get_location(parent_code)
        if parent.id == loc.id or parent.path.startswith(loc.path + "/"):
            raise Refused(f"Location {loc.code} cannot go under {parent.code}: it is inside it")
        return parent.code
    if name == "kind":
        if value not in LOCATION_KINDS:
            raise Refused(f"Location kind {value!r} is not one of {', '.join(LOCATION_KINDS)}")
        return value
    return _flag(value, name.capitalize())


def _move_under(loc: Location, parent_code: str | None) -> None:
    """Put LOC under PARENT_CODE (None: at the top) and rewrite every path below it."""
    parent = get_location(parent_code) if parent_code else None
    old_path = loc.path
    new_path = f"{parent.path}/{loc.code}" if parent else loc.code
    if len(new_path) > Location.path.max_length:
        raise Refused(f"Location {loc.code} would be nested too deep")
    Location.update(parent=parent.id if parent else None).where(Location.id == loc.id).execute()
    # Old prefix out, new prefix in, for LOC and all below it, in one statement.
    rest = pw.fn.SUBSTR(Location.path, len(old_path) + 1)
    under = (Location.path == old_path) | (
        (Location.path >= old_path + "/") & (Location.path < old_path + "0")
    )
    Location.update(path=pw.Value(new_path).concat(rest)).where(under).execute()


# --- lots -------------------------------------------------------------------------------


def update_lot(item: str, number: str, /, *, by: User | None = None, **changes: object) -> Lot:
    """Change a lot's expiry, production date, supplier, supplier's lot number or status.

    A status change needs a `reason`, as `masterdata.set_lot_status` does.
    """
    require(by, "lot.edit")
    require(by, "lot.edit")
    if "item" in changes:
        raise Refused("The item of a lot cannot be changed: create a new lot instead")
    _check_fields("lot", changes, LOT_FIELDS)
    reason = _text(changes.pop("reason", None), "Reason", required=False)

    def _update() -> Lot:
        lot = find_lot(number, item)
        new: dict[str, object] = {}
        for name, value in changes.items():
            new[name] = _lot_value(name, value)
        current = {
            "expiry": lot.expiry,
            "production_date": lot.production_date,
            "supplier": lot.supplier.code if lot.supplier_id else None,
            "supplier_lot": lot.supplier_lot,
            "status": lot.status,
        }
        diff = {n: (current[n], v) for n, v in new.items() if current[n] != v}
        made = diff.get("production_date", (None, current["production_date"]))[1]
        expires = diff.get("expiry", (None, current["expiry"]))[1]
        if made and expires and made > expires:  # type: ignore[operator]
            raise Refused(f"Lot {lot.number} cannot expire ({expires}) before it was made ({made})")
        subject = f"{lot.item.sku}/{lot.number}"
        status = diff.pop("status", None)
        if status is not None:
            if not reason:
                raise Refused(f"Changing the status of lot {lot.number} needs a reason")
            set_lot_status(lot, str(status[1]), reason, by=by)  # type: ignore[arg-type]
        if diff:
            fields = {}
            for name, (_, value) in diff.items():
                if name == "supplier":
                    fields[Lot.supplier] = get_location(value).id if value else None  # type: ignore[arg-type]
                else:
                    fields[getattr(Lot, name)] = value
            Lot.update(fields).where(Lot.id == lot.id).execute()
            extra = {"reason": reason} if reason else {}
            _log("lot.edit", subject, by, diff, **extra)
        return Lot.get_by_id(lot.id)

    return run_write(_update)


def _lot_value(name: str, value: object) -> object:
    if name in ("expiry", "production_date"):
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            label = "Expiry" if name == "expiry" else "Production date"
            raise Refused(f"{label} must be a date, not {value!r}")
        return value
    if name == "supplier":
        code = _text(value, "Supplier", required=False)
        if code is None:
            return None
        supplier = get_location(code)
        if supplier.kind != "supplier":
            raise Refused(f"{supplier.code} is not a supplier location")
        return supplier.code
    if name == "supplier_lot":
        text = _text(value, "Supplier's lot", required=False)
        if text is not None and len(text) > 64:
            raise Refused("The supplier's lot number is at most 64 characters")
        return text
    if value not in LOT_STATUSES:
        raise Refused(f"Lot status {value!r} is not one of {', '.join(LOT_STATUSES)}")
    return value
