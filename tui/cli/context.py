"""What every sub-command is handed: who, which database, the config, and output."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from rich.cells import cell_len

from backroom.models.config import Config
from backroom.models.db import default_url
from backroom.models.errors import DomainError
from backroom.models.rules.dates import parse_date, parse_time


class UsageError(Exception):
    """Bad command-line input: exit status 2."""


@dataclass
class Context:
    args: argparse.Namespace
    config: Config

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def db_url(self) -> str:
        return self.args.db or os.environ.get("BACKROOM_DB") or self.config.db_url or default_url()

    @property
    def user(self) -> str:
        """--user, else BACKROOM_USER, else the login name (the SSH user)."""
        return self.args.user or os.environ.get("BACKROOM_USER") or getpass.getuser()

    def open(self, *, create: bool = False) -> None:
        """Open (and migrate) the database, with the site's access rules (--config too)."""
        from backroom.models.masterdata.site_settings import fill_from_database
        from backroom.models.migrations import open_database
        from backroom.models.people import roles

        roles.configure(self.config)
        open_database(self.db_url, create=create)
        fill_from_database(self.config)  # what the demo (or an admin) kept for the site

    def emit(self, data: Any, text: str | Callable[[], str]) -> None:
        """Print DATA as JSON with --json, else the readable TEXT."""
        if self.json:
            print(json.dumps(data, indent=2, default=_json_default, ensure_ascii=False))
        else:
            print(text() if callable(text) else text)


def _json_default(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "as_dict"):
        return value.as_dict()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain text table, numbers right-aligned, columns measured in terminal cells
    (a Japanese character takes two, a combining accent none)."""
    body = [["" if v is None else str(v) for v in row] for row in rows]
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


def whole_number(text: str) -> int:
    """A whole number as typed: 5, +2, -3. Anything else is a usage error."""
    stripped = text.strip()
    if not stripped.lstrip("+-").isdigit() or stripped.count("-") + stripped.count("+") > 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(stripped)


def positive_number(text: str) -> int:
    """A whole number of at least 1, such as a --limit."""
    number = whole_number(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return number


def iso_date(text: str) -> dt.date:
    """A date as YYYY-MM-DD (argparse names the option it was for)."""
    try:
        return parse_date(text, what="")
    except DomainError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def moment(text: str) -> dt.datetime:
    """A UTC time as YYYY-MM-DD HH:MM (or ISO 8601; one with a time zone is made UTC)."""
    try:
        return parse_time(text, what="")
    except DomainError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def weight_grams(text: str) -> int:
    """A weight in kilograms as typed (12.5, 0,750) -> whole grams."""
    try:
        kg = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a weight in kg such as 12.5") from None
    if not kg.is_finite() or kg <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive weight in kg")
    return int((kg * 1000).to_integral_value())


# Under --json a refusal is JSON on stderr too: {"error": {"code": ..., "message": ...}}.
# main() sets it once per command, before anything can fail.
ERRORS_AS_JSON = {"on": False}


def errors_as_json(on: bool) -> None:
    """Say refusals and errors as JSON on stderr from now on (or as one plain line)."""
    ERRORS_AS_JSON["on"] = on


def say_error(message: str, code: str) -> None:
    """One error on stderr: a plain line, or under --json an object with a stable CODE."""
    if ERRORS_AS_JSON["on"]:
        print(json.dumps({"error": {"code": code, "message": message}}), file=sys.stderr)
    else:
        print(f"backroom: {message}", file=sys.stderr)


def fail(message: str, code: str = "refused") -> int:
    """One clear line on stderr (JSON under --json); exit status 1."""
    say_error(message, code)
    return 1


__all__ = [
    "Context",
    "DomainError",
    "UsageError",
    "fail",
    "iso_date",
    "moment",
    "positive_number",
    "table",
    "weight_grams",
    "whole_number",
]
