"""models/stock/move_row.py: the one list of a move's columns, and the hash over them.

The golden hashes below were computed by the ledger before MoveRow existed: a move
row must hash exactly as it did, or every database kept until now would fail verify."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.schema import Move
from backroom.models.stock.move_row import COLUMNS, INSERT_MOVE, MoveNames, MoveRow, time_text
from backroom.models.stock.operations import receive, transfer
from backroom.models.stock.verify import _stored_moves, verify
from tests.models.support import USER

FIRST = (1, "2027-12-31 08:30:00.000000", "receive", 3, None, 12, 1, 5, 2, "PO-1", None, None)
SECOND = (2, "2027-12-31 08:30:00.000001", "transfer", 3, 7, 1, 5, 6, 2, None, 'névé "x"', 1)


def test_a_row_hashes_as_the_ledger_always_has():
    first = MoveRow.sealed(*FIRST, "0" * 64)
    assert first.hash == "c4e31d90c1d534915116a2e9b00782785790ced78744adc219ecf17fb554810d"
    second = MoveRow.sealed(*SECOND, "ab" * 32)
    assert second.hash == "7aa3a09d68d9172f1a48f6eff79772d5076fe3a45c6f958101be6db48aaf1557"
    assert first.hash_is_right() and second.hash_is_right()


def test_any_change_of_content_changes_the_hash():
    row = MoveRow.sealed(*FIRST, "0" * 64)
    for changed in (
        row._replace(qty=13),
        row._replace(reference=None, note="PO-1"),  # shifted between two fields
        row._replace(reference=""),  # "" is not None
        row._replace(prev_hash="1" * 64),
    ):
        assert not changed.hash_is_right()


def test_the_names_a_person_reads_are_covered_by_the_hash():
    names = MoveNames("FLOUR", None, "SUPPLIER", "A1", "ann")
    row = MoveRow.sealed_with(names, *FIRST, "0" * 64)
    # Pinned when schema v8 began hashing names: a change here fails every database since.
    assert row.hash == "270c0cd0a289ceeee5800a6228dfc4ed337316639a0d06c4e57c0f6412807daa"
    assert row.hash_is_right(names) and not row.hash_is_right()
    for changed in (
        names._replace(sku="FLOUR2"),
        names._replace(lot="L-1"),
        names._replace(from_code="A1", to_code="SUPPLIER"),  # swapped ends
        names._replace(user="root"),
    ):
        assert not row.hash_is_right(changed)


def test_a_row_needs_every_column_before_its_hash():
    with pytest.raises(TypeError, match="13 columns before its hash"):
        MoveRow.sealed(*FIRST)


def test_a_stored_row_reads_its_time_from_either_database():
    values = (*FIRST, "0" * 64, "f" * 64)
    as_datetime = (values[0], dt.datetime(2027, 12, 31, 8, 30), *values[2:])
    assert MoveRow.stored(values) == MoveRow.stored(as_datetime) == MoveRow(*values)
    assert time_text(dt.datetime(2027, 1, 2, 3, 4, 5, 6)) == "2027-01-02 03:04:05.000006"


def test_the_columns_are_the_move_tables():
    assert set(COLUMNS) == {f.column_name for f in Move._meta.sorted_fields}
    assert INSERT_MOVE.startswith('INSERT INTO "move" ("id", "time", "kind", "item_id"')
    assert INSERT_MOVE.endswith("VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def test_what_posting_writes_verify_reads_back_as_the_same_rows(warehouse):
    first = receive("MILK", 24, "A1", user=USER, lot="L-1", ref="PO-7")
    second = transfer("MILK", 4, "A1", "A2", user=USER, lot="L-1")
    rows = list(_stored_moves())
    assert [(r.id, r.hash) for r in rows] == [(first.id, first.hash), (second.id, second.hash)]
    assert rows[1].prev_hash == first.hash
    assert rows[0].hash_is_right(MoveNames("MILK", "L-1", "SUPPLIER", "A1", USER))
    assert rows[1].hash_is_right(MoveNames("MILK", "L-1", "A1", "A2", USER))
    # Posted since schema v8: the ids alone no longer give the hash.
    assert not any(r.hash_is_right() for r in rows)
    assert rows[0].time == time_text(first.time) and rows[0].reference == "PO-7"
    assert verify().clean


def test_a_posted_move_is_said_in_one_sentence_for_cli_and_tui(warehouse):
    plain = receive("FLOUR", 500, "A1", user=USER)
    assert plain.sentence() == f"Posted move {plain.id}: receipt 500 FLOUR SUPPLIER → A1"
    moved = transfer("FLOUR", 20, "A1", "A2", user=USER)
    assert moved.sentence() == f"Posted move {moved.id}: transfer 20 FLOUR A1 → A2"
    milk = receive("MILK", 6, "A2", user=USER, lot="L-9")
    assert milk.sentence().endswith(": receipt 6 MILK lot L-9 SUPPLIER → A2")
