"""receive, move, adjust, count, scrap, reverse, stock, moves."""

from __future__ import annotations

from backroom.models.browse import MOVE_KINDS
from backroom.tui.cli.context import (
    Context,
    iso_date,
    positive_number,
    request_id_option,
    table,
    whole_number,
)

# The ledger's modules (~5 ms to import) are for the commands that post or list moves:
# each command imports what it reads or writes where it runs.
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from backroom.models.stock.ledger import PostedMove


def register(sub) -> None:
    _register_incoming(sub)
    _register_corrections(sub)
    _register_reading(sub)


def _register_incoming(sub) -> None:
    p = sub.add_parser(
        "receive",
        help="receive stock from a supplier",
        epilog="backroom receive FD-1001 48 --to RECEIVING --lot L-0424 --expiry 2031-04-24\n"
        "backroom receive TEA-1 60 --to A-01-01 --lot L-0501 --ref PO-2291",
    )
    p.add_argument("item", metavar="ITEM")
    p.add_argument("qty", metavar="QTY", type=whole_number)
    p.add_argument("--to", required=True, metavar="LOC")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--expiry", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument(
        "--supplier", metavar="LOC", help="the supplier, by its location code (default: SUPPLIER)"
    )
    p.add_argument("--supplier-lot", metavar="X")
    p.add_argument("--ref", metavar="REF", help="the purchase order or delivery note")
    _posting(p, cmd_receive)

    p = sub.add_parser(
        "move",
        help="move stock between locations",
        epilog="backroom move FD-1001 12 --from RECEIVING --to A-01-02 --lot L-0424",
    )
    p.add_argument("item", metavar="ITEM")
    p.add_argument("qty", metavar="QTY", type=whole_number)
    p.add_argument("--from", dest="src", required=True, metavar="LOC")
    p.add_argument("--to", required=True, metavar="LOC")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--ref", metavar="REF")
    _posting(p, cmd_move)


def _register_corrections(sub) -> None:
    p = sub.add_parser(
        "adjust",
        help="correct stock by a signed DELTA (-3, +2)",
        epilog="backroom adjust FD-1001 -2 --at A-01-02 --lot L-0424 --reason 'found damaged'",
    )
    p.add_argument("item", metavar="ITEM")
    p.add_argument(
        "delta",
        metavar="DELTA",
        type=whole_number,
        help="how many more (+2) or fewer (-3) there are, in the item's unit",
    )
    p.add_argument("--at", required=True, metavar="LOC")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--reason", required=True)
    _posting(p, cmd_adjust)

    p = sub.add_parser(
        "count",
        help="record a count; posts the difference",
        epilog="backroom count FD-1001 10 --at A-01-02 --lot L-0424",
    )
    p.add_argument("item", metavar="ITEM")
    p.add_argument(
        "counted",
        metavar="COUNTED",
        type=whole_number,
        help="how many were counted there, in the item's unit",
    )
    p.add_argument("--at", required=True, metavar="LOC")
    p.add_argument("--lot", metavar="LOT")
    _posting(p, cmd_count)

    p = sub.add_parser(
        "scrap",
        help="write stock off to scrap",
        epilog="backroom scrap FD-1001 1 --at A-01-02 --lot L-0424 --reason 'torn bag'",
    )
    p.add_argument("item", metavar="ITEM")
    p.add_argument("qty", metavar="QTY", type=whole_number)
    p.add_argument("--at", required=True, metavar="LOC")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--reason", required=True)
    _posting(p, cmd_scrap)

    p = sub.add_parser(
        "reverse",
        help="post the reversal of a move",
        epilog="backroom reverse 1027 --reason 'the two were found after all'",
    )
    p.add_argument(
        "move_id",
        metavar="MOVE_ID",
        type=whole_number,
        help="the number of the move to undo, as 'backroom moves' shows it",
    )
    p.add_argument("--reason")
    _posting(p, cmd_reverse)


def _register_reading(sub) -> None:
    p = sub.add_parser(
        "stock",
        help="stock on hand",
        epilog="backroom stock --item FD-1001\n"
        "backroom stock --location COLD --limit 20 --format json",
    )
    _search(p, "tape loc:A-01")
    p.add_argument("--item", metavar="ITEM", help="only this item (SKU or GTIN)")
    p.add_argument("--location", metavar="LOC", help="this location and those under it")
    p.add_argument("--lot", metavar="LOT", help="only this lot or serial number")
    p.add_argument("--all", action="store_true", help="include virtual locations")
    p.add_argument("--limit", type=positive_number, metavar="N")
    _output(p)
    p.set_defaults(func=cmd_stock)

    p = sub.add_parser(
        "moves",
        help="the ledger, newest first",
        epilog="backroom moves --item FD-1001 --limit 20\nbackroom moves --kind receipt --json",
    )
    _search(p, "tape kind:transfer from:2025-01-01")
    p.add_argument("--item", metavar="ITEM", help="only this item (SKU or GTIN)")
    p.add_argument("--lot", metavar="LOT", help="only this lot or serial number")
    p.add_argument("--location", metavar="LOC", help="this location and those under it")
    p.add_argument("--user", dest="by", metavar="NAME", help="only the moves NAME posted")
    p.add_argument("--kind", choices=MOVE_KINDS, help="only moves of this kind")
    p.add_argument("--limit", type=positive_number, default=50, metavar="N")
    _output(p)
    p.set_defaults(func=cmd_moves)


def _search(parser, example: str) -> None:
    parser.add_argument(
        "--search",
        default="",
        metavar="TEXT",
        help=f"what the screen's search line takes, such as '{example}'",
    )


def _posting(parser, func) -> None:
    _output(parser)
    request_id_option(parser)
    parser.set_defaults(func=func)


def _output(parser, *formats: str) -> None:
    """--format text|json (and FORMATS), --json its alias."""
    from backroom.tui.cli.context import add_output

    add_output(parser, "text", "json", *formats)


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
    from backroom.models.browse import list_stock

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
    from backroom.models.browse import list_moves

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
