"""supplier, po and asn: goods in from the command line. Purchase orders and their
lines, advance shipping notices (CSV or GS1 XML despatch advice), receiving against
them, and the receipt discrepancy report."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from backroom.models.errors import Refused
from backroom.models.goods_in.orders import ORDER_STATUSES
from backroom.tui.cli.context import Context, add_output, iso_date, positive_number, table
from backroom.tui.cli.goods_out_cmds import check_out, write_out

APPROVER_PIN = "BACKROOM_APPROVER_PIN"  # the approving lead's PIN, for scripts
REPORT_FORMATS = ("text", "csv", "pdf")


def counted_line(text: str) -> tuple[tuple[str, str | None], int]:
    """ITEM[:LOT]=QTY: an announced line as counted on the pallet."""
    what, sep, qty = text.rpartition("=")
    item, _, lot = what.partition(":")
    if not sep or not item.strip() or not qty.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not ITEM[:LOT]=QTY")
    return (item.strip(), lot.strip() or None), int(qty)


def register(sub) -> None:
    """supplier, po and asn sub-commands."""
    _suppliers(sub.add_parser("supplier", help="suppliers goods come from"))
    _orders(sub.add_parser("po", help="purchase orders: goods expected in"))
    _asns(sub.add_parser("asn", help="advance shipping notices: pallets announced by SSCC"))


def _parser(sub, name: str, help_: str, example: str):
    """A sub-command with its help and an example in its epilog."""
    return sub.add_parser(
        name,
        help=help_,
        description=help_[0].upper() + help_[1:] + ".",
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _done(parser, func) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=func)


def _actions(parser):
    return parser.add_subparsers(dest="action", metavar="ACTION", required=True)


def _suppliers(parent) -> None:
    sub = _actions(parent)
    p = _parser(
        sub,
        "add",
        "a supplier: a supplier location with its name, address and GLN",
        "backroom supplier add ACME --name 'Acme Dairies' --gln 4012345000016",
    )
    p.add_argument("code", metavar="CODE", help="the supplier's location code")
    p.add_argument("--name", required=True, help="the supplier's name")
    p.add_argument("--address", default="", help="street, postal code and city (\\n between lines)")
    p.add_argument("--gln", help="the supplier's GLN (13 digits, check digit checked)")
    _done(p, cmd_supplier_add)
    p = _parser(sub, "list", "every supplier", "backroom supplier list --json")
    _done(p, cmd_supplier_list)


def _orders(parent) -> None:
    sub = _actions(parent)
    p = _parser(
        sub,
        "create",
        "a new draft purchase order; prints its number",
        "backroom po create --supplier ACME --expected 2026-12-04",
    )
    p.add_argument("--supplier", required=True, metavar="CODE", help="supplier code or GLN")
    p.add_argument(
        "--expected", type=iso_date, metavar="YYYY-MM-DD", help="day due (default today)"
    )
    p.add_argument("--ref", metavar="TEXT", help="the supplier's own order reference")
    _done(p, cmd_po_create)

    p = _parser(
        sub,
        "add-line",
        "order QTY base units of an item",
        "backroom po add-line PO-000001 MILK 120 --pack case --pack-qty 12",
    )
    p.add_argument("order", metavar="PO", help="the order number")
    p.add_argument("item", metavar="ITEM", help="SKU or GTIN")
    p.add_argument("qty", type=positive_number, metavar="QTY", help="quantity in base units")
    p.add_argument("--pack", metavar="NAME", help="the packaging level the supplier sells")
    p.add_argument("--pack-qty", type=positive_number, metavar="N", help="base units in that pack")
    p.add_argument("--supplier-item", metavar="CODE", help="the supplier's item code")
    _done(p, cmd_po_add_line)

    for name, help_ in (
        ("confirm", "confirm a draft order: goods may be received against it"),
        ("cancel", "cancel an order nothing was received against"),
        ("close", "close an order: no more goods; what is short is recorded"),
    ):
        p = _parser(sub, name, help_, f"backroom po {name} PO-000001")
        p.add_argument("order", metavar="PO", help="the order number")
        if name != "confirm":
            p.add_argument("--reason", default="", help="why, for the order's history")
        _done(p, cmd_po_status)

    _order_reads(sub)


def _order_reads(sub) -> None:
    """show, list, receive, import and report."""
    p = _parser(sub, "show", "an order's lines, ASNs and history", "backroom po show PO-000001")
    p.add_argument("order", metavar="PO", help="the order number")
    _done(p, cmd_po_show)

    p = _parser(sub, "list", "orders by expected day", "backroom po list --status confirmed")
    p.add_argument("--status", metavar="S[,S]", help=", ".join(ORDER_STATUSES))
    p.add_argument("--supplier", metavar="CODE", help="only this supplier's")
    p.add_argument("--due-by", type=iso_date, metavar="YYYY-MM-DD", help="expected by this day")
    _done(p, cmd_po_list)

    p = _parser(
        sub,
        "receive",
        "receive goods against an order",
        "backroom po receive PO-000001 MILK 24 --to DOCK --lot L-0424 --expiry 2027-01-15",
    )
    p.add_argument("order", metavar="PO", help="the order number")
    p.add_argument("item", metavar="ITEM", help="SKU or GTIN")
    p.add_argument("qty", type=positive_number, metavar="QTY", help="quantity in base units")
    p.add_argument("--to", required=True, metavar="LOC", help="where the goods go")
    p.add_argument("--lot", metavar="LOT", help="the lot (or serial) number")
    p.add_argument("--expiry", type=iso_date, metavar="YYYY-MM-DD", help="the lot's expiry")
    p.add_argument("--damaged", action="store_true", help="damaged: received into quarantine")
    _approver(p)
    _done(p, cmd_po_receive)

    p = _parser(
        sub,
        "import",
        "purchase orders from a CSV file, all or none",
        "backroom po import orders.csv --confirm",
    )
    p.add_argument("file", metavar="FILE.csv", help="order,supplier,item,qty[,expected,pack,...]")
    p.add_argument("--confirm", action="store_true", help="confirm the new orders too")
    _done(p, cmd_po_import)
    _report(sub, "PO-000001", cmd_po_report)


def _approver(p) -> None:
    p.add_argument(
        "--approve-by",
        metavar="LEAD",
        help=f"a lead lets more than the tolerance in, with their PIN (asked, or {APPROVER_PIN})",
    )


def _report(sub, example: str, func) -> None:
    p = _parser(
        sub,
        "report",
        "receipt discrepancies: expected, received, over, short, damaged",
        f"backroom {'po' if example.startswith('PO') else 'asn'} report {example} "
        "--format pdf --out report.pdf",
    )
    p.add_argument("number", metavar="NUMBER", help="the order or ASN number")
    add_output(p, *REPORT_FORMATS)
    p.add_argument("--out", metavar="FILE", help="write to FILE (a PDF needs one)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    _done(p, func)


def _asns(parent) -> None:
    sub = _actions(parent)
    p = _parser(
        sub,
        "import",
        "an ASN from CSV or a GS1 XML despatch advice (.xml)",
        "backroom asn import DA-7781.xml",
    )
    p.add_argument("file", metavar="FILE", help="a .csv file, or a GS1 XML despatch advice")
    _done(p, cmd_asn_import)

    p = _parser(sub, "show", "an ASN's pallets and what they hold", "backroom asn show DA-7781")
    p.add_argument("asn", metavar="ASN", help="the ASN (despatch advice) number")
    _done(p, cmd_asn_show)

    p = _parser(
        sub,
        "receive",
        "receive a whole announced pallet by its SSCC",
        "backroom asn receive 040123450000000016 --to DOCK",
    )
    p.add_argument("sscc", metavar="SSCC", help="the pallet's SSCC, as scanned or typed")
    p.add_argument("--to", required=True, metavar="LOC", help="where the pallet goes")
    p.add_argument(
        "--counted",
        action="append",
        default=[],
        type=counted_line,
        metavar="ITEM[:LOT]=QTY",
        help="what was found where it differs from the ASN (0: none came); repeatable",
    )
    _approver(p)
    _done(p, cmd_asn_receive)

    _report(sub, "DA-7781", cmd_asn_report)


# --- suppliers ---------------------------------------------------------------------------


def cmd_supplier_add(ctx: Context) -> int:
    from backroom.models.goods_in.suppliers import add_supplier

    a = ctx.args
    address = a.address.replace("\\n", "\n")
    view = add_supplier(a.code, name=a.name, address=address, gln=a.gln, user=ctx.user)
    ctx.emit(view.as_dict(), f"Added supplier {view.code} ({view.name})")
    return 0


def cmd_supplier_list(ctx: Context) -> int:
    from backroom.models.goods_in.suppliers import list_suppliers

    found = list_suppliers()
    ctx.emit(
        [s.as_dict() for s in found],
        lambda: table(("Code", "Name", "GLN"), [(s.code, s.name, s.gln or "") for s in found]),
    )
    return 0


# --- orders ------------------------------------------------------------------------------


def cmd_po_create(ctx: Context) -> int:
    from backroom.models.goods_in.orders import create_order

    a = ctx.args
    number = create_order(a.supplier, user=ctx.user, expected=a.expected, supplier_reference=a.ref)
    ctx.emit({"number": number}, number)
    return 0


def cmd_po_add_line(ctx: Context) -> int:
    from backroom.models.goods_in.orders import add_order_line

    a = ctx.args
    line = add_order_line(
        a.order,
        a.item,
        a.qty,
        user=ctx.user,
        pack_name=a.pack,
        pack_qty=a.pack_qty,
        supplier_item=a.supplier_item,
    )
    ctx.emit(line.as_dict(), f"Line {line.number}: {line.ordered} {line.unit} {line.item}")
    return 0


def cmd_po_status(ctx: Context) -> int:
    from backroom.models.goods_in import orders

    a = ctx.args
    if a.action == "confirm":
        orders.confirm_order(a.order, user=ctx.user)
    elif a.action == "cancel":
        orders.cancel_order(a.order, user=ctx.user, reason=a.reason)
    else:
        orders.close_order(a.order, user=ctx.user, reason=a.reason)
    detail = orders.order_detail(a.order)
    short = [f"{x.item} {x.short} short" for x in detail.lines if x.short]
    said = f"Purchase order {detail.summary.number} is {detail.summary.status}"
    ctx.emit(detail.as_dict(), said + (f" ({'; '.join(short)})" if short else ""))
    return 0


def cmd_po_show(ctx: Context) -> int:
    from backroom.models.goods_in.orders import order_detail

    detail = order_detail(ctx.args.order)
    ctx.emit(detail.as_dict(), lambda: _order_text(detail))
    return 0


def _order_text(detail) -> str:
    s = detail.summary
    head = [
        f"{s.number}  {s.status}  expected {s.expected.isoformat()}",
        f"Supplier: {detail.supplier.name} ({s.supplier})"
        + (f", GLN {detail.supplier.gln}" if detail.supplier.gln else ""),
    ]
    if detail.supplier_reference:
        head.append(f"Supplier's reference: {detail.supplier_reference}")
    if detail.asns:
        head.append(f"ASNs: {', '.join(detail.asns)}")
    rows = [
        (
            x.number,
            x.item,
            x.ordered,
            x.received,
            x.damaged or "",
            x.short or "",
            x.unit,
            f"{x.pack_name} of {x.pack_qty}" if x.pack_name else "",
        )
        for x in detail.lines
    ]
    lines = table(("Line", "Item", "Ordered", "Received", "Damaged", "Short", "Unit", "Pack"), rows)
    history = [f"  {h.time:%Y-%m-%d %H:%M} {h.user or '-'}: {h.text}" for h in detail.history]
    return "\n".join([*head, "", lines, "", "History:", *history])


def cmd_po_list(ctx: Context) -> int:
    from backroom.models.goods_in.orders import list_orders

    a = ctx.args
    statuses = tuple(s.strip() for s in (a.status or "").split(",") if s.strip())
    found = list_orders(statuses=statuses, supplier=a.supplier, due_by=a.due_by)
    rows = [(o.number, o.expected.isoformat(), o.status, o.supplier, o.lines) for o in found]
    ctx.emit(
        [o.as_dict() for o in found],
        lambda: table(("Order", "Expected", "Status", "Supplier", "Lines"), rows),
    )
    return 0


def _approval(ctx: Context):
    """The approval of the lead --approve-by names, once their PIN is right; else None."""
    lead = ctx.args.approve_by
    if not lead:
        return None
    from backroom.models.goods_in.receiving import lead_approval

    pin = os.environ.get(APPROVER_PIN)
    if pin is None:
        if not sys.stdin.isatty():
            raise Refused(f"Approving needs {lead}'s PIN: type it, or give it in {APPROVER_PIN}")
        try:
            pin = getpass.getpass(f"PIN of {lead}: ")
        except EOFError:
            raise Refused(f"No PIN was typed for {lead}") from None
    return lead_approval(lead, pin.strip())


def _rules(ctx: Context):
    from backroom.models.goods_in.receiving import ReceivingRules

    return ReceivingRules.from_config(ctx.config)


def _booked_text(booked) -> str:
    where = {"damaged": " (damaged)", "unexpected": " (not on the order)"}.get(
        booked.disposition, ""
    )
    line = f", line {booked.line}" if booked.line else ""
    by = f", approved by {booked.approved_by}" if booked.approved_by else ""
    return f"{booked.move.sentence()}{where} on {booked.order}{line}{by}"


def cmd_po_receive(ctx: Context) -> int:
    from backroom.models.goods_in.receiving import receive_on_order

    a = ctx.args
    approval = _approval(ctx)
    booked = receive_on_order(
        a.order,
        a.item,
        a.qty,
        a.to,
        user=ctx.user,
        lot=a.lot,
        expiry=a.expiry,
        damaged=a.damaged,
        approval=approval,
        rules=_rules(ctx),
    )
    ctx.emit(booked.as_dict(), _booked_text(booked))
    return 0


def cmd_po_import(ctx: Context) -> int:
    from backroom.models.data.importing.csv_rows import read_file
    from backroom.models.goods_in.order_import import import_orders

    a = ctx.args
    text = read_file(a.file).decode("utf-8-sig")
    numbers = import_orders(text, user=ctx.user, confirm=a.confirm)
    ctx.emit({"orders": numbers}, f"Imported {len(numbers)} order(s): {', '.join(numbers)}")
    return 0


def _emit_report(ctx: Context, report) -> int:
    a = ctx.args
    check_out(ctx)
    if ctx.json:
        ctx.emit(report.as_dict(), "")
        return 0
    what = f"Receipt discrepancies of {report.number}"
    if a.format == "csv":
        write_out(a.out, report.csv(), what, a.force)
    elif a.format == "pdf":
        from backroom.labels.pdf_documents import document_pdf

        write_out(a.out, document_pdf(report.document()), what, a.force)
    else:
        write_out(a.out, report.document().as_text(), what, a.force)
    return 0


def cmd_po_report(ctx: Context) -> int:
    from backroom.models.goods_in.report import order_discrepancies

    return _emit_report(ctx, order_discrepancies(ctx.args.number))


# --- ASNs --------------------------------------------------------------------------------


def cmd_asn_import(ctx: Context) -> int:
    from backroom.models.data.importing.csv_rows import read_file
    from backroom.models.goods_in.asn import announce, draft_from_csv
    from backroom.models.goods_in.desadv import draft_from_desadv

    data = read_file(ctx.args.file)
    if data.lstrip()[:1] == b"<":
        draft = draft_from_desadv(data)
    else:
        draft = draft_from_csv(data.decode("utf-8-sig"))
    view = announce(draft, user=ctx.user)
    ctx.emit(
        view.as_dict(),
        f"ASN {view.number} of {view.order}: {len(view.pallets)} pallet(s) announced",
    )
    return 0


def cmd_asn_show(ctx: Context) -> int:
    from backroom.models.goods_in.asn import asn_view

    view = asn_view(ctx.args.asn)
    ctx.emit(view.as_dict(), lambda: _asn_text(view))
    return 0


def _asn_text(view) -> str:
    expected = f", expected {view.expected.isoformat()}" if view.expected else ""
    out = [f"ASN {view.number} of {view.order}: {view.status}{expected}"]
    for p in view.pallets:
        when = (
            f"received {p.received_at:%Y-%m-%d %H:%M} by {p.received_by}"
            if p.received_at
            else "to come"
        )
        out.append(f"\nPallet {p.spaced} ({when})")
        rows = [
            (x.item, x.lot or "", x.expiry.isoformat() if x.expiry else "", x.qty, x.unit)
            for x in p.lines
        ]
        out.append(table(("Item", "Lot", "Expiry", "Qty", "Unit"), rows))
    return "\n".join(out)


def cmd_asn_receive(ctx: Context) -> int:
    from backroom.models.goods_in.receiving import receive_pallet

    a = ctx.args
    approval = _approval(ctx)
    booked = receive_pallet(
        a.sscc, a.to, user=ctx.user, approval=approval, rules=_rules(ctx), counted=dict(a.counted)
    )
    ctx.emit([b.as_dict() for b in booked], "\n".join(_booked_text(b) for b in booked))
    return 0


def cmd_asn_report(ctx: Context) -> int:
    from backroom.models.goods_in.report import asn_discrepancies

    return _emit_report(ctx, asn_discrepancies(ctx.args.number))
