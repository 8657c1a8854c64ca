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
import re
from collections.abc import Iterable
from typing import TextIO

FORMULA_STARTS = frozenset("=+-@\t\r")
# First characters of a cell worth a closer look: a formula's, or a quote before one.
_LOOK_CLOSER = FORMULA_STARTS | {"'"}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


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
    """csv.writer's rows (comma, '\\n' line ends), with risky cells neutralised and quoted."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.plain = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable[object]) -> None:
        """One row; most rows have no risky cell and go through csv.writer as they are."""
        cells = list(row)
        if not any(isinstance(c, str) and c[:1] in _LOOK_CLOSER for c in cells):
            self.plain.writerow(cells)
            return
        self.out.write(",".join(self._cell(c) for c in cells) + "\n")

    @staticmethod
    def _cell(value: object) -> str:
        if value is None:
            return ""
        safe = neutralised(value)
        text = str(safe)
        if safe is not value or _NEEDS_QUOTES.search(text):
            return _quoted(text)
        return text

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Each of ROWS."""
        for row in rows:
            self.writerow(row)
