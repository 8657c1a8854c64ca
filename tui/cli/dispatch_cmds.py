"""load and manifest: vehicle departures and a carrier's end-of-day manifest from the
command line."""

from __future__ import annotations

from backroom.tui.cli.context import Context, iso_date, moment
from backroom.tui.cli.goods_out_cmds import check_out, ship_from, with_json, write_out


def register(sub) -> None:
    """load and manifest sub-commands."""
    _load(
        sub.add_parser("load", help="vehicle departures grouping shipments").add_subparsers(
            dest="action", metavar="ACTION", required=True
        )
    )
    p = sub.add_parser(
        "manifest",
        help="a carrier's end-of-day manifest",
        epilog="backroom manifest DHL --format csv\n"
        "backroom manifest DPD --date 2026-12-03 --format pdf --out dpd-manifest.pdf",
    )
    p.add_argument("carrier", metavar="CARRIER", help="the carrier, by its code (such as DHL)")
    p.add_argument(
        "--date", type=iso_date, metavar="YYYY-MM-DD", help="shipping day (UTC; default today)"
    )
    p.add_argument("--out", metavar="FILE", help="write to FILE (a PDF needs one)")
    p.add_argument("--force", action="store_true", help="overwrite --out FILE if it exists")
    with_json(p, cmd_manifest, "csv", "pdf")


def _load(sub) -> None:
    p = sub.add_parser(
        "create",
        help="a new load; prints its number",
        epilog="backroom load create --vehicle 'WX 4821K' --driver Piotr "
        "--departure '2026-12-04 06:00'",
    )
    p.add_argument(
        "--vehicle", required=True, metavar="PLATE", help="the vehicle's plate, or its name"
    )
    p.add_argument("--driver", default="", metavar="NAME", help="who drives it")
    p.add_argument("--departure", type=moment, metavar="'YYYY-MM-DD HH:MM'", help="UTC")
    with_json(p, cmd_load_create)
    p = sub.add_parser(
        "add",
        help="put shipments on a load",
        epilog="backroom load add LOAD-000001 SHP-000003 SHP-000004",
    )
    p.add_argument("load", metavar="LOAD")
    p.add_argument("shipments", nargs="+", metavar="SHIPMENT")
    with_json(p, cmd_load_add)
    p = sub.add_parser(
        "show", help="a load and its shipments", epilog="backroom load show LOAD-000001 --json"
    )
    p.add_argument("load", metavar="LOAD")
    with_json(p, cmd_load_show)


# --- loads ------------------------------------------------------------------------------


def _load_text(info) -> str:
    when = f", departs {info.departure:%Y-%m-%d %H:%M} UTC" if info.departure else ""
    driver = f", driver {info.driver}" if info.driver else ""
    ships = " ".join(info.shipments) or "no shipments yet"
    return f"{info.number}: {info.vehicle}{driver}{when}\n  {ships}"


def cmd_load_create(ctx: Context) -> int:
    from backroom.models.goods_out.dispatch import create_load

    ctx.open()
    a = ctx.args
    number = create_load(vehicle=a.vehicle, driver=a.driver, departure=a.departure, user=ctx.user)
    ctx.emit({"number": number}, number)
    return 0


def cmd_load_add(ctx: Context) -> int:
    from backroom.models.goods_out.dispatch import assign_load

    ctx.open()
    info = None
    for number in ctx.args.shipments:
        info = assign_load(number, ctx.args.load, user=ctx.user)
    ctx.emit(info.as_dict(), _load_text(info))
    return 0


def cmd_load_show(ctx: Context) -> int:
    from backroom.models.goods_out.dispatch import load_info

    ctx.open()
    info = load_info(ctx.args.load)
    ctx.emit(info.as_dict(), _load_text(info))
    return 0


# --- manifest ---------------------------------------------------------------------------


def cmd_manifest(ctx: Context) -> int:
    from backroom.models.goods_out.dispatch import manifest
    from backroom.models.goods_out.documents import manifest_csv, manifest_document

    check_out(ctx)
    ctx.open()
    a = ctx.args
    m = manifest(a.carrier, a.date)
    if ctx.json:
        ctx.emit(m.as_dict(), "")
        return 0
    what = f"Manifest {m.carrier} {m.day.isoformat()}"
    if a.format == "csv":
        write_out(a.out, manifest_csv(m), what, a.force)
    elif a.format == "pdf":
        from backroom.labels.pdf_documents import document_pdf

        pdf = document_pdf(manifest_document(m, ship_from(ctx)))
        write_out(a.out, pdf, what, a.force)
    else:
        write_out(a.out, manifest_document(m, ship_from(ctx)).as_text(), what, a.force)
    return 0
