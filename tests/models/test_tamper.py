"""Forgeries by someone who can write the database (raw SQL, the append-only triggers
dropped, the hashing code read from the source): `verify` names each one.

What no check can catch (a forged receipt appended after the last checkpoint; an
intruder holding the database, the key and the off-box file together) is in the
README's "Tamper evidence", and the first is at least reported as unsigned here."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import socket

import pytest

from backroom.models.db import db, is_sqlite
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import add_user, find_lot, get_user, set_lot_status
from backroom.models.schema import Checkpoint, LedgerHead, Move
from backroom.models.stock import signing
from backroom.models.stock.event_row import EventRow, event_hash
from backroom.models.stock.move_row import MoveNames, MoveRow
from backroom.models.stock.operations import receive, transfer
from backroom.models.stock.signing import (
    Head,
    SigningSettings,
    checkpoint,
    create_key,
    load_private,
    message,
    offbox_line,
)
from backroom.models.stock.verify import verify
from tests.models.support import USER

GUARDED = ("move", "event", "checkpoint")
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def site(tmp_path) -> SigningSettings:
    """The site's key in a folder of its own, the off-box copy in another."""
    settings = SigningSettings(
        key=tmp_path / "keys" / "signing.key", offbox=tmp_path / "offbox.log", syslog=False
    )
    create_key(settings)
    return settings


@pytest.fixture
def day(warehouse, site) -> SigningSettings:
    """Receipts of flour and two milk lots, signed; then transfers, signed again."""
    admin = get_user(USER)
    add_user("olga", "operator", by=admin)
    receive("FLOUR", 100, "A1", user=USER, ref="PO-1")
    receive("MILK", 24, "A1", user=USER, lot="L-1")
    receive("MILK", 12, "A1", user=USER, lot="L-2")
    sign(site)
    transfer("FLOUR", 30, "A1", "A2", user=USER)
    transfer("MILK", 4, "A1", "A2", user=USER, lot="L-1")
    transfer("MILK", 2, "A1", "A2", user="olga", lot="L-2")
    sign(site)
    return site


def sign(site: SigningSettings) -> None:
    report = verify(signing=site)
    assert report.problems == []
    checkpoint(site, report.head)


def tamper(*statements: str) -> None:
    """Run STATEMENTS as an intruder with write access would: the triggers off first."""
    for table in GUARDED:
        if is_sqlite():
            for action in ("update", "delete"):
                db.execute_sql(f'DROP TRIGGER IF EXISTS "{table}_no_{action}"')
        else:
            db.execute_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
    for statement in statements:
        db.execute_sql(statement)


def q(text: str) -> str:
    return text if is_sqlite() else text.replace("?", "%s")


NAMED_MOVES = (
    'SELECT m."id", m."time", m."kind", m."item_id", m."lot_id", m."qty", '
    'm."from_location_id", m."to_location_id", m."user_id", m."reference", m."note", '
    'm."reverses_id", m."prev_hash", m."hash", i."sku", l."number", f."code", t."code", '
    'u."name" FROM "move" m JOIN "item" i ON i."id" = m."item_id" '
    'LEFT JOIN "lot" l ON l."id" = m."lot_id" '
    'JOIN "location" f ON f."id" = m."from_location_id" '
    'JOIN "location" t ON t."id" = m."to_location_id" '
    'JOIN "user" u ON u."id" = m."user_id" ORDER BY m."id"'
)


def rechain_moves() -> str:
    """Recompute every move's hash, as the source says, and fix the head; returns it."""
    prev = "0" * 64
    last = 0
    for values in db.execute_sql(NAMED_MOVES).fetchall():
        row = MoveRow.stored(values[:14])
        sealed = MoveRow.sealed_with(MoveNames(*values[14:]), *row[:-2], prev)
        db.execute_sql(
            q('UPDATE "move" SET "prev_hash" = ?, "hash" = ? WHERE "id" = ?'),
            (prev, sealed.hash, row.id),
        )
        prev, last = sealed.hash, row.id
    db.execute_sql(q('UPDATE "ledger_head" SET "last_id" = ?, "last_hash" = ?'), (last, prev))
    return prev


def rechain_events() -> None:
    """Recompute every event's hash and fix the event head."""
    prev, last = "0" * 64, 0
    users = dict(db.execute_sql('SELECT "id", "name" FROM "user"').fetchall())
    rows = db.execute_sql(
        'SELECT "id", "time", "kind", "subject", "user_id", "detail", "prev_hash", "hash" '
        'FROM "event" ORDER BY "id"'
    ).fetchall()
    for values in rows:
        row = EventRow.stored(values)
        content = (*row[:6], prev)
        new = event_hash(content, users.get(row.user_id))
        db.execute_sql(
            q('UPDATE "event" SET "prev_hash" = ?, "hash" = ? WHERE "id" = ?'),
            (prev, new, row.id),
        )
        prev, last = new, row.id
    db.execute_sql(
        q('UPDATE "ledger_head" SET "event_last_id" = ?, "event_last_hash" = ?'), (last, prev)
    )


def last_move() -> Move:
    return Move.select().order_by(Move.id.desc()).first()


def head() -> tuple[int, str, int, str]:
    h = LedgerHead.get_by_id(1)
    return h.last_id, h.last_hash, h.event_last_id, h.event_last_hash


def problems(site: SigningSettings) -> list[str]:
    return verify(signing=site).problems


def test_a_signed_day_verifies_clean_and_names_both_heads(day):
    report = verify(signing=day)
    assert report.problems == []
    assert report.head == Head(*head())
    assert (report.checkpoints, report.unsigned_moves, report.offbox) == (2, 0, 2)
    assert report.last_checkpoint.move_id == 6
    assert report.legacy_moves == report.legacy_events == 0


def test_deleting_the_last_move_and_fixing_the_head_is_caught(day):
    gone = last_move()
    tamper(
        f'DELETE FROM "move" WHERE "id" = {gone.id}',
        # the stock put back as it was, so only the history tells
        f'UPDATE "quant" SET "qty" = "qty" - {gone.qty} WHERE "location_id" = '
        f'{gone.to_location_id} AND "lot_key" = {gone.lot_id}',
        f'UPDATE "quant" SET "qty" = "qty" + {gone.qty} WHERE "location_id" = '
        f'{gone.from_location_id} AND "lot_key" = {gone.lot_id}',
    )
    before = Move.get_by_id(gone.id - 1)
    db.execute_sql(
        q('UPDATE "ledger_head" SET "last_id" = ?, "last_hash" = ?'), (before.id, before.hash)
    )
    found = problems(day)
    assert f"checkpoint 2: names move {gone.id}, which is gone from the chain" in found
    offbox = f"checkpoint 2 as recorded in {day.offbox} line 2"
    assert f"{offbox}: names move {gone.id}, which is gone from the chain" in found
    assert not any(p.startswith("quant") for p in found)


@SQLITE_ONLY
def test_swapping_two_moves_and_recomputing_the_chain_is_caught(day):
    four, five = Move.get_by_id(4), Move.get_by_id(5)
    swap = 'UPDATE "move" SET "item_id" = {}, "lot_id" = {}, "qty" = {} WHERE "id" = {}'
    tamper(
        swap.format(five.item_id, five.lot_id, five.qty, 4),
        swap.format(four.item_id, "NULL", four.qty, 5),
    )
    rechain_moves()
    found = problems(day)
    assert [p for p in found if p.startswith("checkpoint 2:")] == [
        f"checkpoint 2: move 6 was signed as {day_hash(day, 2)[:12]}…, the chain now has "
        f"{last_move().hash[:12]}… (moves 4 to 6 rewritten)"
    ]
    assert not any(p.startswith("checkpoint 1") for p in found)


def day_hash(site: SigningSettings, number: int) -> str:
    return Checkpoint.get_by_id(number).move_hash


@SQLITE_ONLY
def test_slipping_a_forged_receipt_into_signed_history_is_caught(day):
    """A receipt of 500 flour at A2 made to look as if it came before the transfers."""
    tamper(
        'UPDATE "move" SET "id" = "id" + 100 WHERE "id" > 3',
        'UPDATE "move" SET "id" = "id" - 99 WHERE "id" > 100',
    )
    first = Move.get_by_id(1)
    db.execute_sql(
        q(
            'INSERT INTO "move" ("id", "time", "kind", "item_id", "qty", "from_location_id", '
            '"to_location_id", "user_id", "prev_hash", "hash") '
            "VALUES (4, ?, 'receipt', ?, 500, ?, "
            "(SELECT \"id\" FROM \"location\" WHERE \"code\" = 'A2'), ?, '', '')"
        ),
        (first.time, first.item_id, first.from_location_id, first.user_id),
    )
    db.execute_sql(
        'UPDATE "quant" SET "qty" = "qty" + 500 WHERE "item_id" = 1 AND "location_id" = '
        '(SELECT "id" FROM "location" WHERE "code" = \'A2\')'
    )
    db.execute_sql(
        'UPDATE "quant" SET "qty" = "qty" - 500 WHERE "item_id" = 1 AND "location_id" = '
        '(SELECT "id" FROM "location" WHERE "code" = \'SUPPLIER\')'
    )
    rechain_moves()
    found = problems(day)
    assert any(
        p.startswith("checkpoint 2: move 6 was signed as")
        and p.endswith("(moves 4 to 6 rewritten)")
        for p in found
    )


def test_a_forged_receipt_appended_after_the_last_checkpoint_is_reported_unsigned(day):
    """Out of reach of any signature until the next checkpoint (README): the report says
    how many moves no checkpoint vouches for yet."""
    receive("FLOUR", 7, "A1", user=USER)  # stands in for the forgery: a valid new move
    report = verify(signing=day)
    assert report.clean
    assert report.unsigned_moves == 1
    assert report.head.move_id == report.last_checkpoint.move_id + 1


def _edit_first_receipt_and_rechain() -> None:
    tamper(
        'UPDATE "move" SET "qty" = 90 WHERE "id" = 1',
        'UPDATE "quant" SET "qty" = "qty" - 10 WHERE "item_id" = 1 AND "qty" = 70',
        'UPDATE "quant" SET "qty" = "qty" + 10 WHERE "item_id" = 1 AND "qty" = -100',
    )
    rechain_moves()


def test_editing_an_early_receipt_and_recomputing_the_whole_chain_is_caught(day):
    _edit_first_receipt_and_rechain()
    found = problems(day)
    assert not any(p.startswith(("quant", "move")) for p in found), found
    assert any(p.startswith("checkpoint 1: move 3 was signed as") for p in found)
    assert any(p.endswith("(moves 1 to 3 rewritten)") for p in found)


@SQLITE_ONLY
def test_re_signing_without_the_key_is_caught_by_the_signature(day):
    _edit_first_receipt_and_rechain()
    hashes = {m.id: m.hash for m in Move.select(Move.id, Move.hash)}
    for cp in Checkpoint.select():
        db.execute_sql(
            q('UPDATE "checkpoint" SET "move_hash" = ? WHERE "id" = ?'),
            (hashes[cp.move_id], cp.id),
        )
    found = problems(day)
    assert found[:2] == [
        "checkpoint 1: signature does not match (the checkpoint was changed or made "
        "without the site's key)",
        "checkpoint 2: signature does not match (the checkpoint was changed or made "
        "without the site's key)",
    ]


@SQLITE_ONLY
def test_re_signing_with_a_stolen_key_is_caught_by_the_off_box_copy(day):
    _edit_first_receipt_and_rechain()
    stolen = load_private(day)
    hashes = {m.id: m.hash for m in Move.select(Move.id, Move.hash)}
    prev = None
    for cp in Checkpoint.select().order_by(Checkpoint.id):
        new_head = Head(cp.move_id, hashes[cp.move_id], cp.event_id, cp.event_hash)
        signature = stolen.sign(message(cp.id, cp.time, new_head, cp.key_id, prev)).hex()
        db.execute_sql(
            q(
                'UPDATE "checkpoint" SET "move_hash" = ?, "prev_signature" = ?, '
                '"signature" = ? WHERE "id" = ?'
            ),
            (hashes[cp.move_id], prev, signature, cp.id),
        )
        prev = signature
    found = problems(day)
    assert not any(p.startswith("checkpoint 1:") or p.startswith("checkpoint 2:") for p in found)
    line1 = f"checkpoint 1 as recorded in {day.offbox} line 1"
    assert any(p.startswith(f"{line1}: move 3 was signed as") for p in found)
    assert f"{line1}: differs from the database's checkpoint" in found


@SQLITE_ONLY
def test_renaming_a_user_by_sql_is_caught_on_every_move_they_posted(day):
    tamper('UPDATE "user" SET "name" = \'boss\' WHERE "name" = \'olga\'')
    found = problems(day)
    assert "move 6: content does not match its hash" in found
    assert "user boss: not in the event log (added outside Backroom)" in found
    assert not any(p.startswith("move 5") for p in found)


@SQLITE_ONLY
def test_swapping_two_lots_numbers_is_caught_on_their_moves(day):
    tamper(
        'UPDATE "lot" SET "number" = \'X\' WHERE "number" = \'L-1\'',
        'UPDATE "lot" SET "number" = \'L-1\' WHERE "number" = \'L-2\'',
        'UPDATE "lot" SET "number" = \'L-2\' WHERE "number" = \'X\'',
    )
    found = problems(day)
    assert found == [f"move {n}: content does not match its hash" for n in (2, 3, 5, 6)]


def test_promoting_a_user_by_sql_is_caught(day):
    tamper('UPDATE "user" SET "role" = \'admin\' WHERE "name" = \'olga\'')
    assert problems(day) == [
        "user olga: role admin in the database, but the event log says operator "
        "(changed outside Backroom)"
    ]


def _event_id(kind: str, subject: str) -> int:
    return db.execute_sql(
        q('SELECT "id" FROM "event" WHERE "kind" = ? AND "subject" = ?'), (kind, subject)
    ).fetchone()[0]


def test_deleting_an_event_is_caught(day):
    gone = _event_id("user.add", "olga")
    tamper(f'DELETE FROM "event" WHERE "id" = {gone}')
    found = problems(day)
    assert f"event {gone}: missing (deleted) before event {gone + 1}" in found
    assert f"event {gone + 1}: chain broken (prev_hash differs)" in found
    assert "user olga: not in the event log (added outside Backroom)" in found


@SQLITE_ONLY
def test_editing_an_event_is_caught(day):
    edited = _event_id("user.add", "olga")
    tamper(
        f'UPDATE "event" SET "detail" = \'{json.dumps({"role": "admin"})}\' WHERE "id" = {edited}'
    )
    db.execute_sql('UPDATE "user" SET "role" = \'admin\' WHERE "name" = \'olga\'')
    assert problems(day) == [f"event {edited} (user.add olga): content does not match its hash"]


@SQLITE_ONLY
def test_deleting_the_last_event_and_rechaining_is_caught_by_the_checkpoint(day):
    last = head()[2]
    tamper(f'DELETE FROM "event" WHERE "id" = {last}')
    rechain_events()
    found = problems(day)
    assert f"checkpoint 2: names event {last}, which is gone from the chain" in found


@SQLITE_ONLY
def test_deleting_the_checkpoints_is_caught_by_the_off_box_copy(day):
    tamper('DELETE FROM "checkpoint"')
    found = problems(day)
    assert found == [
        f"checkpoint {n} as recorded in {day.offbox} line {n}: missing from the database (deleted)"
        for n in (1, 2)
    ]


@SQLITE_ONLY
def test_checkpoints_with_no_public_key_to_check_them_fail(day):
    os.remove(day.public_key)
    os.remove(day.key)
    assert problems(day)[0] == (
        f"2 signed checkpoint(s), but no public key at {day.public_key} to check them with"
    )


@SQLITE_ONLY
def test_a_key_that_others_may_read_signs_nothing(day):
    os.chmod(day.key, 0o640)
    with pytest.raises(Refused, match=re.escape("may be read by others (mode 0640): chmod 600")):
        sign(day)
    assert Checkpoint.select().count() == 2


@SQLITE_ONLY
def test_a_replaced_key_still_verifies_what_the_old_one_signed(day):
    with pytest.raises(Refused, match="already at"):
        create_key(day)
    create_key(day, force=True)
    receive("FLOUR", 1, "A1", user=USER)
    sign(day)
    report = verify(signing=day)
    assert report.problems == []
    assert len(report.keys) == 2 and report.checkpoints == 3


def test_a_key_is_written_for_its_owner_only(site):
    assert os.stat(site.key).st_mode & 0o777 == 0o600
    assert os.stat(site.public_key).st_mode & 0o777 == 0o644


def test_an_event_inserted_outside_backroom_shows_as_unchained(day):
    tamper(
        'INSERT INTO "event" ("time", "kind", "subject", "detail") '
        "VALUES ('2030-01-01 00:00:00', 'user.role', 'olga', '{\"role\": \"admin\"}')"
    )
    found = problems(day)
    assert found == [
        f"event {head()[2] + 1} (user.role olga): not chained, so not written by Backroom"
    ]


@SQLITE_ONLY
def test_undoing_a_recall_by_sql_is_caught(day):
    set_lot_status(find_lot("L-1"), "recalled", "listeria", by=get_user(USER))
    tamper('UPDATE "lot" SET "status" = \'released\' WHERE "number" = \'L-1\'')
    assert problems(day) == [
        "lot MILK/L-1: released in the database, but the event log says recalled "
        "(changed outside Backroom)"
    ]


@SQLITE_ONLY
def test_a_checkpoint_goes_to_syslog_as_the_same_line(day, tmp_path, monkeypatch):
    path = str(tmp_path / "log")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as syslog:
        syslog.bind(path)
        syslog.settimeout(10)
        monkeypatch.setattr(signing, "SYSLOG_SOCKET", path)
        receive("FLOUR", 1, "A1", user=USER)
        report = verify(signing=day)
        cp, sent = checkpoint(dataclasses.replace(day, syslog=True), report.head)
        line = syslog.recv(4096).decode()
    assert sent == ["syslog", str(day.offbox)]
    assert line.endswith(offbox_line(cp) + "\x00")
    assert day.offbox.read_text().splitlines()[-1] == offbox_line(cp)
