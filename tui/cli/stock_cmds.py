"""receive, move, adjust, count, scrap, reverse, stock, moves."""

from __future__ import annotations

from backroom.models.browse import MOVE_KINDS, list_moves, list_stock
from backroom.models.stock.ledger import PostedMove
from backroom.tui.cli.context import (
    Context,
    iso_date,
    positive_number,
    request_id_option,
    table,
    whole_number,
)


def register(sub) -> None:
    _register_incoming(sub)
    _register_corrections(sub)
    _register_reading(sub)


def _register_incoming(sub) -> None:
    p = sub.add_parser("receive", help="receive stock from a supplier")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("qty", metavar="QTY", type=whole_number)
    p.add_argument("--to", required=True, metavar="LOC")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--expiry", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--supplier", metavar="LOC", help="supplier location (default SUPPLIER)")
    p.add_argument("--supplier-lot", metavar="X")
    p.add_argument("--ref", metavar="REF")
    _posting(p, cmd_receive)

    p = sub.add_parser("move", help="move stock between locations")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("qty", metavar="QTY", type=whole_number)
    p.add_argument("--from", dest="src", required=True, metavar="LOC")
    p.add_argument("--to", required=True, metavar="LOC")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--ref", metavar="REF")
    _posting(p, cmd_move)


def _register_corrections(sub) -> None:
    p = sub.add_parser("adjust", help="correct stock by a signed DELTA (-3, +2)")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("delta", metavar="DELTA", type=whole_number)
    p.add_argument("--at", required=True, metavar="LOC")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--reason", required=True)
    _posting(p, cmd_adjust)

    p = sub.add_parser("count", help="record a count; posts the difference")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("counted", metavar="COUNTED", type=whole_number)
    p.add_argument("--at", required=True, metavar="LOC")
    p.add_argument("--lot", metavar="LOT")
    _posting(p, cmd_count)

    p = sub.add_parser("scrap", help="write stock off to scrap")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("qty", metavar="QTY", type=whole_number)
    p.add_argument("--at", required=True, metavar="LOC")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--reason", required=True)
    _posting(p, cmd_scrap)

    p = sub.add_parser("reverse", help="post the reversal of a move")
    p.add_argument("move_id", metavar="MOVE_ID", type=whole_number)
    p.add_argument("--reason")
    _posting(p, cmd_reverse)


def _register_reading(sub) -> None:
    p = sub.add_parser("stock", help="stock on hand")
    _search(p, "tape loc:A-01")
    p.add_argument("--item", metavar="ITEM")
    p.add_argument("--location", metavar="LOC", help="this location and those under it")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--all", action="store_true", help="include virtual locations")
    p.add_argument("--limit", type=positive_number, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stock)

    p = sub.add_parser("moves", help="the ledger, newest first")
    _search(p, "tape kind:transfer from:2025-01-01")
    p.add_argument("--item", metavar="ITEM")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--location", metavar="LOC", help="this location and those under it")
    p.add_argument("--user", dest="by", metavar="NAME")
    p.add_argument("--kind", choices=MOVE_KINDS)
    p.add_argument("--limit", type=positive_number, default=50, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_moves)


def _search(parser, example: str) -> None:
    parser.add_argument(
        "--search",
        default="",
        metavar="TEXT",
        help=f"what the screen's search line takes, such as '{example}'",
    )


def _posting(parser, func) -> None:
    parser.add_argument("--json", action="store_true")
    request_id_option(parser)
    parser.set_defaults(func=func)


def _posted(ctx: Context, move: PostedMove) -> int:
    ctx.emit(move.as_dict(), move.sentence())
    return 0


def cmd_receive(ctx: Context) -> int:
    from backroom.models.stock.operations import receive

    ctx.open()
    a = ctx.args
    return _posted(
        ctx,
        receive(
            a.item,
            a.qty,
            a.to,
            user=ctx.user,
            request_id=a.request_id,
            lot=a.lot,
            expiry=a.expiry,
            supplier=a.supplier,
            supplier_lot=a.supplier_lot,
            ref=a.ref,
        ),
    )


def cmd_move(ctx: Context) -> int:
    from backroom.models.stock.operations import transfer

    ctx.open()
    a = ctx.args
    return _posted(
        ctx,
        transfer(
            a.item, a.qty, a.src, a.to, user=ctx.user, request_id=a.request_id, lot=a.lot, ref=a.ref
        ),
    )


def cmd_adjust(ctx: Context) -> int:
    from backroom.models.stock.operations import adjust

    ctx.open()
    a = ctx.args
    return _posted(
        ctx,
        adjust(
            a.item,
            a.delta,
            a.at,
            user=ctx.user,
            reason=a.reason,
            lot=a.lot,
            request_id=a.request_id,
        ),
    )


def cmd_count(ctx: Context) -> int:
    from backroom.models.stock.operations import count

    ctx.open()
    a = ctx.args
    result = count(a.item, a.counted, a.at, user=ctx.user, request_id=a.request_id, lot=a.lot)
    data = {
        "item": result.item,
        "lot": result.lot,
        "location": result.location,
        "expected": result.expected,
        "counted": result.counted,
        "difference": result.difference,
        "move": result.move.as_dict() if result.move else None,
    }
    text = (
        f"Counted {result.counted} {result.item} at {result.location}; expected "
        f"{result.expected}; difference {result.difference:+d}"
    )
    if result.move:
        text += f" (move {result.move.id} posted)"
    ctx.emit(data, text)
    return 0


def cmd_scrap(ctx: Context) -> int:
    from backroom.models.stock.operations import scrap

    ctx.open()
    a = ctx.args
    return _posted(
        ctx,
        scrap(
            a.item,
            a.qty,
            a.at,
            user=ctx.user,
            reason=a.reason,
            lot=a.lot,
            request_id=a.request_id,
        ),
    )


def cmd_reverse(ctx: Context) -> int:
    from backroom.models.stock.operations import reverse

    ctx.open()
    a = ctx.args
    return _posted(
        ctx,
        reverse(a.move_id, user=ctx.user, reason=a.reason, request_id=a.request_id),
    )


def cmd_stock(ctx: Context) -> int:
    ctx.open()
    a = ctx.args
    rows = list_stock(
        a.search,
        item=a.item,
        location=a.location,
        lot=a.lot,
        include_virtual=a.all,
        limit=a.limit,
    )
    ctx.emit(
        [r.as_dict() for r in rows],
        lambda: table(
            ["ITEM", "LOT", "EXPIRY", "LOCATION", "QTY", "UNIT"],
            [(r.item, r.lot, r.expiry, r.location, r.qty, r.unit) for r in rows],
        ),
    )
    return 0


def cmd_moves(ctx: Context) -> int:
    ctx.open()
    a = ctx.args
    rows = list_moves(
        a.search,
        item=a.item,
        lot=a.lot,
        location=a.location,
        user=a.by,
        kind=a.kind,
        limit=a.limit,
    )
    ctx.emit(
        [m.as_dict() for m in rows],
        lambda: table(
            ["ID", "TIME (UTC)", "KIND", "ITEM", "LOT", "QTY", "FROM", "TO", "USER", "REF"],
            [
                (
                    m.id,
                    m.time.strftime("%Y-%m-%d %H:%M:%S"),
                    m.kind,
                    m.item,
                    m.lot,
                    m.qty,
                    m.from_location,
                    m.to_location,
                    m.user,
                    m.reference,
                )
                for m in rows
            ],
        ),
    )
    return 0
