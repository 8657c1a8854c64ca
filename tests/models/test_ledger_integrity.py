"""The ledger holds against stale data and careful tampering."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.browse import on_hand
from backroom.models.db import db, write
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    get_user,
    set_lot_status,
)
from backroom.models.schema import Location, Lot, Move
from backroom.models.stock.ledger import MoveSpec, post
from backroom.models.stock.operations import count, receive
from backroom.models.stock.verify import verify
from tests.conftest import TEST_USER


@pytest.fixture
def milk(database):
    add_location("A1")
    add_location("A2")
    add_item(ItemSpec("MILK", "Milk 1 l", tracking="lot"))
    receive("MILK", 10, "A1", user=TEST_USER, lot="L1")
    return Lot.get(Lot.number == "L1")


def test_a_lot_recalled_after_it_was_read_does_not_move(milk):
    stale = Lot.get_by_id(milk.id)  # a session read the lot while it was released
    set_lot_status(milk, "recalled", "supplier recall", by=get_user(TEST_USER))
    spec = MoveSpec(
        "transfer",
        stale.item,
        2,
        Location.get(Location.code == "A1"),
        Location.get(Location.code == "A2"),
        stale,
    )
    with pytest.raises(Refused, match="is recalled"), write():
        post([spec], get_user(TEST_USER))
    assert on_hand("MILK", location="A1") == 10


def test_a_count_may_write_off_a_blocked_lot_that_is_missing(milk):
    set_lot_status(milk, "blocked", "mould found", by=get_user(TEST_USER))
    result = count("MILK", 7, "A1", user=TEST_USER, lot="L1")
    assert result.difference == -3
    assert on_hand("MILK", location="A1", lot="L1") == 7


def test_a_time_with_a_zone_is_stored_in_utc_and_verifies(milk):
    cet = dt.timezone(dt.timedelta(hours=1))
    spec = MoveSpec(
        "transfer",
        milk.item,
        1,
        Location.get(Location.code == "A1"),
        Location.get(Location.code == "A2"),
        milk,
    )
    with write():
        (move,) = post([spec], get_user(TEST_USER), at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=cet))
    assert move.time == dt.datetime(2026, 3, 2, 8, 0)
    assert verify().clean


def test_text_shifted_from_reference_to_note_is_caught(sqlite_database):
    add_location("A1")
    add_item(ItemSpec("TAPE", "Tape"))
    move = receive("TAPE", 5, "A1", user=TEST_USER, ref="PO-7")
    db.execute_sql('DROP TRIGGER "move_no_update"')
    db.execute_sql(
        'UPDATE "move" SET "reference" = NULL, "note" = ? WHERE "id" = ?', ("PO-7", move.id)
    )
    assert Move.get_by_id(move.id).note == "PO-7"
    report = verify()
    assert any("does not match its hash" in p for p in report.problems)
