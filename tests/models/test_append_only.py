"""Moves and events are never updated or deleted, whatever the route."""

from __future__ import annotations

import peewee
import pytest

from backroom.models.db import db, is_postgres
from backroom.models.errors import Refused
from backroom.models.schema import Event, Move
from backroom.models.stock.operations import receive
from tests.models.support import assert_clean, ledger_state

USER = "tester"


@pytest.fixture
def receipt(warehouse) -> Move:
    posted = receive("FLOUR", 100, "A1", user=USER)
    return Move.get_by_id(posted.id)


def test_a_move_cannot_be_changed_or_deleted_through_the_models(receipt):
    before = ledger_state()
    with pytest.raises(Refused, match="Move records are append-only: post a reversal instead"):
        Move.update(qty=1).where(Move.id == receipt.id).execute()
    with pytest.raises(Refused, match="append-only"):
        Move.delete().where(Move.id == receipt.id).execute()
    receipt.qty = 1
    with pytest.raises(Refused, match="append-only"):
        receipt.save()
    with pytest.raises(Refused, match="append-only"):
        receipt.delete_instance()
    assert ledger_state() == before
    assert Move.get_by_id(receipt.id).qty == 100


def test_an_event_cannot_be_changed_or_deleted_through_the_models(receipt):
    with pytest.raises(Refused, match="Event records are append-only"):
        Event.update(kind="x").execute()
    with pytest.raises(Refused, match="append-only"):
        Event.delete().execute()


RAW_CHANGES = [
    'UPDATE "move" SET "qty" = 1',
    'UPDATE "move" SET "note" = \'nobody will notice\'',
    'DELETE FROM "move"',
    'UPDATE "event" SET "kind" = \'x\'',
    'DELETE FROM "event"',
]


def test_raw_sql_cannot_change_or_delete_moves_or_events(receipt):
    before = ledger_state()
    for statement in RAW_CHANGES:
        with pytest.raises(peewee.DatabaseError, match="append-only"), db.atomic():
            db.execute_sql(statement)
    assert ledger_state() == before
    assert_clean()


def test_truncating_the_ledger_is_refused_on_postgresql(receipt):
    if not is_postgres():
        pytest.skip("SQLite has no TRUNCATE; DELETE is covered above")
    with pytest.raises(peewee.DatabaseError, match="append-only"), db.atomic():
        db.execute_sql('TRUNCATE "move" CASCADE')
    assert Move.select().count() == 1
