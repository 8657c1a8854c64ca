"""The scanner test: what arrived from the test label, the faults named, the settings
suggested. Faulty scanners are simulated by retyping the label through layouts."""

from __future__ import annotations

import pytest

from backroom.models.rules.codes import SCANNER_TEST_TEXT
from backroom.scanners.calibrate import diagnose
from backroom.scanners.keyboards import FRENCH, GERMAN, UK, US, retype
from backroom.scanners.keystream import ScanAssembler
from backroom.scanners.parse import with_separators
from backroom.scanners.settings import ScannerSettings

GS = "\x1d"
LABEL = SCANNER_TEST_TEXT


def codes(received: str) -> list[str]:
    return [f.code for f in diagnose(LABEL, received).faults]


def test_a_scanner_that_sends_the_label_as_printed_passes():
    diagnosis = diagnose(LABEL, LABEL + "\n")
    assert diagnosis.ok
    assert diagnosis.settings_table() == {"prefix": "", "suffix": "enter", "gs_substitutes": []}


def test_an_aim_identifier_is_noted_not_a_fault():
    diagnosis = diagnose(LABEL, "]C0" + LABEL)
    assert diagnosis.ok
    assert diagnosis.symbology == "]C0"
    assert "AIM symbology identifiers (]C0)" in diagnosis.notes[0]


def test_azerty_digits_are_named_as_a_keyboard_layout_mismatch():
    diagnosis = diagnose(LABEL, retype(LABEL, US, FRENCH))
    assert [f.code for f in diagnosis.faults] == ["layout"]
    fault = diagnosis.faults[0]
    assert not fault.fixed_by_settings
    assert "this computer uses French (AZERTY)" in fault.message
    assert "'1' arrives as '&'" in fault.message


def test_a_quote_arriving_as_at_sign_is_named_as_the_uk_us_swap():
    message = diagnose(LABEL, retype(LABEL, US, UK)).faults[0].message
    assert "uses UK (QWERTY)" in message
    assert "'\"' arrives as '@'" in message


def test_a_uk_scanner_on_a_us_computer_is_named_the_other_way_round():
    message = diagnose(LABEL, retype(LABEL, UK, US)).faults[0].message
    assert "the scanner types for a UK (QWERTY) keyboard but this computer uses US" in message


def test_qwertz_is_recognised():
    message = diagnose(LABEL, retype(LABEL, US, GERMAN)).faults[0].message
    assert "German (QWERTZ)" in message and "'Z' arrives as 'Y'" in message


def test_caps_lock_is_named():
    assert codes(retype(LABEL, US, US, caps_lock=True)) == ["caps-lock"]


def test_a_lost_group_separator_cannot_be_fixed_by_settings():
    diagnosis = diagnose(LABEL, LABEL.replace(GS, ""))
    assert [f.code for f in diagnosis.faults] == ["gs-lost"]
    assert diagnosis.needs_scanner_fix
    assert "did not arrive" in diagnosis.faults[0].message
    assert diagnosis.gs_substitutes == ()


@pytest.mark.parametrize("substitute", ["#", "~", "<GS>", "^]", "%"])
def test_a_substituted_group_separator_becomes_the_stations_substitute(substitute):
    diagnosis = diagnose(LABEL, LABEL.replace(GS, substitute))
    assert [f.code for f in diagnosis.faults] == ["gs-substituted"]
    assert not diagnosis.needs_scanner_fix
    assert diagnosis.gs_substitutes == (substitute,)


def test_an_extra_prefix_is_suggested_as_the_stations_prefix():
    diagnosis = diagnose(LABEL, "STX" + LABEL)
    assert codes("STX" + LABEL) == ["prefix"]
    assert diagnosis.prefix == "STX"


def test_a_prefix_before_the_aim_identifier_is_told_apart_from_it():
    diagnosis = diagnose(LABEL, "@@]C0" + LABEL)
    assert (diagnosis.prefix, diagnosis.symbology) == ("@@", "]C0")


def test_a_tab_suffix_is_suggested_as_the_stations_suffix():
    diagnosis = diagnose(LABEL, LABEL + "\t\n")
    assert [f.code for f in diagnosis.faults] == ["suffix"]
    assert diagnosis.settings_table()["suffix"] == "tab"


def test_several_faults_at_once_are_all_named():
    received = "#" + retype(LABEL, US, FRENCH).replace(GS, "~") + "\t"
    assert codes(received) == ["prefix", "suffix", "layout", "gs-substituted"]


def test_lost_characters_suggest_slowing_the_scanner_down():
    received = LABEL.replace("Zw", "Z").replace("%", "")
    diagnosis = diagnose(LABEL, received)
    assert codes(received) == ["lost"]
    assert "inter-character delay" in diagnosis.faults[0].message


def test_a_different_code_is_not_mistaken_for_the_test_label():
    assert codes("0109521101530001") == ["unrecognised"]
    assert codes("") == ["nothing"]


@pytest.mark.parametrize(
    "received",
    [
        LABEL.replace(GS, "<GS>"),
        "@@]C0" + LABEL.replace(GS, "^]"),
        "]d1" + LABEL + "\t",
    ],
)
def test_the_suggested_settings_make_the_label_read_as_printed(received):
    table = diagnose(LABEL, received).settings_table()
    settings = ScannerSettings.from_values("dock", table)
    assembler = ScanAssembler(settings)
    scans = assembler.feed_text(received + "\r", at=1.0)
    text = scans[0].text
    if scans[0].symbology:
        text = text[3:]
    assert with_separators(text, settings.gs_substitutes) == LABEL
