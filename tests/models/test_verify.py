"""`verify`: a clean history passes; every kind of tampering is reported."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from backroom.models.browse import list_moves as moves
from backroom.models.browse import list_stock as stock
from backroom.models.db import db, is_sqlite
from backroom.models.masterdata.adding import find_lot, get_user, set_lot_status
from backroom.models.schema import Item, Location, Quant
from backroom.models.stock.operations import adjust, count, receive, reverse, scrap, transfer
from backroom.models.stock.verify import verify
from tests.models.support import USER


@pytest.fixture
def history(warehouse):
    """A morning in the warehouse: receipts, moves, a count, a correction."""
    receive("FLOUR", 25_000, "A1", user=USER, ref="PO-1")
    receive("MILK", 24, "A1", user=USER, lot="L-1")
    receive("PHONE", 1, "A2", user=USER, lot="SN-1")
    transfer("FLOUR", 5_000, "A1", "A2", user=USER)
    wrong = transfer("MILK", 6, "A1", "A2", user=USER, lot="L-1")
    reverse(wrong.id, user=USER, reason="wrong aisle")
    transfer("MILK", 4, "A1", "CUSTOMER", user=USER, lot="L-1", kind="pick", ref="SO-9")
    adjust("FLOUR", -250, "A2", user=USER, reason="bag torn")
    count("FLOUR", 19_990, "A1", user=USER)
    set_lot_status(find_lot("L-1"), "blocked", "temperature", by=get_user(USER))
    transfer("MILK", 10, "A1", "QC", user=USER, lot="L-1")
    scrap("MILK", 2, "QC", user=USER, lot="L-1", reason="spoilt")
    return warehouse


def tamper(statement: str) -> None:
    """Run STATEMENT the way an intruder with database access would: triggers off."""
    if is_sqlite():
        db.execute_sql('DROP TRIGGER "move_no_update"')
        db.execute_sql('DROP TRIGGER "move_no_delete"')
    else:
        db.execute_sql('ALTER TABLE "move" DISABLE TRIGGER USER')
    db.execute_sql(statement)


def move_id(kind: str) -> int:
    return moves(kind=kind, limit=1)[0].id


def test_a_day_of_work_verifies_clean(history):
    report = verify()
    assert report.problems == []
    assert report.clean
    assert report.moves == 11
    assert report.quants == len(list(Quant.select()))


def test_every_item_sums_to_zero_over_all_locations(history):
    totals: Counter[str] = Counter()
    for row in stock(include_virtual=True):
        totals[row.item] += row.qty
    assert totals == Counter({"FLOUR": 0, "MILK": 0, "PHONE": 0})
    assert stock(item="FLOUR", location="SUPPLIER", include_virtual=True)[0].qty == -25_000


def test_changing_a_moves_quantity_is_detected(history):
    pick = move_id("pick")
    tamper(f'UPDATE "move" SET "qty" = 1 WHERE "id" = {pick}')
    problems = verify().problems
    assert f"move {pick}: content does not match its hash" in problems
    assert "quant MILK lot L-1 at A1: ledger says 13, quant says 10" in problems
    assert "quant MILK lot L-1 at CUSTOMER: ledger says 1, quant says 4" in problems
    assert not verify().clean


def test_changing_a_moves_note_is_detected_by_the_hash(history):
    adj = move_id("adjust")
    tamper(f'UPDATE "move" SET "note" = \'found\' WHERE "id" = {adj}')
    assert verify().problems == [f"move {adj}: content does not match its hash"]


def test_rewriting_a_move_and_its_hash_breaks_the_chain_after_it(history):
    pick = move_id("pick")
    tamper(f'UPDATE "move" SET "hash" = \'{"f" * 64}\' WHERE "id" = {pick}')
    problems = verify().problems
    assert f"move {pick}: content does not match its hash" in problems
    assert f"move {pick + 1}: chain broken (prev_hash differs)" in problems


def test_deleting_a_move_is_detected(history):
    transfer_id = moves(kind="transfer", limit=3)[-1].id
    tamper(f'DELETE FROM "move" WHERE "id" = {transfer_id}')
    problems = verify().problems
    assert f"move {transfer_id + 1}: expected id {transfer_id} (a gap)" in problems
    assert f"move {transfer_id + 1}: chain broken (prev_hash differs)" in problems
    assert "quant FLOUR at A2: ledger says -250, quant says 4750" in problems
    assert "negative stock FLOUR at A2: -250" in problems


def test_deleting_the_newest_move_is_detected_by_the_ledger_head(history):
    last = moves(limit=1)[0].id
    tamper(f'DELETE FROM "move" WHERE "id" = {last}')
    problems = verify().problems
    assert any(p.startswith("ledger head") and f"({last - 1})" in p for p in problems)


def test_changing_a_quant_directly_is_detected(history):
    flour = Item.get(Item.sku == "FLOUR")
    a1 = Location.get(Location.code == "A1")
    Quant.update(qty=Quant.qty + 1000).where(
        (Quant.item == flour) & (Quant.location == a1)
    ).execute()
    problems = verify().problems
    assert "quant FLOUR at A1: ledger says 19990, quant says 20990" in problems
    assert "item FLOUR: locations sum to 1000, not 0" in problems


def test_a_quant_for_stock_the_ledger_never_saw_is_detected(history):
    flour = Item.get(Item.sku == "FLOUR")
    qc = Location.get(Location.code == "QC")
    Quant.create(item=flour, lot=None, lot_key=0, location=qc, qty=7)
    problems = verify().problems
    assert "quant FLOUR at QC: ledger says 0, quant says 7" in problems


def test_a_move_dated_in_local_time_is_kept_in_utc_and_verifies(warehouse):
    berlin_summer = dt.timezone(dt.timedelta(hours=2))
    receive("FLOUR", 5, "A1", user=USER, at=dt.datetime(2030, 7, 1, 10, 0, tzinfo=berlin_summer))
    transfer("FLOUR", 2, "A1", "A2", user=USER, at=dt.datetime(2030, 7, 1, 8, 30, tzinfo=dt.UTC))
    assert [m.time for m in moves()] == [
        dt.datetime(2030, 7, 1, 8, 30),
        dt.datetime(2030, 7, 1, 8, 0),
    ]
    assert verify().problems == []
