"""Reading codes without the database: AIM identifiers, GS1 element strings, typed
(AI) text, Digital Link URIs, GTINs; check digits and dates validated.

Examples are the GS1 General Specifications' and GS1 Digital Link standard's own
demonstration numbers (GS1 prefix 950 is reserved for them): GTIN 09506000134352,
SSCC 106141412345678908, GLN 0614141000005.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from backroom.scanners.parse import parse
from backroom.scanners.settings import ScannerSettings
from backroom.scanners.symbology import split_aim

GS = "\x1d"


def elements(text: str, settings: ScannerSettings | None = None) -> list[tuple[str, str]]:
    scan = parse(text, settings)
    assert scan.problem is None, scan.problem
    return [(e.ai, e.shown) for e in scan.gs1.elements]


# --- symbology identifiers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("]C0", "Code 128"),
        ("]C1", "GS1-128"),
        ("]E0", "EAN-13 / UPC-A / UPC-E"),
        ("]E4", "EAN-8"),
        ("]I1", "ITF-14"),
        ("]e0", "GS1 DataBar"),
        ("]d1", "Data Matrix"),
        ("]d2", "GS1 DataMatrix"),
        ("]Q1", "QR Code"),
        ("]Q3", "GS1 QR Code"),
    ],
)
def test_aim_identifiers_are_recognised_and_stripped(code, name):
    symbology, data = split_aim(code + "12345678")
    assert (symbology.code, symbology.name, data) == (code, name, "12345678")


def test_text_that_only_starts_with_a_bracket_keeps_it():
    assert split_aim("]]A-01") == (None, "]]A-01")
    assert parse("]x").data == "]x"


# --- element strings --------------------------------------------------------------------


def test_a_gs1_128_scan_reads_gtin_expiry_and_lot():
    assert elements("]C10109521101530001172106301" + "0ABC123") == [
        ("01", "09521101530001"),
        ("17", "2021-06-30"),
        ("10", "ABC123"),
    ]


def test_a_gs1_datamatrix_with_lot_and_serial_separated_by_gs():
    text = "]d2" + "0109506000134352" + "2112345" + GS + "17201225" + "10ABC123"
    assert elements(text) == [
        ("01", "09506000134352"),
        ("21", "12345"),
        ("17", "2020-12-25"),
        ("10", "ABC123"),
    ]


def test_a_logistic_label_reads_sscc_content_count_and_lot():
    text = "]C1" + "00106141412345678908" + "0209506000134352" + "3720" + GS + "10LOT7"
    scan = parse(text)
    assert [(e.ai, e.value) for e in scan.gs1.elements] == [
        ("00", "106141412345678908"),
        ("02", "09506000134352"),
        ("37", "20"),
        ("10", "LOT7"),
    ]
    assert scan.quantity == 20


def test_a_variable_count_is_the_scans_quantity():
    assert parse("]C1010950600013435230" + "12").quantity == 12


def test_net_weight_reads_with_its_decimals():
    scan = parse("]C10109506000134352" + "3103000195")
    assert scan.gs1.get("3103").decimal == Decimal("0.195")


@pytest.mark.parametrize(
    ("text", "ai", "name"),
    [
        ("400PO-4711", "400", "order number"),
        ("4100614141000005", "410", "ship-to GLN"),
        ("4110614141000005", "411", "bill-to GLN"),
        ("4120614141000005", "412", "purchased-from GLN"),
        ("4130614141000005", "413", "ship-for GLN"),
        ("4140614141000005", "414", "location GLN"),
        ("42075001", "420", "ship-to postal code"),
        ("421250F-75001", "421", "ship-to postal code"),
        ("11210101", "11", "production date"),
        ("13210101", "13", "packaging date"),
        ("15210101", "15", "best before date"),
        ("0209506000134352", "02", "GTIN of contents"),
    ],
)
def test_shipping_and_date_ais_are_named(text, ai, name):
    element = parse("]C1" + text).gs1.elements[0]
    assert (element.ai, element.name) == (ai, name)


def test_a_leading_gs_sent_for_fnc1_is_ignored():
    assert elements("]C1" + GS + "0109506000134352")[0] == ("01", "09506000134352")


def test_element_strings_without_identifier_are_read_when_they_start_with_a_gtin():
    scan = parse("0109506000134352" + "10ABC")
    assert not scan.gs1_declared
    assert [(e.ai, e.value) for e in scan.gs1.elements] == [("01", "09506000134352"), ("10", "ABC")]


def test_a_real_gs_without_identifier_declares_gs1():
    scan = parse("0109506000134352" + "10ABC" + GS + "17210630")
    assert scan.gs1_declared
    assert scan.gs1.value("10") == "ABC"


@pytest.mark.parametrize("substitute", ["#", "~", "<GS>", "^]"])
def test_configured_gs_substitutes_separate_fields(substitute):
    settings = ScannerSettings(gs_substitutes=(substitute,))
    text = "]C1" + "0109506000134352" + "10ABC" + substitute + "17210630"
    assert elements(text, settings)[1:] == [("10", "ABC"), ("17", "2021-06-30")]


def test_a_substitute_in_a_plain_code_128_is_left_alone():
    settings = ScannerSettings(gs_substitutes=("#",))
    scan = parse("]C0A#01", settings)
    assert (scan.data, scan.gs1) == ("A#01", None)


# --- typed text and Digital Link ---------------------------------------------------------


def test_typed_text_with_parentheses_reads_like_the_barcode():
    assert elements("(01)09521101530001(17)210630(10)ABC123") == [
        ("01", "09521101530001"),
        ("17", "2021-06-30"),
        ("10", "ABC123"),
    ]


def test_typed_text_may_have_spaces_between_elements():
    assert elements("(01) 09506000134352 (10) ABC")[1] == ("10", "ABC")


def test_typed_text_with_an_ai_that_does_not_exist_is_invalid():
    assert parse("(01)09506000134352(23)1").problem == "(23) is not a GS1 application identifier"
    assert parse("(01)09506000134352(1)23").problem.startswith("'(1)23' is not (AI)value text")


@pytest.mark.parametrize("aim", ["", "]Q1", "]d1"])
def test_a_digital_link_reads_gtin_lot_serial_and_expiry(aim):
    uri = "https://id.gs1.org/01/09506000134352/10/ABC1/21/12345?17=180426"
    scan = parse(aim + uri)
    assert scan.gs1_declared
    assert [(e.ai, e.shown) for e in scan.gs1.elements] == [
        ("01", "09506000134352"),
        ("10", "ABC1"),
        ("21", "12345"),
        ("17", "2018-04-26"),
    ]


def test_a_digital_link_on_a_company_domain_with_a_path_prefix():
    scan = parse("]Q1https://example.com/products/01/09506000134352?3103=000195")
    assert scan.gs1.get("3103").decimal == Decimal("0.195")


def test_a_web_address_that_names_no_product_is_invalid():
    assert "not a GS1 Digital Link" in parse("]Q1https://example.com/about").problem


# --- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("]C10109506000134353", "(01) GTIN 09506000134353 has a wrong check digit"),
        ("]C100106141412345678907", "(00) SSCC 106141412345678907 has a wrong check digit"),
        ("]C14140614141000006", "(414) location GLN 0614141000006 has a wrong check digit"),
        ("(410)0614141000004", "(410) ship-to GLN 0614141000004 has a wrong check digit"),
        ("https://id.gs1.org/01/09506000134353", "(01) GTIN 09506000134353 has a wrong"),
    ],
)
def test_a_bad_check_digit_is_an_error_not_a_warning(text, expected):
    assert parse(text).problem.startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("]C1010950600013435217210229", "February 2021 has 28 days"),
        ("]C1010950600013435217211301", "there is no month 13"),
        ("]C1010950600013435215210431", "April 2021 has 30 days"),
        ("(17)210000", "there is no month 00"),
        ("https://id.gs1.org/01/09506000134352?17=210229", "February 2021 has 28 days"),
    ],
)
def test_an_impossible_date_is_an_error(text, expected):
    assert expected in parse(text).problem


def test_day_00_means_the_last_day_of_the_month():
    scan = parse("]C1010950600013435217240200")
    assert scan.gs1.expiry == dt.date(2024, 2, 29)


def test_a_field_of_the_wrong_length_says_what_it_should_be():
    problem = parse("(17)2106").problem
    assert problem == "(17) expiry date must be 6 digits, not '2106'"


def test_text_that_is_not_an_element_string_after_a_variable_field_hints_at_a_lost_gs():
    problem = parse("]C1" + "3712" + "10ABC").problem
    assert problem.startswith("(37) count of items '1210ABC' holds 'A': only digits")
    assert "it may be '12' followed by (10) lot ABC: a group separator may be lost" in problem


def test_the_same_ai_twice_with_different_values_is_invalid():
    problem = parse("(10)ABC(10)XYZ").problem
    assert problem == "(10) lot appears twice with different values"


def test_a_lot_that_swallowed_an_expiry_is_flagged():
    scan = parse("]C1" + "0109521101530001" + "10ABC17250101")
    assert scan.problem is None
    assert scan.gs1.suspect.startswith("The lot 'ABC17250101' may really be lot 'ABC' followed")
    assert "(17) expiry date 2025-01-01" in scan.gs1.suspect


def test_a_lot_that_swallowed_a_gtin_is_flagged():
    scan = parse("]C1" + "10LOT" + "0109506000134352")
    assert "(01) GTIN 09506000134352" in scan.gs1.suspect


@pytest.mark.parametrize("lot", ["LOT2110", "A1B2C3", "17ABC", "X1725"])
def test_ordinary_lot_numbers_are_not_flagged(lot):
    assert parse("]C1" + "0109506000134352" + "10" + lot).gs1.suspect is None


# --- GTIN symbologies ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "gtin"),
    [
        ("]E05901234123457", "05901234123457"),  # EAN-13
        ("]E0614141123452", "00614141123452"),  # UPC-A, 12 digits
        ("]E004252614", "00042100005264"),  # UPC-E, expanded to UPC-A
        ("]E496385074", "00000096385074"),  # EAN-8
        ("]I119506000134359", "19506000134359"),  # ITF-14 case
        ("]E3590123412345712", "05901234123457"),  # EAN-13 with a 2-digit add-on
        ("5901234123457", "05901234123457"),  # no identifier: digits with a good check digit
    ],
)
def test_ean_upc_and_itf_scans_are_gtins(text, gtin):
    scan = parse(text)
    assert (scan.gtin, scan.problem) == (gtin, None)


def test_an_ean_13_with_a_bad_check_digit_is_invalid():
    assert parse("]E05901234123458").problem == (
        "GTIN 5901234123458 has a wrong check digit: it should end in 7 "
        "(misprinted label or misread scan)"
    )


def test_blanks_around_a_scan_go_but_the_gs_stays():
    scan = parse("  ]C10109506000134352" + "10ABC" + GS + "\r\n")
    assert scan.data == "0109506000134352" + "10ABC" + GS
