"""scan, scanner test: how a code is read and resolved; checking a station's scanner."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from backroom.models.config import user_config_path
from backroom.models.rules.codes import SCANNER_TEST_TEXT
from backroom.tui.cli.context import Context, fail

# backroom.scanners (its GS1 tables, difflib) is imported where used: start-up time of
# every other command.

GS = "\x1d"
# A GS typed on the command line as the four characters \x1d.
TYPED_GS = re.compile(r"\\x1[dD]")


def register(sub) -> None:
    p = sub.add_parser(
        "scan",
        help="how a scanned code is read and what it resolves to",
        description="Show how TEXT is read (symbology, GS1 elements) and what it names in "
        "the database. Give the GS1 group separator as ASCII 29, as \\x1d, or as this "
        "station's substitute; '-' reads the code from standard input.",
        epilog="backroom scan A-01-01\nbackroom scan '0109521234000174\\x1d10L26301C' --json",
    )
    p.add_argument(
        "text",
        metavar="TEXT",
        help="the code as the scanner sends it: a location, SKU, GTIN, GS1 string, SSCC, ...",
    )
    p.add_argument("--station", metavar="NAME", help="scanner settings (default: BACKROOM_STATION)")
    _output(p)
    p.set_defaults(func=cmd_scan)

    scanner = sub.add_parser("scanner", help="scanner set-up: test").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = scanner.add_parser(
        "test",
        help="scan the test label; names what is wrong and the settings that fix it",
        description="Scan the scanner test label (or give --input). Backroom compares what "
        "arrived with what the label holds, names each fault and suggests this station's "
        "settings; --write saves them under [scanner.stations.NAME] in the config file.",
        epilog="backroom scanner test --station dock-1\n"
        "backroom scanner test --station dock-1 --write --json",
    )
    p.add_argument("--input", metavar="TEXT", help="what the scanner sent (for scripts)")
    p.add_argument("--station", metavar="NAME", help="station to configure (default: default)")
    p.add_argument("--write", action="store_true", help="save the suggested settings")
    _output(p)
    p.set_defaults(func=cmd_scanner_test)


def _output(parser) -> None:
    """--format text|json, --json its alias."""
    from backroom.tui.cli.context import add_output

    add_output(parser, "text", "json")


def cmd_scan(ctx: Context) -> int:
    """Show how a code is read and what it names in the database."""
    from backroom.scanners.parse import parse
    from backroom.scanners.resolve import resolve
    from backroom.scanners.results import ScanError
    from backroom.scanners.settings import ScannerSettings, unframe

    settings = ScannerSettings.from_config(ctx.config, ctx.args.station)
    text = ctx.args.text
    if text == "-":
        text = sys.stdin.readline().rstrip("\r\n")
    scan = parse(unframe(TYPED_GS.sub(GS, text), settings), settings)
    ctx.open()
    result = resolve(scan)
    ctx.emit({"scan": scan.as_dict(), "result": result.as_dict()}, lambda: _scan_text(scan, result))
    if isinstance(result, ScanError):
        return fail(result.message)
    return 0


def _scan_text(scan, result) -> str:
    from backroom.scanners.results import ScanError

    lines = [f"Data:        {_shown(scan.data)}"]
    if scan.symbology:
        lines.append(f"Symbology:   {scan.symbology.code} {scan.symbology.name}")
    gs1 = scan.gs1
    if gs1 is not None and (scan.gs1_declared or (gs1.elements and not gs1.problem)):
        # Without an identifier or a GS, a code only may be GS1: the database decides.
        how = "Read as:    " if scan.gs1_declared else "May be read:"
        lines.append(f"{how} GS1 {gs1.form}")
        width = max((len(e.name) for e in scan.gs1.elements), default=0)
        for e in gs1.elements:
            lines.append(f"  ({e.ai}){' ' * (5 - len(e.ai))}{e.name.ljust(width)}  {e.shown}")
        if gs1.suspect and not (isinstance(result, ScanError) and result.message == gs1.suspect):
            lines.append(f"Suspect:     {gs1.suspect}")
    elif scan.gtin:
        lines.append(f"Read as:     GTIN {scan.gtin}")
    if isinstance(result, ScanError):
        # The reason goes to stderr, as for every refused command.
        lines.append(f"Resolves to: nothing ({result.problem} code)")
        if result.partial is not None:
            lines.append(f"The code says: {result.partial.label}")
    else:
        lines.append(f"Resolves to: {result.label}")
    lines += [f"Warning:     {w}" for w in result.warnings]
    return "\n".join(lines)


def cmd_scanner_test(ctx: Context) -> int:
    """Compare a scan of the test label with what it holds; suggest (and save) settings."""
    from backroom.scanners.calibrate import diagnose
    from backroom.scanners.config_file import save_station, table_text
    from backroom.scanners.settings import ScannerSettings, station_name

    station = station_name(ctx.args.station)
    current = ScannerSettings.from_config(ctx.config, station)
    if ctx.args.input is not None:
        received = TYPED_GS.sub(GS, ctx.args.input)
    else:
        if sys.stdin.isatty():
            print(
                f"Scan the scanner test label now (station {station}); "
                "press Enter if the scanner does not:",
                file=sys.stderr,
            )
        received = sys.stdin.readline()
        if not received:
            return fail("Nothing was scanned")
    diagnosis = diagnose(SCANNER_TEST_TEXT, received)
    table = diagnosis.settings_table()
    already = (
        current.prefix == diagnosis.prefix
        and current.suffix == diagnosis.suffix
        and set(current.gs_substitutes) == set(diagnosis.gs_substitutes)
    )
    written: Path | None = None
    if ctx.args.write and not already:
        written = Path(ctx.args.config) if ctx.args.config else user_config_path()
        save_station(written, station, table)
    data = {**diagnosis.as_dict(), "station": station, "written_to": written and str(written)}
    data["settings_already_match"] = already
    ctx.emit(
        data, lambda: _test_text(diagnosis, station, table_text(station, table), already, written)
    )
    if diagnosis.needs_scanner_fix:
        first = next(f for f in diagnosis.faults if not f.fixed_by_settings)
        return fail(f"scanner test failed: {first.message}")
    if not already and written is None:
        return fail(f"scanner test: station {station} needs the settings above (add --write)")
    return 0


def _test_text(diagnosis, station: str, table: str, already: bool, written) -> str:
    lines = [f"Expected: {_shown(diagnosis.expected)}", f"Received: {_shown(diagnosis.received)}"]
    if diagnosis.ok:
        lines.append("The scanner's codes arrive exactly as printed.")
    for fault in diagnosis.faults:
        how = "fixed by station settings" if fault.fixed_by_settings else "fix on the scanner"
        lines.append(f"- {fault.message} [{how}]")
    lines += [f"Note: {note}" for note in diagnosis.notes]
    if already:
        lines.append(f"Station {station}'s settings already match this scanner.")
    elif written is not None:
        lines.append(f"Wrote these settings to {written}:\n{table.rstrip()}")
    else:
        lines.append(f"Settings for station {station} (save them with --write):\n{table.rstrip()}")
    return "\n".join(lines)


def _shown(text: str) -> str:
    """TEXT for a terminal: GS as <GS>, other control characters escaped."""
    return "".join("<GS>" if c == GS else repr(c)[1:-1] if not c.isprintable() else c for c in text)
