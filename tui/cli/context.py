"""What every sub-command is handed: who, which database, the config, and output."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence

from backroom.models.errors import DomainError

# Everything else is imported where used: `backroom --help` imports this module and
# nothing of the domain (json, dataclasses, decimal, rich, the text rules).

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of --help)
if TYPE_CHECKING:
    import datetime as dt
    from typing import Any

    from backroom.models.config import Config


class UsageError(Exception):
    """Bad command-line input: exit status 2."""


class Context:
    """The parsed ARGS and the CONFIG, and what main() and open() learn on the way.

    (A plain class, not a dataclass: dataclasses, with inspect and ast behind it, would
    be most of what `--help` imports.)"""

    def __init__(
        self,
        args: argparse.Namespace,
        config: Config,
        acting_as: str | None = None,
        opened: str | None = None,
    ) -> None:
        self.args = args
        self.config = config
        # The Backroom user the command acts as, proven by main() before it runs
        # (tui/cli/permissions.py); the database URL this context has opened.
        self.acting_as = acting_as
        self.opened = opened

    def __repr__(self) -> str:
        return f"Context(args={self.args!r}, acting_as={self.acting_as!r})"

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def db_url(self) -> str:
        from backroom.models.db import default_url  # peewee: only for a command that opens data

        return self.args.db or os.environ.get("BACKROOM_DB") or self.config.db_url or default_url()

    @property
    def user(self) -> str:
        """The Backroom user the command acts as, as main() proved it (the OS account,
        or --user with a PIN); a command that touches no data gets the OS account's."""
        if self.acting_as is not None:
            return self.acting_as
        from backroom.tui.cli.identity import account_name

        return account_name(self.config)

    def open(self, *, create: bool = False) -> None:
        """Open (and migrate) the database, with the site's access rules (--config too);
        once per command: main() has usually opened it already."""
        from backroom.models import file_modes
        from backroom.models.db import db
        from backroom.models.masterdata.site_settings import fill_from_database
        from backroom.models.migrations import open_database
        from backroom.models.people import roles, users
        from backroom.models.stock import requests

        url = self.db_url
        if self.opened == url and db.obj is not None and not db.is_closed():
            return
        roles.configure(self.config)
        file_modes.configure(self.config)  # new database files: 0600, or 0640 for [files] group
        users.configure(self.config)  # [access] pin_min_length
        requests.configure(self.config)  # [requests] keep_days
        open_database(url, create=create)
        fill_from_database(self.config)  # what the demo (or an admin) kept for the site
        self.opened = url

    def emit(self, data: Any, text: str | Callable[[], str]) -> None:
        """Print DATA as JSON with --json, else the readable TEXT."""
        if self.json:
            import json

            print(json.dumps(data, indent=2, default=_json_default, ensure_ascii=False))
        else:
            print(text() if callable(text) else text)


def _json_default(value: object) -> object:
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "as_dict"):
        return value.as_dict()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain text table, numbers right-aligned, columns measured in terminal cells
    (a Japanese character takes two, a combining accent none). A cell's control
    characters and line breaks are shown as escapes, so each row stays one line."""
    from rich.cells import cell_len

    from backroom.models.rules.text import printable

    body = [["" if v is None else printable(str(v)) for v in row] for row in rows]
    if not body:
        return "(nothing)"
    widths = [max(cell_len(h), *(cell_len(r[i]) for r in body)) for i, h in enumerate(headers)]
    numeric = [all(_is_number(r[i]) for r in body) for i in range(len(headers))]

    def fmt(cells: Sequence[str]) -> str:
        out = []
        for c, w, num in zip(cells, widths, numeric, strict=True):
            gap = " " * (w - cell_len(c))
            out.append(gap + c if num else c + gap)
        return "  ".join(out).rstrip()

    lines = [fmt(headers), fmt(["-" * w for w in widths])]
    lines.extend(fmt(r) for r in body)
    return "\n".join(lines)


def _is_number(text: str) -> bool:
    return text.lstrip("+-").isdigit() or text == ""


# What a number on the command line may be at most: a PostgreSQL integer column's
# largest value (quantities, ids, counts, days), so that none overflows a column.
LARGEST_NUMBER = 2**31 - 1
KG_MOST = 100_000  # a weight in kg: more than any truck carries


def whole_number(text: str) -> int:
    """A whole number as typed: 5, +2, -3, of at most LARGEST_NUMBER either way.
    Anything else is a usage error."""
    from backroom.models.rules.text import printable

    stripped = text.strip()
    digits = stripped.lstrip("+-")
    if not (digits.isascii() and digits.isdigit()) or len(stripped) - len(digits) > 1:
        raise argparse.ArgumentTypeError(f"{printable(text[:40])!r} is not a whole number")
    if len(digits) > 10 or abs(int(stripped)) > LARGEST_NUMBER:
        raise argparse.ArgumentTypeError(
            f"{stripped[:40]} is too large: at most {LARGEST_NUMBER:,} either way"
        )
    return int(stripped)


def positive_number(text: str) -> int:
    """A whole number of at least 1, such as a --limit."""
    number = whole_number(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return number


def iso_date(text: str) -> dt.date:
    """A date as YYYY-MM-DD (argparse names the option it was for)."""
    from backroom.models.rules.dates import parse_date

    try:
        return parse_date(text, what="")
    except DomainError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def moment(text: str) -> dt.datetime:
    """A UTC time as YYYY-MM-DD HH:MM (or ISO 8601; one with a time zone is made UTC)."""
    from backroom.models.rules.dates import parse_time

    try:
        return parse_time(text, what="")
    except DomainError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def weight_grams(text: str) -> int:
    """A weight in kilograms as typed (12.5, 0,750) -> whole grams."""
    from decimal import Decimal, InvalidOperation

    try:
        kg = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a weight in kg such as 12.5") from None
    if not kg.is_finite() or kg <= 0 or kg > KG_MOST:
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a weight in kg between 0 and {KG_MOST:,}"
        )
    grams = int((kg * 1000).to_integral_value())
    if grams < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is less than a gram")
    return grams


def small_text_file(source: str, what: str, limit: int) -> str:
    """The text of SOURCE ('-': standard input), a regular file of at most LIMIT bytes, as
    UTF-8; a device such as /dev/zero, a folder or anything bigger is refused unread."""
    from pathlib import Path

    if source == "-":
        text = sys.stdin.read(limit + 1)
    else:
        path = Path(source)
        try:
            if not path.is_file():
                raise DomainError(f"{what} {source!r} is not a file")
            with path.open(encoding="utf-8") as file:
                text = file.read(limit + 1)
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise DomainError(f"Cannot read {what.lower()} {source!r}: {reason}") from None
    if len(text) > limit:
        raise DomainError(f"{what} {source!r} is over {limit:,} characters")
    return text


class _OutputFormat(argparse.Action):
    """--format FORMAT, or an alias of one (--json, --csv): sets args.format, and
    args.json and args.csv from it, so that a handler may ask either."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        chosen = values if isinstance(values, str) else self.const
        namespace.format = chosen
        namespace.json = chosen == "json"
        namespace.csv = chosen == "csv"


def add_output(
    parser: argparse.ArgumentParser,
    *formats: str,
    default: str | None = "",
    help: str | None = None,
) -> None:
    """The one output idiom: --format with FORMATS (text, json, csv, pdf: those that
    apply), the first the default unless DEFAULT is given (None: the handler decides,
    and HELP says how); --json is --format json and --csv is --format csv where those
    are offered."""
    chosen = formats[0] if default == "" else default
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--format",
        choices=formats,
        action=_OutputFormat,
        help=help or f"how the result is printed: {', '.join(formats[:-1])} or {formats[-1]}",
    )
    for alias in ("json", "csv"):
        if alias in formats:
            group.add_argument(
                f"--{alias}",
                action=_OutputFormat,
                nargs=0,
                const=alias,
                dest="format",
                help=f"the same as --format {alias}",
            )
    parser.set_defaults(format=chosen, json=chosen == "json", csv=chosen == "csv")


# Under --json a refusal is JSON on stderr too: {"error": {"code": ..., "message": ...}}.
# main() sets it once per command, before anything can fail.
ERRORS_AS_JSON = {"on": False}


def errors_as_json(on: bool) -> None:
    """Say refusals and errors as JSON on stderr from now on (or as one plain line)."""
    ERRORS_AS_JSON["on"] = on


def say_error(message: str, code: str) -> None:
    """One error on stderr: a plain line, or under --json an object with a stable CODE."""
    if ERRORS_AS_JSON["on"]:
        import json

        print(json.dumps({"error": {"code": code, "message": message}}), file=sys.stderr)
    else:
        from backroom.models.rules.text import printable

        print(f"backroom: {printable(message)}", file=sys.stderr)


def fail(message: str, code: str = "refused") -> int:
    """One clear line on stderr (JSON under --json); exit status 1."""
    say_error(message, code)
    return 1


__all__ = [
    "Context",
    "DomainError",
    "UsageError",
    "add_output",
    "fail",
    "iso_date",
    "moment",
    "positive_number",
    "table",
    "weight_grams",
    "whole_number",
]


REQUEST_ID_HELP = (
    "an id of your own for this posting (up to 64 characters); run again with the same "
    "id, the first result is printed and nothing is posted twice (default: a new one)"
)


def request_id_option(parser: argparse.ArgumentParser) -> None:
    """--request-id ID on a sub-command that posts, so that a script run again is safe."""
    parser.add_argument("--request-id", metavar="ID", help=REQUEST_ID_HELP)


def has_terminal() -> bool:
    """A terminal on both ends, or textual-serve's web driver standing in for one."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()
