"""F10 prints a label of what is selected: preview first, then printer and copies."""

from __future__ import annotations

import zxingcpp
from PIL import Image
from textual.screen import Screen
from textual.widgets import Static

from backroom.models.config import Config
from backroom.models.masterdata.adding import add_location
from backroom.tui.app import BackroomApp
from backroom.tui.label_target import LabelTarget
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle


class BinScreen(Screen):
    """A screen with a location selected."""

    def compose(self):
        yield Static("bin B-07")

    def label_target(self) -> LabelTarget:
        return LabelTarget("location", "B-07")


def _app(url: str, folder) -> BackroomApp:
    config = Config({"printers": {"desk": {"transport": f"dir:{folder}", "format": "png"}}})
    return BackroomApp(Session(TEST_USER, url, config=config))


async def test_f10_previews_and_prints_the_selected_location(sqlite_database, tmp_path):
    add_location("B-07")
    app = _app(sqlite_database, tmp_path)
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        app.push_screen(BinScreen())
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        preview = str(app.screen.query_one("#preview").render())
        assert "█" in preview and "B-07" not in preview  # the label drawn, not its text
        await pilot.press("enter")
        await settle(pilot)
        assert any("Printed location B-07" in n.message for n in app._notifications)
    printed = list(tmp_path.glob("*.png"))
    assert len(printed) == 1
    decoded = zxingcpp.read_barcodes(Image.open(printed[0]))
    assert [d.text for d in decoded] == ["B-07"]


async def test_f10_where_nothing_is_selected_says_so(sqlite_database, tmp_path):
    app = _app(sqlite_database, tmp_path)
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert any("Nothing to print here" in n.message for n in app._notifications)
    assert bells


async def test_an_unknown_location_is_refused_before_printing(sqlite_database, tmp_path):
    app = _app(sqlite_database, tmp_path)
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        app.push_screen(BinScreen())
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert "B-07" in str(app.screen.query_one("#print-message").render())
        await pilot.press("enter")
        await settle(pilot)
    assert not list(tmp_path.glob("*.png"))


async def test_from_the_lots_screen_f10_prints_the_lot_and_t_opens_its_trace(
    sqlite_database, tmp_path
):
    import datetime as dt

    from backroom.models.masterdata.adding import ItemSpec, add_item
    from backroom.models.stock.operations import receive
    from tests.tui.conftest import shortcut

    add_location("B-07")
    add_item(ItemSpec("OAT-500", "Oat flakes", gtin="5412345000013", tracking="lot"))
    receive("OAT-500", 10, "B-07", user=TEST_USER, lot="L77", expiry=dt.date(2027, 3, 31))
    app = _app(sqlite_database, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await shortcut(pilot, "n")
        app.screen.query_one("PagedTable").focus()
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await shortcut(pilot, "t")
        assert type(app.screen).__name__ == "TraceScreen"
    (printed,) = tmp_path.glob("*.png")
    (code,) = zxingcpp.read_barcodes(Image.open(printed))
    assert code.text == "(01)05412345000013(17)270331(10)L77"
