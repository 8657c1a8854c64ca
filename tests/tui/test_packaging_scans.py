"""A case's GTIN scanned on the floor means the case's base units: in Receive, Count and
Pick, as the item (the cursor then waits in the quantity field, where each further case
adds one) or in the quantity field (never read as a number). The ledger gets base units."""

from __future__ import annotations

import pytest

from backroom.models.browse import on_hand
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.parties import add_consignee
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.masterdata.packaging import add_packaging
from backroom.models.schema import Move
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut

CASE = "18712345000018"  # the GTIN on a case of 12 TAPE-48
OAT_CASE = "18712345000025"  # a case of 10 OAT-500 (lot-tracked)
HANDHELD = (40, 16)


@pytest.fixture
def floor(sqlite_database) -> str:
    """TAPE-48 in cases of 12 and pallets of 720; 63 at A-01, none at A-02."""
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm", "08712345000011"))
    add_packaging("TAPE-48", "cs", 12, gtin=CASE)
    add_packaging("TAPE-48", "pallet", 720)
    add_location("A-01")
    add_location("A-02")
    receive("TAPE-48", 63, "A-01", user=TEST_USER)
    return sqlite_database


async def enter(pilot, *entries: str) -> None:
    """Each entry typed into the focused field (replacing what is selected), then Enter,
    as a scanner sends it."""
    for text in entries:
        if text:
            await pilot.press(*text)
        await pilot.press("enter")
        await settle(pilot)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def last_move() -> Move:
    return Move.select().order_by(Move.id.desc()).get()


async def test_a_case_scanned_as_the_item_receives_a_case_and_each_case_after_adds_one(floor):
    app = BackroomApp(Session(TEST_USER, floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "r")
        await enter(pilot, CASE)
        form = app.screen
        assert form.values == {"item": "TAPE-48", "qty": 12}
        assert form.focused is form.field_input("qty")
        assert form.field_input("qty").value == "1 cs (12 pcs)"
        await enter(pilot, CASE, CASE)
        assert form.values["qty"] == 36
        assert form.field_input("qty").value == "3 cs (36 pcs)"
        assert "3 cs (36 pcs) of TAPE-48: scan again to add" in text_of(app, "#message")
        await enter(pilot, "", "A-02")  # Enter takes the 3 cases; the bin posts
        assert "Posted move" in text_of(app, "#result")
    move = last_move()
    assert (move.kind, move.qty, move.to_location.code) == ("receipt", 36, "A-02")
    assert on_hand("TAPE-48", location="A-02") == 36


async def test_a_case_label_with_its_lot_receives_the_lot_case_by_case(floor):
    add_item(ItemSpec("OAT-500", "Oat flakes", tracking="lot"))
    add_packaging("OAT-500", "cs", 10, gtin=OAT_CASE)
    label = f"]C101{OAT_CASE}10L-77"  # (01) the case's GTIN, (10) lot L-77
    app = BackroomApp(Session(TEST_USER, floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "r")
        await enter(pilot, label)
        form = app.screen
        assert form.values == {"item": "OAT-500", "lot": "L-77", "qty": 10}
        assert form.focused is form.field_input("qty")
        await enter(pilot, label)  # the next case of the same lot
        assert form.field_input("qty").value == "2 cs (20 pcs)"
        await enter(pilot, "", "", "A-02")  # the quantity, no expiry, the bin
        assert "Posted move" in text_of(app, "#result")
    assert on_hand("OAT-500", location="A-02", lot="L-77") == 20


async def test_a_case_gtin_in_the_quantity_field_adds_a_case_and_is_never_a_number(floor):
    app = BackroomApp(Session(TEST_USER, floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "r")
        await enter(pilot, "TAPE-48", CASE)  # one piece scanned, then a case: 13
        form = app.screen
        assert form.values["qty"] == 13
        assert form.field_input("qty").value == "1 cs + 1 pcs (13 pcs)"
        await enter(pilot, "", "A-02")
    assert last_move().qty == 13
    assert on_hand("TAPE-48", location="A-02") == 13


async def test_cases_typed_in_the_quantity_field_are_received_in_base_units(floor):
    app = BackroomApp(Session(TEST_USER, floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "r")
        await enter(pilot, "TAPE-48", "5 cs + 3")
        form = app.screen
        assert form.field_input("qty").value == "5 cs + 3 pcs (63 pcs)"
        assert form.focused is form.field_input("to")
        await enter(pilot, "A-02")
        assert "Posted move" in text_of(app, "#result")
        await enter(pilot, "TAPE-48", "2 box")
        assert "Item TAPE-48 has no packaging level 'box'" in text_of(app, "#message")
        assert "qty" not in form.values
    assert last_move().qty == 63


async def test_another_items_case_in_the_quantity_field_is_refused(floor):
    add_item(ItemSpec("GLUE", "Glue"))
    app = BackroomApp(Session(TEST_USER, floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "r")
        await enter(pilot, "GLUE", CASE)
        assert "That is TAPE-48, not GLUE: count one item at a time" in text_of(app, "#message")
        assert "qty" not in app.screen.values


async def test_counting_by_case_scans_posts_the_difference_in_pieces(floor):
    before = Move.select().count()
    app = BackroomApp(Session(TEST_USER, floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "c")
        await enter(pilot, "A-01", CASE, CASE, CASE, CASE, CASE)
        assert app.screen.field_input("qty").value == "5 cs (60 pcs)"
        await enter(pilot, "")
        assert "Counted 60 TAPE-48 at A-01: expected 63, difference -3" in text_of(app, "#result")
    assert Move.select().count() == before + 1
    move = last_move()
    assert (move.kind, move.qty, move.from_location.code) == ("count", 3, "A-01")
    assert on_hand("TAPE-48", location="A-01") == 60


@pytest.fixture
def shipment(floor) -> str:
    """A shipment of 24 TAPE-48, allocated at A-01."""
    add_consignee(
        "Kaufhaus Süd", address="Marktplatz 1", postal_code="80331", city="München",
        country="DE", user=TEST_USER,
    )  # fmt: skip
    number = create_shipment("Kaufhaus Süd", user=TEST_USER)
    add_line(number, "TAPE-48", 24, user=TEST_USER)
    allocate(number, user=TEST_USER)
    return number


async def test_picking_two_cases_by_their_gtin(shipment, floor):
    app = BackroomApp(Session(TEST_USER, floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "p")
        await enter(pilot, shipment, "A-01", CASE, CASE)
        assert app.screen.field_input("qty").value == "2 cs (24 pcs)"
        await enter(pilot, "")
        assert text_of(app, "#result").startswith("Picked 24 TAPE-48 from A-01")
    assert on_hand("TAPE-48", location="DISPATCH") == 24
    assert on_hand("TAPE-48", location="A-01") == 39


async def test_a_short_pick_takes_the_cases_in_the_quantity_field(shipment, floor):
    app = BackroomApp(Session(TEST_USER, floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "p")
        await enter(pilot, shipment, "A-01", CASE)
        await pilot.press("ctrl+o")
        await settle(pilot)
        question = text_of(app, "#dialog-question")
        assert "Expected 24, found 12: 12 short" in " ".join(question.split())
        await pilot.press("y")
        await settle(pilot)
    assert on_hand("TAPE-48", location="DISPATCH") == 12


async def test_move_shows_what_the_bin_holds_in_cases(floor):
    app = BackroomApp(Session(TEST_USER, floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "m")
        await enter(pilot, "A-01", "TAPE-48")
        held, advice = text_of(app, "#context").splitlines()
        assert held == "A-01 holds 5 cs + 3 pcs (63 pcs) of TAPE-48"
        assert advice == "Put away to A-02 (nearest empty bin)"


async def test_pick_shows_what_is_left_at_the_stop_in_cases(shipment, floor):
    app = BackroomApp(Session(TEST_USER, floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "p")
        await enter(pilot, shipment, "A-01", "TAPE-48")
        context = " ".join(text_of(app, "#context").split())
        assert context == "To pick at A-01: 2 cs (24 pcs) of TAPE-48"


def test_the_delivery_note_says_what_was_delivered_in_cases(shipment):
    from backroom.models.goods_out.documents import delivery_note
    from backroom.models.goods_out.picking import pick_all

    pick_all(shipment, user=TEST_USER)
    text = [" ".join(line.split()) for line in delivery_note(shipment).lines()]
    at = text.index("In packs")
    assert text[at + 1 : at + 4] == ["ITEM DELIVERED", "-" * 22, "TAPE-48 2 cs (24 pcs)"]
