"""The import, export and print screens in a session: files come from and go to the
site's folders, chosen from a list, under names Backroom makes; import and export are
refused to an operator as the screen opens."""

from __future__ import annotations

import os

import pytest
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from backroom.models.config import Config
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_user,
    get_user,
)
from backroom.models.schema import Item
from backroom.tui.app import BackroomApp
from backroom.tui.screens.data.export_data import ExportScreen
from backroom.tui.screens.data.import_data import ImportScreen
from backroom.tui.screens.home import HomeScreen
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut

KINDS = ("imports", "exports", "labels", "documents")


@pytest.fixture
def site(sqlite_database, tmp_path):
    """A shop with an operator, and the site's folders under tmp_path (imports holding
    a good file, a link to a secret outside and a hidden file)."""
    admin = get_user(TEST_USER)
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"), by=admin)
    add_location("A1", by=admin)
    add_user("olga", "operator", by=admin)
    config = Config({"folders": {kind: str(tmp_path / kind) for kind in KINDS}})
    imports = tmp_path / "imports"
    imports.mkdir(mode=0o750)
    (imports / "items.csv").write_text("sku,name\nRICE,Rice\n")
    (imports / ".items.csv.part").write_text("sku,name\nHALF,Half\n")
    secret = tmp_path / "shadow"
    secret.write_text("root:*:19000:0:99999:7:::\n")
    (imports / "shadow.csv").symlink_to(secret)
    return sqlite_database, config


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def _notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_an_operator_is_turned_away_as_each_screen_opens(site):
    url, config = site
    app = BackroomApp(Session("olga", url, config=config))
    async with app.run_test(size=(80, 24)) as pilot:
        for key, doing in (("d", "importing data"), ("y", "exporting data")):
            await shortcut(pilot, key)
            assert isinstance(app.screen, HomeScreen)
            assert f"User olga is an operator: {doing} needs a lead" in _notes(app)


async def test_import_offers_the_files_of_the_imports_folder_only(site):
    url, config = site
    app = BackroomApp(Session(TEST_USER, url, config=config))
    async with app.run_test(size=(40, 16)) as pilot:  # a handheld
        await shortcut(pilot, "d")
        assert isinstance(app.screen, ImportScreen)
        assert not app.screen.query("Input#path")  # no path to type
        chooser = app.screen.query_one("#file", Select)
        assert app.focused is chooser
        await pilot.press("enter")
        await settle(pilot)
        overlay = chooser.query_one(SelectOverlay)
        shown = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
        assert [line.split()[0] for line in shown] == ["file", "items.csv"]  # prompt, file
        await pilot.press("down", "enter")  # the one file chosen
        await settle(pilot)
        assert _text(app, "#summary").startswith("items.csv: 1 row")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _text(app, "#summary").startswith("Imported items.csv")
    assert Item.select().where(Item.sku == "RICE").count() == 1


async def test_an_empty_imports_folder_says_where_to_put_files(site, tmp_path):
    url, config = site
    for entry in (tmp_path / "imports").iterdir():
        entry.unlink()
    app = BackroomApp(Session(TEST_USER, url, config=config))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "d")
        said = _text(app, "#summary")
        assert said.startswith("No files to import yet: copy CSV files to")
        assert str(tmp_path / "imports") in said


async def test_each_export_is_a_new_file_whose_name_is_shown(site, tmp_path):
    url, config = site
    app = BackroomApp(Session(TEST_USER, url, config=config))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "y")
        assert isinstance(app.screen, ExportScreen)
        assert not app.screen.query("Input#path")
        app.screen.query_one("#kind").value = "items"
        said = []
        for _ in range(2):
            await pilot.press("ctrl+s")
            await settle(pilot)
            said.append(_text(app, "#summary"))
    exports = tmp_path / "exports"
    written = sorted(p.name for p in exports.iterdir())
    assert len(written) == 2
    assert said == [f"1 row written to {name}" for name in written]
    assert all(name.startswith("items-") and name.endswith(".csv") for name in written)
    assert all(os.stat(exports / name).st_mode & 0o777 == 0o640 for name in written)
    assert oct(os.stat(exports).st_mode & 0o777) == "0o750"


async def test_a_label_saved_as_a_file_goes_to_the_labels_folder(site, tmp_path):
    from textual.screen import Screen
    from textual.widgets import Static

    from backroom.tui.label_target import LabelTarget

    class ShelfScreen(Screen):
        def compose(self):
            yield Static("shelf A1")

        def label_target(self) -> LabelTarget:
            return LabelTarget("location", "A1")

    url, config = site
    app = BackroomApp(Session(TEST_USER, url, config=config))
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        app.push_screen(ShelfScreen())
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("enter")  # no printer configured: saving is the one choice
        await settle(pilot)
    (label,) = (tmp_path / "labels").iterdir()
    assert label.name.startswith("label-location-") and label.suffix == ".png"
    assert any(
        f"Printed location A1: saved as {label.name} in the labels folder" == n for n in _notes(app)
    )
