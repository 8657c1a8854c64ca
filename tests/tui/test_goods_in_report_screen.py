"""The receipt discrepancy report on screen: opened from receiving with Ctrl+R, every
figure of an order with over, short, damaged and unexpected goods shown on a handheld
too, read again as receipts arrive, and saved as CSV and PDF."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest

from backroom.models.goods_in.receiving import ReceivingRules, receive_on_order
from backroom.models.masterdata.adding import ItemSpec, add_item
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.tui.conftest import settle, shortcut
from tests.tui.test_goods_in_screens import dock  # noqa: F401  (the fixture)


@pytest.fixture
def received(dock):  # noqa: F811
    """PO-000001 of the dock: OAT-500 60 of 100 (40 short); TAPE-48 55 + 5 damaged of
    50 (10 over, a lead let it in); 3 GLOVE nobody ordered, to quarantine."""
    add_item(ItemSpec("GLOVE", "Nitrile gloves"))
    receive_on_order("PO-1", "OAT-500", 60, "DOCK", user="op", lot="L-1")
    receive_on_order("PO-1", "TAPE-48", 5, "DOCK", user="op", damaged=True)
    receive_on_order("PO-1", "TAPE-48", 55, "DOCK", user="boss")
    quarantine = ReceivingRules(unexpected="quarantine")
    receive_on_order("PO-1", "GLOVE", 3, "DOCK", user="op", rules=quarantine)
    return dock


def _shown(app) -> list[list[str]]:
    """The table's lines as drawn, heading first, split into words."""
    table = app.screen.query_one("#report-table")
    lines = [table.render_line(y).text for y in range(table.row_count + 1)]
    return [line.split() for line in lines]


async def _open_from_receiving(pilot) -> None:
    await shortcut(pilot, "w")
    await pilot.press(*"PO-1", "enter")
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (40, 16)])
async def test_over_short_damaged_and_unexpected_show_at_their_line(received, size):
    app = BackroomApp(Session("op", received))
    async with app.run_test(size=size) as pilot:
        await _open_from_receiving(pilot)
        assert app.screen.TITLE == "Receipt discrepancies"
        head = " ".join(str(app.screen.query_one("#report-head").render()).split())
        said = "Acme Mills (ACME) · partly-received · discrepancies"
        # a handheld has the number in the field above only
        assert head == (said if size == (40, 16) else f"Purchase order PO-000001 · {said}")
        assert app.screen.query_one("#report-doc").value == "PO-000001"
        table = app.screen.query_one("#report-table")
        # every column whole on the screen: nothing to scroll to on the right
        assert table.virtual_size.width <= table.scrollable_content_region.width
        if size == (80, 24):
            assert _shown(app) == [
                ["Line", "Item", "Lot", "Expected", "Received", "Over", "Short", "Damaged", "Unit"],
                ["1", "OAT-500", "L-1", "100", "60", "40", "pcs"],
                ["2", "TAPE-48", "50", "60", "10", "5", "pcs"],
                ["Unexpected"],
                ["GLOVE", "0", "3", "3", "pcs"],
                ["Total", "pcs", "150", "123", "13", "40", "5", "pcs"],
            ]
        else:
            assert _shown(app) == [
                ["Item", "Exp", "Rcvd", "Over", "Short", "Dmg"],
                ["OAT-500", "100", "60", "40"],
                ["TAPE-48", "50", "60", "10", "5"],
                ["Extra"],
                ["GLOVE", "0", "3", "3"],
                ["Total", "pcs", "150", "123", "13", "40", "5"],
            ]
        # what a narrow table leaves out is said for the row under the cursor
        row = " ".join(str(app.screen.query_one("#report-row").render()).split())
        assert row == (
            "Line 1 OAT-500 Oat flakes 500 g, lot L-1: 100 pcs expected, 60 received, 40 short"
        )
        await pilot.press("down")
        await settle(pilot)
        row = " ".join(str(app.screen.query_one("#report-row").render()).split())
        assert row == (
            "Line 2 TAPE-48 Packing tape 48 mm: 50 pcs expected, 60 received, 10 over, 5 damaged"
        )


async def test_the_report_is_read_again_and_saved_as_csv_and_pdf(received, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # the documents folder goes there
    app = BackroomApp(Session("op", received))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_from_receiving(pilot)
        receive_on_order("PO-1", "OAT-500", 40, "DOCK", user="op", lot="L-1")  # another session
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert _shown(app)[1] == ["1", "OAT-500", "L-1", "100", "100", "pcs"]
        for key in ("c", "p"):
            await shortcut(pilot, key)
            said = str(app.screen.query_one("#report-message").render())
            assert said.startswith("Saved in the documents folder as discrepancies-PO-000001-")
    folder = tmp_path / "backroom" / "documents"
    (saved_csv,) = folder.glob("discrepancies-PO-000001-*.csv")
    (saved_pdf,) = folder.glob("discrepancies-PO-000001-*.pdf")
    with saved_csv.open(newline="") as fh:
        rows = [
            (r["item"], r["received"], r["over"], r["short"], r["damaged"])
            for r in csv.DictReader(fh)
        ]
    assert rows == [
        ("OAT-500", "100", "0", "0", "0"),
        ("TAPE-48", "60", "10", "0", "5"),
        ("GLOVE", "3", "3", "0", "0"),
    ]
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    words = subprocess.run(
        ["pdftotext", "-layout", str(saved_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert words.split()[:3] == ["RECEIPT", "DISCREPANCIES", "PO-000001"]
    assert [line.split() for line in words.splitlines() if "TAPE-48" in line] == [
        ["2", "TAPE-48", "50", "60", "10", "5", "pcs"]
    ]
