"""`verify`: a clean history passes; every kind of tampering is reported."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from backroom.models.browse import list_moves as moves
from backroom.models.browse import list_stock as stock
from backroom.models.db import db, is_sqlite, make_database
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    find_lot,
    get_user,
    init_database,
    set_lot_status,
)
from backroom.models.migrations import (
    CURRENT_VERSION,
    _v2_append_only_triggers,
    migrate,
    open_database,
)
from backroom.models.schema import GENESIS_HASH, Event, Item, Location, Quant
from backroom.models.stock.move_row import MoveRow
from backroom.models.stock.operations import adjust, count, receive, reverse, scrap, transfer
from backroom.models.stock.requests import create_request_table
from backroom.models.stock.verify import _stored_moves, verify
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


def build_version_6(url: str) -> int:
    """A database as the release before schema v8 left it: moves hashed over ids only,
    events not chained, no checkpoints. Returns how many events it holds."""
    db.initialize(make_database(url))
    db.connect()
    migrate(upto=6)
    create_request_table()  # today's receive and transfer keep request ids (dropped below)
    init_database(USER)
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"))
    add_location("A1")
    add_location("A2")
    receive("FLOUR", 500, "A1", user=USER)
    transfer("FLOUR", 200, "A1", "A2", user=USER)
    for action in ("update", "delete"):
        for table in ("move", "event"):
            db.execute_sql(f'DROP TRIGGER "{table}_no_{action}"')
    prev = GENESIS_HASH
    for row in _stored_moves():
        old = MoveRow.sealed(*row[:-2], prev)
        db.execute_sql(
            'UPDATE "move" SET "prev_hash" = ?, "hash" = ? WHERE "id" = ?', (prev, old.hash, row.id)
        )
        prev = old.hash
    db.execute_sql('UPDATE "ledger_head" SET "last_hash" = ?', (prev,))
    for table, column in (
        ("event", "prev_hash"),
        ("event", "hash"),
        ("ledger_head", "event_last_id"),
        ("ledger_head", "event_last_hash"),
    ):
        db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    db.execute_sql('DROP TABLE "checkpoint"')
    db.execute_sql('DROP TABLE "posting_request"')
    _v2_append_only_triggers()
    events = db.execute_sql('SELECT COUNT(*) FROM "event"').fetchone()[0]
    db.close()
    return events


def test_an_old_ledger_is_brought_over_honestly(sqlite_url):
    events = build_version_6(sqlite_url)
    assert open_database(sqlite_url) == CURRENT_VERSION
    report = verify()
    assert report.problems == []
    assert (report.legacy_moves, report.legacy_events) == (2, events)
    start = Event.get(Event.kind == "chain.start")
    assert json.loads(start.detail)["legacy_moves"] == 2
    receive("FLOUR", 5, "A2", user=USER)
    report = verify()
    assert report.problems == [] and report.moves == 3 and report.events == events + 1
    db.execute_sql('DROP TRIGGER "event_no_update"')
    db.execute_sql('UPDATE "event" SET "detail" = \'{"role": "admin"}\' WHERE "id" = 2')
    assert verify().problems == [
        f"events before the chain began (up to event {events}) were changed or deleted: "
        f"{events} there now, {events} when the chain began"
    ]
    db.close()


def test_an_old_move_is_still_checked_by_its_old_hash(sqlite_url):
    build_version_6(sqlite_url)
    open_database(sqlite_url)
    db.execute_sql('DROP TRIGGER "move_no_update"')
    db.execute_sql('UPDATE "move" SET "qty" = 300 WHERE "id" = 2')
    assert "move 2: content does not match its hash" in verify().problems
    db.close()


def test_verify_reports_its_progress_through_both_chains(history):
    heard: list[tuple] = []
    report = verify(progress=lambda *args: heard.append(args))
    total = report.moves + report.events
    assert heard[0] == (0, total, "checking quants")
    assert heard[-1] == (total, total, "checked")
