"""shipment: a transport shipment from order to delivery, from the command line.

The output helpers here are shared with parties_cmds and dispatch_cmds; the argument
types they share are in context.
"""

from __future__ import annotations

import argparse
import sys

from backroom.models.errors import Refused
from backroom.models.goods_out.orders import SHIPMENT_STATUSES
from backroom.models.goods_out.packing import PARCEL_KINDS
from backroom.tui.cli.context import (
    Context,
    iso_date,
    moment,
    request_id_option,
    table,
    weight_grams,
    whole_number,
)

DOCUMENTS = ("packing-list", "delivery-note")


def tracking_pair(text: str) -> tuple[str, str]:
    """SSCC=TRACKING."""
    sscc, sep, number = text.partition("=")
    if not sep or not sscc.strip() or not number.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not SSCC=TRACKING")
    return sscc.strip(), number.strip()


def register(sub) -> None:
    """shipment sub-commands."""
    _shipment(
        sub.add_parser("shipment", help="transport shipments").add_subparsers(
            dest="action", metavar="ACTION", required=True
        )
    )


def with_json(parser, func, *formats: str) -> None:
    """Give PARSER --format text|json (and FORMATS), --json its alias, and FUNC as its
    command."""
    from backroom.tui.cli.context import add_output

    add_output(parser, "text", "json", *formats)
    parser.set_defaults(func=func)


def _shipment(sub) -> None:
    """The shipment actions, in the order a shipment goes through them."""
    _order_actions(sub)
    _pack_actions(sub)
    _leave_actions(sub)
    _read_actions(sub)


def _order_actions(sub) -> None:
    """create, add-line, allocate and pick."""
    p = sub.add_parser(
        "create",
        help="a new draft shipment; prints its number",
        epilog="backroom shipment create --consignee 'Café Lumière' --carrier DHL "
        "--service express --date 2026-12-04",
    )
    p.add_argument("--consignee", required=True, metavar="NAME")
    p.add_argument("--carrier", metavar="CODE")
    p.add_argument(
        "--service", metavar="LEVEL", help="the carrier's service level, such as express"
    )
    p.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="planned ship date")
    with_json(p, cmd_create)

    p = sub.add_parser(
        "add-line",
        help="order an item on a shipment",
        epilog="backroom shipment add-line SHP-000005 TEA-1 24\n"
        "backroom shipment add-line SHP-000005 FD-1001 6",
    )
    p.add_argument("shipment", metavar="SHIPMENT")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("qty", metavar="QTY", type=whole_number)
    with_json(p, cmd_add_line)

    p = sub.add_parser(
        "allocate",
        help="reserve stock: FEFO/FIFO, or a lot chosen by a lead",
        epilog="backroom shipment allocate SHP-000005 --item TEA-1 --lot L-0501 "
        "--location A-01-01 --qty 24\n"
        "backroom shipment allocate SHP-000005",
    )
    p.add_argument("shipment", metavar="SHIPMENT")
    p.add_argument("--item", metavar="ITEM", help="lead: allocate this item by hand")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--location", metavar="LOC")
    p.add_argument("--qty", type=whole_number, metavar="N")
    with_json(p, cmd_allocate)

    p = sub.add_parser(
        "pick",
        help="pick list, or pick stock to dispatch",
        description="Without options, prints the pick list. With --at, --item and --qty, "
        "picks that stock to dispatch; with --all, picks the whole list as allocated.",
        epilog="backroom shipment pick SHP-000005\nbackroom shipment pick SHP-000005 --all",
    )
    p.add_argument("shipment", metavar="SHIPMENT")
    p.add_argument("--at", metavar="LOC", help="location picked from")
    p.add_argument("--item", metavar="ITEM")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--qty", type=whole_number, metavar="N")
    p.add_argument("--short", action="store_true", help="--qty N is all there was at --at LOC")
    p.add_argument("--all", action="store_true", help="pick the whole list as allocated")
    request_id_option(p)
    with_json(p, cmd_pick)


def _pack_actions(sub) -> None:
    """pack, weigh and track: parcels and what is known about them."""
    p = sub.add_parser(
        "pack",
        help="put picked stock into a parcel",
        epilog="backroom shipment pack SHP-000005 --kind box --weight 12.5",
    )
    p.add_argument("shipment", metavar="SHIPMENT")
    p.add_argument("--item", metavar="ITEM", help="without it, everything picked goes in")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--qty", type=whole_number, metavar="N")
    p.add_argument("--parcel", metavar="SSCC", help="an open parcel (default: a new one)")
    p.add_argument("--kind", choices=PARCEL_KINDS, default="box", help="a new parcel's kind")
    p.add_argument(
        "--weight", type=weight_grams, metavar="KG", help="the parcel's gross weight in kg"
    )
    request_id_option(p)
    with_json(p, cmd_pack)

    p = sub.add_parser(
        "weigh",
        help="record a parcel's weight",
        epilog="backroom shipment weigh 095212340000000013 8.4",
    )
    p.add_argument("sscc", metavar="SSCC")
    p.add_argument(
        "weight", metavar="KG", type=weight_grams, help="gross weight in kg, such as 12.5"
    )
    with_json(p, cmd_weigh)

    p = sub.add_parser(
        "track",
        help="record a parcel's tracking number",
        epilog="backroom shipment track 095212340000000013 JJD0001234567",
    )
    p.add_argument("sscc", metavar="SSCC")
    p.add_argument("tracking", metavar="NUMBER", help="the carrier's tracking number")
    with_json(p, cmd_track)


def _leave_actions(sub) -> None:
    """ship, deliver and cancel: the shipment leaves, arrives, or never goes."""
    p = sub.add_parser(
        "ship",
        help="the parcels leave: dispatch -> customer",
        epilog="backroom shipment ship SHP-000005 --tracking 095212340000000013=JJD0001234567",
    )
    p.add_argument("shipment", metavar="SHIPMENT")
    p.add_argument(
        "--tracking",
        action="append",
        default=[],
        type=tracking_pair,
        metavar="SSCC=NUMBER",
        help="a parcel's tracking number (repeat for each parcel)",
    )
    p.add_argument("--override-expired", action="store_true", help="lead: ship expired lots")
    request_id_option(p)
    with_json(p, cmd_ship)

    p = sub.add_parser(
        "deliver",
        help="record the proof of delivery",
        epilog="backroom shipment deliver SHP-000005 --signed-by 'J. Martin' "
        "--at '2026-12-05 09:30'",
    )
    p.add_argument("shipment", metavar="SHIPMENT")
    p.add_argument("--signed-by", required=True, metavar="NAME", help="who signed for the goods")
    p.add_argument("--at", type=moment, metavar="'YYYY-MM-DD HH:MM'", help="UTC (default now)")
    p.add_argument("--note", default="")
    request_id_option(p)
    with_json(p, cmd_deliver)

    p = sub.add_parser(
        "cancel",
        help="cancel before shipping; picked stock goes back",
        epilog="backroom shipment cancel SHP-000001 --reason 'order withdrawn'",
    )
    p.add_argument("shipment", metavar="SHIPMENT")
    p.add_argument("--return-to", metavar="LOC", help="where picked stock goes back to")
    p.add_argument("--reason", default="")
    request_id_option(p)
    with_json(p, cmd_cancel)


def _read_actions(sub) -> None:
    """show, list and document."""
    p = sub.add_parser(
        "show",
        help="lines, allocations, parcels and history",
        epilog="backroom shipment show SHP-000005\nbackroom shipment show SHP-000005 --json",
    )
    p.add_argument("shipment", metavar="SHIPMENT")
    with_json(p, cmd_show)

    p = sub.add_parser(
        "list",
        help="shipments, newest first",
        epilog="backroom shipment list --status picking,packed\n"
        "backroom shipment list --carrier DHL --json",
    )
    p.add_argument(
        "--status", metavar="S[,S]", help="only these statuses: " + ", ".join(SHIPMENT_STATUSES)
    )
    p.add_argument("--carrier", metavar="CODE")
    p.add_argument("--consignee", metavar="NAME")
    p.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="planned ship date")
    p.add_argument("--limit", type=whole_number, default=100, metavar="N")
    with_json(p, cmd_list)

    p = sub.add_parser(
        "document",
        help="packing list or delivery note",
        epilog="backroom shipment document SHP-000005 packing-list\n"
        "backroom shipment document SHP-000005 delivery-note --format pdf --out dn.pdf",
    )
    p.add_argument("shipment", metavar="SHIPMENT")
    p.add_argument("document", choices=DOCUMENTS, help="which document: " + ", ".join(DOCUMENTS))
    from backroom.tui.cli.context import add_output

    add_output(p, "text", "pdf")
    p.add_argument("--out", metavar="FILE", help="write to FILE (a PDF needs one)")
    p.add_argument("--force", action="store_true", help="overwrite --out FILE if it exists")
    p.set_defaults(func=cmd_document)


# --- helpers ----------------------------------------------------------------------------


def _dispatch(ctx: Context) -> str:
    from backroom.models.goods_out.dispatch import dispatch_code

    return dispatch_code(ctx.config)


def ship_from(ctx: Context) -> tuple[str, ...]:
    """The site's address, as documents print it as the sender."""
    from backroom.labels.lookup import site_address

    return site_address(ctx.config)


def check_out(ctx: Context) -> None:
    """Refuse a --out (and --force) that cannot be written, before any work is done."""
    from backroom.models.data.folders import output_path

    a = ctx.args
    if a.force and not a.out:
        raise Refused("--force goes with --out FILE")
    if a.out:
        output_path(a.out, force=a.force)
    elif getattr(a, "format", "") == "pdf" and not ctx.json:
        raise Refused("A PDF needs --out FILE")


def write_out(out: str | None, data: bytes | str, what: str, force: bool = False) -> None:
    """DATA to OUT (checked as check_out does, written whole), or to standard output
    (text only)."""
    if out:
        from backroom.models.data.folders import output_path, write_whole

        path = write_whole(output_path(out, force=force), data, force=force)
        print(f"Wrote {what} to {path}")
        return
    if isinstance(data, bytes):
        raise Refused("A PDF needs --out FILE")
    sys.stdout.write(data)


# --- shipments --------------------------------------------------------------------------


def cmd_create(ctx: Context) -> int:
    from backroom.models.goods_out.orders import create_shipment

    ctx.open()
    a = ctx.args
    number = create_shipment(
        a.consignee, user=ctx.user, carrier=a.carrier, service=a.service, planned_date=a.date
    )
    ctx.emit({"number": number, "status": "draft"}, number)
    return 0


def cmd_add_line(ctx: Context) -> int:
    from backroom.models.goods_out.orders import add_line

    ctx.open()
    a = ctx.args
    line = add_line(a.shipment, a.item, a.qty, user=ctx.user)
    ctx.emit(line.as_dict(), f"{line.item}: {line.ordered} {line.unit} ordered")
    return 0


def cmd_allocate(ctx: Context) -> int:
    from backroom.models.goods_out.allocation import allocate, allocate_lot

    ctx.open()
    a = ctx.args
    if a.item or a.lot or a.location or a.qty:
        if not (a.item and a.location and a.qty):
            raise Refused("Allocating by hand needs --item, --location and --qty (and --lot)")
        result = allocate_lot(
            a.shipment, a.item, a.qty, lot=a.lot, location=a.location, user=ctx.user
        )
    else:
        result = allocate(a.shipment, user=ctx.user, dispatch=_dispatch(ctx))

    def text() -> str:
        out = [f"{result.shipment}: {result.status}"]
        for r in result.reserved:
            lot = f" lot {r.lot}" if r.lot else ""
            expiry = f" (expires {r.expiry.isoformat()})" if r.expiry else ""
            out.append(f"  reserved {r.qty} {r.item}{lot} at {r.location}{expiry}")
        if not result.reserved:
            out.append("  nothing new to reserve")
        for s in result.short:
            out.append(f"  short: {s.item} {s.missing} of {s.ordered} not available")
        return "\n".join(out)

    ctx.emit(result.as_dict(), text)
    return 0


def cmd_pick(ctx: Context) -> int:
    from backroom.models.goods_out.picking import pick, pick_all, pick_list

    ctx.open()
    a = ctx.args
    if a.all:
        if a.at or a.item or a.qty is not None:
            raise Refused("Give --all, or --at, --item and --qty: not both")
        moves = pick_all(
            a.shipment, user=ctx.user, request_id=a.request_id, dispatch=_dispatch(ctx)
        )
        ctx.emit(
            [m.as_dict() for m in moves],
            lambda: "\n".join(
                f"Picked {m.qty} {m.item}{f' lot {m.lot}' if m.lot else ''} from "
                f"{m.from_location} (move {m.id})"
                for m in moves
            ),
        )
        return 0
    if a.at or a.item or a.qty is not None:
        if not (a.at and a.item and a.qty is not None):
            raise Refused("A pick needs --at LOC, --item ITEM and --qty N")
        result = pick(
            a.shipment,
            location=a.at,
            item=a.item,
            qty=a.qty,
            lot=a.lot,
            short=a.short,
            user=ctx.user,
            request_id=a.request_id,
            dispatch=_dispatch(ctx),
        )
        ctx.emit(result.as_dict(), result.text)
        return 0
    tasks = pick_list(a.shipment)
    ctx.emit(
        [t.as_dict() for t in tasks],
        lambda: table(
            ["LOCATION", "ITEM", "LOT", "EXPIRY", "QTY", "UNIT"],
            [(t.location, t.item, t.lot, t.expiry, t.qty, t.unit) for t in tasks],
        ),
    )
    return 0


def cmd_pack(ctx: Context) -> int:
    from backroom.models.goods_out.packing import pack, pack_all, set_weight

    ctx.open()
    a = ctx.args
    prefix = ctx.config.gs1_company_prefix
    if a.item:
        if a.qty is None:
            raise Refused("Say how many with --qty N")
        result = pack(
            a.shipment,
            item=a.item,
            qty=a.qty,
            lot=a.lot,
            parcel=a.parcel,
            company_prefix=prefix,
            kind=a.kind,
            user=ctx.user,
            request_id=a.request_id,
        )
        if a.weight is not None:
            set_weight(result.parcel.sscc, a.weight, user=ctx.user)
    else:
        if a.lot or a.qty is not None:
            raise Refused("--lot and --qty go with --item")
        result = pack_all(
            a.shipment,
            parcel=a.parcel,
            company_prefix=prefix,
            kind=a.kind,
            weight_g=a.weight,
            user=ctx.user,
            request_id=a.request_id,
        )
    ctx.emit(result.as_dict(), result.text)
    return 0


def cmd_weigh(ctx: Context) -> int:
    from backroom.models.goods_out.packing import set_weight

    ctx.open()
    parcel = set_weight(ctx.args.sscc, ctx.args.weight, user=ctx.user)
    ctx.emit(parcel.as_dict(), f"Parcel {parcel.sscc} weighs {parcel.weight_text}")
    return 0


def cmd_track(ctx: Context) -> int:
    from backroom.models.goods_out.packing import set_tracking

    ctx.open()
    parcel = set_tracking(ctx.args.sscc, ctx.args.tracking, user=ctx.user)
    ctx.emit(parcel.as_dict(), f"Parcel {parcel.sscc}: tracking {parcel.tracking}")
    return 0


def cmd_ship(ctx: Context) -> int:
    from backroom.models.goods_out.dispatch import ship

    ctx.open()
    a = ctx.args
    result = ship(
        a.shipment,
        user=ctx.user,
        request_id=a.request_id,
        tracking=dict(a.tracking),
        override_expired=a.override_expired,
        dispatch=_dispatch(ctx),
    )
    text = f"{result.shipment} shipped: {len(result.parcels)} parcels, {len(result.moves)} moves"
    if result.overridden:
        text += f" (expired lots {', '.join(result.overridden)} shipped by override)"
    ctx.emit(result.as_dict(), text)
    return 0


def cmd_deliver(ctx: Context) -> int:
    from backroom.models.goods_out.dispatch import deliver

    ctx.open()
    a = ctx.args
    s = deliver(
        a.shipment,
        user=ctx.user,
        request_id=a.request_id,
        signed_by=a.signed_by,
        at=a.at,
        note=a.note,
    )
    ctx.emit(
        s.as_dict(),
        f"{s.number} delivered {s.delivered_at:%Y-%m-%d %H:%M} UTC, signed by {s.pod_name}",
    )
    return 0


def cmd_cancel(ctx: Context) -> int:
    from backroom.models.goods_out.cancelling import cancel

    ctx.open()
    a = ctx.args
    done = cancel(
        a.shipment,
        user=ctx.user,
        request_id=a.request_id,
        return_to=a.return_to,
        reason=a.reason,
        dispatch=_dispatch(ctx),
    )
    ctx.emit(
        {"shipment": a.shipment, "status": "cancelled", "done": done},
        "\n".join([f"{a.shipment} cancelled", *(f"  {d}" for d in done)]),
    )
    return 0


def cmd_show(ctx: Context) -> int:
    from backroom.models.goods_out.orders import shipment_detail

    ctx.open()
    detail = shipment_detail(ctx.args.shipment)
    ctx.emit(detail.as_dict(), lambda: show_text(detail))
    return 0


def show_text(detail) -> str:
    """A shipment's detail as the terminal shows it."""
    s = detail.summary
    carrier = detail.carrier.name if detail.carrier else "-"
    out = [
        f"{s.number}  {s.status}",
        f"To:      {', '.join(detail.consignee.address_block())}",
        f"Carrier: {carrier}{f' ({s.service})' if s.service else ''}   "
        f"Planned: {s.planned_date.isoformat()}" + (f"   Load: {s.load}" if s.load else ""),
    ]
    if s.pod_name:
        out.append(f"Delivered {s.delivered_at:%Y-%m-%d %H:%M} UTC, signed by {s.pod_name}")
    out += ["", "Lines"]
    out.append(
        table(
            ["ITEM", "ORDERED", "ALLOCATED", "PICKED", "SHIPPED", "UNIT"],
            [(x.item, x.ordered, x.allocated, x.picked, x.shipped, x.unit) for x in detail.lines],
        )
    )
    out += ["", "Allocations"]
    out.append(
        table(
            ["LOCATION", "ITEM", "LOT", "EXPIRY", "QTY", "PICKED"],
            [(x.location, x.item, x.lot, x.expiry, x.qty, x.picked) for x in detail.allocations],
        )
    )
    out += ["", "Parcels"]
    rows = []
    for p in detail.parcels:
        held = "; ".join(f"{c.qty} {c.item}{f' lot {c.lot}' if c.lot else ''}" for c in p.contents)
        rows.append((p.sscc, p.kind, p.weight_text, p.tracking, held))
    out.append(table(["SSCC", "KIND", "WEIGHT", "TRACKING", "CONTENTS"], rows))
    out += ["", "History"]
    out += [f"  {h.time:%Y-%m-%d %H:%M}  {h.user or '-'}  {h.text}" for h in detail.history]
    return "\n".join(out)


def cmd_list(ctx: Context) -> int:
    from backroom.models.goods_out.orders import list_shipments

    ctx.open()
    a = ctx.args
    statuses = [s.strip() for s in a.status.split(",")] if a.status else None
    rows = list_shipments(
        status=statuses, carrier=a.carrier, consignee=a.consignee, on=a.date, limit=a.limit
    )
    ctx.emit(
        [r.as_dict() for r in rows],
        lambda: table(
            ["SHIPMENT", "STATUS", "CONSIGNEE", "CARRIER", "PLANNED"],
            [(r.number, r.status, r.consignee, r.carrier, r.planned_date) for r in rows],
        ),
    )
    return 0


def cmd_document(ctx: Context) -> int:
    from backroom.models.goods_out.documents import delivery_note, packing_list

    check_out(ctx)
    ctx.open()
    a = ctx.args
    make = packing_list if a.document == "packing-list" else delivery_note
    doc = make(a.shipment, ship_from(ctx))
    if a.format == "pdf":
        from backroom.labels.pdf_documents import document_pdf

        write_out(a.out, document_pdf(doc), f"{doc.title} {doc.reference}", a.force)
    else:
        write_out(a.out, doc.as_text(), f"{doc.title} {doc.reference}", a.force)
    return 0
