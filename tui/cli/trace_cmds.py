"""transform, return, trace, recall, recall-report, one-step, trace-events."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from backroom.models.trace.transform import TRANSFORMATION_KINDS
from backroom.tui.cli.context import Context, iso_date, table, whole_number


def register(sub) -> None:
    """The lot traceability sub-commands."""
    _add_transform(sub)
    _add_return(sub)
    _add_lot_reports(sub)
    _add_trace_events(sub)


def _add_transform(sub) -> None:
    p = sub.add_parser(
        "transform",
        help="production, repack or kitting: consume input lots, produce output lots",
        description="Consume input lots and produce output lots at a location, in one "
        "transaction, keeping the genealogy. Give '-' as the lot of an untracked item.",
        epilog="backroom transform --at A-01-02 --kind repack --consume FD-1001 L-0424 2 "
        "--produce FD-1001 L-0424R 2 --ref WO-17",
    )
    p.add_argument("--at", required=True, metavar="LOC")
    p.add_argument(
        "--consume",
        action="append",
        nargs=3,
        required=True,
        metavar=("ITEM", "LOT", "QTY"),
        help="an input: item, lot ('-' if untracked) and quantity used up; repeatable",
    )
    p.add_argument(
        "--produce",
        action="append",
        nargs=3,
        required=True,
        metavar=("ITEM", "LOT", "QTY"),
        help="an output: item, lot ('-' if untracked) and quantity made; repeatable",
    )
    p.add_argument("--expiry", type=iso_date, metavar="YYYY-MM-DD", help="of new output lots")
    p.add_argument(
        "--kind",
        choices=TRANSFORMATION_KINDS,
        default="production",
        help="what is done: " + ", ".join(TRANSFORMATION_KINDS),
    )
    p.add_argument("--ref", metavar="REF", help="work order or other document")
    p.add_argument("--note")
    _output(p)
    p.set_defaults(func=cmd_transform)


def _add_return(sub) -> None:
    p = sub.add_parser(
        "return",
        help="receive goods back from a customer into quarantine",
        epilog="backroom return TEA-1 2 --lot L-0501 --to QUARANTINE --shipment SHP-000005\n"
        "backroom return TEA-1 1 --lot L-0501 --to QUARANTINE --consignee 'Café Lumière' "
        "--note 'box dented'",
    )
    p.add_argument("item", metavar="ITEM")
    p.add_argument("qty", metavar="QTY", type=whole_number)
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--to", required=True, metavar="LOC", help="a quarantine location")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--shipment", metavar="SHP", help="the shipment the goods left on")
    who.add_argument("--consignee", metavar="NAME", help="the customer, when no shipment")
    p.add_argument("--note")
    _output(p)
    p.set_defaults(func=cmd_return)


def _add_lot_reports(sub) -> None:
    """trace, recall, recall-report and one-step: each about one lot (or serial)."""
    p = sub.add_parser(
        "trace",
        help="where a lot (or serial) came from and where it went",
        epilog="backroom trace L-0424 --item FD-1001\nbackroom trace L-0424 --format csv",
    )
    _lot_args(p)
    p.set_defaults(func=cmd_trace)

    p = sub.add_parser(
        "recall",
        help="recall a lot and every lot made from it; prints the recall report",
        epilog="backroom recall L-0424R --item FD-1001 --reason 'supplier warning 2026-17'",
    )
    _lot_args(p)
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_recall)

    p = sub.add_parser(
        "recall-report",
        help="the recall report of a lot, changing nothing",
        epilog="backroom recall-report L-0424 --format csv",
    )
    _lot_args(p)
    p.set_defaults(func=cmd_recall_report)

    p = sub.add_parser(
        "one-step",
        help="one step back, one step forward: a lot's suppliers and customers",
        epilog="backroom one-step L-0424 --item FD-1001",
    )
    _lot_args(p)
    p.set_defaults(func=cmd_one_step)


def _add_trace_events(sub) -> None:
    p = sub.add_parser(
        "trace-events",
        help="receiving, transformation and shipping events of a date range, as CSV",
        epilog="backroom trace-events --from 2026-11-01 --to 2026-11-30 --out november.csv\n"
        "backroom trace-events --from 2026-12-01 --to 2026-12-31 --sort=-qty --json",
    )
    p.add_argument(
        "--from",
        dest="start",
        type=iso_date,
        required=True,
        metavar="YYYY-MM-DD",
        help="the first day (UTC)",
    )
    p.add_argument(
        "--to",
        dest="end",
        type=iso_date,
        required=True,
        metavar="YYYY-MM-DD",
        help="the last day, included (UTC)",
    )
    p.add_argument(
        "--sort",
        default="date",
        metavar="FIELD",
        help="date, event, item, lot, qty, location, partner or reference; --sort=-qty descends",
    )
    p.add_argument("--out", metavar="FILE")
    p.add_argument("--force", action="store_true", help="overwrite --out FILE if it exists")
    _output(p, "csv", "json")
    p.set_defaults(func=cmd_trace_events)


def _lot_args(p) -> None:
    p.add_argument("lot", metavar="LOT", help="lot or serial number")
    p.add_argument("--item", metavar="ITEM", help="where the number exists for several items")
    _output(p, "text", "json", "csv")


def _output(parser, *formats: str) -> None:
    """--format FORMATS (text|json unless given), --json and --csv its aliases."""
    from backroom.tui.cli.context import add_output

    add_output(parser, *(formats or ("text", "json")))


def _lines(triples: Iterable[list[str]]):
    from backroom.models.trace.transform import Line

    lines = []
    for item, lot, qty in triples:
        try:
            amount = whole_number(qty)
        except argparse.ArgumentTypeError:
            from backroom.models.errors import Refused

            raise Refused(f"Quantity {qty!r} of {item} is not a whole number") from None
        lines.append(Line(item, lot, amount))
    return lines


def cmd_transform(ctx: Context) -> int:
    from backroom.models.trace.transform import transform

    ctx.open()
    a = ctx.args
    result = transform(
        a.at,
        _lines(a.consume),
        _lines(a.produce),
        user=ctx.user,
        kind=a.kind,
        expiry=a.expiry,
        reference=a.ref,
        note=a.note,
    )

    def text() -> str:
        lines = [f"{result.number} posted: {result.kind} at {result.location}"]
        for m in result.consumed:
            lines.append(f"  consumed {m.qty} {m.item}" + (f" lot {m.lot}" if m.lot else ""))
        for m in result.produced:
            lot = f" lot {m.lot}" if m.lot else ""
            new = " (new)" if f"{m.item}/{m.lot}" in result.new_lots else ""
            lines.append(f"  produced {m.qty} {m.item}{lot}{new}")
        return "\n".join(lines)

    ctx.emit(result.as_dict(), text)
    return 0


def cmd_return(ctx: Context) -> int:
    from backroom.models.goods_out.returns import receive_return

    ctx.open()
    a = ctx.args
    result = receive_return(
        a.item,
        a.qty,
        a.to,
        user=ctx.user,
        lot=a.lot,
        shipment=a.shipment,
        consignee=a.consignee,
        note=a.note,
    )
    m = result.move
    against = f"shipment {result.shipment}" if result.shipment else "no shipment"
    status = f"; lot {m.lot} is {result.lot_status}" if m.lot else ""
    ctx.emit(
        result.as_dict(),
        f"{m.sentence()}, from {result.consignee} ({against}){status}",
    )
    return 0


def _csv(columns, rows) -> None:
    from backroom.models.trace.recall import write_csv

    write_csv(sys.stdout, columns, rows)


def cmd_trace(ctx: Context) -> int:
    from backroom.models.trace.report import TRACE_COLUMNS, trace_rows
    from backroom.models.trace.walk import trace_lot

    ctx.open()
    found = trace_lot(ctx.args.lot, ctx.args.item)
    if ctx.args.csv:
        _csv(TRACE_COLUMNS, trace_rows(found))
        return 0
    ctx.emit(found.as_dict(), lambda: trace_text(found))
    return 0


def cmd_recall(ctx: Context) -> int:
    from backroom.models.trace.recall import recall

    ctx.open()
    report = recall(ctx.args.lot, ctx.args.reason, user=ctx.user, item=ctx.args.item)
    return _report(ctx, report)


def cmd_recall_report(ctx: Context) -> int:
    from backroom.models.trace.recall import recall_report

    ctx.open()
    return _report(ctx, recall_report(ctx.args.lot, ctx.args.item))


def _report(ctx: Context, report) -> int:
    from backroom.models.trace.recall import REPORT_COLUMNS

    if ctx.args.csv:
        _csv(REPORT_COLUMNS, report.rows())
        return 0
    ctx.emit(report.as_dict(), lambda: recall_text(report))
    return 0


def cmd_one_step(ctx: Context) -> int:
    from backroom.models.trace.recall import ONE_STEP_COLUMNS, one_step_report

    ctx.open()
    report = one_step_report(ctx.args.lot, ctx.args.item)
    if ctx.args.csv:
        _csv(ONE_STEP_COLUMNS, report.rows())
        return 0

    def text() -> str:
        head = f"{report.lot.label}: one step back, one step forward"
        columns = ["DATE", "PARTNER", "ITEM", "LOT", "PARTNER LOT", "QTY", "REF"]

        def rows(partners):
            return [
                (p.date, p.name, p.item, p.lot, p.partner_lot, p.qty, p.reference) for p in partners
            ]

        return "\n".join(
            [
                head,
                "",
                "Suppliers (one step back)",
                table(columns, rows(report.suppliers)),
                "",
                "Customers (one step forward)",
                table(columns, rows(report.customers)),
            ]
        )

    ctx.emit(report.as_dict(), text)
    return 0


def cmd_trace_events(ctx: Context) -> int:
    from backroom.models.data.folders import output_path, written
    from backroom.models.trace.recall import EVENT_COLUMNS, trace_events, write_csv

    a = ctx.args
    target = output_path(a.out, force=a.force) if a.out else None
    ctx.open()
    rows = trace_events(a.start, a.end, a.sort)
    if a.json and target is None:
        ctx.emit(list(rows), "")
        return 0
    if target is None:
        write_csv(sys.stdout, EVENT_COLUMNS, rows)
        return 0
    with written(target, force=a.force) as out:
        if a.json:  # --out FILE takes the JSON too, not only the CSV
            import json

            events = list(rows)
            json.dump(events, out, indent=2, ensure_ascii=False)
            out.write("\n")
            count = len(events)
        else:
            count = write_csv(out, EVENT_COLUMNS, rows)
    print(f"{count} events written to {target}")
    return 0


# --- readable text ----------------------------------------------------------------------


def trace_text(found) -> str:
    """A trace as a person reads it in a terminal."""
    root = found.root
    info = root.info
    lines = [_lot_line(info)]
    lines.append("")
    lines.append("UPSTREAM")
    for r in root.receipts:
        lines.append(_receipt_line(r, "  "))
    for tid in root.made_by:
        lines.append("  " + _transformation_line(found.transformations[tid]))
    for facts in found.upstream:
        pad = "  " * facts.depth
        lines.append(f"{pad}<- {_lot_line(facts.info)}")
        for r in facts.receipts:
            lines.append(_receipt_line(r, pad + "   "))
    if not (root.receipts or root.made_by):
        lines.append("  (no receipt and no transformation made it)")
    lines.append("")
    lines.append("DOWNSTREAM")
    lines.append(f"  Movements: {len(found.moves)}")
    lines.extend(_stock_and_shipments(root, "  "))
    for tid in root.used_in:
        lines.append("  " + _transformation_line(found.transformations[tid]))
    for facts in found.downstream:
        pad = "  " * facts.depth
        lines.append(f"{pad}-> {_lot_line(facts.info)}")
        lines.extend(_stock_and_shipments(facts, pad + "   "))
    totals = found.as_dict()["totals"]
    lines.append("")
    lines.append(
        "Totals: "
        + ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in totals.items())
    )
    return "\n".join(lines)


def _lot_line(info) -> str:
    parts = [f"{info.label} ({info.item_name})", info.status]
    if info.expiry:
        parts.append(f"expiry {info.expiry.isoformat()}")
    if info.supplier_lot:
        parts.append(f"supplier lot {info.supplier_lot}")
    return " · ".join(parts)


def _receipt_line(r, pad: str) -> str:
    supplier_lot = f", supplier lot {r.supplier_lot}" if r.supplier_lot else ""
    ref = f", ref {r.reference}" if r.reference else ""
    undone = " (reversed)" if r.reversed else ""
    return (
        f"{pad}received {r.time:%Y-%m-%d} from {r.supplier_name} ({r.supplier}){supplier_lot}: "
        f"{r.qty} into {r.to_location}{ref}, move {r.move_id}{undone}"
    )


def _transformation_line(t) -> str:
    ins = ", ".join(f"{x.qty} {x.item}" + (f" {x.lot}" if x.lot else "") for x in t.inputs)
    outs = ", ".join(f"{x.qty} {x.item}" + (f" {x.lot}" if x.lot else "") for x in t.outputs)
    return f"{t.number} {t.kind} {t.time:%Y-%m-%d} at {t.location}: {ins} => {outs}"


def _stock_and_shipments(facts, pad: str) -> list[str]:
    lines = []
    if facts.on_hand:
        where = ", ".join(f"{o.location} {o.qty}" for o in facts.on_hand)
        lines.append(f"{pad}On hand {facts.on_hand_total}: {where}")
    else:
        lines.append(f"{pad}On hand: none")
    if facts.shipments:
        count = len(facts.shipments)
        lines.append(f"{pad}Shipped {facts.shipped} in {count} move{'s' if count != 1 else ''}:")
        for s in facts.shipments:
            to = s.consignee or "(no consignee on record)"
            undone = " (reversed)" if s.reversed else ""
            lines.append(
                f"{pad}  {s.time:%Y-%m-%d} {s.shipment or '-'} {to}: {s.qty}, "
                f"move {s.move_id}{undone}"
            )
    for r in facts.returns:
        lines.append(
            f"{pad}Returned {r.time:%Y-%m-%d} by {r.consignee or '?'}: {r.qty} into "
            f"{r.to_location}" + (f" ({r.shipment})" if r.shipment else "")
        )
    return lines


def recall_text(report) -> str:
    """A recall report as a person reads it in a terminal."""
    head = (
        f"RECALL of {report.lot.label}: {report.reason}"
        if report.reason
        else f"Recall report of {report.lot.label} (status {report.lot.status})"
    )
    lines = [head]
    if report.newly_recalled:
        lines.append("Now recalled: " + ", ".join(report.newly_recalled))
    lots = ", ".join(f"{i.item} {i.number} ({i.status})" for i in report.lots)
    lines += ["Lots concerned: " + lots, ""]
    lines.append(f"Customers reached ({len(report.consignees)})")
    lines.append(
        table(
            ["CONSIGNEE", "ADDRESS", "SHIPMENT", "DATE", "ITEM", "LOT", "QTY"],
            [
                (c.consignee, c.address, c.shipment, c.date, c.item, c.lot, c.qty)
                for c in report.customers
            ],
        )
    )
    lines += ["", "Stock on hand to pull back"]
    lines.append(
        table(
            ["LOCATION", "ITEM", "LOT", "QTY", ""],
            [
                (s.location, s.item, s.lot, s.qty, "in quarantine" if s.in_quarantine else "")
                for s in report.on_hand
            ],
        )
    )
    lines += ["", "Open shipments holding it"]
    lines.append(
        table(
            ["SHIPMENT", "CONSIGNEE", "STATUS", "DATE", "ITEM", "LOT", "LOCATION", "QTY"],
            [
                (
                    o.shipment,
                    o.consignee,
                    o.status,
                    o.planned_date,
                    o.item,
                    o.lot,
                    o.location,
                    o.allocated,
                )
                for o in report.open_shipments
            ],
        )
    )
    return "\n".join(lines)
