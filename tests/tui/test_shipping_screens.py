"""Picking, packing and the shipment screens on a 40x16 handheld, driven by keys and
scans, checked on the screen and in the database."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from rich.console import Console

from backroom.models.browse import on_hand
from backroom.models.config import Config
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.orders import shipment_detail as detail_of
from backroom.models.goods_out.parties import add_carrier, add_consignee
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import key_burst, settle, shortcut

HANDHELD = (40, 16)
MILK_GS1 = "]C1010400638133393110L-5"  # (01) GTIN of MILK, (10) lot L-5


@pytest.fixture
def shipment(sqlite_database) -> str:
    """SHP-000001 for 6 MILK (lot L-5 at A-02) and 2 BOX (1 at A-01, 1 at B), allocated."""
    add_item(ItemSpec("MILK", "Milk 1 l", gtin="4006381333931", tracking="lot"))
    add_item(ItemSpec("BOX", "Carton"))
    for code in ("A-01", "A-02", "B"):
        add_location(code)
    receive(
        "MILK", 10, "A-02", user=TEST_USER, lot="L-5", expiry=dt.date.today() + dt.timedelta(90)
    )
    receive("BOX", 1, "A-01", user=TEST_USER)
    receive("BOX", 5, "B", user=TEST_USER)
    add_consignee(
        "Kaufhaus Süd", address="Marktplatz 1", postal_code="80331", city="München",
        country="DE", user=TEST_USER,
    )  # fmt: skip
    add_carrier("DHL", name="DHL Freight", user=TEST_USER)
    number = create_shipment("Kaufhaus Süd", user=TEST_USER, carrier="DHL")
    add_line(number, "MILK", 6, user=TEST_USER)
    add_line(number, "BOX", 2, user=TEST_USER)
    allocate(number, user=TEST_USER)
    return number


def session(url: str) -> Session:
    """The tester at a site with a GS1 company prefix."""
    return Session(TEST_USER, url, config=Config({"site": {"gs1_company_prefix": "4012345"}}))


async def enter(pilot, *entries: str) -> None:
    """Each entry into the focused field in one burst, then Enter, as a scanner sends it."""
    for text in entries:
        if text:
            pilot.app.focused.insert_text_at_cursor(text)
        await pilot.press("enter")
        await settle(pilot)


def shown(app, selector: str) -> str:
    """The text of a widget as the screen shows it, spaces collapsed."""
    widget = app.screen.query_one(selector)
    console = Console(width=HANDHELD[0], file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return " ".join(console.file.getvalue().split())


async def test_picking_a_shipment_stop_by_stop_on_a_handheld(shipment, sqlite_database):
    app = BackroomApp(session(sqlite_database))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "p")
        await enter(pilot, shipment)
        assert shown(app, "#message") == "Next: A-01 BOX x 1 (3 stops, 8 units)"
        await enter(pilot, "A-01", "BOX", "1")
        assert shown(app, "#result") == "Picked 1 BOX from A-01. Next: A-02 MILK lot L-5 x 6"
        # a GS1 label fills item and lot; the wrong shelf is refused, as it is scanned,
        # with the way to go
        await enter(pilot, "B", MILK_GS1)
        assert "Nothing of MILK is to be picked at B" in shown(app, "#message")
        assert "item" not in app.screen.values
        await pilot.press("escape")
        await enter(pilot, "A-02", MILK_GS1, "6")
        assert shown(app, "#result").startswith("Picked 6 MILK lot L-5 from A-02")
        # at B the box is missing: Ctrl+O says that is all there was
        await enter(pilot, "B", "BOX")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "Expected 1, found 0: 1 short" in shown(app, "#dialog-question")
        await pilot.press("y")
        await settle(pilot)
        assert shown(app, "#result") == "1 short. Picking done"
    assert on_hand("MILK", location="DISPATCH", lot="L-5") == 6
    assert on_hand("BOX", location="B") == 5
    detail = detail_of(shipment)
    assert detail.status == "picking"
    assert any("expected 1, found 0" in h.text for h in detail.history)


async def test_packing_into_two_parcels_and_weighing_one(shipment, sqlite_database):
    from backroom.models.goods_out.picking import pick_all

    pick_all(shipment, user=TEST_USER)
    app = BackroomApp(session(sqlite_database))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "k")
        await enter(pilot, shipment)
        assert shown(app, "#message") == "8 picked units wait to be packed"
        await enter(pilot, MILK_GS1, "6")
        first = app.screen.field_input("parcel").value
        assert shown(app, "#result") == f"Parcel {first} holds 6; 2 left to pack (shipment picking)"
        await pilot.press("ctrl+n")
        await enter(pilot, "BOX", "3")
        assert "Only 2 pcs of BOX are picked and not yet packed" in shown(app, "#message")
        await pilot.press("backspace")  # the 3 is still in the field: make it a 2
        await enter(pilot, "2")
        second = app.screen.field_input("parcel").value
        assert second != first
        assert shown(app, "#result") == f"Parcel {second} holds 2; all packed (shipment packed)"
        await pilot.press("ctrl+g")
        await enter(pilot, "3,4")
        assert shown(app, "#result") == f"Parcel {second} weighs 3.400 kg"
    parcels = {p.sscc: p for p in detail_of(shipment).parcels}
    assert [(c.item, c.lot, c.qty) for c in parcels[first].contents] == [("MILK", "L-5", 6)]
    assert parcels[second].weight_g == 3400
    assert detail_of(shipment).status == "packed"


async def test_the_shipment_list_filters_by_status_and_opens_a_shipment(shipment, sqlite_database):
    draft = create_shipment("Kaufhaus Süd", user=TEST_USER)
    app = BackroomApp(session(sqlite_database))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "h")
        table = app.screen.query_one("DataTable")
        assert [str(k.value) for k in table.rows] == [draft, shipment]
        assert shown(app, "#title") == "Shipments · open · F to filter"
        await shortcut(pilot, "f")  # to pick: allocated or picking
        assert [str(k.value) for k in table.rows] == [shipment]
        await shortcut(pilot, "enter")
        body = shown(app, "#body")
        assert f"{shipment} ALLOCATED" in body and "To Kaufhaus Süd" in body
        assert "A-02 MILK L-5 6 0" in body


async def test_scanning_a_parcel_anywhere_opens_its_shipment(shipment, sqlite_database):
    from backroom.models.goods_out.packing import pack_all
    from backroom.models.goods_out.picking import pick_all

    pick_all(shipment, user=TEST_USER)
    sscc = pack_all(shipment, user=TEST_USER, company_prefix="4012345").parcel.sscc
    app = BackroomApp(session(sqlite_database))
    async with app.run_test(size=HANDHELD) as pilot:
        await settle(pilot)
        await pilot.press(*sscc, "enter")
        await settle(pilot)
        await settle(pilot)
        body = shown(app, "#body")
        assert f"{shipment} PACKED" in body and sscc in body


async def test_a_short_pick_takes_the_typed_quantity_and_asks_before_recording(
    shipment, sqlite_database
):
    """4 typed without Enter, then Ctrl+O: it was recorded as "found 0" with no question."""
    app = BackroomApp(session(sqlite_database))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "p")
        await enter(pilot, shipment, "A-02", MILK_GS1)
        await pilot.press("4")  # typed, not entered
        await pilot.press("ctrl+o")
        await settle(pilot)
        question = shown(app, "#dialog-question")
        assert "Expected 6, found 4: 2 short" in question
        assert "recount of A-02 is requested" in question
        await pilot.press("n")
        await settle(pilot)
        assert "Short pick not recorded" in shown(app, "#message")
        assert detail_of(shipment).status == "allocated"  # nothing picked, nothing given up
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert shown(app, "#result").startswith("Picked 4 MILK lot L-5 from A-02")
    assert on_hand("MILK", location="DISPATCH", lot="L-5") == 4
    assert any("expected 6, found 4" in h.text for h in detail_of(shipment).history)


async def test_a_short_pick_keyed_while_the_lot_is_still_checked_waits_its_turn(
    shipment, sqlite_database
):
    """Lot scan, 4, Ctrl+O and y in one SSH batch: Ctrl+O ran before the 4 was typed,
    found no quantity, and y landed in the quantity field. Keys keep their order."""
    app = BackroomApp(session(sqlite_database))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "p")
        await enter(pilot, shipment, "A-02")
        key_burst(app, [*MILK_GS1, "enter", "4", "ctrl+o", "y"])
        for _ in range(3):
            await settle(pilot)
        assert shown(app, "#result").startswith("Picked 4 MILK lot L-5 from A-02")
    assert on_hand("MILK", location="DISPATCH", lot="L-5") == 4
    assert any("expected 6, found 4" in h.text for h in detail_of(shipment).history)


async def test_a_pick_bin_that_is_not_a_stop_is_refused_when_scanned(shipment, sqlite_database):
    from backroom.models.masterdata.adding import add_location as add

    add("C-09")
    app = BackroomApp(session(sqlite_database))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "p")
        await enter(pilot, shipment, "C-09")
        message = shown(app, "#message")
        assert "Nothing is to be picked at C-09" in message
        assert "next stop is A-01 BOX x 1" in message
        assert "location" not in app.screen.values
