"""`backroom item pack | pack-list | pack-remove`, `backroom scan` of a case, and
`backroom import packaging`, as a script would use them."""

from __future__ import annotations

from tests.tui.test_cli import backroom, isolated  # noqa: F401  (fixtures)

CASE = "18712345000018"


def test_packaging_levels_are_added_listed_scanned_and_removed(backroom, tmp_path):  # noqa: F811
    backroom.ok("item", "add", "TAPE-48", "--name", "Packing tape", "--gtin", "08712345000011")
    run = backroom.ok("item", "pack", "TAPE-48", "cs", "12", "--gtin", CASE)
    assert run.out == f"Item TAPE-48: a cs holds 12, GTIN {CASE}\n"
    backroom.ok("item", "pack", "08712345000011", "PALLET", "720")
    assert backroom.ok("item", "pack-list", "TAPE-48", "--json").json == [
        {"name": "pallet", "qty": 720, "gtin": None},
        {"name": "cs", "qty": 12, "gtin": CASE},
    ]
    scanned = backroom.ok("scan", CASE, "--json").json
    assert (scanned["result"]["sku"], scanned["result"]["quantity"]) == ("TAPE-48", 12)
    refused = backroom("item", "pack", "TAPE-48", "tray", "24", "--gtin", CASE)
    assert refused.code == 1
    assert "already belongs to the cs of 12 of item TAPE-48" in refused.err
    assert backroom("item", "pack", "TAPE-48", "tray", "0").code == 2  # not a quantity
    backroom.ok("item", "pack-remove", "TAPE-48", "cs")
    gone = backroom("scan", CASE)
    assert (gone.code, gone.err) == (1, f"backroom: No item with GTIN {CASE}\n")
    csv = tmp_path / "packaging.csv"
    csv.write_text(f"sku,name,qty,gtin\nTAPE-48,cs,12,{CASE}\n")
    backroom.ok("import", "packaging", str(csv))
    assert [lv["name"] for lv in backroom.ok("item", "pack-list", "TAPE-48", "--json").json] == [
        "pallet",
        "cs",
    ]


def test_an_operator_may_list_levels_but_not_change_them(backroom):  # noqa: F811
    backroom.ok("item", "add", "TAPE-48", "--name", "Packing tape")
    backroom.ok("user", "add", "olaf", "--role", "operator")
    refused = backroom("item", "pack", "TAPE-48", "cs", "12", user="olaf")
    assert refused.code == 1 and "needs a lead" in refused.err
    assert backroom("item", "pack-list", "TAPE-48", user="olaf").code == 0
