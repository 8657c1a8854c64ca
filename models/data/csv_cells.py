"""CSV cells a spreadsheet or a shell would run: neutralised on the way out, read back
on the way in.

A cell that starts with = + - @, a tab or a carriage return is taken by spreadsheets as
a formula (`=HYPERLINK(...)`, `@SUM(...)`, `=cmd|' /C calc'!A0`). As OWASP recommends
for CSV injection, such a cell is written with a single quote in front and between
double quotes; plain numbers such as -3 or +2 stay numbers. The importer takes the quote
off again (`read_back`), so an export imports back to the same text: a cell the exporter
quoted has one more leading quote than the text, so a text that itself starts with
quotes before a formula character gets one more too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from itertools import islice
from typing import TextIO

FORMULA_STARTS = frozenset("=+-@\t\r")
# First characters of a cell worth a closer look: a formula's, or a quote before one.
_LOOK_CLOSER = FORMULA_STARTS | {"'"}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
_LOOK_CLOSER_TEXT = "".join(sorted(_LOOK_CLOSER))


def may_start_a_cell(text: str) -> bool:
    """False when no cell of the formatted CSV TEXT starts (bare or after its opening
    quote) with a formula's first character or a quote. True may be wrong (a comma
    inside a quoted cell), which only costs a look cell by cell.

    Substring searches, not a regular expression: over a million-move export they cost
    about a tenth of what csv.writer does, a regular expression as much again."""
    if text[:1] in _LOOK_CLOSER or (text[:1] == '"' and text[1:2] in _LOOK_CLOSER):
        return True
    quoted = '"' in text
    for char in _LOOK_CLOSER_TEXT:
        if char not in text:
            continue
        if "," + char in text or "\n" + char in text:
            return True
        if quoted and (',"' + char in text or '\n"' + char in text):
            return True
    return False


def runs_as_formula(text: str) -> bool:
    """True when a spreadsheet would take TEXT as a formula (a plain number is not one)."""
    return bool(text) and text[0] in FORMULA_STARTS and not _NUMBER.match(text)


def _needs_mark(text: str) -> bool:
    return runs_as_formula(text.lstrip("'"))


def neutralised(value: object) -> object:
    """VALUE as a cell no spreadsheet runs: a risky text gets a leading single quote."""
    if isinstance(value, str) and value[:1] in _LOOK_CLOSER and _needs_mark(value):
        return "'" + value
    return value


def read_back(text: str) -> str:
    """A cell as the exporter meant it: the single quote it added taken off again."""
    if text.startswith("'") and _needs_mark(text[1:]):
        return text[1:]
    return text


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class SafeCsvWriter:
    """csv.writer's rows (comma, '\\n' line ends), with risky cells neutralised and quoted.

    Rows are formatted by csv.writer a batch at a time and the batch is searched once
    for a cell that starts like a formula (may_start_a_cell); only a batch with one is
    written cell by cell."""

    BATCH = 1_000

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.buffer = io.StringIO()
        self.plain = csv.writer(self.buffer, lineterminator="\n")

    def _formatted(self, rows: list) -> str:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.plain.writerows(rows)
        return self.buffer.getvalue()

    def writerow(self, row: Iterable[object]) -> None:
        """One row."""
        cells = list(row)
        line = self._formatted([cells])
        if may_start_a_cell(line):
            line = ",".join(self._cell(c) for c in cells) + "\n"
        self.out.write(line)

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Each of ROWS, a batch at a time."""
        each = iter(rows)
        while batch := list(islice(each, self.BATCH)):
            text = self._formatted(batch)
            if may_start_a_cell(text):
                for row in batch:
                    self.writerow(row)
            else:
                self.out.write(text)

    @staticmethod
    def _cell(value: object) -> str:
        if value is None:
            return ""
        safe = neutralised(value)
        text = str(safe)
        if safe is not value or _NEEDS_QUOTES.search(text):
            return _quoted(text)
        return text
