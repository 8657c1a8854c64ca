"""Items, locations, lots and users: creating them and finding them by what people type."""

from __future__ import annotations

import datetime as dt
import json

from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.people.roles import require
from backroom.models.rules.identifiers import (
    check_location_code,
    check_lot_number,
    check_sku,
    normalize_gtin,
)
from backroom.models.rules.text import (
    NAME_MOST,
    REASON_MOST,
    check_optional_text,
    check_text,
)
from backroom.models.rules.tracking import check_takes_lots
from backroom.models.schema import (
    LOCATION_KINDS,
    LOT_STATUSES,
    ROLES,
    TRACKING,
    Item,
    Location,
    Lot,
    User,
)
from backroom.models.schema.packaging import Packaging
from backroom.models.values import FrozenValue

SHELF_LIFE_MOST = 36_525  # days: a hundred years, so that no expiry date overflows
UNIT_MOST = 16  # characters, as the column holds

# The outside world, as virtual locations; created by `init`.
VIRTUAL_LOCATIONS = {
    "SUPPLIER": ("supplier", "Suppliers"),
    "CUSTOMER": ("customer", "Customers"),
    "ADJUSTMENT": ("adjustment", "Inventory adjustments"),
    "SCRAP": ("scrap", "Scrap"),
    "PRODUCTION": ("production", "Production"),
    "TRANSIT": ("transit", "In transit"),
}


def log_event(event: str, subject: str, user: User | None, **detail: object) -> None:
    """Append a non-stock change to the event log, chained to the event before."""
    # The event log's rows and hashes (event_row, move_row) are imported by the writes
    # only: `backroom scan` reads lots through this module and never logs an event.
    from backroom.models.stock.event_row import append_event

    append_event(event, subject, user, json.dumps(detail, default=str))


# --- finding things -------------------------------------------------------------------


def get_item(key: str) -> Item:
    """The item with this SKU or GTIN."""
    key = key.strip()
    item = Item.get_or_none(Item.sku == key)
    if item is None and key.isdigit() and len(key) in (8, 12, 13, 14):
        item = Item.get_or_none(Item.gtin == key.zfill(14))
    if item is None:
        raise NotFound(f"Unknown item {key!r} (give a SKU or a GTIN)")
    return item


def refuse_level_gtin(gtin: str) -> None:
    """Refuse GTIN (14 digits) for an item when a packaging level of any item carries it."""
    level = Packaging.get_or_none(Packaging.gtin == gtin)
    if level is not None:
        raise Refused(f"GTIN {gtin} already belongs to the {level.name} of item {level.item.sku}")


def get_location(code: str) -> Location:
    """The location with this code."""
    loc = Location.get_or_none(Location.code == code.strip())
    if loc is None:
        raise NotFound(f"Unknown location {code!r}")
    return loc


def lot_or_none(item: Item, number: str) -> Lot | None:
    """Lot NUMBER of ITEM, or None when the item has no lot of that number."""
    return Lot.get_or_none((Lot.item == item) & (Lot.number == number))


def get_lot(item: Item, number: str) -> Lot:
    """Lot NUMBER of ITEM."""
    lot = lot_or_none(item, number)
    if lot is None:
        raise NotFound(f"Unknown lot {number!r} of item {item.sku}")
    return lot


def find_lot(number: str, item_key: str | None = None) -> Lot:
    """A lot by number alone, or with its item where the number is not unique."""
    if item_key:
        return get_lot(get_item(item_key), number)
    lots = list(Lot.select(Lot, Item).join(Item).where(Lot.number == number).limit(2))
    if not lots:
        raise NotFound(f"Unknown lot {number!r}")
    if len(lots) > 1:
        raise Refused(f"Lot number {number!r} exists for several items: name the item too")
    return lots[0]


def get_user(name: str) -> User:
    """The active user called NAME."""
    user = User.get_or_none(User.name == name)
    if user is None:
        raise NotFound(
            f"Unknown user {name!r}: an admin adds it with "
            f"'backroom user add {name} --role operator'"
        )
    if not user.active:
        raise Refused(f"User {name!r} is deactivated")
    return user


# --- creating things ------------------------------------------------------------------


def ensure_virtual_locations() -> None:
    """Create the virtual locations (supplier, customer, ...) that are missing."""
    for code, (kind, name) in VIRTUAL_LOCATIONS.items():
        if not Location.select().where(Location.code == code).exists():
            Location.create(code=code, name=name, kind=kind, path=code)


def add_user(name: str, role: str = "operator", *, by: User | None = None) -> User:
    """A new user with a role."""
    require(by, "user.manage")
    name = check_text(name, "A user name").strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise Refused(f"User name {name!r} must be 1 to 64 characters without spaces")
    if role not in ROLES:
        raise Refused(f"Role {role!r} is not one of {', '.join(ROLES)}")

    def _add() -> User:
        if User.select().where(User.name == name).exists():
            raise Refused(f"User {name!r} already exists")
        user = User.create(name=name, role=role)
        log_event("user.add", name, by, role=role)
        return user

    return run_write(_add)


class ItemSpec(FrozenValue):
    """An item to add, as typed: check_item normalises it. A FrozenValue: `scan` imports
    this module (find_lot) and a dataclass costs ~4 M instructions to define."""

    sku: str
    name: str
    gtin: str | None = None
    unit: str = "pcs"
    tracking: str = "none"
    shelf_life_days: int | None = None


def check_item(spec: ItemSpec) -> ItemSpec:
    """The spec with its GTIN normalised, or a Refused naming what is wrong."""
    sku = check_sku(spec.sku)
    check_text(spec.name, f"The name of item {sku}", max_length=NAME_MOST)
    check_text(spec.unit, f"The unit of item {sku}", max_length=UNIT_MOST)
    if not spec.name.strip():
        raise Refused(f"Item {sku} needs a name")
    if spec.tracking not in TRACKING:
        raise Refused(f"Tracking {spec.tracking!r} is not one of {', '.join(TRACKING)}")
    if spec.shelf_life_days is not None and not 0 < spec.shelf_life_days <= SHELF_LIFE_MOST:
        raise Refused(f"Shelf life must be a positive number of days, at most {SHELF_LIFE_MOST:,}")
    if not spec.unit.strip():
        raise Refused("Unit must not be empty")
    gtin = normalize_gtin(spec.gtin) if spec.gtin else None
    return ItemSpec(
        sku, spec.name.strip(), gtin, spec.unit.strip(), spec.tracking, spec.shelf_life_days
    )


def add_item(spec: ItemSpec, *, by: User | None = None) -> Item:
    """A new item; refuses a duplicate SKU or GTIN."""
    require(by, "item.add")
    spec = check_item(spec)

    def _add() -> Item:
        if Item.select().where(Item.sku == spec.sku).exists():
            raise Refused(f"Item {spec.sku} already exists")
        if spec.gtin and Item.select().where(Item.gtin == spec.gtin).exists():
            other = Item.get(Item.gtin == spec.gtin)
            raise Refused(f"GTIN {spec.gtin} already belongs to item {other.sku}")
        if spec.gtin:
            refuse_level_gtin(spec.gtin)
        item = Item.create(
            sku=spec.sku,
            gtin=spec.gtin,
            name=spec.name,
            unit=spec.unit,
            tracking=spec.tracking,
            shelf_life_days=spec.shelf_life_days,
        )
        log_event("item.add", spec.sku, by, name=spec.name, gtin=spec.gtin)
        return item

    return run_write(_add)


def add_location(
    code: str,
    *,
    name: str = "",
    parent: str | None = None,
    kind: str = "internal",
    quarantine: bool = False,
    by: User | None = None,
) -> Location:
    """A new location, under PARENT if given."""
    require(by, "location.add")
    code = check_location_code(code)
    check_text(name, f"The name of location {code}", max_length=NAME_MOST)
    if kind not in LOCATION_KINDS:
        raise Refused(f"Location kind {kind!r} is not one of {', '.join(LOCATION_KINDS)}")

    def _add() -> Location:
        if Location.select().where(Location.code == code).exists():
            raise Refused(f"Location {code} already exists")
        parent_loc = get_location(parent) if parent else None
        path = f"{parent_loc.path}/{code}" if parent_loc else code
        loc = Location.create(
            code=code, name=name, parent=parent_loc, kind=kind, quarantine=quarantine, path=path
        )
        log_event("location.add", code, by, kind=kind, parent=parent)
        return loc

    return run_write(_add)


def add_lot(
    item: Item,
    number: str,
    *,
    expiry: dt.date | None = None,
    production_date: dt.date | None = None,
    supplier: Location | None = None,
    supplier_lot: str | None = None,
    by: User | None = None,
) -> Lot:
    """A new lot of a lot- or serial-tracked item. Call inside a write transaction or alone."""
    require(by, "lot.add")
    number = check_lot_number(number)
    check_takes_lots(item)
    check_optional_text(supplier_lot, "The supplier's lot number", max_length=64)

    def _add() -> Lot:
        if Lot.select().where((Lot.item == item) & (Lot.number == number)).exists():
            raise Refused(f"Lot {number} of item {item.sku} already exists")
        lot = Lot.create(
            item=item,
            number=number,
            expiry=expiry,
            production_date=production_date,
            supplier=supplier,
            supplier_lot=supplier_lot,
        )
        log_event("lot.add", f"{item.sku}/{number}", by, expiry=expiry)
        return lot

    return run_write(_add)


def set_lot_status(lot: Lot, status: str, reason: str, *, by: User) -> Lot:
    """Change a lot's status, with the reason in the event log."""
    require(by, "lot.status")
    if status not in LOT_STATUSES:
        raise Refused(f"Lot status {status!r} is not one of {', '.join(LOT_STATUSES)}")
    check_text(reason, "The reason", max_length=REASON_MOST)
    if not reason.strip():
        raise Refused("A lot status change needs a reason")

    def _set() -> Lot:
        old = lot.status
        Lot.update(status=status).where(Lot.id == lot.id).execute()
        log_event(
            "lot.status",
            f"{lot.item.sku}/{lot.number}",
            by,
            old=old,
            new=status,
            reason=reason.strip(),
        )
        lot.status = status
        return lot

    return run_write(_set)


def init_database(owner: str) -> User:
    """Virtual locations, and OWNER as the first admin if there is no user yet."""

    def _init() -> User:
        ensure_virtual_locations()
        user = User.get_or_none(User.name == owner)
        if user is None:
            user = User.create(name=owner, role="admin")
            log_event("user.add", owner, None, role="admin", note="created by init")
        return user

    return run_write(_init)
