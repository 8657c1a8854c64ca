"""Malformed CSV files are refused whole, with the line, and write nothing: a quote never
closed (Python's csv module would end the value quietly at the end of the file and a
row would vanish), a NUL, a value over the csv module's size limit, control characters
in a cell, and files that are not regular files at all."""

from __future__ import annotations

import csv
import os

import pytest

from backroom.models.data.importing import ImportRefused, apply_import, plan_import
from backroom.models.data.importing.csv_rows import FILE_MOST, read_file
from backroom.models.data.importing.whole_file import import_file
from backroom.models.errors import Refused
from tests.models.support import ledger_state

USER = "tester"


def problems(kind: str, data: bytes) -> list[tuple[int, str]]:
    """The problems of a file, after checking that applying it is refused and writes nothing."""
    before = ledger_state()
    plan = plan_import(kind, data, source="bad.csv", user=USER)
    with pytest.raises(ImportRefused):
        apply_import(plan, user=USER)
    assert ledger_state() == before, "a refused import wrote something"
    return [(p.line, p.message) for p in plan.problems]


def test_a_quote_never_closed_is_refused_at_the_line_it_opens(warehouse):
    data = b'sku,name\nOAT,Oats\nRICE,"Rice 1 kg\nSALT,Salt\n'
    assert problems("items", data) == [
        (3, 'a quoted value starts on this line and is never closed (a " without its pair)')
    ]


def test_a_stray_character_after_a_closing_quote_is_refused_with_its_line(warehouse):
    data = b'sku,name\nOAT,"Oats" 500 g\n'
    [(line, message)] = problems("items", data)
    assert line == 2 and message.startswith("a closing quote must be followed by the separator")


def test_a_nul_in_a_cell_is_refused_not_stored_cut_short(warehouse):
    data = b"sku,name\nOAT,Oats\nSUGAR,Sug\x00ar\n"
    assert problems("items", data) == [(3, "holds a NUL character (U+0000), which no CSV file has")]


def test_a_value_over_the_csv_field_limit_is_one_refusal(warehouse):
    data = b"sku,name\nOAT," + b"y" * (csv.field_size_limit() + 1) + b"\n"
    assert problems("items", data) == [
        (2, f"a value is over {csv.field_size_limit():,} characters")
    ]


def test_an_escape_sequence_in_a_cell_is_refused_with_the_column_and_line(warehouse):
    data = b"sku,name\nOAT,Oats\nEVIL,\x1b]0;PWNED\x07\n"
    assert problems("items", data) == [(3, "name holds U+001B (ESC)")]


def test_a_consignee_address_may_hold_line_breaks_but_a_city_may_not(warehouse):
    data = (
        b"name,address,postal_code,city,country\n"
        b'Bakery,"Kerkstraat 12\nUnit 4",9000,Gent,BE\n'
        b'Shop,Markt 1,9000,"Gent\nWest",BE\n'
    )
    assert problems("consignees", data) == [(4, "city holds U+000A (line break)")]


def test_dev_zero_a_folder_and_a_fifo_are_refused_unread(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    for path in ("/dev/zero", str(fifo)):
        with pytest.raises(Refused, match="is not a regular file"):
            read_file(path)
    with pytest.raises(Refused, match="is a folder, not a file"):
        read_file(tmp_path)


def test_a_file_over_the_size_cap_is_refused_unread(tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as out:
        out.truncate(FILE_MOST + 1)  # sparse: no disk used
    with pytest.raises(Refused, match=r"is larger than 200 MB"):
        read_file(big)


def test_importing_dev_zero_writes_nothing(warehouse):
    before = ledger_state()
    with pytest.raises(Refused, match="is not a regular file"):
        import_file("items", "/dev/zero", user=USER)
    assert ledger_state() == before
