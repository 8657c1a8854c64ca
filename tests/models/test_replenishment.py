"""Replenishment of pick faces: a face below its minimum is filled from reserve, first
expiry first, and the need is raised once, when the move that empties it posts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager

import peewee as pw
import pytest

from backroom.models.db import db
from backroom.models.goods_out.allocation import allocate_lot
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.parties import add_consignee
from backroom.models.goods_out.picking import pick
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_user,
    find_lot,
    get_user,
    set_lot_status,
)
from backroom.models.replenishment import (
    NEEDED,
    RESOLVED,
    clear_face,
    list_faces,
    needs,
    set_face,
)
from backroom.models.schema import Event
from backroom.models.stock.operations import receive, scrap, transfer
from tests.models.support import USER, assert_clean, refused

TODAY = dt.date.today()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def store(database) -> str:
    """MILK (lots) and FLOUR (untracked); pick faces A-01 and A-02 in aisle A, reserve
    bins B-01 to B-03 in aisle B, quarantine QC, and a consignee to ship to."""
    admin = get_user(USER)
    add_item(ItemSpec("MILK", "Milk 1 l", tracking="lot"), by=admin)
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"), by=admin)
    for aisle in ("A", "B"):
        add_location(aisle, by=admin)
    for code in ("A-01", "A-02"):
        add_location(code, parent="A", by=admin)
    for code in ("B-01", "B-02", "B-03"):
        add_location(code, parent="B", by=admin)
    add_location("QC", quarantine=True, by=admin)
    add_consignee(
        "Kaufhaus Sued",
        address="Marktplatz 1",
        postal_code="80331",
        city="Muenchen",
        country="DE",
        user=USER,
    )
    return database


def raised() -> list[dict[str, object]]:
    """The needs handed to the queue so far, as their events say them."""
    rows = Event.select().where(Event.kind == NEEDED).order_by(Event.id)
    return [{"subject": e.subject, **json.loads(e.detail)} for e in rows]


def shipped_from(face: str, item: str, qty: int, lot: str | None = None) -> str:
    """A shipment of QTY of ITEM allocated at FACE (LOT), ready to pick."""
    number = create_shipment("Kaufhaus Sued", user=USER)
    add_line(number, item, qty, user=USER)
    allocate_lot(number, item, qty, lot=lot, location=face, user=USER)
    return number


# --- where the stock comes from -----------------------------------------------------------


def test_reserve_is_taken_first_expiry_first_over_several_lots_and_bins(store):
    set_face("MILK", "A-01", min_qty=10, max_qty=50, by=get_user(USER))
    receive("MILK", 20, "B-01", user=USER, lot="LATE", expiry=days(60))
    receive("MILK", 15, "B-02", user=USER, lot="SOON", expiry=days(20))
    receive("MILK", 10, "B-03", user=USER, lot="SOON", expiry=days(20))
    receive("MILK", 30, "B-03", user=USER, lot="NODATE")
    found = needs()
    assert [f.face.location for f in found.faces] == ["A-01"]
    assert found.faces[0].to_bring == 50
    assert [(n.lot, n.from_location, n.to_location, n.qty) for n in found.needs] == [
        ("SOON", "B-02", "A-01", 15),
        ("SOON", "B-03", "A-01", 10),
        ("LATE", "B-01", "A-01", 20),
        ("NODATE", "B-03", "A-01", 5),
    ]
    assert "below its minimum of 10" in found.needs[0].why


def test_the_oldest_lot_goes_first_when_expiries_are_equal(store):
    set_face("MILK", "A-01", min_qty=1, max_qty=5, by=get_user(USER))
    receive("MILK", 5, "B-02", user=USER, lot="L-OLD", expiry=days(30))
    receive("MILK", 5, "B-01", user=USER, lot="L-NEW", expiry=days(30))
    assert [(n.lot, n.qty) for n in needs().needs] == [("L-OLD", 5)]


def test_blocked_quarantined_and_expired_lots_are_never_brought_to_the_face(store):
    set_face("MILK", "A-01", min_qty=10, max_qty=30, by=get_user(USER))
    receive("MILK", 10, "B-01", user=USER, lot="BAD", expiry=days(5))
    receive("MILK", 10, "B-02", user=USER, lot="HELD", expiry=days(6))
    receive("MILK", 10, "B-03", user=USER, lot="OLD", expiry=days(-1))
    receive("MILK", 10, "B-03", user=USER, lot="GOOD", expiry=days(40))
    lead = get_user(USER)
    set_lot_status(find_lot("BAD", "MILK"), "blocked", "lab", by=lead)
    set_lot_status(find_lot("HELD", "MILK"), "quarantine", "lab", by=lead)
    assert [(n.lot, n.from_location, n.qty) for n in needs().needs] == [("GOOD", "B-03", 10)]
    assert needs().faces[0].missing == 20


def test_another_pick_face_and_the_quarantine_cage_are_not_reserve(store):
    lead = get_user(USER)
    set_face("FLOUR", "A-01", min_qty=100, max_qty=1000, by=lead)
    set_face("FLOUR", "A-02", min_qty=100, max_qty=1000, by=lead)
    receive("FLOUR", 900, "A-02", user=USER)
    receive("FLOUR", 50, "QC", user=USER)
    receive("FLOUR", 300, "B-01", user=USER)
    found = needs()
    assert [(n.from_location, n.to_location, n.qty) for n in found.needs] == [("B-01", "A-01", 300)]
    assert (found.faces[0].to_bring, found.faces[0].missing) == (1000, 700)


def test_two_faces_of_one_item_do_not_share_the_same_reserve_units(store):
    lead = get_user(USER)
    receive("FLOUR", 500, "B-01", user=USER)
    set_face("FLOUR", "A-01", min_qty=100, max_qty=400, by=lead)
    set_face("FLOUR", "A-02", min_qty=100, max_qty=400, by=lead)
    assert [(n.to_location, n.qty) for n in needs().needs] == [("A-01", 400), ("A-02", 100)]


def test_a_face_with_no_reserve_is_reported_not_left_out(store):
    set_face("FLOUR", "A-01", min_qty=100, max_qty=500, by=get_user(USER))
    receive("FLOUR", 40, "A-01", user=USER)
    found = needs()
    assert [
        (f.face.item, f.face.location, f.face.on_hand, f.missing) for f in found.no_reserve
    ] == [("FLOUR", "A-01", 40, 460)]
    assert found.needs == []
    assert found.as_dict()["no_reserve"] == [{"item": "FLOUR", "location": "A-01", "missing": 460}]


def test_stock_allocated_at_the_face_does_not_count_as_held(store):
    set_face("FLOUR", "A-01", min_qty=100, max_qty=500, by=get_user(USER))
    receive("FLOUR", 150, "A-01", user=USER)
    receive("FLOUR", 1000, "B-01", user=USER)
    assert needs().faces == ()
    shipped_from("A-01", "FLOUR", 80)
    face = needs().faces[0]
    assert (face.face.on_hand, face.face.allocated, face.face.free, face.to_bring) == (
        150,
        80,
        70,
        430,
    )


# --- when moves post ----------------------------------------------------------------------


def test_a_pick_that_takes_a_face_below_min_raises_one_need_and_the_next_pick_none(store):
    lead = get_user(USER)
    receive("MILK", 30, "A-01", user=USER, lot="L1", expiry=days(30))
    receive("MILK", 100, "B-01", user=USER, lot="L2", expiry=days(40))
    set_face("MILK", "A-01", min_qty=20, max_qty=60, by=lead)
    assert raised() == []
    first = shipped_from("A-01", "MILK", 12, lot="L1")
    second = shipped_from("A-01", "MILK", 5, lot="L1")
    pick(first, location="A-01", item="MILK", qty=12, user=USER, lot="L1")
    assert raised() == [
        {
            "subject": "A-01 MILK",
            "item": "MILK",
            "lot": "L2",
            "expiry": days(40).isoformat(),
            "from": "B-01",
            "qty": 47,  # 18 on hand, 5 of them promised to the second shipment: 13 free
            "why": "A-01 has 13 pcs free, below its minimum of 20: filled to 60 "
            f"(expires {days(40).isoformat()}, first)",
        }
    ]
    pick(second, location="A-01", item="MILK", qty=5, user=USER, lot="L1")
    assert len(raised()) == 1
    assert_clean()


def test_filling_the_face_closes_its_need_and_the_next_fall_raises_a_new_one(store):
    receive("FLOUR", 100, "A-01", user=USER)
    receive("FLOUR", 1000, "B-01", user=USER)
    set_face("FLOUR", "A-01", min_qty=50, max_qty=200, by=get_user(USER))
    transfer("FLOUR", 60, "A-01", "B-02", user=USER)
    assert [(n["from"], n["qty"]) for n in raised()] == [("B-01", 160)]
    transfer("FLOUR", 160, "B-01", "A-01", user=USER)
    resolved = Event.select().where(Event.kind == RESOLVED)
    assert [e.subject for e in resolved] == ["A-01 FLOUR"]
    scrap("FLOUR", 190, "A-01", user=USER, reason="torn sacks")
    assert [(n["from"], n["qty"]) for n in raised()] == [("B-01", 160), ("B-01", 190)]


def test_a_face_already_below_min_when_it_is_set_gets_its_need_at_once(store):
    receive("FLOUR", 10, "A-01", user=USER)
    receive("FLOUR", 500, "B-01", user=USER)
    face = set_face("FLOUR", "A-01", min_qty=50, max_qty=200, by=get_user(USER))
    assert (face.on_hand, face.free) == (10, 10)
    assert [(n["from"], n["qty"]) for n in raised()] == [("B-01", 190)]
    assert needs().faces[0].pending


def test_an_item_with_no_reserve_raises_its_need_when_reserve_arrives(store):
    receive("FLOUR", 10, "A-01", user=USER)
    set_face("FLOUR", "A-01", min_qty=50, max_qty=200, by=get_user(USER))
    assert raised() == []
    receive("FLOUR", 500, "B-01", user=USER)
    assert [(n["from"], n["qty"]) for n in raised()] == [("B-01", 190)]


@contextmanager
def counted() -> Iterator[list[str]]:
    """The statements sent to the database inside the block."""
    seen: list[str] = []
    real = db.obj.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return real(sql, params, *args, **kwargs)

    db.obj.execute_sql = spy
    try:
        yield seen
    finally:
        del db.obj.execute_sql


def test_pick_faces_of_other_items_cost_a_posting_nothing(store):
    lead = get_user(USER)
    receive("FLOUR", 1000, "B-01", user=USER)
    receive("MILK", 10, "B-02", user=USER, lot="L1", expiry=days(30))
    with counted() as before:
        transfer("FLOUR", 5, "B-01", "B-03", user=USER)
    for n in range(40):
        add_location(f"A-1{n:02d}", parent="A", by=lead)
        set_face("MILK", f"A-1{n:02d}", min_qty=1, max_qty=5, by=lead)
    with counted() as after:
        transfer("FLOUR", 5, "B-01", "B-03", user=USER)
    assert len(after) == len(before)
    assert any("pick_face" in sql for sql in after)  # the one look at the faces


# --- setting faces ------------------------------------------------------------------------


def test_a_minimum_not_below_the_maximum_is_refused(store):
    lead = get_user(USER)
    with refused("minimum \\(50\\) must be below its maximum \\(50\\)"):
        set_face("FLOUR", "A-01", min_qty=50, max_qty=50, by=lead)
    with refused("minimum is a whole number of at least 0"):
        set_face("FLOUR", "A-01", min_qty=-1, max_qty=50, by=lead)
    with refused("is not a storage bin"):
        set_face("FLOUR", "QC", min_qty=1, max_qty=50, by=lead)
    with refused("A pick face is one bin; A has locations under it"):
        set_face("FLOUR", "A", min_qty=1, max_qty=50, by=lead)
    assert list_faces() == []


def test_the_database_itself_refuses_a_minimum_above_the_maximum(store):
    from backroom.models.schema.replenishment import PickFace

    set_face("FLOUR", "A-01", min_qty=1, max_qty=50, by=get_user(USER))
    with pytest.raises(pw.IntegrityError, match=r"(?i)check"), db.atomic():
        PickFace.update(min_qty=80).execute()
    assert [(f.min_qty, f.max_qty) for f in list_faces()] == [(1, 50)]


def test_a_face_is_set_again_listed_and_cleared_by_a_lead_only(store):
    lead = get_user(USER)
    operator = add_user("olaf", role="operator", by=lead)
    with refused("setting pick faces and their levels needs a lead"):
        set_face("FLOUR", "A-01", min_qty=1, max_qty=50, by=operator)
    set_face("FLOUR", "A-01", min_qty=1, max_qty=50, by=lead)
    set_face("FLOUR", "A-01", min_qty=10, max_qty=80, by=lead)
    set_face("MILK", "A-02", min_qty=2, max_qty=8, by=lead)
    assert [(f.item, f.location, f.min_qty, f.max_qty) for f in list_faces()] == [
        ("FLOUR", "A-01", 10, 80),
        ("MILK", "A-02", 2, 8),
    ]
    clear_face("FLOUR", "A-01", by=lead)
    with refused("A-01 is not a pick face of FLOUR"):
        clear_face("FLOUR", "A-01", by=lead)
    assert [f.item for f in list_faces()] == ["MILK"]


def test_a_bulk_posting_of_many_items_finds_its_faces_all_the_same(store, monkeypatch):
    from backroom.models import replenishment

    monkeypatch.setattr(replenishment, "MANY_ITEMS", 0)  # every posting counts as bulk
    receive("FLOUR", 100, "A-01", user=USER)
    receive("FLOUR", 1000, "B-01", user=USER)
    receive("MILK", 10, "A-02", user=USER, lot="L1", expiry=days(30))
    set_face("FLOUR", "A-01", min_qty=50, max_qty=200, by=get_user(USER))
    set_face("MILK", "A-02", min_qty=5, max_qty=20, by=get_user(USER))
    transfer("FLOUR", 60, "A-01", "B-02", user=USER)
    assert [(n["subject"], n["qty"]) for n in raised()] == [("A-01 FLOUR", 160)]
