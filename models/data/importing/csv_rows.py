"""The CSV side of an import: each kind's columns, reading a file and checking its shape.

Also the cell parsers every kind shares. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from backroom.models.errors import Refused
from backroom.models.rules.text import printable, text_problem

KINDS = ("items", "locations", "lots", "stock", "consignees", "packaging")
FILE_MOST = 200 * 1024 * 1024  # bytes: a million rows of any kind, with room to spare
MULTI_LINE_COLUMNS = frozenset({"address"})  # a consignee's street lines


@dataclass(frozen=True)
class Column:
    """A column of an import layout: its header, whether it must be there, an example."""

    name: str
    required: bool
    example: str
    help: str


LAYOUTS: dict[str, tuple[Column, ...]] = {
    "items": (
        Column("sku", True, "OAT-500", "item code, 1-64 characters without spaces"),
        Column("name", True, "Oat flakes 500 g", "what people call it"),
        Column("gtin", False, "5412345000013", "GTIN-8/12/13/14 with a valid check digit"),
        Column("unit", False, "pcs", "base unit: pcs, g, ml, ... (default pcs)"),
        Column("tracking", False, "lot", "none, lot or serial (default none)"),
        Column("shelf_life_days", False, "270", "days from receipt to expiry"),
        Column("active", False, "yes", "yes or no (default yes)"),
    ),
    "locations": (
        Column("code", True, "A-01-01", "location code, without spaces or '/'"),
        Column("name", False, "Aisle A, bay 1, level 1", "description"),
        Column("parent", False, "A-01", "code of the location above (in the database or file)"),
        Column("kind", False, "internal", "internal (default) or a virtual kind"),
        Column("quarantine", False, "no", "yes for a quarantine area"),
        Column("active", False, "yes", "yes or no (default yes)"),
    ),
    "lots": (
        Column("sku", True, "OAT-500", "item (SKU or GTIN) of a lot- or serial-tracked item"),
        Column("lot", True, "L2611", "lot or serial number, GS1 characters, 1-20"),
        Column("expiry", False, "2027-08-31", "YYYY-MM-DD"),
        Column("production_date", False, "2026-11-02", "YYYY-MM-DD"),
        Column("supplier", False, "SUPPLIER", "code of a supplier location"),
        Column("supplier_lot", False, "OF-88213", "the supplier's own lot number"),
        Column("status", False, "released", "released, quarantine, blocked or recalled"),
    ),
    "stock": (
        Column("sku", True, "OAT-500", "item (SKU or GTIN)"),
        Column("lot", False, "L2611", "lot or serial number; empty for untracked items"),
        Column("location", True, "A-01-01", "internal location code"),
        Column("qty", True, "120", "whole number in the item's unit; 0 is skipped"),
        Column("expiry", False, "2027-08-31", "expiry of a new lot, YYYY-MM-DD"),
    ),
    "consignees": (
        Column("name", True, "Bakery Janssens", "ship-to party, unique"),
        Column("address", False, "Kerkstraat 12 | Unit 4", "street lines, separated by |"),
        Column("postal_code", True, "9000", "postal code"),
        Column("city", True, "Gent", "city"),
        Column("country", True, "BE", "ISO 3166 two-letter code"),
        Column("gln", False, "5412345000020", "GS1 Global Location Number, 13 digits"),
        Column("contact", False, "An Janssens +32 9 123 45 67", "who to call"),
        Column("min_shelf_life_days", False, "10", "days of shelf life left on delivery"),
    ),
    "packaging": (
        Column("sku", True, "OAT-500", "item (SKU or GTIN)"),
        Column("name", True, "cs", "level: inner, cs, pallet, ... (letters, 1-16)"),
        Column("qty", True, "12", "base units in one of this level"),
        Column("gtin", False, "15412345000010", "the level's own GTIN, valid check digit"),
    ),
}


@dataclass(frozen=True)
class Problem:
    """Why line LINE of the file cannot be imported (line 1 is the header)."""

    line: int
    message: str

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {"line": self.line, "problem": self.message}


@dataclass(frozen=True)
class Record:
    """One data row of the file: where it starts and its cells by column name."""

    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        """The cell of column NAME, stripped; empty when the column is not in the file."""
        return self.values.get(name, "")


# --- templates and reading ------------------------------------------------------------------


def check_kind(kind: str) -> str:
    """KIND if Backroom imports it, else a Refused naming the kinds it does."""
    if kind not in LAYOUTS:
        raise Refused(f"Cannot import {kind!r}: choose one of {', '.join(KINDS)}")
    return kind


def template(kind: str) -> str:
    """The header row and one example row of KIND's layout, as CSV text."""
    columns = LAYOUTS[check_kind(kind)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    writer.writerow([c.example for c in columns])
    return out.getvalue()


def decode(data: bytes) -> str:
    """DATA as text: UTF-8 with or without a byte order mark, nothing else."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused("The file is UTF-16; save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Refused(
            f"The file is not UTF-8: byte 0x{data[exc.start]:02X} at byte offset {exc.start} "
            f"(line {line}) is not valid UTF-8; save the file as UTF-8 "
            "(in a spreadsheet: 'CSV UTF-8')"
        ) from exc


def sniff_delimiter(header_line: str) -> str:
    """Comma, semicolon or tab: whichever separates the header row's column names."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _column_name(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def read_file(path: str | Path) -> bytes:
    """The bytes of the file at PATH, refused unread when it is not a regular file (a
    folder, /dev/zero, a pipe) or is over FILE_MOST bytes (models/data/folders.py)."""
    from backroom.models.data.folders import read_regular

    return read_regular(Path(path))


class _Rows:
    """The rows of a CSV reader with the line each starts on; a malformed file (a quote
    never closed, a value over the csv module's size limit) is a Problem at that line."""

    def __init__(self, text: str) -> None:
        first = text.split("\n", 1)[0]
        self.reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=sniff_delimiter(first), strict=True
        )
        self.start = 1

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            self.start = self.reader.line_num + 1
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _Malformed(self._words(str(exc))) from None
            yield self.start, row

    def _words(self, error: str) -> str:
        if "unexpected end of data" in error:
            return 'a quoted value starts on this line and is never closed (a " without its pair)'
        if "field larger than field limit" in error:
            return f"a value is over {csv.field_size_limit():,} characters"
        if "expected after" in error:
            return f"a closing quote must be followed by the separator or the line's end ({error})"
        return f"the CSV is malformed here ({error})"


class _Malformed(ValueError):
    """The csv module could not read on from the line a row starts on."""


def _bad_character(text: str) -> Problem | None:
    """A NUL (a binary file, or one a spreadsheet mangled) anywhere in TEXT, at its line."""
    at = text.find("\x00")
    if at < 0:
        return None
    line = text.count("\n", 0, at) + 1
    return Problem(line, "holds a NUL character (U+0000), which no CSV file has")


def _cell_problem(column: str, cell: str) -> str | None:
    """What is wrong with CELL of COLUMN as text: a control character, or a line break
    where one line is meant (a consignee's address may have several)."""
    problem = text_problem(cell, lines=column in MULTI_LINE_COLUMNS)
    return f"{column} holds {problem}" if problem else None


def read_records(kind: str, text: str) -> tuple[list[str], list[Record], list[Problem]]:
    """The columns and data rows of a CSV text for KIND, and what is wrong with its shape.
    A file the csv module cannot read whole (a quote never closed) is one Problem."""
    layout = LAYOUTS[check_kind(kind)]
    nul = _bad_character(text)
    if nul is not None:
        return [], [], [nul]
    rows = _Rows(text)
    try:
        return _records(kind, layout, iter(rows))
    except _Malformed as exc:
        return [], [], [Problem(rows.start, str(exc))]


def _records(
    kind: str, layout: tuple[Column, ...], rows: Iterator[tuple[int, list[str]]]
) -> tuple[list[str], list[Record], list[Problem]]:
    header = next(rows, None)
    if header is None:
        return [], [], [Problem(1, "The file is empty: the first line must name the columns")]
    columns = [_column_name(h) for h in header[1]]
    problems = _header_problems(kind, layout, header[1], columns)
    if problems:
        return columns, [], problems
    records = []
    for start, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            problems.append(
                Problem(start, f"{len(row)} values, but the header has {len(columns)} columns")
            )
            continue
        values = {c: cell.strip() for c, cell in zip(columns, row, strict=True) if c}
        bad = next(filter(None, (_cell_problem(c, v) for c, v in values.items())), None)
        if bad:
            problems.append(Problem(start, bad))
            continue
        records.append(Record(start, values))
    return columns, records, problems


def _header_problems(
    kind: str, layout: tuple[Column, ...], header: list[str], columns: list[str]
) -> list[Problem]:
    names = [c.name for c in layout]
    problems = []
    unknown = [h for h, c in zip(header, columns, strict=True) if c and c not in names]
    if unknown:
        shown = ", ".join(repr(printable(u[:40])) for u in unknown[:5])
        problems.append(
            Problem(
                1,
                f"Unknown column{'s' if len(unknown) > 1 else ''} {shown}: "
                f"{kind} take {', '.join(names)}",
            )
        )
    missing = [c.name for c in layout if c.required and c.name not in columns]
    if missing:
        problems.append(Problem(1, f"Missing column {', '.join(missing)} ({kind} need it)"))
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        problems.append(Problem(1, f"Column {', '.join(twice)} appears twice"))
    return problems


# --- parsing cells ------------------------------------------------------------------------


def _whole(text: str, label: str) -> int:
    value = text.replace("_", "").strip()
    if not re.fullmatch(r"[+-]?\d+", value):
        raise Refused(f"{label} {text!r} is not a whole number")
    return int(value)


def _flag(text: str, label: str) -> bool | None:
    low = text.lower()
    if not low:
        return None
    if low in ("yes", "y", "true", "1", "x"):
        return True
    if low in ("no", "n", "false", "0"):
        return False
    raise Refused(f"{label} {text!r} must be yes or no")
