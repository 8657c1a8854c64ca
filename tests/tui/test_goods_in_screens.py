"""Receive against order, driven with the keyboard: a pallet from one SSCC scan and one
confirmation (or counted line by line first), order lines counted as they come, a
lead's PIN for too much, and Ctrl+Z for the last receipt or the last pallet."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.browse import on_hand
from backroom.models.goods_in.asn import AnnouncedLine, AsnDraft, announce
from backroom.models.goods_in.orders import (
    add_order_line,
    confirm_order,
    create_order,
    order_detail,
)
from backroom.models.goods_in.receiving import pallet_view
from backroom.models.goods_in.report import asn_discrepancies
from backroom.models.goods_in.suppliers import add_supplier
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, add_user
from backroom.models.people.users import set_pin
from backroom.models.rules.identifiers import make_sscc
from backroom.models.schema import Move, utcnow
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import key_burst, settle, shortcut

SSCC = make_sscc("4012345", 41)


@pytest.fixture
def dock(sqlite_database):
    """PO-000001 from ACME: 100 OAT-500 (lots), 50 TAPE-48; pallet SSCC announced with
    60 + 40 OAT-500. Operator 'op'; lead 'boss' with PIN 482913."""
    add_location("DOCK")
    add_location("QC", quarantine=True)
    add_item(ItemSpec("OAT-500", "Oat flakes 500 g", gtin="5412345000013", tracking="lot"))
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    add_supplier("ACME", name="Acme Mills", user=TEST_USER)
    number = create_order("ACME", user=TEST_USER)
    add_order_line(number, "OAT-500", 100, user=TEST_USER)
    add_order_line(number, "TAPE-48", 50, user=TEST_USER)
    confirm_order(number, user=TEST_USER)
    lines = (
        AnnouncedLine(SSCC, "OAT-500", 60, "L-1", dt.date(2027, 5, 1)),
        AnnouncedLine(SSCC, "OAT-500", 40, "L-2", dt.date(2027, 5, 8)),
    )
    announce(AsnDraft("DA-1", number, lines), user=TEST_USER)
    add_user("op", "operator")
    add_user("boss", "lead")
    set_pin("boss", "482913", by=None)
    return sqlite_database


async def _enter(pilot, *entries: str) -> None:
    for text in entries:
        await pilot.press(*text)
        await pilot.press("enter")
        await settle(pilot)


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def _lines(app) -> str:
    """The pallet's lines as the count screen lists them."""
    return "\n".join(str(o.prompt) for o in app.screen.query_one("#count-lines").options)


@pytest.mark.parametrize("size", [(80, 24), (40, 16)])
async def test_one_pallet_scan_shows_its_contents_and_one_yes_receives_it_all(dock, size):
    app = BackroomApp(Session("op", dock))
    async with app.run_test(size=size) as pilot:
        await shortcut(pilot, "w")
        await _enter(pilot, "00" + SSCC)
        shown = _lines(app)
        assert "60 pcs OAT-500 L-1 exp 2027-05-01" in shown
        assert "40 pcs OAT-500 L-2" in shown
        await _enter(pilot, "DOCK")  # the bin, scanned: the pallet as announced
        assert "Receive all of it into DOCK?" in _text(app, "#dialog-question")
        assert Move.select().count() == 0  # nothing before the yes
        await pilot.press("y")
        await settle(pilot)
        assert "Received pallet" in _text(app, "#result")
    assert (on_hand("OAT-500", location="DOCK", lot="L-1"), on_hand("OAT-500", lot="L-2")) == (
        60,
        40,
    )
    assert {m.reference for m in Move.select()} == {SSCC}


async def test_order_lines_are_counted_as_received_and_the_order_stays_for_the_next(dock):
    app = BackroomApp(Session("op", dock))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "w")
        await _enter(pilot, "PO-1", "TAPE-48")
        assert "Line 2 TAPE-48: 0 of 50 pcs in" in _text(app, "#context")
        await _enter(pilot, "30", "DOCK")
        assert "Posted move" in _text(app, "#result")
        await _enter(pilot, "TAPE-48")  # the order is kept: straight to the next item
        assert "Line 2 TAPE-48: 30 of 50 pcs in" in _text(app, "#context")
    assert order_detail("PO-1").lines[1].received == 30


async def test_more_than_ordered_asks_a_lead_whose_pin_lets_it_in(dock):
    app = BackroomApp(Session("op", dock))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "w")
        await _enter(pilot, "PO-1", "TAPE-48", "55")
        # asked at the field, before anything else is scanned (#13: within what is ordered)
        asked = " ".join(_text(app, "#message").split())
        assert "55 makes 55 of 50 ordered, over 50: a lead approves at posting" in asked
        assert app.screen.cursor == "qty"
        await pilot.press("enter")  # Enter again: yes, 55
        await settle(pilot)
        await _enter(pilot, "DOCK")
        assert "55 of 50 ordered, 5 over" in _text(app, "#lead-why")
        await _enter(pilot, "boss", "000000")
        assert "Wrong name or PIN" in _text(app, "#message")
        assert Move.select().count() == 0
        await pilot.press("ctrl+s")
        await settle(pilot)
        await _enter(pilot, "boss", "482913")
        assert "approved by boss" in _text(app, "#result")
    assert on_hand("TAPE-48", location="DOCK") == 55


async def test_damaged_goods_go_to_quarantine(dock):
    app = BackroomApp(Session("op", dock))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "w")
        await _enter(pilot, "PO-1", "TAPE-48", "5")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "Damaged" in _text(app, "#message")
        await _enter(pilot, "DOCK")
        assert "→ QC" in _text(app, "#result")
    line = order_detail("PO-1").lines[1]
    assert (line.received, line.damaged, on_hand("TAPE-48", location="QC")) == (5, 5, 5)


async def test_the_leads_home_shows_orders_due_today_and_late_ones(dock):
    late = create_order("ACME", user=TEST_USER, expected=utcnow().date() - dt.timedelta(days=3))
    add_order_line(late, "TAPE-48", 10, user=TEST_USER)
    confirm_order(late, user=TEST_USER)
    app = BackroomApp(Session(TEST_USER, dock))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        figures = _text(app, "#figure-text").splitlines()
        assert figures[-2:] == ["Orders due today          1", "Orders late               1"]
        listed = _text(app, "#orders-due").splitlines()
        assert listed[0] == "Due PO-000001 Acme Mills"
        assert listed[1].startswith(f"Late {late} Acme Mills (")


async def test_a_pallet_scanned_anywhere_opens_receiving_with_its_contents(dock):
    app = BackroomApp(Session("op", dock))
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await _enter(pilot, "(00)" + SSCC)  # on the home screen, no field waiting
        assert app.screen.TITLE == "Count pallet"
        assert "60 pcs OAT-500 L-1" in _lines(app)
        await _enter(pilot, "DOCK")
        await pilot.press("y")
        await settle(pilot)
    assert on_hand("OAT-500", location="DOCK") == 100


@pytest.mark.parametrize("code", ["PO-000001", "DA-1"])
async def test_an_order_or_asn_scanned_on_home_opens_receiving_against_its_order(dock, code):
    app = BackroomApp(Session("op", dock))
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await _enter(pilot, code)  # on the home screen, no field waiting
        assert app.screen.TITLE == "Receive against order"
        assert app.screen.values["doc"] == "PO-000001"
        await _enter(pilot, "TAPE-48", "5", "DOCK")
        assert "receipt 5 TAPE-48 ACME → DOCK on PO-000001" in _text(app, "#result")
    assert order_detail("PO-1").lines[1].received == 5


async def test_a_pallet_counted_short_on_one_line_receives_what_was_counted(dock):
    app = BackroomApp(Session("op", dock))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "w")
        await _enter(pilot, "00" + SSCC, "abc")
        assert "That is not a quantity" in _text(app, "#count-message")
        field = app.screen.query_one("#count-qty")
        assert field.selected_text == "abc"  # the next key replaces it
        await _enter(pilot, "58")
        assert "✎ 58/60 pcs OAT-500 L-1" in _lines(app)
        assert "› " in _lines(app).splitlines()[1]  # on to line 2
        await _enter(pilot, "")  # the rest as announced
        assert "OAT-500 L-1: 58 of 60 pcs, 2 short" in _text(app, "#context")
        await _enter(pilot, "DOCK")
        question = _text(app, "#dialog-question")
        assert "2 short" in question and "Receive as counted into DOCK?" in question
        await pilot.press("y")
        await settle(pilot)
        assert "Counted: OAT-500 L-1: 58 of 60 pcs, 2 short" in _text(app, "#result")
    assert (on_hand("OAT-500", lot="L-1"), on_hand("OAT-500", lot="L-2")) == (58, 40)
    assert [(r.lot, r.received, r.short) for r in asn_discrepancies("DA-1").rows] == [
        ("L-1", 58, 2),
        ("L-2", 40, 0),
    ]


async def test_a_count_beyond_the_order_is_asked_and_esc_mid_count_posts_nothing(dock):
    app = BackroomApp(Session("op", dock))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "w")
        await _enter(pilot, "00" + SSCC, "(01)05412345000013(10)L-2")  # the scan marks L-2
        assert "› " in _lines(app).splitlines()[1]
        await _enter(pilot, "43")
        asked = " ".join(_text(app, "#count-message").split())
        assert "103 of 100 ordered, 3 over" in asked and "a lead approves at posting" in asked
        assert "✎" not in _lines(app)  # not taken until Enter again
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.TITLE == "Receive against order"
        assert "Backed out: nothing received" in _text(app, "#message")
        assert app.screen.values == {}
    assert Move.select().count() == 0
    assert pallet_view(SSCC).received_at is None


async def test_ctrl_z_undoes_the_last_pallet_whole_then_the_line_before_it(dock):
    app = BackroomApp(Session("op", dock))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "w")
        await _enter(pilot, "PO-1", "TAPE-48", "30", "DOCK")
        await pilot.press("escape")  # the order, kept for its next line, goes too
        await _enter(pilot, "00" + SSCC, "DOCK")
        await pilot.press("y")
        await settle(pilot)
        assert on_hand("OAT-500", location="DOCK") == 100
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "Undo pallet receipt" in _text(app, "#dialog-title")
        assert "60 OAT-500 L-1, 40 OAT-500 L-2" in _text(app, "#dialog-question")
        await pilot.press("y")
        await settle(pilot)
        assert "it can be received again" in _text(app, "#result")
        assert (on_hand("OAT-500", location="DOCK"), on_hand("TAPE-48", location="DOCK")) == (
            0,
            30,
        )
        assert pallet_view(SSCC).received_at is None
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "receipt 30 TAPE-48" in _text(app, "#dialog-question")
        await pilot.press("y")
        await settle(pilot)
        assert "Undone: move" in _text(app, "#result")
    assert on_hand("TAPE-48", location="DOCK") == 0
    assert [x.received for x in order_detail("PO-1").lines] == [0, 0]


async def test_a_second_resume_on_the_count_screen_waits_for_the_count_on_its_way(dock):
    """Two counts held while the last entry was read, then two resumes (two ends of
    busy): the second found the first count not yet taken and typed the next one into
    the same field (58 and 40 became 5840)."""
    app = BackroomApp(Session("op", dock))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "w")
        await _enter(pilot, "00" + SSCC)
        count = app.screen
        count.busy = True
        count.hold.keys.extend("58\r39\r")
        count._busy = False
        count._resume()
        count._resume()
        await settle(pilot)
        assert "✎ 58/60 pcs OAT-500 L-1" in _lines(app)
        assert "✎ 39/40 pcs OAT-500 L-2" in _lines(app)


async def test_a_leads_name_and_pin_typed_fast_each_land_in_their_field(dock):
    """boss, Enter, PIN, Enter in one burst: the PIN waits for its field, never typed in
    clear into the name field."""
    app = BackroomApp(Session("op", dock))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "w")
        await _enter(pilot, "PO-1", "TAPE-48", "55")
        await pilot.press("enter")  # Enter again: yes, 55
        await settle(pilot)
        await _enter(pilot, "DOCK")
        assert "55 of 50 ordered, 5 over" in _text(app, "#lead-why")
        key_burst(app, [*"boss", "enter", *"482913", "enter"])
        await settle(pilot)
        assert "approved by boss" in _text(app, "#result")
    assert on_hand("TAPE-48", location="DOCK") == 55
