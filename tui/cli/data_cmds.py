"""import, export, backup, restore: data in and out of Backroom."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from backroom.models.data.exporting import EXPORT_KINDS
from backroom.models.data.folders import output_path, written
from backroom.models.data.importing import KINDS
from backroom.tui.cli.context import Context, fail, iso_date


def register(sub) -> None:
    p = sub.add_parser(
        "import",
        help="import items, locations, lots, opening stock or consignees from a CSV file",
        description="Every row is checked first; if any is wrong, every wrong row is listed "
        "with its line number and nothing is imported. 'backroom import KIND --template' "
        "prints the columns and an example row.",
        epilog="backroom import items --template\nbackroom import items items.csv --check",
    )
    p.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    p.add_argument(
        "file", nargs="?", metavar="FILE.csv", help="the CSV file, UTF-8, with a header row"
    )
    p.add_argument("--template", action="store_true", help="print the header and an example row")
    p.add_argument("--check", action="store_true", help="check the file only; import nothing")
    p.add_argument(
        "--again",
        action="store_true",
        help="import a stock file that was imported before (its receipts are posted twice)",
    )
    _formats(p, "text", "json")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "export",
        help="export as CSV or JSON (streamed), or EPCIS 2.0 JSON-LD",
        description="Writes to stdout, or to --out FILE. Items, locations, lots, stock and "
        "consignees come out in the layout 'backroom import' reads.",
        epilog="backroom export items --out all-items.csv\n"
        "backroom export epcis --lot L-0424 --item FD-1001 --out l-0424.jsonld",
    )
    kinds = (*EXPORT_KINDS, "epcis")
    p.add_argument("kind", choices=kinds, metavar="KIND", help=", ".join(kinds))
    p.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD")
    _formats(
        p,
        "csv",
        "json",
        default=None,
        help="how the rows are written: csv or json (default: csv; epcis is JSON-LD only)",
    )
    p.add_argument("--lot", metavar="LOT", help="epcis: only the events of this lot")
    p.add_argument("--item", metavar="ITEM", help="epcis: the item of --lot, where needed")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--force", action="store_true", help="overwrite --out FILE if it exists")
    p.set_defaults(func=cmd_export)
    _register_backup_and_restore(sub)


def _formats(parser, *formats: str, default: str | None = "", help: str | None = None) -> None:
    """--format FORMATS, --json and --csv its aliases."""
    from backroom.tui.cli.context import add_output

    add_output(parser, *formats, default=default, help=help)


def _register_backup_and_restore(sub) -> None:
    p = sub.add_parser(
        "backup",
        help="a consistent copy of the database while others keep working",
        epilog="backroom backup before-stocktake.db\nbackroom backup nightly.db --force --json",
    )
    p.add_argument("file", metavar="FILE", help="the backup file to write (SQLite)")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    _formats(p, "text", "json")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore",
        help="put a backup in place of the database, then verify it",
        description="Waits up to --wait seconds for the sessions writing at that moment, "
        "then puts the backup in place in one transaction. Moves and events the backup "
        "lacks are refused unless --force; with it they are kept in a file next to the "
        "database, the restore is recorded, and every session that posted them is told.",
        epilog="backroom restore before-stocktake.db\nbackroom restore nightly.db --force",
    )
    p.add_argument("file", metavar="FILE", help="a backup made by 'backroom backup'")
    p.add_argument(
        "--force",
        action="store_true",
        help="discard what the database has that the backup lacks (kept in a side file)",
    )
    p.add_argument(
        "--wait",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for sessions that are writing",
    )
    _formats(p, "text", "json")
    p.set_defaults(func=cmd_restore)


def _seconds(text: str) -> float:
    """--wait SECONDS: a number from 0 to a day."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError("give 0 to 86400 seconds")
    return value


def cmd_import(ctx: Context) -> int:
    from backroom.models.data.importing import ImportRefused, apply_import, plan_import, template
    from backroom.models.data.importing.csv_rows import read_file

    a = ctx.args
    if a.template:
        print(template(a.kind), end="")
        return 0
    if not a.file:
        return fail(f"give the CSV file to import, or --template for its layout ({a.kind})")
    ctx.open()
    data = read_file(a.file)  # a regular file of at most 200 MB, else refused unread
    plan = plan_import(a.kind, data, source=a.file, user=ctx.user, again=a.again)
    if plan.problems:
        refused = ImportRefused(plan.source, plan.problems)
        if ctx.json:
            ctx.emit({"ok": False, "problems": [p.as_dict() for p in plan.problems]}, "")
        else:
            for line in refused.lines():
                print(line, file=sys.stderr)
        return fail(str(refused))
    if plan.repeated and not a.again:
        return fail(f"{plan.repeated}. If that is meant: backroom import stock FILE --again")
    if a.check:
        ctx.emit({"ok": True, "rows": plan.total, **plan.counts()}, plan.summary())
        return 0
    from backroom.tui.cli.progress import progress_of  # rich.progress: only when it runs

    with progress_of(f"importing {a.kind}", off=ctx.json) as progress:
        result = apply_import(plan, user=ctx.user, progress=progress)
    ctx.emit(result.as_dict(), result.text())
    return 0


@contextmanager
def _output(path: Path | None, force: bool) -> Iterator[TextIO]:
    """stdout, or FILE written whole (models/data/folders.py: written)."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    with written(path, force=force) as fh:
        yield fh


def cmd_export(ctx: Context) -> int:
    a = ctx.args
    fmt = a.format or ("json" if a.kind == "epcis" else "csv")
    if a.kind != "epcis" and (a.lot or a.item):
        return fail("--lot and --item apply to 'export epcis' only")
    if a.kind == "epcis" and fmt != "json":
        return fail("EPCIS is JSON-LD only: leave out --csv")
    if a.force and not a.out:
        return fail("--force goes with --out FILE")
    target = output_path(a.out, force=a.force) if a.out is not None else None
    ctx.open()
    from backroom.models.data.exporting import exporter

    exporter(ctx.user)
    from backroom.tui.cli.progress import progress_of  # rich.progress: only when it runs

    # No bar under --json, nor where the rows themselves go to the terminal. A reader
    # that goes away (| head) is main()'s to handle, as for every command.
    off = a.format == "json" or (a.out is None and sys.stdout.isatty())
    with progress_of(f"exporting {a.kind}", off=off) as progress, _output(target, a.force) as out:
        if a.kind == "epcis":
            from backroom.models.data.epcis import write_epcis

            rows = write_epcis(
                out, config=ctx.config, since=a.since, lot=a.lot, item=a.item, progress=progress
            )
        else:
            from backroom.models.data.exporting import export

            rows = export(a.kind, out, fmt=fmt, since=a.since, progress=progress, user=ctx.user)
    if a.out:
        what = "event" if a.kind == "epcis" else "row"
        print(f"{rows:,} {what}{'s' if rows != 1 else ''} of {a.kind} written to {a.out}")
    return 0


def cmd_backup(ctx: Context) -> int:
    from backroom.models.data.backup import backup
    from backroom.tui.cli.progress import progress_of

    ctx.open()  # refuses a URL that names no Backroom database
    from backroom.models.db import db

    db.close()
    with progress_of("backing up", off=ctx.json) as progress:
        result = backup(ctx.db_url, ctx.args.file, force=ctx.args.force, progress=progress)
    ctx.emit(result.as_dict(), result.text())
    return 0


def cmd_restore(ctx: Context) -> int:
    from backroom.models.data.backup import restore
    from backroom.models.stock.signing import SigningSettings
    from backroom.models.stock.verify import verify
    from backroom.tui.cli.progress import progress_of

    a = ctx.args
    with progress_of("restoring", off=ctx.json) as progress:
        result = restore(
            a.file, ctx.db_url, force=a.force, wait=a.wait, user=ctx.user, progress=progress
        )
    ctx.open()
    # Verified as `backroom verify` does: with the site's signing key, wherever it is.
    with progress_of("verifying", off=ctx.json) as progress:
        report = verify(progress=progress, signing=SigningSettings.from_config(ctx.config))
    data = {**result.as_dict(), "verify": {"clean": report.clean, "problems": report.problems}}
    text = result.text() + (
        f"; verify: clean ({report.moves:,} moves)"
        if report.clean
        else f"; verify found {len(report.problems)} problem(s):\n" + "\n".join(report.problems)
    )
    ctx.emit(data, text)
    return 0 if report.clean else fail("the restored database does not pass verify")
