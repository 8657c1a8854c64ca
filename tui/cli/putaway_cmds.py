"""putaway: rules that say where received stock goes, and the bin they suggest; the
capacity of a location and the category of an item, which the rules read."""

from __future__ import annotations

import argparse

from backroom.tui.cli.context import Context, positive_number, table

RAW = argparse.RawDescriptionHelpFormatter


def register(sub) -> None:
    top = sub.add_parser("putaway", help="directed put-away: rules, capacities, suggestions")
    putaway = top.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = putaway.add_parser(
        "rule",
        help="send an item or a category to a zone or bin, or give an item its pick face",
        epilog="examples:\n  backroom putaway rule B --category frozen\n"
        "  backroom putaway rule A-03 --item TAPE-48 --pick-face",
        formatter_class=RAW,
    )
    p.add_argument("location", metavar="LOC", help="the zone (nearest empty bin in it) or bin")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--item", metavar="ITEM", help="the item (SKU or GTIN) the rule is for")
    which.add_argument("--category", metavar="NAME", help="the item category the rule is for")
    p.add_argument("--pick-face", action="store_true", help="LOC is the item's fixed bin")
    p.add_argument("--sequence", type=positive_number, default=10, help="lower goes first")
    p.add_argument("--json", action="store_true", help="print the rules as JSON")
    p.set_defaults(func=cmd_rule)
    p = putaway.add_parser(
        "rules",
        help="list the put-away rules in the order they are tried",
        epilog="example:\n  backroom putaway rules --json",
        formatter_class=RAW,
    )
    p.add_argument("--json", action="store_true", help="print the rules as JSON")
    p.set_defaults(func=cmd_rules)
    _register_more(putaway)


def _register_more(putaway) -> None:
    p = putaway.add_parser(
        "suggest",
        help="the bin where QTY of ITEM should go, and why",
        epilog="example:\n  backroom putaway suggest OAT-500 120 --lot L2611 --from DOCK",
        formatter_class=RAW,
    )
    p.add_argument("item", metavar="ITEM", help="the item's SKU or GTIN")
    p.add_argument("qty", metavar="QTY", type=positive_number, help="base units to put away")
    p.add_argument("--lot", metavar="LOT", help="the lot being put away")
    p.add_argument("--from", dest="src", metavar="LOC", help="where the stock is now")
    p.add_argument("--json", action="store_true", help="print the suggestion as JSON")
    p.set_defaults(func=cmd_suggest)
    p = putaway.add_parser(
        "capacity",
        help="how much a location holds at most (no option: no limit)",
        epilog="example:\n  backroom putaway capacity A-01-01 --pallets 2",
        formatter_class=RAW,
    )
    p.add_argument("location", metavar="LOC", help="the location's code")
    p.add_argument("--units", type=positive_number, help="at most this many base units")
    p.add_argument("--pallets", type=positive_number, help="at most this many pallets")
    p.add_argument("--json", action="store_true", help="print the capacity as JSON")
    p.set_defaults(func=cmd_capacity)
    p = putaway.add_parser(
        "category",
        help="put an item in a category that rules can name",
        epilog="example:\n  backroom putaway category FISH-1 frozen",
        formatter_class=RAW,
    )
    p.add_argument("item", metavar="ITEM", help="the item's SKU or GTIN")
    p.add_argument("category", metavar="NAME", help="the category; '' for none")
    p.add_argument("--json", action="store_true", help="print the item's category as JSON")
    p.set_defaults(func=cmd_category)


def cmd_rule(ctx: Context) -> int:
    from backroom.models.goods_in.putaway import add_rule
    from backroom.models.masterdata.adding import get_user

    ctx.open()
    a = ctx.args
    add_rule(
        a.location,
        item=a.item,
        category=a.category,
        pick_face=a.pick_face,
        sequence=a.sequence,
        by=get_user(ctx.user),
    )
    what = a.item or f"category {a.category.strip().lower()}"
    kind = "has its pick face at" if a.pick_face else "goes to"
    ctx.emit(_rules(), f"Put-away rule added: {what} {kind} {a.location}")
    return 0


def _rules() -> list[dict[str, object]]:
    from backroom.models.goods_in.putaway import list_rules

    return [rule.as_dict() for rule in list_rules()]


def cmd_rules(ctx: Context) -> int:
    from backroom.models.goods_in.putaway import list_rules

    ctx.open()
    rules = list_rules()
    ctx.emit(
        [r.as_dict() for r in rules],
        lambda: table(
            ["SEQ", "ITEM", "CATEGORY", "KIND", "LOCATION"],
            [(r.sequence, r.item, r.category, r.kind, r.location) for r in rules],
        ),
    )
    return 0


def cmd_suggest(ctx: Context) -> int:
    from backroom.models.errors import NotFound
    from backroom.models.goods_in.putaway import suggest

    ctx.open()
    a = ctx.args
    found = suggest(a.item, a.qty, a.lot, a.src)
    if found is None:
        raise NotFound(f"No bin with room for {a.qty} of {a.item}")
    ctx.emit({"location": found.location, "reason": found.reason}, found.text)
    return 0


def cmd_capacity(ctx: Context) -> int:
    from backroom.models.goods_in.putaway import set_capacity
    from backroom.models.masterdata.adding import get_user

    ctx.open()
    a = ctx.args
    set_capacity(a.location, max_units=a.units, max_pallets=a.pallets, by=get_user(ctx.user))
    limits = [f"{a.units} units" if a.units else "", f"{a.pallets} pallets" if a.pallets else ""]
    said = " and ".join(x for x in limits if x)
    ctx.emit(
        {"location": a.location, "max_units": a.units, "max_pallets": a.pallets},
        f"{a.location} holds at most {said}" if said else f"{a.location}: no limit",
    )
    return 0


def cmd_category(ctx: Context) -> int:
    from backroom.models.goods_in.putaway import set_category
    from backroom.models.masterdata.adding import get_user

    ctx.open()
    a = ctx.args
    set_category(a.item, a.category, by=get_user(ctx.user))
    name = a.category.strip().lower()
    ctx.emit(
        {"item": a.item, "category": name or None},
        f"Item {a.item} is in category {name}" if name else f"Item {a.item}: no category",
    )
    return 0
