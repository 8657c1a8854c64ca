"""A shipment's whole life in the TUI, by keys and scans alone: created, given lines,
allocated, picked, packed, weighed, shipped and delivered, or cancelled; checked in the
database (status, moves, parcels), at 80x24 and on a 40x16 handheld."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.browse import on_hand
from backroom.models.config import Config
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment, list_shipments
from backroom.models.goods_out.orders import shipment_detail as detail_of
from backroom.models.goods_out.parties import add_carrier, add_consignee
from backroom.models.goods_out.picking import pick_all
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, add_user
from backroom.models.people.roles import acting
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import key_burst, settle, shortcut

SIZES = [(80, 24), (40, 16)]
MILK_GS1 = "]C1010400638133393110L-5"  # (01) GTIN of MILK, (10) lot L-5


@pytest.fixture
def warehouse(sqlite_database) -> str:
    """10 MILK (lot L-5) at A-02, 6 BOX at B, a consignee and a carrier with services."""
    add_item(ItemSpec("MILK", "Milk 1 l", gtin="4006381333931", tracking="lot"))
    add_item(ItemSpec("BOX", "Carton"))
    for code in ("A-02", "B"):
        add_location(code)
    expiry = dt.date.today() + dt.timedelta(90)
    receive("MILK", 10, "A-02", user=TEST_USER, lot="L-5", expiry=expiry)
    receive("BOX", 6, "B", user=TEST_USER)
    add_consignee(
        "Kaufhaus Süd", address="Marktplatz 1", postal_code="80331", city="München",
        country="DE", user=TEST_USER,
    )  # fmt: skip
    add_carrier("DHL", name="DHL Freight", services=("standard",), user=TEST_USER)
    return sqlite_database


def session(url: str, user: str = TEST_USER) -> Session:
    """USER at a site with a GS1 company prefix."""
    return Session(user, url, config=Config({"site": {"gs1_company_prefix": "4012345"}}))


async def enter(pilot, *entries: str) -> None:
    """Each entry into the focused field in one burst, then Enter, as a scanner sends it."""
    for text in entries:
        if text:
            pilot.app.focused.insert_text_at_cursor(text)
        await pilot.press("enter")
        await settle(pilot)


async def choose(pilot, downs: int) -> None:
    """Open the focused list, go DOWNS lines down, and take that line."""
    await pilot.press("enter")
    await settle(pilot)
    for _ in range(downs):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)


def said(app) -> str:
    """The message line of the screen on top (a form's, else the screen's)."""
    for selector in ("#form-message", "#message"):
        found = app.screen.query(selector)
        if found:
            return str(found.first().content)
    return ""


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_shipment_from_creation_to_delivery_by_keys(warehouse, size):
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=size) as pilot:
        await shortcut(pilot, "g")  # new shipment, from home (and the palette)
        await choose(pilot, 0)  # the only consignee
        await choose(pilot, 2)  # no carrier, DHL Freight, DHL Freight · standard
        await enter(pilot, "+1")
        [created] = list_shipments()
        assert (created.status, created.carrier, created.service) == ("draft", "DHL", "standard")
        assert created.planned_date == dt.date.today() + dt.timedelta(days=1)
        number = created.number
        assert app.screen.number == number  # its detail is open

        await shortcut(pilot, "l")
        await enter(pilot, "MILK", "6", "BOX", "2")
        assert "BOX: 2 pcs ordered" in said(app)
        await pilot.press("escape")
        await settle(pilot)
        await shortcut(pilot, "a")
        assert detail_of(number).status == "allocated"

        await shortcut(pilot, "p")
        await enter(pilot, "A-02", MILK_GS1, "6", "B", "BOX", "2")
        assert "Nothing left to pick" in said(app) or "Picking done" in str(
            app.screen.query_one("#result").content
        )
        await pilot.press("escape")
        await settle(pilot)
        assert on_hand("MILK", location="DISPATCH", lot="L-5") == 6

        await shortcut(pilot, "k")
        await enter(pilot, MILK_GS1, "6", "BOX", "2")
        await pilot.press("escape")
        await settle(pilot)
        [parcel] = detail_of(number).parcels
        assert sorted((c.item, c.qty) for c in parcel.contents) == [("BOX", 2), ("MILK", 6)]

        await shortcut(pilot, "w")
        await choose(pilot, 0)
        await enter(pilot, "3,4")
        assert detail_of(number).parcels[0].weight_g == 3400

        await shortcut(pilot, "s")
        assert "1 parcels, 3.4 kg" in str(app.screen.query_one("#dialog-question").content)
        await pilot.press("y")
        await settle(pilot)
        assert "Shipped: 1 parcels" in said(app)
        assert detail_of(number).status == "shipped"
        assert on_hand("MILK", location="DISPATCH", lot="L-5") == 0
        assert {x.item: x.shipped for x in detail_of(number).lines} == {"MILK": 6, "BOX": 2}

        await shortcut(pilot, "d")
        await enter(pilot, "J. Schmidt", "")
        assert "signed by J. Schmidt" in said(app)
    shipped = detail_of(number)
    assert (shipped.status, shipped.summary.pod_name) == ("delivered", "J. Schmidt")


async def test_a_wrong_item_is_refused_as_it_is_scanned_and_selected(warehouse):
    number = create_shipment("Kaufhaus Süd", user=TEST_USER)
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        app.push_screen(app_screen(number))
        await settle(pilot)
        await shortcut(pilot, "l")
        await enter(pilot, "B")  # a location, not an item
        assert "'B' is not an item" in said(app)
        field = app.screen.query_one("#ask-item")
        assert field.has_focus and field.selected_text == "B"
        await pilot.press(*"BOX", "enter")  # typed: replaces what is selected
        await settle(pilot)
        await enter(pilot, "99999999")
        assert "too large for a quantity" in said(app)
    assert detail_of(number).lines == ()


def app_screen(number: str):
    """The detail screen of shipment NUMBER."""
    from backroom.tui import navigation

    return navigation.shipment_screen(number)


async def test_cancelling_says_what_happens_and_puts_picked_stock_back(warehouse):
    number = create_shipment("Kaufhaus Süd", user=TEST_USER)
    add_line(number, "BOX", 4, user=TEST_USER)
    add_line(number, "MILK", 2, user=TEST_USER)
    allocate(number, user=TEST_USER)
    from backroom.models.goods_out.picking import pick

    pick(number, location="B", item="BOX", qty=4, user=TEST_USER)
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        app.push_screen(app_screen(number))
        await settle(pilot)
        await shortcut(pilot, "x")
        explain = str(app.screen.query_one("#form-explain").content)
        assert "2 allocated units are released" in explain
        assert "4 picked units wait at dispatch" in explain
        await enter(pilot, "B", "customer called")
        assert "released 2 allocated units" in said(app)
    assert detail_of(number).status == "cancelled"
    assert on_hand("BOX", location="B") == 6
    assert on_hand("BOX", location="DISPATCH") == 0


async def test_an_operator_is_told_at_once_that_shipments_need_a_lead(warehouse):
    add_user("maria", "operator", by=acting(TEST_USER, "user.manage"))
    number = create_shipment("Kaufhaus Süd", user=TEST_USER)
    app = BackroomApp(session(warehouse, "maria"))
    async with app.run_test(size=(40, 16)) as pilot:
        app.push_screen(app_screen(number))
        await settle(pilot)
        for key in ("l", "x", "d"):
            await shortcut(pilot, key)
            assert "needs a lead" in said(app)
            assert not app.screen.query("#form")  # no form to fill in for nothing
        await shortcut(pilot, "escape")
        await shortcut(pilot, "escape")
        await shortcut(pilot, "g")
        assert "needs a lead" in said(app)
    assert [s.number for s in list_shipments()] == [number]


async def test_a_picked_shipment_is_packed_and_weighed_on_a_handheld(warehouse):
    number = create_shipment("Kaufhaus Süd", user=TEST_USER)
    add_line(number, "BOX", 3, user=TEST_USER)
    allocate(number, user=TEST_USER)
    pick_all(number, user=TEST_USER)
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        app.push_screen(app_screen(number))
        await settle(pilot)
        body = app.screen.query_one("#body").content
        assert "Next: P pick · K pack" in "".join(str(x) for x in body.renderables[:2])
        await shortcut(pilot, "k")
        await enter(pilot, "BOX", "3")
        await pilot.press("ctrl+g")
        await enter(pilot, "1.25")
    [parcel] = detail_of(number).parcels
    assert (parcel.weight_g, detail_of(number).status) == (1250, "packed")


async def test_back_from_picking_the_allocation_message_is_gone(warehouse):
    """'Reserved 4; complete' was still shown after a short pick had changed the shipment."""
    number = create_shipment("Kaufhaus Süd", user=TEST_USER)
    add_line(number, "BOX", 4, user=TEST_USER)
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        app.push_screen(app_screen(number))
        await settle(pilot)
        await shortcut(pilot, "a")
        assert said(app) == "Reserved 4; complete"
        await shortcut(pilot, "p")
        assert type(app.screen).__name__ == "PickScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "ShipmentDetailScreen"
        assert said(app) == ""


async def test_tab_from_the_last_field_of_a_form_goes_back_to_the_first(warehouse):
    """Tab from the date landed on the form's scrolling box: nothing looked focused, and
    what was typed next went to the app as a scan."""
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "g")
        await choose(pilot, 0)
        assert app.focused.id == "ask-carrier"
        for expected in ("ask-date", "ask-consignee", "ask-carrier", "ask-date"):
            await pilot.press("tab")
            await settle(pilot)
            assert app.focused.id == expected
        await enter(pilot, "+1")
        [created] = list_shipments()
        assert created.planned_date == dt.date.today() + dt.timedelta(days=1)


async def test_lines_sent_back_to_back_each_land_in_their_field(warehouse):
    """Item, quantity and the next item in one burst, as a scanner over SSH sends them:
    each entry waits for the one before it (FD-1005, Enter, 5, Enter made 'FD-10055')."""
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "g")
        await choose(pilot, 0)
        await choose(pilot, 0)
        await enter(pilot, "")
        [created] = list_shipments()
        await shortcut(pilot, "l")
        key_burst(app, [*"MILK", "enter", "6", "enter", *"BOX", "enter", "2", "enter"])
        await settle(pilot)
        assert {x.item: x.ordered for x in detail_of(created.number).lines} == {"MILK": 6, "BOX": 2}
        assert "BOX: 2 pcs ordered" in said(app)
