"""The GS1 Syntax Dictionary as Backroom keeps it: its data, its refresh, its linters, the
companions a form checks across its scans, and the biip misreading it corrects."""

from __future__ import annotations

import json
import subprocess
import sys

from biip.gs1_messages import GS1Message

from backroom.scanners import companions_missing, parse
from backroom.scanners.gs1_rules import linters, refresh, table
from backroom.scanners.gs1_rules.table import spec

GS = "\x1d"


# --- the data and its refresh ----------------------------------------------------------


def test_the_dictionary_is_kept_with_its_release():
    assert table.release() == "2026-01-27"
    assert spec("7007").components[1].optional  # a second date may follow, of 6 digits
    assert spec("3103").excludes == ("310n",)
    assert spec("01").dl_keys == (("22", "10", "21"), ("235",))
    assert len(table.code_list("iso3166")) == 249


def test_every_linter_the_dictionary_names_is_applied_or_declared_unchecked():
    named = {lint for s in table.specs().values() for c in s.components for lint in c.linters}
    character_sets = {"cset82", "cset39", "cset64", "csetnumeric"}
    assert named - character_sets - set(linters.LINTERS) <= linters.NOT_CHECKED


def test_the_refresh_script_rebuilds_the_data_from_the_published_text(tmp_path):
    clone = tmp_path / "gs1-syntax-dictionary"
    (clone / "src").mkdir(parents=True)
    (clone / "gs1-syntax-dictionary.txt").write_text(
        "# Release: 2099-01-01\n#\n"
        "01         *?  N14,csum,gcppos2                  ex=255,37 dlpkey=22,10,21|235  # GTIN\n"
        "7007        ?  N6,yymmdd [N6],yymmdd             req=01,02             # HARVEST DATE\n"
        "3100-3105  *?  N6                         req=01,02 ex=310n     # NET WEIGHT (kg)\n",
        encoding="utf-8",
    )
    bits = "#if __STDC_VERSION__ >= 202311L\n0b{}, \n#else\n0xff\n#endif\n"
    (clone / "src" / "lint_iso3166.c").write_text(bits.format("0000100" + "0" * 57))
    (clone / "src" / "lint_iso4217.c").write_text(bits.format("0" * 64))
    (clone / "src" / "lint_iso3166alpha2.c").write_text(bits.format("01" + "0" * 62))
    (clone / "src" / "lint_packagetype.c").write_text('packagetypes[][4] = {\n"1A", "BX",\n};')
    out = tmp_path / "out.json"
    assert refresh.main([str(clone), "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["release"] == "2099-01-01"
    assert data["lists"] == {
        "iso3166": ["004"],
        "iso3166alpha2": ["AB"],
        "iso4217": [],
        "packagetype": ["1A", "BX"],
    }
    harvest = data["entries"][1]
    assert harvest[:4] == [
        "7007",
        "7007",
        "?",
        [["N", 6, 6, False, ["yymmdd"]], ["N", 6, 6, True, ["yymmdd"]]],
    ]
    assert data["entries"][2][:2] == ["3100", "3105"]


def test_the_rules_are_loaded_only_when_a_gs1_code_is_read():
    probe = (
        "from backroom.scanners import parse; from backroom.scanners.gs1_rules import table; "
        "parse('A-01-02'); before = table._loaded.cache_info().currsize; "
        "parse(']C10109506000134352'); print(before, table._loaded.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "1"]


# --- linters -------------------------------------------------------------------------


def test_the_alphanumeric_check_pair_agrees_with_gs1s_example():
    assert linters.csumalpha("1987654Ad4X4bL5ttr2310c2K") is None
    assert "2K" in linters.csumalpha("1987654Ad4X4bL5ttr2310c2L")


def test_a_model_number_of_digits_only_is_refused_for_a_mudi():
    assert linters.hasnondigit("952012345678") is not None
    assert linters.hasnondigit("952012A") is None


def test_every_three_digit_code_that_is_no_country_is_refused_as_origin():
    refused = [
        code
        for code in (f"{n:03d}" for n in range(1000))
        if parse(f"]C10109506000134352{GS}422{code}").problem
    ]
    assert len(refused) == 1000 - 249
    assert "276" not in refused and "999" in refused


# --- companions across a form's scans --------------------------------------------------


def test_an_sscc_label_in_two_symbols_lacks_nothing_once_both_are_scanned():
    top = parse("]C1" + "00106141412345678908" + "0209506000134352")
    bottom = parse("]C1" + "3720" + GS + "10LOT7")
    assert any("(02) GTIN of contents needs (37)" in w for w in top.gs1.companions)
    assert any("(37) count of items needs (00)" in w for w in bottom.gs1.companions)
    assert companions_missing([top, bottom]) == []


def test_a_form_with_a_lot_scanned_but_no_gtin_names_what_is_missing():
    lot = parse("]C1" + "10ABC123")
    location = parse("A-01-02")
    missing = companions_missing([lot, location, None])
    assert missing == [
        "(10) lot needs (01) or (02) or (03) or (8006) or (8026) beside it: "
        "scan the code that carries it"
    ]
    assert companions_missing([lot, parse("]C10109506000134352")]) == []


def test_an_invalid_scan_adds_nothing_to_the_forms_check():
    bad = parse("]C10109506000134353")  # a wrong check digit
    assert companions_missing([bad, parse("]C110ABC")]) != []


# --- biip's (7007), corrected here (reported upstream with this reproduction) -----------


def test_a_harvest_date_of_nine_digits_is_refused_where_biip_reads_a_made_up_serial():
    biip_reads = [(e.ai.ai, e.value) for e in GS1Message.parse("7007211225211").element_strings]
    # biip 5.2 splits it so; when this fails, biip is fixed and the note upstream closed.
    assert biip_reads == [("7007", "211225"), ("21", "1")]
    problem = parse("]C1" + "0109506000134352" + "7007211225211").problem
    assert problem == (
        "(7007) harvest date must be 6 digits, optionally followed by 6 digits, "
        "not '211225211' (it may be '211225' followed by (21) serial number 1: "
        "a group separator may be lost)"
    )
