"""What `backroom COMMAND --help` says: the standard help of the arguments that recur
(ITEM, LOT, --lot, --ref, --reason, --limit, ...), said the same way in every command,
and the example lines at the foot of each command's help.

build_parser() calls apply_help() once every command is registered: an argument
without help of its own gets the standard one, a default is said where the help does
not say it, and a command's epilog of example lines is shown under "examples:".
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator

# Keyed as the usage line writes the argument: "--opt METAVAR", else "--opt", and for
# a positional argument its METAVAR. Say what it is to a warehouse person, with units.
STANDARD_HELP: dict[str, str] = {
    "ITEM": "the item: its SKU or its GTIN",
    "--item ITEM": "the item: its SKU or its GTIN",
    "LOT": "the lot or serial number",
    "--lot LOT": "the lot or serial number (needed for an item tracked by lot or serial)",
    "QTY": "how many, a whole number in the item's unit (pieces, grams, ml)",
    "--qty N": "how many, a whole number in the item's unit (pieces, grams, ml)",
    "--to LOC": "the location the stock goes to, by its code",
    "--from LOC": "the location the stock comes from, by its code",
    "--at LOC": "the location where it happens, by its code",
    "--location LOC": "the location, by its code",
    "--expiry YYYY-MM-DD": "the lot's expiry (best-before or use-by) date",
    "--production-date YYYY-MM-DD": "the day the lot was made",
    "--supplier-lot X": "the supplier's own lot number, as printed on their label",
    "--ref REF": "the document it belongs to: order, delivery note, work order",
    "--reason": "why, in a few words; kept with the record for the audit trail",
    "--note": "a free note kept with the record",
    "--limit N": "show at most N rows",
    "--since YYYY-MM-DD": "only what happened on or after this day (UTC)",
    "--out FILE": "write to FILE instead of standard output",
    "--force": "overwrite --out FILE if it exists",
    "--printer NAME": "a printer from the configuration ('backroom label printers' lists them)",
    "--json": "print the result as JSON, for scripts",
    "SHIPMENT": "the shipment number, such as SHP-000001 ('1' is understood too)",
    "--shipment SHP": "the shipment number, such as SHP-000001",
    "--consignee NAME": "the consignee (the customer goods are shipped to), by name",
    "--carrier CODE": "the carrier, by its code (such as DHL)",
    "SSCC": "the parcel's SSCC: the 18 digits under its label's barcode",
    "LOAD": "the load number, such as LOAD-000001 ('1' is understood too)",
    "USER": "the user, by the name they log in with",
    "--user NAME": "the user, by the name they log in with",
    "--search TEXT": "what the screen's search line takes",
}

EXAMPLES_HEADING = "examples:"


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, except that a paragraph with indented lines (the examples)
    keeps its lines as they are written; other paragraphs are filled as usual."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        # argparse measures the terminal with shutil, whose import (bz2, lzma, fnmatch)
        # costs `backroom --help` ~3 ms: the same measure, taken with os.
        width = terminal_columns() - 2 if width is None else width
        super().__init__(prog, indent_increment, max_help_position, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            lines = paragraph.splitlines()
            if any(line.startswith(" ") for line in lines):
                paragraphs.append("\n".join(indent + line for line in lines))
            else:
                paragraphs.append(super()._fill_text(paragraph, width, indent))
        return "\n\n".join(paragraphs)


def terminal_columns() -> int:
    """The width shutil.get_terminal_size() gives: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def apply_help(parser: argparse.ArgumentParser) -> None:
    """Give PARSER and every sub-command's parser the standard help, defaults said, and
    their examples shown under a heading."""
    for each in _parsers(parser):
        each.formatter_class = HelpFormatter
        if each.epilog and not each.epilog.startswith(EXAMPLES_HEADING):
            lines = [line.strip() for line in each.epilog.strip().splitlines()]
            each.epilog = "\n".join([EXAMPLES_HEADING, *(f"  {line}" for line in lines)])
        for action in each._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            if not action.help:
                action.help = standard_help(action)
            if action.help and action.help is not argparse.SUPPRESS:
                action.help = _with_default(action)


def standard_help(action: argparse.Action) -> str | None:
    """The standard help of ACTION's option or positional argument, if it has one."""
    metavar = action.metavar if isinstance(action.metavar, str) else None
    if not action.option_strings:
        return STANDARD_HELP.get(metavar or action.dest.upper())
    for option in sorted(action.option_strings, key=len, reverse=True):
        for key in (f"{option} {metavar}", option):
            if key in STANDARD_HELP:
                return STANDARD_HELP[key]
    return None


def _with_default(action: argparse.Action) -> str:
    """ACTION's help, with its default said unless the help already says it."""
    help_text = str(action.help)
    default = action.default
    if (
        action.nargs == 0
        or default in (None, False, "", [], argparse.SUPPRESS)
        or "default" in help_text
    ):
        return help_text
    return f"{help_text} (default: %(default)s)"


def examples_of(parser: argparse.ArgumentParser) -> list[str]:
    """The example command lines at the foot of PARSER's help."""
    lines = (line.strip() for line in (parser.epilog or "").splitlines())
    return [line for line in lines if line.startswith("backroom ")]


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """PARSER and every parser under it, each once."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):  # aliases share one
                yield from _parsers(child)
