"""label: print or save labels (location, item, lot, serial, sscc, badge, commands,
scanner-test), and list the configured printers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from backroom.labels.printers import load_printers, safe_name
from backroom.models.data.folders import output_path, write_whole
from backroom.models.errors import Refused
from backroom.models.goods_out.orders import shipment_detail
from backroom.tui.cli.context import Context, table, whole_number

if TYPE_CHECKING:
    from backroom.labels.jobs import JobSettings

# labels.jobs and labels.lookup (Pillow, python-barcode) are imported where used:
# start-up time of every other command.

KINDS = ("location", "item", "lot", "serial", "sscc", "badge", "commands", "scanner-test")


def register(sub) -> None:
    p = sub.add_parser(
        "label",
        help="print or save labels",
        description="Print labels, or save them as PNG, PDF or ZPL. KIND is one of "
        f"{', '.join(KINDS)}; 'label printers' lists the configured printers. Without "
        "--out or --printer, labels go to labels.printer from the configuration, else to "
        "a file in the current folder.",
        epilog="backroom label location A --under --format pdf --sheet a4 --out aisle-a.pdf\n"
        "backroom label lot L-0424 --item FD-1001 --copies 2 --format zpl --out -\n"
        "backroom label printers",
    )
    p.add_argument(
        "kind",
        metavar="KIND",
        choices=(*KINDS, "printers"),
        help="what the label is for: " + ", ".join(KINDS) + "; or printers, to list them",
    )
    p.add_argument(
        "keys",
        metavar="KEY",
        nargs="*",
        help="location code, SKU or GTIN, lot or serial number, SSCC, or user name; "
        "several for a batch",
    )
    # --format here is the label file's, not the report's (that is --json).
    p.add_argument(
        "--format",
        choices=("png", "pdf", "zpl"),
        help="the label file: PNG image, PDF, or ZPL for a thermal printer "
        "(default: the printer's, else [labels] format, else png)",
    )
    p.add_argument("--size", metavar="WxH", help="label size in mm, such as 100x50, or a4")
    p.add_argument(
        "--dpi",
        type=whole_number,
        choices=(203, 300, 600),
        help="the printer's resolution in dots per inch (default: the printer's, else 203)",
    )
    p.add_argument("--out", metavar="FILE", help="write to FILE ('-' for standard output)")
    p.add_argument("--force", action="store_true", help="overwrite --out FILE if it exists")
    p.add_argument("--printer", metavar="NAME", help="a printer from the configuration")
    p.add_argument(
        "--copies", type=whole_number, default=1, metavar="N", help="how many of each label"
    )
    p.add_argument("--sheet", choices=("a4", "letter"), help="PDF: several labels per page")
    p.add_argument("--item", metavar="ITEM", help="lot, serial: the item, where needed")
    p.add_argument(
        "--under",
        "--batch",
        dest="under",
        action="store_true",
        help="location: also every location under it, in walking order",
    )
    p.add_argument("--renew", action="store_true", help="badge: a new token; old badge void")
    _sscc_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_label)


def _sscc_options(p) -> None:
    """What an SSCC (parcel) label carries beside its number."""
    p.add_argument(
        "--serial",
        type=whole_number,
        metavar="N",
        help="sscc: number a new SSCC from the site's GS1 company prefix and N",
    )
    p.add_argument(
        "--shipment", metavar="SHP", help="sscc: the labels of every parcel of this shipment"
    )
    p.add_argument("--to", action="append", default=[], metavar="LINE", help="sscc: ship-to")
    p.add_argument("--postal-code", metavar="P", help="sscc: ship-to postal code (420)")
    p.add_argument("--carrier", default="", metavar="NAME", help="sscc: carrier")
    p.add_argument("--contents", action="append", default=[], metavar="LINE", help="sscc: contents")


def cmd_label(ctx: Context) -> int:
    """Print the labels asked for, or write them to files (or standard output)."""
    if ctx.args.kind == "printers":
        return _list_printers(ctx)
    from backroom.labels import jobs

    a = ctx.args
    keys = _keys(ctx)
    job = jobs.settings_for(
        ctx.config,
        a.kind,
        format=a.format,
        size=a.size,
        dpi=a.dpi,
        copies=a.copies,
        sheet=a.sheet,
        printer=a.printer,
        use_default_printer=not a.out,
    )
    if a.kind not in ("commands", "scanner-test"):
        ctx.open()
    if a.shipment:
        keys += [parcel.sscc for parcel in shipment_detail(a.shipment).parcels]
        if not keys:
            raise Refused(f"Shipment {a.shipment} has no parcels yet")
    contents = _contents(ctx, keys)
    return _output(ctx, contents, job)


def _keys(ctx: Context) -> list[str]:
    """The KEYs given, checked against the kind and the options; --serial numbers a new SSCC."""
    from backroom.labels.lookup import KEYED, new_sscc

    a = ctx.args
    keys = list(a.keys)
    if a.kind not in KEYED and keys:
        raise Refused(f"A {a.kind} label takes no KEY")
    if a.kind == "sscc" and a.serial is not None:
        if keys:
            raise Refused("Give an SSCC or --serial N, not both")
        keys = [new_sscc(ctx.config, a.serial)]
    if a.shipment and a.kind != "sscc":
        raise Refused("--shipment goes with the sscc kind")
    if a.out and a.printer:
        raise Refused("Give --out FILE or --printer NAME, not both")
    if a.force and (a.out == "-" or a.printer):
        raise Refused("--force goes with a file: --out FILE")
    if a.out and a.out != "-":
        # The folder before any label is made (a badge renewed); whether the files
        # exist is checked in _write, once it is known how many there are.
        output_path(a.out, force=True)
    return keys


def _contents(ctx: Context, keys: list[str]) -> list:
    """What goes on each label; a label's note (a lot on hold, say) goes to stderr."""
    from backroom.labels.lookup import Shipping, gather

    a = ctx.args
    shipping = Shipping(tuple(a.to), a.postal_code, a.carrier, tuple(a.contents))
    contents = gather(
        a.kind,
        keys,
        config=ctx.config,
        item=a.item,
        under=a.under,
        user=ctx.user,
        renew=a.renew,
        shipping=shipping,
    )
    for content in contents:
        note = getattr(content, "note", None)
        if note and note():
            print(f"backroom: note: {note()}", file=sys.stderr)
    return contents


def _output(ctx: Context, contents: list, job: JobSettings) -> int:
    """Send CONTENTS to the job's printer, to standard output or to files; say where."""
    from backroom.labels import jobs

    a = ctx.args
    data = {
        "kind": a.kind,
        "labels": len(contents),
        "format": job.format,
        "size": str(job.size),
        "dpi": job.dpi,
        "copies": job.copies,
    }
    what = f"{len(contents)} {a.kind} label{'s' if len(contents) != 1 else ''}"
    spec = f"{job.format.upper()}, {job.size} mm, {job.dpi} dpi"
    if job.printer is not None:
        where = jobs.print_labels(contents, job)
        data |= {"printer": job.printer.name, "to": where}
        verb = "Printed" if job.printer.confirms else "Sent"  # raw, confirm = false
        ctx.emit(data, f"{verb} {what} on {job.printer.name} ({where}; {spec})")
        return 0
    files = jobs.render(contents, job)
    if a.out == "-":
        if len(files) > 1:
            raise Refused("Several PNG files cannot go to standard output: give --out FILE")
        sys.stdout.buffer.write(files[0])
        sys.stdout.flush()
        return 0
    paths = _write(files, a.out, jobs.title_of(contents, job), job.format, a.force)
    data["files"] = [str(p) for p in paths]
    shown = str(paths[0]) if len(paths) == 1 else f"{paths[0]} ... {paths[-1]}"
    ctx.emit(data, f"Wrote {what} to {shown} ({spec})")
    return 0


def _write(
    files: list[bytes], out: str | None, title: str, fmt: str, force: bool = False
) -> list[Path]:
    """Write FILES to OUT, or to a file named after the labels; numbered when several.
    Every target is checked first (models/data/folders.py), so none is half-written."""
    base = out or f"{safe_name(title.split(' (+')[0])}.{fmt}"
    if len(files) == 1:
        names = [base]
    else:
        first = Path(base)
        numbered = (f"{first.stem}-{n:03d}{first.suffix}" for n in range(1, 1 + len(files)))
        names = [str(first.with_name(name)) for name in numbered]
    targets = [output_path(name, force=force) for name in names]
    for target, payload in zip(targets, files, strict=True):
        write_whole(target, payload, force=force)
    return targets


def _list_printers(ctx: Context) -> int:
    printers = list(load_printers(ctx.config).values())
    default = ctx.config.get("labels.printer")
    ctx.emit(
        [
            {
                "name": p.name,
                "transport": p.address,
                "format": p.format,
                "size": str(p.size) if p.size else None,
                "dpi": p.dpi,
                "default": p.name == default,
            }
            for p in printers
        ],
        lambda: table(
            ["NAME", "TRANSPORT", "FORMAT", "SIZE", "DPI", "DEFAULT"],
            [
                (p.name, p.address, p.format, p.size, p.dpi, "yes" if p.name == default else "")
                for p in printers
            ],
        ),
    )
    return 0
