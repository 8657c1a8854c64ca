"""consignee and carrier: the parties of a shipment from the command line."""

from __future__ import annotations

from backroom.tui.cli.context import Context, table, whole_number
from backroom.tui.cli.goods_out_cmds import with_json


def register(sub) -> None:
    """consignee and carrier sub-commands."""
    _consignee(
        sub.add_parser("consignee", help="ship-to parties").add_subparsers(
            dest="action", metavar="ACTION", required=True
        )
    )
    _carrier(
        sub.add_parser("carrier", help="carriers and their services").add_subparsers(
            dest="action", metavar="ACTION", required=True
        )
    )


def _consignee(sub) -> None:
    p = sub.add_parser(
        "add",
        help="add a consignee",
        epilog="backroom consignee add 'Spółka Łódź' --address 'ul. Piotrkowska 12' "
        "--postal-code 90-001 --city Łódź --country PL --min-shelf-life 14",
    )
    p.add_argument("name", metavar="NAME", help="the consignee's name, as on the delivery note")
    p.add_argument("--address", required=True, metavar="TEXT", help="street lines, '|' between")
    p.add_argument("--postal-code", required=True, metavar="P", help="the postal code")
    p.add_argument("--city", required=True, metavar="C", help="the city")
    p.add_argument(
        "--country", required=True, metavar="CC", help="the country's two-letter code (DE, PL)"
    )
    p.add_argument("--gln", metavar="GLN", help="the consignee's GS1 Global Location Number")
    p.add_argument("--contact", metavar="TEXT", help="who to call, and their number")
    p.add_argument(
        "--min-shelf-life",
        type=whole_number,
        default=0,
        metavar="DAYS",
        help="days of shelf life a lot must have left to be shipped to them",
    )
    with_json(p, cmd_consignee_add)
    with_json(
        sub.add_parser("list", help="list consignees", epilog="backroom consignee list --json"),
        cmd_consignee_list,
    )


def _carrier(sub) -> None:
    p = sub.add_parser(
        "add",
        help="add a carrier",
        epilog="backroom carrier add UPS --name 'UPS Standard' --services standard,saver "
        "--tracking-url 'https://www.ups.com/track?tracknum={tracking}'",
    )
    p.add_argument("code", metavar="CODE", help="the carrier's short code (DHL, UPS)")
    p.add_argument("--name", required=True, help="the carrier's name, as documents print it")
    p.add_argument("--services", default="", metavar="A,B", help="service levels")
    p.add_argument("--tracking-url", metavar="URL", help="with {tracking} for the number")
    with_json(p, cmd_carrier_add)
    with_json(
        sub.add_parser("list", help="list carriers", epilog="backroom carrier list"),
        cmd_carrier_list,
    )


# --- consignees and carriers ------------------------------------------------------------


def cmd_consignee_add(ctx: Context) -> int:
    from backroom.models.goods_out.parties import add_consignee

    ctx.open()
    a = ctx.args
    info = add_consignee(
        a.name,
        address=a.address,
        postal_code=a.postal_code,
        city=a.city,
        country=a.country,
        gln=a.gln,
        contact=a.contact,
        min_shelf_life_days=a.min_shelf_life,
        user=ctx.user,
    )
    ctx.emit(info.as_dict(), f"Consignee {info.name} added: {', '.join(info.address_block()[1:])}")
    return 0


def cmd_consignee_list(ctx: Context) -> int:
    from backroom.models.goods_out.parties import list_consignees

    ctx.open()
    rows = list_consignees()
    ctx.emit(
        [r.as_dict() for r in rows],
        lambda: table(
            ["NAME", "POSTAL CODE", "CITY", "COUNTRY", "MIN SHELF DAYS", "GLN"],
            [
                (r.name, r.postal_code, r.city, r.country, r.min_shelf_life_days, r.gln)
                for r in rows
            ],
        ),
    )
    return 0


def cmd_carrier_add(ctx: Context) -> int:
    from backroom.models.goods_out.parties import add_carrier

    ctx.open()
    a = ctx.args
    info = add_carrier(
        a.code,
        name=a.name,
        services=a.services.split(","),
        tracking_url=a.tracking_url,
        user=ctx.user,
    )
    ctx.emit(info.as_dict(), f"Carrier {info.code} added: {info.name}")
    return 0


def cmd_carrier_list(ctx: Context) -> int:
    from backroom.models.goods_out.parties import list_carriers

    ctx.open()
    rows = list_carriers()
    ctx.emit(
        [r.as_dict() for r in rows],
        lambda: table(
            ["CODE", "NAME", "SERVICES", "TRACKING URL"],
            [(r.code, r.name, ",".join(r.services), r.tracking_url) for r in rows],
        ),
    )
    return 0
