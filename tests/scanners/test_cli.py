"""`backroom scan` and `backroom scanner test`, as a person or a script runs them."""

from __future__ import annotations

import io
import json
import tomllib

import pytest

from backroom.models.rules.codes import SCANNER_TEST_TEXT
from backroom.scanners.keyboards import FRENCH, US, retype
from backroom.tui.cli.main import main
from tests.scanners.conftest import WIDGET_GTIN

GS = "\x1d"
LOT_SCAN = "]C1" + "01" + WIDGET_GTIN + "10ABC123" + GS + "17210630"


@pytest.fixture(autouse=True)
def own_config(tmp_path, monkeypatch):
    monkeypatch.setattr("backroom.models.config.SYSTEM_CONFIG", tmp_path / "no-system-config.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    monkeypatch.delenv("BACKROOM_STATION", raising=False)
    monkeypatch.delenv("BACKROOM_DB", raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# --- backroom scan ---------------------------------------------------------------------


def test_scan_shows_how_a_lot_code_is_read_and_what_it_is(warehouse, capsys):
    status, out, _ = run(capsys, "--db", warehouse, "scan", LOT_SCAN)
    assert status == 0
    assert "Symbology:   ]C1 GS1-128" in out
    assert "(17)   expiry date  2021-06-30" in out
    assert "Resolves to: lot ABC123 of item WIDGET (Widget 500 g), expiry 2021-06-30" in out


def test_scan_takes_a_gs_typed_as_backslash_x1d(warehouse, capsys):
    typed = LOT_SCAN.replace(GS, "\\x1d")
    status, out, _ = run(capsys, "--db", warehouse, "scan", typed)
    assert status == 0
    assert "(10)   lot          ABC123" in out


def test_scan_takes_the_stations_gs_substitute(warehouse, capsys, tmp_path):
    config = tmp_path / "station.toml"
    config.write_text('[scanner.stations.dock1]\ngs_substitutes = ["<GS>"]\n', encoding="utf-8")
    text = LOT_SCAN.replace(GS, "<GS>")
    argv = ["--db", warehouse, "--config", str(config), "scan", text, "--station", "dock1"]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert "Resolves to: lot ABC123" in out


def test_scan_json_gives_elements_and_result(warehouse, capsys):
    status, out, _ = run(capsys, "--db", warehouse, "scan", LOT_SCAN, "--json")
    data = json.loads(out)
    assert status == 0
    assert data["scan"]["symbology"]["code"] == "]C1"
    assert [e["ai"] for e in data["scan"]["gs1"]["elements"]] == ["01", "10", "17"]
    assert data["result"]["kind"] == "lot"
    assert data["result"]["item"]["sku"] == "WIDGET"


def test_scan_of_an_unknown_code_exits_1_with_the_reason(warehouse, capsys):
    status, out, err = run(capsys, "--db", warehouse, "scan", "NOPE-42")
    assert status == 1
    assert "Resolves to: nothing (unknown code)" in out
    assert err == (
        "backroom: Unknown code 'NOPE-42': no location, item, lot or serial number has it\n"
    )


def test_scan_of_a_bad_check_digit_exits_1(warehouse, capsys):
    status, _, err = run(capsys, "--db", warehouse, "scan", "]E05901234123458")
    assert status == 1
    assert "wrong check digit: it should end in 7" in err


def test_scan_of_a_new_lot_says_what_the_label_holds(warehouse, capsys):
    status, out, err = run(capsys, "--db", warehouse, "scan", "(01)09521101530001(10)NEW7")
    assert status == 1
    assert "The code says: lot NEW7 of item WIDGET" in out
    assert err == "backroom: No lot NEW7 of item WIDGET\n"


def test_scan_dash_reads_the_code_from_standard_input(warehouse, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(LOT_SCAN + "\n"))
    status, out, _ = run(capsys, "--db", warehouse, "scan", "-")
    assert status == 0
    assert "Resolves to: lot ABC123" in out


# --- backroom scanner test -------------------------------------------------------------


def test_scanner_test_of_a_good_scanner_passes(capsys):
    status, out, _ = run(capsys, "scanner", "test", "--input", SCANNER_TEST_TEXT)
    assert status == 0
    assert "The scanner's codes arrive exactly as printed." in out


def test_scanner_test_reads_one_line_from_standard_input(capsys, monkeypatch):
    received = retype(SCANNER_TEST_TEXT, US, FRENCH)
    monkeypatch.setattr("sys.stdin", io.StringIO(received + "\n"))
    status, out, err = run(capsys, "scanner", "test")
    assert status == 1
    assert "this computer uses French (AZERTY)" in out
    assert err.startswith("backroom: scanner test failed: Keyboard layout mismatch")


def test_scanner_test_with_a_substitute_suggests_the_setting_and_write_saves_it(capsys, tmp_path):
    config = tmp_path / "site.toml"
    config.write_text('[site]\nname = "Depot"\n', encoding="utf-8")
    received = SCANNER_TEST_TEXT.replace(GS, "<GS>")
    base = ["--config", str(config), "scanner", "test", "--input", received, "--station", "dock1"]

    status, out, err = run(capsys, *base)
    assert status == 1
    assert "arrives as '<GS>'" in out
    assert 'gs_substitutes = ["<GS>"]' in out
    assert "add --write" in err

    status, out, _ = run(capsys, *base, "--write")
    assert status == 0
    assert f"Wrote these settings to {config}" in out
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data["site"]["name"] == "Depot"
    assert data["scanner"]["stations"]["dock1"]["gs_substitutes"] == ["<GS>"]

    status, out, _ = run(capsys, *base)
    assert status == 0
    assert "Station dock1's settings already match this scanner." in out


def test_scanner_test_writes_the_users_config_file_by_default(capsys, tmp_path):
    received = "@@" + SCANNER_TEST_TEXT
    status, _, _ = run(capsys, "scanner", "test", "--input", received, "--write")
    assert status == 0
    written = tmp_path / "home-config" / "backroom" / "config.toml"
    table = tomllib.loads(written.read_text(encoding="utf-8"))["scanner"]["stations"]["default"]
    assert table == {"prefix": "@@", "suffix": "enter", "gs_substitutes": []}


def test_scanner_test_json_lists_faults_and_settings(capsys):
    received = SCANNER_TEST_TEXT.replace(GS, "")
    status, out, _ = run(capsys, "scanner", "test", "--input", received, "--json")
    data = json.loads(out)
    assert status == 1
    assert [f["code"] for f in data["faults"]] == ["gs-lost"]
    assert data["settings"] == {"prefix": "", "suffix": "enter", "gs_substitutes": []}
