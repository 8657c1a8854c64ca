"""batch: pick batches from the command line: a lead groups shipments into a batch (or a
wave of them); a picker takes it onto a cart, walks it stop by stop, each into its tote."""

from __future__ import annotations

import argparse

from backroom.tui.cli.context import (
    Context,
    add_output,
    iso_date,
    positive_number,
    request_id_option,
    table,
    whole_number,
)

BATCH_HELP = "the batch number, such as B-000001 ('1' is understood too)"


def register(sub) -> None:
    """batch sub-commands."""
    top = sub.add_parser("batch", help="pick batches: several shipments in one walk, one tote each")
    batch = top.add_subparsers(dest="action", metavar="ACTION", required=True)
    _lead(batch)
    _floor(batch)
    _end(batch)


def _command(batch, name: str, func, help: str, *examples: str) -> argparse.ArgumentParser:
    p = batch.add_parser(name, help=help, epilog="\n".join(examples))
    add_output(p, "text", "json")
    p.set_defaults(func=func)
    return p


def _grouping(p: argparse.ArgumentParser) -> None:
    p.add_argument("--carrier", metavar="CODE", help="only shipments of this carrier")
    p.add_argument(
        "--date", type=iso_date, metavar="YYYY-MM-DD", help="only shipments planned then"
    )
    p.add_argument("--zone", metavar="LOC", help="only what is to pick in this zone and under it")
    p.add_argument(
        "--max", type=positive_number, default=8, metavar="N", help="at most N shipments a batch"
    )


def _lead(batch) -> None:
    """What a lead does: create, wave; and list, show for anyone."""
    p = _command(
        batch,
        "create",
        cmd_create,
        "group the allocated lines of several shipments into one pick batch",
        "backroom batch create --shipment SHP-000002 --shipment SHP-000003",
        "backroom batch create --carrier DHL --max 6 --json",
    )
    p.add_argument(
        "--shipment", action="append", metavar="SHP", help="a shipment to batch (repeat it)"
    )
    _grouping(p)
    p = _command(
        batch,
        "wave",
        cmd_wave,
        "a wave: batches of every shipment to pick, one carrier a batch",
        "backroom batch wave --max 4",
    )
    _grouping(p)
    p = _command(batch, "list", cmd_list, "pick batches, newest first", "backroom batch list")
    p.add_argument(
        "--status",
        choices=("open", "picking", "done", "cancelled"),
        help="only batches in this state (default: not finished)",
    )
    p = _command(
        batch,
        "show",
        cmd_show,
        "a batch's walk: each stop, what to take and which tote it goes in",
        "backroom batch show B-000001",
    )
    p.add_argument("batch", metavar="BATCH", help=BATCH_HELP)


def _floor(batch) -> None:
    """What a picker does: take, pick, release."""
    p = _command(
        batch,
        "take",
        cmd_take,
        "take the whole batch onto your cart: its stops are yours alone",
        "backroom batch take B-000001",
    )
    p.add_argument("batch", metavar="BATCH", help=BATCH_HELP)
    p = _command(
        batch,
        "tote",
        cmd_tote,
        "the tote scanned for a shipment at the start: its code instead of T1, T2, ...",
        "backroom batch tote B-000001 SHP-000002 TOTE-0042",
    )
    p.add_argument("batch", metavar="BATCH", help=BATCH_HELP)
    p.add_argument("shipment", metavar="SHIPMENT")
    p.add_argument("code", metavar="CODE", help="the code on the tote, as scanned")
    p = _command(
        batch,
        "release",
        cmd_release,
        "hand a taken batch back (its holder, or a lead)",
        "backroom batch release B-000001",
    )
    p.add_argument("batch", metavar="BATCH", help=BATCH_HELP)
    p = _command(
        batch,
        "pick",
        cmd_pick,
        "pick a stop of the batch into its tote, by its number or as scanned",
        "backroom batch pick B-000001 --stop 1",
        "backroom batch pick B-000001 --location K-01-02 --item FD-1014 --qty 2",
    )
    p.add_argument("batch", metavar="BATCH", help=BATCH_HELP)
    p.add_argument(
        "--stop", type=positive_number, metavar="N", help="the stop, as the walk numbers it"
    )
    p.add_argument("--location", metavar="LOC", help="the bin scanned (instead of --stop)")
    p.add_argument("--item", metavar="ITEM")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--tote", metavar="TOTE", help="the tote scanned: T1, T2, ... or its code")
    p.add_argument(
        "--qty", type=whole_number, metavar="N", help="how many you took (default: the stop's)"
    )
    p.add_argument(
        "--short", action="store_true", help="N is all there was: that shipment is short"
    )
    request_id_option(p)


def _end(batch) -> None:
    """What a lead does last: cancel (its examples run after the floor's)."""
    p = _command(
        batch,
        "cancel",
        cmd_cancel,
        "cancel a batch: its stops not picked go back to their shipments",
        "backroom batch cancel B-000001 --reason 'carrier comes tomorrow'",
    )
    p.add_argument("batch", metavar="BATCH", help=BATCH_HELP)
    p.add_argument("--reason", required=True)


def _dispatch(ctx: Context) -> str:
    from backroom.models.goods_out.dispatch import dispatch_code

    return dispatch_code(ctx.config)


def cmd_create(ctx: Context) -> int:
    from backroom.models.tasks.batches import create_batch

    ctx.open()
    a = ctx.args
    made = create_batch(
        ctx.user,
        shipments=a.shipment,
        carrier=a.carrier,
        date=a.date,
        zone=a.zone,
        max_shipments=a.max,
        dispatch=_dispatch(ctx),
    )
    ctx.emit(made.as_dict(), lambda: made.text + "\n\n" + made.batch.text)
    return 0


def cmd_wave(ctx: Context) -> int:
    from backroom.models.tasks.batches import create_wave

    ctx.open()
    a = ctx.args
    made = create_wave(
        ctx.user,
        carrier=a.carrier,
        date=a.date,
        zone=a.zone,
        max_shipments=a.max,
        dispatch=_dispatch(ctx),
    )
    ctx.emit([m.as_dict() for m in made], lambda: "\n".join(m.text for m in made))
    return 0


def cmd_list(ctx: Context) -> int:
    from backroom.models.tasks.batches import list_batches

    ctx.open()
    batches = list_batches(ctx.args.status)
    rows = [
        (b.number, b.status, len(b.totes), len(b.stops), b.to_pick, b.taken_by, b.grouped_by)
        for b in batches
    ]
    headers = ["BATCH", "STATUS", "SHIPMENTS", "STOPS", "TO PICK", "WHO", "GROUPED BY"]
    ctx.emit(
        [b.as_dict() for b in batches],
        lambda: table(headers, rows) if batches else "No batches",
    )
    return 0


def cmd_show(ctx: Context) -> int:
    from backroom.models.tasks.batches import batch_detail

    ctx.open()
    batch = batch_detail(ctx.args.batch)
    ctx.emit(batch.as_dict(), batch.text)
    return 0


def cmd_cancel(ctx: Context) -> int:
    from backroom.models.tasks.batches import cancel_batch

    ctx.open()
    batch = cancel_batch(ctx.args.batch, ctx.user, ctx.args.reason)
    ctx.emit(batch.as_dict(), f"{batch.number} cancelled: {ctx.args.reason}")
    return 0


def cmd_take(ctx: Context) -> int:
    from backroom.models.tasks.batches import take_batch

    ctx.open()
    batch = take_batch(ctx.args.batch, ctx.user)
    ctx.emit(batch.as_dict(), batch.text)
    return 0


def cmd_tote(ctx: Context) -> int:
    from backroom.models.tasks.batches import set_tote

    ctx.open()
    a = ctx.args
    batch = set_tote(a.batch, a.shipment, a.code, ctx.user)
    ctx.emit(batch.as_dict(), f"{a.code} is the tote for {a.shipment.upper()} in {batch.number}")
    return 0


def cmd_release(ctx: Context) -> int:
    from backroom.models.tasks.batches import release_batch

    ctx.open()
    batch = release_batch(ctx.args.batch, ctx.user)
    ctx.emit(batch.as_dict(), f"{batch.number} is back in the queue")
    return 0


def cmd_pick(ctx: Context) -> int:
    from backroom.models.tasks import queue
    from backroom.models.tasks.batches import pick_stop

    ctx.open()
    queue.configure(ctx.config)
    a = ctx.args
    picked = pick_stop(
        a.batch,
        ctx.user,
        stop=a.stop,
        location=a.location,
        item=a.item,
        lot=a.lot,
        tote=a.tote,
        qty=a.qty,
        short=a.short,
        request_id=a.request_id,
    )
    ctx.emit(picked.as_dict(), picked.text)
    return 0
