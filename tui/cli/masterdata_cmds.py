"""item, location, lot and user: add and list."""

from __future__ import annotations

from backroom.models.schema import LOCATION_KINDS, LOT_STATUSES, ROLES, TRACKING
from backroom.tui.cli.context import Context, iso_date, table, whole_number


def register(sub) -> None:
    item = sub.add_parser("item", help="items: add, list").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = item.add_parser("add", help="add an item")
    p.add_argument("sku")
    p.add_argument("--name", required=True)
    p.add_argument("--gtin")
    p.add_argument("--unit", default="pcs")
    p.add_argument("--tracking", choices=TRACKING, default="none")
    p.add_argument("--shelf-life", type=whole_number, metavar="DAYS")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_item_add)
    p = item.add_parser("list", help="list items")
    p.add_argument("--search", help="part of the SKU or name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_item_list)

    loc = sub.add_parser("location", help="locations: add, list").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = loc.add_parser("add", help="add a location")
    p.add_argument("code")
    p.add_argument("--name", default="")
    p.add_argument("--parent", metavar="CODE")
    p.add_argument("--kind", choices=LOCATION_KINDS, default="internal")
    p.add_argument("--quarantine", action="store_true", help="blocked lots may go here")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_location_add)
    p = loc.add_parser("list", help="list locations in walking order")
    p.add_argument("--under", metavar="CODE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_location_list)

    lot = sub.add_parser("lot", help="lots: add, list, status").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = lot.add_parser("add", help="add a lot (or serial number) of an item")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("lot", metavar="LOT")
    p.add_argument("--expiry", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--production-date", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--supplier-lot", metavar="X")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_lot_add)
    p = lot.add_parser("list", help="list lots")
    p.add_argument("--item", metavar="ITEM")
    p.add_argument("--status", choices=LOT_STATUSES)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_lot_list)
    p = lot.add_parser("status", help="change a lot's status, with a reason")
    p.add_argument("lot", metavar="LOT")
    p.add_argument("status", choices=LOT_STATUSES)
    p.add_argument("--reason", required=True)
    p.add_argument("--item", metavar="ITEM")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_lot_status)

    user = sub.add_parser("user", help="users: add, list").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = user.add_parser("add", help="add a user")
    p.add_argument("name")
    p.add_argument("--role", choices=ROLES, default="operator")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_user_add)
    p = user.add_parser("list", help="list users")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_user_list)


def _item_dict(it) -> dict[str, object]:
    return {
        "sku": it.sku,
        "gtin": it.gtin,
        "name": it.name,
        "unit": it.unit,
        "tracking": it.tracking,
        "shelf_life_days": it.shelf_life_days,
        "active": it.active,
    }


def cmd_item_add(ctx: Context) -> int:
    from backroom.models.masterdata.adding import ItemSpec, add_item, get_user

    ctx.open()
    a = ctx.args
    it = add_item(
        ItemSpec(a.sku, a.name, a.gtin, a.unit, a.tracking, a.shelf_life), by=get_user(ctx.user)
    )
    ctx.emit(_item_dict(it), f"Item {it.sku} added: {it.name}")
    return 0


def cmd_item_list(ctx: Context) -> int:
    from backroom.models.schema import Item

    ctx.open()
    query = Item.select().order_by(Item.sku)
    if ctx.args.search:
        s = ctx.args.search
        query = query.where(Item.sku.contains(s) | Item.name.contains(s))
    items = list(query)
    ctx.emit(
        [_item_dict(i) for i in items],
        lambda: table(
            ["SKU", "GTIN", "NAME", "UNIT", "TRACKING", "SHELF LIFE"],
            [(i.sku, i.gtin, i.name, i.unit, i.tracking, i.shelf_life_days) for i in items],
        ),
    )
    return 0


def _loc_dict(loc) -> dict[str, object]:
    return {
        "code": loc.code,
        "name": loc.name,
        "kind": loc.kind,
        "path": loc.path,
        "parent": loc.parent.code if loc.parent_id else None,
        "quarantine": loc.quarantine,
        "active": loc.active,
    }


def cmd_location_add(ctx: Context) -> int:
    from backroom.models.masterdata.adding import add_location, get_user

    ctx.open()
    a = ctx.args
    loc = add_location(
        a.code,
        name=a.name,
        parent=a.parent,
        kind=a.kind,
        quarantine=a.quarantine,
        by=get_user(ctx.user),
    )
    ctx.emit(_loc_dict(loc), f"Location {loc.code} added ({loc.kind}): {loc.path}")
    return 0


def cmd_location_list(ctx: Context) -> int:
    from backroom.models.masterdata.adding import get_location
    from backroom.models.schema import Location

    ctx.open()
    query = Location.select().order_by(Location.path)
    if ctx.args.under:
        top = get_location(ctx.args.under)
        query = query.where(Location.under(top))
    locs = list(query)
    ctx.emit(
        [_loc_dict(x) for x in locs],
        lambda: table(
            ["CODE", "KIND", "NAME", "PATH"], [(x.code, x.kind, x.name, x.path) for x in locs]
        ),
    )
    return 0


def _lot_dict(lot) -> dict[str, object]:
    return {
        "item": lot.item.sku,
        "lot": lot.number,
        "expiry": lot.expiry,
        "status": lot.status,
        "supplier_lot": lot.supplier_lot,
    }


def cmd_lot_add(ctx: Context) -> int:
    from backroom.models.masterdata.adding import add_lot, get_item, get_user

    ctx.open()
    a = ctx.args
    lot = add_lot(
        get_item(a.item),
        a.lot,
        expiry=a.expiry,
        production_date=a.production_date,
        supplier_lot=a.supplier_lot,
        by=get_user(ctx.user),
    )
    ctx.emit(_lot_dict(lot), f"Lot {lot.number} of {lot.item.sku} added")
    return 0


def cmd_lot_list(ctx: Context) -> int:
    from backroom.models.masterdata.adding import get_item
    from backroom.models.schema import Item, Lot

    ctx.open()
    query = Lot.select(Lot, Item).join(Item).order_by(Item.sku, Lot.expiry, Lot.number)
    if ctx.args.item:
        query = query.where(Lot.item == get_item(ctx.args.item))
    if ctx.args.status:
        query = query.where(Lot.status == ctx.args.status)
    lots = list(query)
    ctx.emit(
        [_lot_dict(x) for x in lots],
        lambda: table(
            ["ITEM", "LOT", "EXPIRY", "STATUS"],
            [(x.item.sku, x.number, x.expiry, x.status) for x in lots],
        ),
    )
    return 0


def cmd_lot_status(ctx: Context) -> int:
    from backroom.models.masterdata.adding import find_lot, get_user, set_lot_status

    ctx.open()
    a = ctx.args
    lot = set_lot_status(find_lot(a.lot, a.item), a.status, a.reason, by=get_user(ctx.user))
    ctx.emit(_lot_dict(lot), f"Lot {lot.number} of {lot.item.sku} is now {lot.status}")
    return 0


def cmd_user_add(ctx: Context) -> int:
    from backroom.models.masterdata.adding import add_user, get_user

    ctx.open()
    user = add_user(ctx.args.name, ctx.args.role, by=get_user(ctx.user))
    ctx.emit({"name": user.name, "role": user.role}, f"User {user.name} added ({user.role})")
    return 0


def cmd_user_list(ctx: Context) -> int:
    from backroom.models.schema import User

    ctx.open()
    users = list(User.select().order_by(User.name))
    ctx.emit(
        [{"name": u.name, "role": u.role, "active": u.active} for u in users],
        lambda: table(["NAME", "ROLE", "ACTIVE"], [(u.name, u.role, u.active) for u in users]),
    )
    return 0
