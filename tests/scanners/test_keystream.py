"""Replayed key streams -> complete scans, whatever the connection does to the timing."""

from __future__ import annotations

import pytest

from backroom.scanners.keystream import ScanAssembler, unframe
from backroom.scanners.settings import ScannerSettings
from tests.scanners.replay import burst, human, replay, ssh_batched, ssh_obscured

GS = "\x1d"
GS1_LOT = "]C10109521101530001" + "10ABC123" + GS + "17210630"


@pytest.mark.parametrize("stream", [burst, ssh_batched, ssh_obscured], ids=lambda f: f.__name__)
def test_a_scan_ending_in_enter_arrives_whole_however_the_keys_were_timed(stream):
    scans = replay(ScanAssembler(), stream("A-01-02\r"))
    assert [s.text for s in scans] == ["A-01-02"]
    assert scans[0].burst


def test_two_scans_in_one_ssh_batch_come_out_as_two_scans():
    scans = ScanAssembler().feed_text("A-01-02\rWIDGET\r", at=5.0)
    assert [s.text for s in scans] == ["A-01-02", "WIDGET"]


def test_slow_human_typing_is_a_scan_marked_as_not_a_burst():
    scans = replay(ScanAssembler(), human("A-01-02\r"))
    assert [s.text for s in scans] == ["A-01-02"]
    assert not scans[0].burst


def test_the_group_separator_typed_as_ctrl_bracket_is_kept_in_the_scan():
    scans = replay(ScanAssembler(), burst(GS1_LOT + "\r"))
    assert scans[0].text == GS1_LOT
    assert GS in scans[0].text


def test_a_gs_substitute_arrives_as_sent_and_parse_turns_it_into_gs():
    from backroom.scanners.parse import parse

    settings = ScannerSettings(gs_substitutes=("<GS>",))
    sent = GS1_LOT.replace(GS, "<GS>")
    scans = replay(ScanAssembler(settings), ssh_batched(sent + "\r"))
    assert scans[0].text == sent
    scan = parse(scans[0].text, settings)
    assert [(e.ai, e.value) for e in scan.gs1.elements][1:] == [("10", "ABC123"), ("17", "210630")]


def test_the_aim_identifier_is_kept_as_the_scans_symbology():
    scans = replay(ScanAssembler(), ssh_obscured(GS1_LOT + "\r"))
    assert scans[0].symbology.code == "]C1"
    assert scans[0].symbology.name == "GS1-128"


def test_a_tab_suffix_ends_the_scan_when_configured():
    assembler = ScanAssembler(ScannerSettings(suffix="\t"))
    scans = replay(assembler, burst("WIDGET\t"))
    assert [s.text for s in scans] == ["WIDGET"]


def test_enter_still_ends_a_scan_at_a_tab_station():
    assembler = ScanAssembler(ScannerSettings(suffix="\t"))
    assert [s.text for s in replay(assembler, human("WIDGET\r"))] == ["WIDGET"]


def test_a_suffix_of_several_characters_is_removed():
    assembler = ScanAssembler(ScannerSettings(suffix="#END"))
    scans = replay(assembler, burst("WIDGET#END\r"))
    assert [s.text for s in scans] == ["WIDGET"]


def test_with_a_prefix_stray_keys_before_it_are_dropped():
    assembler = ScanAssembler(ScannerSettings(prefix="@@"))
    scans = replay(assembler, human("qx", start=10.0), burst("@@A-01-02\r", start=10.9))
    assert [s.text for s in scans] == ["A-01-02"]
    assert scans[0].prefixed
    assert scans[0].discarded == "qx"


def test_with_a_prefix_and_aim_identifier_both_are_understood():
    assembler = ScanAssembler(ScannerSettings(prefix="@@"))
    scans = replay(assembler, ssh_batched("@@" + GS1_LOT + "\r"))
    assert scans[0].text == GS1_LOT
    assert scans[0].symbology.code == "]C1"


def test_with_a_prefix_configured_typing_without_it_is_not_a_scan():
    assembler = ScanAssembler(ScannerSettings(prefix="@@"))
    assert replay(assembler, human("A-01-02\r")) == []


def test_keys_typed_long_before_a_scan_do_not_stick_to_it():
    scans = replay(ScanAssembler(), human("q", start=1.0), burst("A-01-02\r", start=30.0))
    assert [s.text for s in scans] == ["A-01-02"]
    assert scans[0].discarded == "q"


def test_a_person_who_pauses_before_pressing_enter_still_gets_the_scan():
    scans = replay(ScanAssembler(), human("A-01-02", start=1.0), [("\r", 20.0)])
    assert [s.text for s in scans] == ["A-01-02"]


def test_enter_alone_or_after_one_stray_key_is_not_a_scan():
    assembler = ScanAssembler()
    assert replay(assembler, burst("\r"), burst("q\r", start=200.0)) == []


def test_a_minimum_length_keeps_short_input_out():
    assembler = ScanAssembler(ScannerSettings(min_length=5))
    assert [s.text for s in replay(assembler, burst("A1\rA-01-02\r"))] == ["A-01-02"]


def test_backspace_corrects_what_a_person_types():
    assert [s.text for s in replay(ScanAssembler(), human("A-01-3\x7f2\r"))] == ["A-01-2"]


def test_a_tab_that_is_not_the_suffix_drops_what_was_pending():
    scans = replay(ScanAssembler(), human("abc\t"), burst("A-01-02\r", start=102.0))
    assert [s.text for s in scans] == ["A-01-02"]


def test_pending_shows_an_unfinished_scan_and_reset_forgets_it():
    assembler = ScanAssembler()
    assembler.feed_text("A-01", at=1.0)
    assert assembler.pending == "A-01"
    assembler.reset()
    assert assembler.pending == ""
    assert assembler.feed("\r", 1.1) is None


def test_a_scan_records_when_it_started_and_ended_and_how_many_keys():
    scan = replay(ScanAssembler(), ssh_obscured("WIDGET\r", start=50.0))[0]
    assert (scan.started, round(scan.ended, 3), scan.keys) == (50.0, 50.12, 7)


def test_feed_takes_one_character_at_a_time():
    with pytest.raises(ValueError):
        ScanAssembler().feed("ab", 1.0)


def test_unframe_removes_the_stations_prefix_and_suffix_from_captured_text():
    settings = ScannerSettings(prefix="@@", suffix="#END")
    assert unframe("@@A-01-02#END", settings) == "A-01-02"
    assert unframe("A-01-02", settings) == "A-01-02"
