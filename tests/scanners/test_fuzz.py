"""Property-based: whatever arrives, reading never crashes, and a scan never resolves to
something it does not name."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backroom.models.people.users import badge_hash
from backroom.models.rules.codes import BADGE_PREFIX, COMMAND_PREFIX, SCANNER_TEST_TEXT
from backroom.models.schema import User
from backroom.scanners import (
    ResolvedBadge,
    ResolvedCommand,
    ResolvedItem,
    ResolvedLocation,
    ResolvedLot,
    ResolvedParcel,
    ResolvedSerial,
    ResolvedShipment,
    Scan,
    ScanAssembler,
    ScanError,
    ScannerSettings,
    diagnose,
    parse,
    resolve,
)
from tests.scanners.conftest import WIDGET_GTIN

GS = "\x1d"
FEW = settings(max_examples=150, deadline=None)
WITH_DB = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Pieces real scans are made of, so that random text often comes close to a real code.
PIECES = [
    "]C1",
    "]E0",
    "]d2",
    "]Q1",
    "]C0",
    GS,
    "01",
    WIDGET_GTIN,
    "09521101530002",
    "10",
    "ABC123",
    "SHARED",
    "17",
    "210630",
    "210229",
    "21",
    "SN0001",
    "00",
    "106141412345678908",
    "37",
    "12",
    "414",
    "0614141000005",
    "(01)",
    "(10)",
    "https://id.gs1.org/01/",
    "/10/",
    "A-01-02",
    "A-09",
    "BOLT",
    "5901234123457",
    "96385074",
    "CMD:",
    "CONFIRM",
    "QTY:",
    "BADGE:",
    "T0K3N",
    "SHP-000123",
    "#",
    "~",
    "<GS>",
]
# Whole codes of the test warehouse, and the same with one character changed: a misread.
CODES = [
    "A-01-02",
    "]C0A-09",
    "BOLT",
    "]E05901234123457",
    "]C1" + "01" + WIDGET_GTIN + "17210630" + "10ABC123",
    "]C1" + "02" + WIDGET_GTIN + "3712" + GS + "10ABC123",
    "(01)09521101530001(10)ABC123",
    "]Q1https://id.gs1.org/01/09521101530001/10/ABC123",
    "ABC123",
    "SN0001",
    "]d2" + "0100000096385074" + "21SN0001",
    "]C1" + "4140614141000005",
    "BADGE:T0K3N",
    "CMD:CONFIRM",
    "CMD:QTY:7",
    "SHP-000123",
    "106141412345678908",
]


def misread(code: str, at: int, how: int, char: str) -> str:
    at %= len(code) + 1
    return [
        code,
        code[:at] + code[at + 1 :],
        code[:at] + char + code[at:],
        code[:at] + char + code[at + 1 :],
    ][how]


misreads = st.builds(
    misread, st.sampled_from(CODES), st.integers(0, 80), st.integers(0, 3), st.characters()
)
scan_texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=8).map("".join),
    misreads,
)
substitutes = st.lists(st.sampled_from(["#", "~", "<GS>", "^]", "%"]), max_size=2)


@FEW
@given(text=scan_texts, subs=substitutes)
def test_reading_any_text_never_crashes(text, subs):
    scan = parse(text, ScannerSettings(gs_substitutes=tuple(subs)))
    assert isinstance(scan, Scan)
    scan.as_dict()


@FEW
@given(keys=st.lists(st.tuples(st.characters(), st.floats(0, 1e6)), max_size=80))
def test_the_assembler_takes_any_key_stream(keys):
    assembler = ScanAssembler(ScannerSettings(prefix="@@", suffix="#E"))
    for char, at in sorted(keys, key=lambda k: k[1]):
        scan = assembler.feed(char, at)
        assert scan is None or scan.text


@FEW
@given(code=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=2, max_size=40))
def test_a_scanned_code_comes_out_of_the_assembler_as_it_went_in(code):
    assert [s.text for s in ScanAssembler().feed_text(code + "\r", 1.0)] == [code]


@FEW
@given(received=st.text(max_size=80))
def test_the_scanner_test_judges_any_input(received):
    diagnosis = diagnose(SCANNER_TEST_TEXT, received)
    assert diagnosis.ok == (received.rstrip("\r\n") == SCANNER_TEST_TEXT)


@WITH_DB
@given(text=scan_texts)
def test_a_scan_resolves_only_to_what_it_names(warehouse, text):
    scan = parse(text)
    result = resolve(scan)
    assert names(scan, result), (text, result)


def names(scan: Scan, result) -> bool:
    """True when the scan's own text (or its GS1 elements) carries the result's key."""
    data = scan.data
    gs1 = scan.gs1.value if scan.gs1 is not None else (lambda ai: None)
    if isinstance(result, ScanError):
        return bool(result.message)
    if isinstance(result, ResolvedLocation):
        return result.code in (data, gs1("414"))
    if isinstance(result, ResolvedItem):
        return data == result.sku or result.gtin in (scan.gtin, gs1("01"), gs1("02"))
    if isinstance(result, ResolvedLot | ResolvedSerial):
        number = result.number if isinstance(result, ResolvedLot) else result.serial
        by_gtin = result.item.gtin in (gs1("01"), gs1("02"))
        alone = gs1("01") is None and gs1("02") is None
        return number == data or (number in (gs1("10"), gs1("21")) and (by_gtin or alone))
    if isinstance(result, ResolvedParcel):
        return result.sscc in (data, gs1("00"))
    if isinstance(result, ResolvedShipment):
        return result.number == data
    if isinstance(result, ResolvedBadge):
        token = data.removeprefix(BADGE_PREFIX)
        return data != token and User.get_by_id(result.user_id).badge == badge_hash(token)
    if isinstance(result, ResolvedCommand):
        return data.startswith(COMMAND_PREFIX) and data.endswith(
            str(result.quantity) if result.quantity is not None else result.command
        )
    return False
