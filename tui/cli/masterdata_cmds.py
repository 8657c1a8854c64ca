"""item (and its packaging levels), location, lot and user: add and list."""

from __future__ import annotations

import argparse

from backroom.models.browse import (
    LOCATION_KINDS,
    LOT_STATUSES,
    ROLES,
    TRACKING,
    item_line,
    list_items,
    list_locations,
    list_lots,
    list_users,
    location_line,
    lot_line,
)
from backroom.tui.cli.context import Context, iso_date, positive_number, table, whole_number


def register(sub) -> None:
    _register_items(sub)
    _register_locations(sub)
    _register_lots(sub)
    _register_users(sub)


def _register_items(sub) -> None:
    item = sub.add_parser("item", help="items: add, list").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = item.add_parser(
        "add",
        help="add an item",
        epilog="backroom item add TEA-1 --name 'Green tea, 20 bags' --tracking lot "
        "--shelf-life 540\nbackroom item add BOX-S --name 'Small carton' --gtin 4006381333931",
    )
    p.add_argument("sku", metavar="SKU", help="the item's own code, as on the shelf label")
    p.add_argument("--name", required=True, metavar="NAME", help="what people call it")
    p.add_argument("--gtin", metavar="GTIN", help="the barcode number on the pack (8 to 14 digits)")
    p.add_argument(
        "--unit", default="pcs", help="what stock is counted in: pcs, g, ml, ... (whole numbers)"
    )
    p.add_argument(
        "--tracking",
        choices=TRACKING,
        default="none",
        help="lot: every receipt names a lot; serial: every piece has its own number",
    )
    p.add_argument(
        "--shelf-life", type=whole_number, metavar="DAYS", help="days from production to expiry"
    )
    _output(p)
    p.set_defaults(func=cmd_item_add)
    p = item.add_parser(
        "list", help="list items", epilog="backroom item list --search FD-10\nbackroom item list"
    )
    p.add_argument("--search", default="", help="the start of the SKU, or part of the name or GTIN")
    _output(p)
    p.set_defaults(func=cmd_item_list)
    _register_packaging(item)


def _register_packaging(item) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    p = item.add_parser(
        "pack",
        help="add a packaging level (inner, case, pallet) to an item",
        description="A scan of the level's GTIN then means QTY base units in every form.",
        epilog="example:\n  backroom item pack TAPE-48 cs 12 --gtin 18712345000018",
        formatter_class=raw,
    )
    p.add_argument("item", metavar="ITEM", help="the item's SKU or GTIN")
    p.add_argument("name", metavar="NAME", help="the level's short name: inner, cs, pallet")
    p.add_argument("qty", metavar="QTY", type=positive_number, help="base units in one NAME")
    p.add_argument("--gtin", help="the GTIN printed on this level (check digit checked)")
    p.add_argument("--json", action="store_true", help="print the level as JSON")
    p.set_defaults(func=cmd_item_pack)
    p = item.add_parser(
        "pack-list",
        help="list an item's packaging levels, largest first",
        epilog="example:\n  backroom item pack-list TAPE-48 --json",
        formatter_class=raw,
    )
    p.add_argument("item", metavar="ITEM", help="the item's SKU or GTIN")
    p.add_argument("--json", action="store_true", help="print the levels as JSON")
    p.set_defaults(func=cmd_item_pack_list)
    p = item.add_parser(
        "pack-remove",
        help="remove a packaging level (its GTIN no longer scans; the ledger is unchanged)",
        epilog="example:\n  backroom item pack-remove TAPE-48 cs",
        formatter_class=raw,
    )
    p.add_argument("item", metavar="ITEM", help="the item's SKU or GTIN")
    p.add_argument("name", metavar="NAME", help="the level's name, as pack-list shows it")
    p.add_argument("--json", action="store_true", help="print the removed level as JSON")
    p.set_defaults(func=cmd_item_pack_remove)


def _register_locations(sub) -> None:
    loc = sub.add_parser("location", help="locations: add, list").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = loc.add_parser(
        "add",
        help="add a location",
        epilog="backroom location add E-01-01 --name 'Aisle E, bay 1, level 1' --parent AMB\n"
        "backroom location add QC-2 --parent WH1 --quarantine",
    )
    p.add_argument("code", metavar="CODE", help="the location's code, as on its label")
    p.add_argument("--name", default="", help="what people call it")
    p.add_argument("--parent", metavar="CODE", help="the location it is inside (an aisle, a zone)")
    p.add_argument(
        "--kind",
        choices=LOCATION_KINDS,
        default="internal",
        help="internal: a place in the warehouse; the others stand for the outside world",
    )
    p.add_argument("--quarantine", action="store_true", help="blocked lots may go here")
    _output(p)
    p.set_defaults(func=cmd_location_add)
    p = loc.add_parser(
        "list",
        help="list locations in walking order",
        epilog="backroom location list --under COLD\nbackroom location list --json",
    )
    p.add_argument("--under", metavar="CODE", help="only this location and those inside it")
    _output(p)
    p.set_defaults(func=cmd_location_list)


def _register_lots(sub) -> None:
    lot = sub.add_parser("lot", help="lots: add, list, status").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = lot.add_parser(
        "add",
        help="add a lot (or serial number) of an item",
        epilog="backroom lot add FD-1002 L-0425 --expiry 2028-04-25 --supplier-lot NF-7781",
    )
    p.add_argument("item", metavar="ITEM")
    p.add_argument("lot", metavar="LOT")
    p.add_argument("--expiry", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--production-date", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--supplier-lot", metavar="X")
    _output(p)
    p.set_defaults(func=cmd_lot_add)
    p = lot.add_parser(
        "list",
        help="list lots, soonest expiry first",
        epilog="backroom lot list --item FD-1002\nbackroom lot list --status blocked --json",
    )
    p.add_argument(
        "--search",
        default="",
        metavar="TEXT",
        help="what the screen's search line takes, such as 'M-2 status:blocked'",
    )
    p.add_argument("--item", metavar="ITEM", help="only the lots of this item (SKU or GTIN)")
    p.add_argument("--status", choices=LOT_STATUSES, help="only lots with this status")
    _output(p)
    p.set_defaults(func=cmd_lot_list)
    p = lot.add_parser(
        "status",
        help="change a lot's status, with a reason",
        epilog="backroom lot status L-0425 quarantine --item FD-1002 --reason 'seal broken'",
    )
    p.add_argument("lot", metavar="LOT")
    p.add_argument(
        "status",
        choices=LOT_STATUSES,
        help="released: may be picked; quarantine, blocked, recalled: may not",
    )
    p.add_argument("--reason", required=True)
    p.add_argument("--item", metavar="ITEM", help="where the number exists for several items")
    _output(p)
    p.set_defaults(func=cmd_lot_status)


def _register_users(sub) -> None:
    user = sub.add_parser("user", help="users: add, list").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = user.add_parser(
        "add",
        help="add a user",
        epilog="backroom user add ewa --role lead\nbackroom user add piotr",
    )
    p.add_argument("name", metavar="USER", help="the name they log in with (their OS account)")
    p.add_argument(
        "--role",
        choices=ROLES,
        default="operator",
        help="operator: daily work; lead: corrections, recalls, reports; admin: everything",
    )
    _output(p)
    p.set_defaults(func=cmd_user_add)
    p = user.add_parser("list", help="list users", epilog="backroom user list --json")
    _output(p)
    p.set_defaults(func=cmd_user_list)


def _output(parser) -> None:
    """--format text|json, --json its alias."""
    from backroom.tui.cli.context import add_output

    add_output(parser, "text", "json")


def cmd_item_add(ctx: Context) -> int:
    from backroom.models.masterdata.adding import ItemSpec, add_item, get_user

    ctx.open()
    a = ctx.args
    it = add_item(
        ItemSpec(a.sku, a.name, a.gtin, a.unit, a.tracking, a.shelf_life), by=get_user(ctx.user)
    )
    ctx.emit(item_line(it.sku).as_dict(), f"Item {it.sku} added: {it.name}")
    return 0


def cmd_item_list(ctx: Context) -> int:
    ctx.open()
    items = list_items(ctx.args.search)
    ctx.emit(
        [i.as_dict() for i in items],
        lambda: table(
            ["SKU", "GTIN", "NAME", "UNIT", "TRACKING", "SHELF LIFE"],
            [(i.sku, i.gtin, i.name, i.unit, i.tracking, i.shelf_life_days) for i in items],
        ),
    )
    return 0


def cmd_item_pack(ctx: Context) -> int:
    from backroom.models.masterdata.adding import get_user
    from backroom.models.masterdata.packaging import add_packaging

    ctx.open()
    a = ctx.args
    level = add_packaging(a.item, a.name, a.qty, gtin=a.gtin, by=get_user(ctx.user))
    gtin = f", GTIN {level.gtin}" if level.gtin else ""
    ctx.emit(level.as_dict(), f"Item {a.item}: a {level.name} holds {level.qty}{gtin}")
    return 0


def cmd_item_pack_list(ctx: Context) -> int:
    from backroom.models.masterdata.adding import get_item
    from backroom.models.masterdata.packaging import levels_of

    ctx.open()
    item = get_item(ctx.args.item)
    levels = levels_of(item)
    ctx.emit(
        [level.as_dict() for level in levels],
        lambda: table(
            ["NAME", f"QTY ({item.unit})", "GTIN"],
            [(level.name, level.qty, level.gtin) for level in levels],
        ),
    )
    return 0


def cmd_item_pack_remove(ctx: Context) -> int:
    from backroom.models.masterdata.adding import get_user
    from backroom.models.masterdata.packaging import remove_packaging

    ctx.open()
    a = ctx.args
    level = remove_packaging(a.item, a.name, by=get_user(ctx.user))
    ctx.emit(level.as_dict(), f"Item {a.item}: the {level.name} of {level.qty} is removed")
    return 0


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
    ctx.emit(
        location_line(loc.code).as_dict(), f"Location {loc.code} added ({loc.kind}): {loc.path}"
    )
    return 0


def cmd_location_list(ctx: Context) -> int:
    ctx.open()
    locs = list_locations(ctx.args.under)
    ctx.emit(
        [x.as_dict() for x in locs],
        lambda: table(
            ["CODE", "KIND", "NAME", "PATH"], [(x.code, x.kind, x.name, x.path) for x in locs]
        ),
    )
    return 0


def _lot_dict(lot) -> dict[str, object]:
    """A lot just added or changed, as `lot list --json` shows it."""
    return lot_line(lot.item.sku, lot.number).as_dict()


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
    ctx.open()
    a = ctx.args
    lots = list_lots(a.search, item=a.item, status=a.status)
    ctx.emit(
        [x.as_dict() for x in lots],
        lambda: table(
            ["ITEM", "LOT", "EXPIRY", "STATUS"],
            [(x.item, x.number, x.expiry, x.status) for x in lots],
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
    ctx.open()
    users = list_users()
    ctx.emit(
        [u.as_dict() for u in users],
        lambda: table(["NAME", "ROLE", "ACTIVE"], [(u.name, u.role, u.active) for u in users]),
    )
    return 0
