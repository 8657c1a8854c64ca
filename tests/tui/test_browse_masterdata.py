"""Items, locations and lots: lists, the location tree, and the forms that create and
edit them, checked field by field and saved to the database with an event."""

from __future__ import annotations

import json

import pytest

from backroom.models.masterdata.adding import get_item, get_location
from backroom.models.schema import Event, Item, Lot
from backroom.tui.app import BackroomApp
from backroom.tui.screens.masterdata.forms import ItemForm, LocationForm, LotForm
from backroom.tui.screens.masterdata.items import ItemsScreen
from backroom.tui.screens.masterdata.locations import LocationsScreen
from backroom.tui.screens.masterdata.lots import LotsScreen
from backroom.tui.screens.stock.on_hand import StockScreen
from tests.tui.test_browse_helpers import catch_bells, fill, keys, make_app, rows, search, settle


@pytest.fixture
def app(sqlite_database, monkeypatch) -> BackroomApp:
    return make_app(sqlite_database, monkeypatch)


@pytest.fixture
def bells(monkeypatch) -> list[int]:
    return catch_bells(monkeypatch)


def field_error(app, name: str) -> str:
    note = app.screen.query_one(f"#e-{name}")
    return str(note.render()) if note.display else ""


def last_event(kind: str) -> tuple[str, dict]:
    event = Event.select().where(Event.kind == kind).order_by(Event.id.desc()).get()
    return event.subject, json.loads(event.detail)


# --- items ------------------------------------------------------------------------------


async def test_items_list_by_sku_with_stock_and_search(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "i")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert [(r[0], r[-1]) for r in rows(app)] == [
            ("GLUE", "8"),
            ("MILK", "32"),
            ("TAPE-48", "36"),
        ]
        await search(pilot, "milk")
        assert [r[0] for r in rows(app)] == ["MILK"]


async def test_editing_an_item_changes_it_in_the_database_and_logs_the_event(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "i")
        await keys(pilot, "down", "enter")  # MILK
        await settle(pilot)
        assert isinstance(app.screen, ItemForm)
        assert app.screen.query_one("#f-sku").disabled  # the SKU never changes
        assert app.screen.query_one("#f-name").value == "Milk 1 l"
        await fill(pilot, "name", "Whole milk 1 l")
        await fill(pilot, "shelf_life_days", "12")
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        item = get_item("MILK")
        assert (item.name, item.shelf_life_days) == ("Whole milk 1 l", 12)
        assert last_event("item.edit") == (
            "MILK",
            {"name": ["Milk 1 l", "Whole milk 1 l"], "shelf_life_days": [None, 12]},
        )
        assert rows(app)[1][1].startswith("Whole milk")
        assert str(app.screen.status.render()) == "Item MILK saved · By SKU · 3 items"


async def test_a_bad_gtin_check_digit_is_shown_under_the_field_on_leaving_it(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "i", "n")
        await settle(pilot)
        assert isinstance(app.screen, ItemForm)
        await fill(pilot, "sku", "CUP-1")
        await fill(pilot, "name", "Paper cup")
        await fill(pilot, "gtin", "4006381333932")
        await keys(pilot, "tab")
        await settle(pilot)
        assert field_error(app, "gtin") == "Check digit should be 1, not 2: a typing error?"
        assert Item.get_or_none(Item.sku == "CUP-1") is None
        # saving is refused until it is right
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ItemForm)
        assert app.screen.focused.id == "f-gtin"
        await fill(pilot, "gtin", "4006381333931")
        assert field_error(app, "gtin") == ""
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        assert get_item("CUP-1").gtin == "04006381333931"
        assert isinstance(app.screen, ItemsScreen)


async def test_a_taken_sku_is_said_when_leaving_the_field(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "i", "n")
        await settle(pilot)
        await fill(pilot, "sku", "MILK")
        await keys(pilot, "tab")
        await settle(pilot)
        assert field_error(app, "sku") == "Item MILK already exists"


async def test_a_refused_deactivation_shows_the_reason_with_the_bell(app, bells):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "i")
        await keys(pilot, "enter")  # GLUE, which is in stock
        await settle(pilot)
        app.screen.query_one("#f-active").value = False
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ItemForm)
        assert "still has 8 pcs in stock" in str(app.screen.query_one("#form-status").render())
        assert bells
        assert get_item("GLUE").active


# --- locations --------------------------------------------------------------------------


def tree_codes(node) -> list[str]:
    return [c.data.code for c in node.children if hasattr(c.data, "code")]


async def test_the_location_tree_reads_each_level_when_it_is_opened(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "o")
        await settle(pilot)
        assert isinstance(app.screen, LocationsScreen)
        tree = app.screen.tree
        assert "WH" in tree_codes(tree.root)
        wh = next(n for n in tree.root.children if n.data.code == "WH")
        assert wh.allow_expand and not wh.children  # not read yet
        tree.move_cursor(wh)
        await keys(pilot, "right")
        await settle(pilot)
        assert tree_codes(wh) == ["A", "B-01", "QC"]
        assert "quarantine" in str(wh.children[2].label)
        await keys(pilot, "down", "down")  # B-01
        await keys(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, StockScreen)
        assert sorted(r[0] for r in rows(app)) == ["B-01", "B-01"]


async def test_finding_a_location_opens_the_tree_down_to_it(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "o")
        await settle(pilot)
        await search(pilot, "A-02")
        node = app.screen.tree.cursor_node
        assert node.data.code == "A-02"
        assert node.parent.data.code == "A" and node.parent.is_expanded


async def test_moving_a_location_under_another_through_the_form(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "o")
        await settle(pilot)
        await search(pilot, "A-02")
        await keys(pilot, "e")
        await settle(pilot)
        assert isinstance(app.screen, LocationForm)
        await fill(pilot, "parent", "NOWHERE")
        await keys(pilot, "tab")
        await settle(pilot)
        assert field_error(app, "parent") == "Unknown location 'NOWHERE'"
        await fill(pilot, "parent", "B-01")
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LocationsScreen)
        assert get_location("A-02").path == "WH/B-01/A-02"
        assert app.screen.tree.cursor_node.data.code == "A-02"
        assert last_event("location.edit") == ("A-02", {"parent": ["A", "B-01"]})


async def test_a_new_location_under_the_one_under_the_cursor(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "o")
        await settle(pilot)
        await search(pilot, "A")
        await keys(pilot, "n")
        await settle(pilot)
        assert app.screen.query_one("#f-parent").value == "A"
        await fill(pilot, "code", "A-03")
        await fill(pilot, "name", "Shelf 3")
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        assert get_location("A-03").path == "WH/A/A-03"


# --- lots -------------------------------------------------------------------------------


async def test_lots_soonest_expiry_first_then_newest(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "n")
        await settle(pilot)
        assert isinstance(app.screen, LotsScreen)
        assert [r[0] for r in rows(app)] == ["M-OLD", "M-SOON", "G-1", "G-NOEXP"]
        await keys(pilot, "2")
        await settle(pilot)
        assert [r[0] for r in rows(app)] == ["G-NOEXP", "G-1", "M-SOON", "M-OLD"]


async def test_blocking_a_lot_through_the_form_needs_a_reason(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "n")
        await keys(pilot, "enter")  # M-OLD
        await settle(pilot)
        assert isinstance(app.screen, LotForm)
        app.screen.query_one("#f-status").value = "blocked"
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        assert "needs a reason" in str(app.screen.query_one("#form-status").render())
        await fill(pilot, "reason", "expired")
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LotsScreen)
        assert Lot.get(Lot.number == "M-OLD").status == "blocked"
        subject, detail = last_event("lot.status")
        assert (subject, detail["new"], detail["reason"]) == ("MILK/M-OLD", "blocked", "expired")


async def test_a_new_lot_with_a_bad_date_is_caught_before_saving(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "n", "n")
        await settle(pilot)
        assert isinstance(app.screen, LotForm)
        assert app.screen.query_one("#f-item").value == "MILK"  # the item under the cursor
        await fill(pilot, "number", "M-NEW")
        await fill(pilot, "expiry", "31/01/2026")
        await keys(pilot, "tab")
        assert "YYYY-MM-DD" in field_error(app, "expiry")
        await fill(pilot, "expiry", "2026-02-28")
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        lot = Lot.get(Lot.number == "M-NEW")
        assert (lot.item.sku, str(lot.expiry)) == ("MILK", "2026-02-28")


async def test_an_operator_is_told_that_changing_an_item_needs_a_lead(app, bells):
    from backroom.models.masterdata.adding import add_user, get_user
    from backroom.tui.session import Session

    add_user("olga", "operator", by=get_user("tester"))
    app.session = Session("olga", app.session.db_url, site="Test DC")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "i")
        await keys(pilot, "enter")  # GLUE
        await fill(pilot, "name", "Glue stick 20 g")
        await keys(pilot, "ctrl+s")
        shown = str(app.screen.query_one("#form-status").render())
        assert "olga is an operator: changing an item needs a lead" in shown
        assert bells and get_item("GLUE").name == "Glue stick"
