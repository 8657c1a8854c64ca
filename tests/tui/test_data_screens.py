"""The import and export screens, driven with the keyboard at desk and handheld sizes."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable, ProgressBar

from backroom.models.browse import on_hand
from backroom.models.config import Config
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.schema import Item
from backroom.tui.app import BackroomApp
from backroom.tui.screens.data.export_data import ExportScreen
from backroom.tui.screens.data.import_data import ImportScreen
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut


@pytest.fixture
def shop(sqlite_database):
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"))
    add_location("A1")
    return sqlite_database


@pytest.fixture
def folders(tmp_path) -> Config:
    """A site whose imports and exports folders are under tmp_path."""
    return Config({"folders": {k: str(tmp_path / k) for k in ("imports", "exports")}})


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def _choose_file(pilot, name: str) -> None:
    await pilot.press("ctrl+r")  # the folder read again: the file was put there just now
    await settle(pilot)
    pilot.app.screen.query_one("#file").value = name
    await settle(pilot)


async def test_a_bad_file_shows_its_rows_and_every_problem_and_imports_nothing(
    shop, tmp_path, folders
):
    app = BackroomApp(Session(TEST_USER, shop, config=folders))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "d")
        assert isinstance(app.screen, ImportScreen)
        file = tmp_path / "imports" / "stock.csv"
        file.write_text("sku,location,qty\nFLOUR,A1,500\nFLOUR,A9,5\nRICE,A1,-2\n")
        app.screen.query_one("#kind").value = "stock"
        await _choose_file(pilot, "stock.csv")
        assert app.screen.query_one("#preview", DataTable).row_count == 3
        problems = _text(app, "#problems")
        assert "line 3: Unknown location 'A9'" in problems
        assert "line 4: Unknown item 'RICE'" in problems
        assert "2 problems in stock.csv; nothing was imported" in _text(app, "#summary")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Nothing imported" in _text(app, "#summary")
    assert on_hand("FLOUR") == 0


async def test_a_good_items_file_is_previewed_then_imported_with_ctrl_s(shop, tmp_path, folders):
    app = BackroomApp(Session(TEST_USER, shop, config=folders))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "d")
        (tmp_path / "imports" / "items.csv").write_text("sku;name;unit\nRICE;Rice;g\nSALT;Salt;g\n")
        await _choose_file(pilot, "items.csv")
        assert "2 items new" in _text(app, "#summary")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _text(app, "#summary") == "Imported items.csv: 2 items new, 0 updated, 0 unchanged"
        bar = app.screen.query_one("#progress", ProgressBar)
        assert bar.percentage == 1
    assert Item.select().where(Item.sku.in_(["RICE", "SALT"])).count() == 2


async def test_a_stock_file_imported_before_is_imported_again_only_after_a_yes(
    shop, tmp_path, folders
):
    from backroom.models.data.importing import import_file
    from backroom.tui.screens.dialogs import ConfirmDialog

    (tmp_path / "imports").mkdir()
    file = tmp_path / "imports" / "opening.csv"
    file.write_text("sku,location,qty\nFLOUR,A1,500\n")
    import_file("stock", file, user=TEST_USER)
    app = BackroomApp(Session(TEST_USER, shop, config=folders))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "d")
        app.screen.query_one("#kind").value = "stock"
        await _choose_file(pilot, "opening.csv")
        assert "This stock file was imported on" in _text(app, "#summary")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert on_hand("FLOUR") == 500
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert _text(app, "#summary").startswith("Imported opening.csv")
    assert on_hand("FLOUR") == 1000


async def test_the_export_screen_writes_a_new_file_in_the_exports_folder(shop, tmp_path, folders):
    from backroom.models.stock.operations import receive

    receive("FLOUR", 750, "A1", user=TEST_USER)
    app = BackroomApp(Session(TEST_USER, shop, config=folders))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "y")
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#kind").value = "moves"
        app.screen.query_one("#fmt").value = "json"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        (target,) = (tmp_path / "exports").iterdir()
        assert _text(app, "#summary") == f"1 row written to {target.name}"
    assert target.name.startswith("moves-") and target.suffix == ".json"
    moves = json.loads(target.read_text())
    assert [(m["kind"], m["qty"], m["to"]) for m in moves] == [("receipt", 750, "A1")]
