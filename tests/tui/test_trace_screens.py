"""The trace, recall and transform screens, driven with the keyboard at 80x24 and 40x16."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Tree

from backroom.models.browse import on_hand
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, find_lot
from backroom.models.schema.shipping import Consignee, Shipment
from backroom.models.stock.operations import receive, transfer
from backroom.models.trace.transform import Line, transform
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut


@pytest.fixture
def bakery(sqlite_database):
    """Flour F1 from a mill, made into bread B1, 6 loaves shipped to Corner Shop."""
    for sku, name in (("FLOUR", "Flour"), ("BREAD", "Bread"), ("SALT", "Salt")):
        add_item(ItemSpec(sku, name, tracking="lot"))
    add_item(ItemSpec("BAG", "Paper bag"))
    add_location("MILL", kind="supplier", name="Ceres Mill")
    add_location("A1")
    add_location("QC", quarantine=True)
    receive("FLOUR", 100, "A1", user=TEST_USER, lot="F1", supplier="MILL", supplier_lot="H-26")
    receive("SALT", 10, "A1", user=TEST_USER, lot="S1")
    receive("BAG", 50, "A1", user=TEST_USER)
    transform("A1", [Line("FLOUR", "F1", 40)], [Line("BREAD", "B1", 20)], user=TEST_USER)
    shop = Consignee.create(
        name="Corner Shop", address="1 High St", postal_code="1000", city="Ghent", country="BE"
    )
    Shipment.create(number="SHP-000001", consignee=shop, planned_date=dt.date(2026, 6, 1))
    transfer("BREAD", 6, "A1", "CUSTOMER", user=TEST_USER, lot="B1", kind="ship", ref="SHP-000001")
    return sqlite_database


def lines(tree: Tree) -> list[str]:
    """The tree's visible lines as text, indented two spaces a level."""
    out: list[str] = []

    def walk(node, depth: int) -> None:
        out.append("  " * depth + str(node.label))
        if node.is_expanded:
            for child in node.children:
                walk(child, depth + 1)

    walk(tree.root, 0)
    return out


def find(tree: Tree, text: str):
    """The first visible node whose label contains TEXT."""
    todo = [tree.root]
    while todo:
        node = todo.pop(0)
        if text in str(node.label):
            return node
        if node.is_expanded:
            todo.extend(node.children)
    raise AssertionError(f"no node {text!r} in {lines(tree)}")


async def _type(pilot, text: str) -> None:
    await pilot.press(*text, "enter")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (40, 16)])
async def test_tracing_the_flour_shows_the_mill_and_the_shop_that_got_the_bread(bakery, size):
    app = BackroomApp(Session(TEST_USER, bakery))
    async with app.run_test(size=size) as pilot:
        await shortcut(pilot, "t")
        assert type(app.screen).__name__ == "TraceScreen"
        await _type(pilot, "F1")
        tree = app.screen.query_one(Tree)
        shown = lines(tree)
        assert shown[0] == "FLOUR lot F1 · released"
        assert (
            "    Received " in shown[2] and "from Ceres Mill · 100 · supplier lot H-26" in shown[2]
        )
        assert any(line.startswith("    On hand 60") for line in shown)
        assert any("Went into TF-000001: production" in line for line in shown)
        assert any("BREAD lot B1 · released · 20 made" in line for line in shown)
        assert any("SHP-000001 · Corner Shop · 6" in line for line in shown)
        summary = str(app.screen.query_one("#trace-summary").render())
        assert "1 lot made from it · 1 customer reached" in summary


async def test_from_a_node_to_the_location_and_to_the_lot_made_from_it(bakery):
    app = BackroomApp(Session(TEST_USER, bakery))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "t")
        await _type(pilot, "FLOUR F1")
        tree = app.screen.query_one(Tree)
        tree.move_cursor(find(tree, "A1 · 60"))
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "StockScreen"
        await pilot.press("escape")
        await settle(pilot)
        tree = app.screen.query_one(Tree)
        tree.move_cursor(find(tree, "BREAD lot B1"))
        await shortcut(pilot, "g")
        assert type(app.screen).__name__ == "TraceScreen"
        upstream = lines(app.screen.query_one(Tree))
        assert upstream[0] == "BREAD lot B1 · released"
        assert any("Made by TF-000001" in line for line in upstream)
        assert any("FLOUR lot F1 · released · 40 used" in line for line in upstream)


async def test_an_unknown_lot_is_said_with_the_bell(bakery):
    app = BackroomApp(Session(TEST_USER, bakery))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "t")
        await _type(pilot, "NOPE")
        assert str(app.screen.query_one("#trace-summary").render()) == "✗ Unknown lot 'NOPE'"


async def test_recalling_from_the_trace_marks_the_bread_and_saves_the_report(
    bakery, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # the documents folder goes there
    app = BackroomApp(Session(TEST_USER, bakery))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "t")
        await _type(pilot, "F1")
        await shortcut(pilot, "r")
        assert type(app.screen).__name__ == "RecallScreen"
        head = str(app.screen.query_one("#recall-head").render())
        assert head == "Recall FLOUR lot F1 and the 1 lot made from it"
        await _type(pilot, "Stones in the flour")
        assert "Enter again to confirm" in str(app.screen.query_one("#recall-summary").render())
        await pilot.press("enter")
        await settle(pilot)
        head = str(app.screen.query_one("#recall-head").render())
        assert head.startswith("RECALLED FLOUR lot F1")
        await shortcut(pilot, "c")
        saved = str(app.screen.query_one("#recall-summary").render())
        assert saved.startswith("Saved ") and saved.endswith(".csv")
    assert (find_lot("F1").status, find_lot("B1").status) == ("recalled", "recalled")
    (report,) = (tmp_path / "backroom" / "documents").glob("recall-FLOUR-F1-*.csv")
    text = report.read_text()
    assert 'customer,Corner Shop,"1 High St, 1000 Ghent, BE",SHP-000001' in text


async def test_escape_before_the_second_enter_recalls_nothing(bakery):
    app = BackroomApp(Session(TEST_USER, bakery))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "e")
        await _type(pilot, "B1")
        await _type(pilot, "Label misprint")
        await pilot.press("escape")
        await settle(pilot)
        said = str(app.screen.query_one("#recall-summary").render())
        assert said == "Recall cancelled; nothing was changed"
    assert find_lot("B1").status == "released"


@pytest.mark.parametrize("size", [(80, 24), (40, 16)])
async def test_a_transformation_scanned_line_by_line(bakery, size):
    app = BackroomApp(Session(TEST_USER, bakery))
    async with app.run_test(size=size) as pilot:
        await shortcut(pilot, "f")
        assert type(app.screen).__name__ == "TransformScreen"
        await _type(pilot, "A1")
        for entry in ("FLOUR", "F1", "10", "SALT", "S1", "1", "BAG", "2"):
            await _type(pilot, entry)
        await _type(pilot, "")  # on to the outputs
        assert str(app.screen.query_one("#tf-step").render()) == "Produce item"
        for entry in ("BREAD", "B2", "8"):
            await _type(pilot, entry)
        await _type(pilot, "")  # post
        result = str(app.screen.query_one("#result").render())
        assert result == "Posted TF-000002: production at A1, made 8 BREAD lot B2"
    assert on_hand("BREAD", lot="B2") == 8
    assert on_hand("FLOUR", lot="F1") == 50
    assert on_hand("BAG") == 48
