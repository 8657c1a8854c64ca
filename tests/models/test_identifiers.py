"""models/rules/identifiers.py: the GS1 check digit, GTINs, SSCCs, codes and lot numbers.

The SSCC cases where labels/gs1.py and goods_out/packing.py used to differ are spelled
out: a scanner's ]C1 prefix, the prefix given as a number, the wording of a wrong check
digit, and digits that are not ASCII."""

from __future__ import annotations

import random

import pytest
from biip.checksums import gs1_standard_check_digit

from backroom.models.errors import Refused
from backroom.models.rules.identifiers import (
    check_digit,
    check_location_code,
    check_lot_number,
    check_sku,
    gtin_problem,
    has_good_check_digit,
    is_sscc,
    make_sscc,
    normalize_gtin,
    parse_sscc,
    spaced_sscc,
    with_check_digit,
)

SSCC = "376130321109103420"  # extension 3, prefix 7613032, serial 110910342


# --- the check digit -----------------------------------------------------------------------


def test_the_check_digit_is_the_one_biip_computes():
    rng = random.Random(18)
    for length in (7, 11, 12, 13, 16, 17):
        for _ in range(300):
            digits = "".join(rng.choice("0123456789") for _ in range(length))
            assert check_digit(digits) == gs1_standard_check_digit(digits), digits


def test_known_check_digits():
    assert with_check_digit("400638133393") == "4006381333931"  # EAN-13
    assert with_check_digit("9638507") == "96385074"  # EAN-8
    assert with_check_digit("37613032110910342") == SSCC
    assert has_good_check_digit(SSCC)
    assert not has_good_check_digit("376130321109103421")
    assert not has_good_check_digit("7")  # no digits before the check digit


def test_the_check_digit_of_what_is_not_digits_is_an_error():
    for text in ("12a4", "", "１２３", "12²"):
        with pytest.raises(ValueError, match="not digits"):
            check_digit(text)
    assert not has_good_check_digit("37613032110910342٠")


# --- GTIN ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("4006381333931", "04006381333931"),
        (" 96385074 ", "00000096385074"),
        ("036000291452", "00036000291452"),
        ("10614141000415", "10614141000415"),
    ],
)
def test_a_gtin_is_kept_as_14_digits(typed, stored):
    assert normalize_gtin(typed) == stored
    assert gtin_problem(typed) is None


def test_a_gtin_of_the_wrong_length_or_check_digit_is_refused():
    with pytest.raises(Refused, match=r"GTIN '12345' must be 8, 12, 13 or 14 digits"):
        normalize_gtin("12345")
    with pytest.raises(Refused, match=r"GTIN '４００６３８１３３３９３１' must be 8, 12"):
        normalize_gtin("４００６３８１３３３９３１")  # full-width digits: isdigit() says yes
    with pytest.raises(Refused, match=r"GTIN '4006381333932' is not valid: .*check digit"):
        normalize_gtin("4006381333932")


def test_the_form_words_a_gtin_problem_in_a_few_words():
    assert gtin_problem("") is None
    assert gtin_problem("12345") == "8, 12, 13 or 14 digits"
    assert gtin_problem("4006381333932") == "Check digit should be 1, not 2: a typing error?"


# --- SSCC ----------------------------------------------------------------------------------


def test_an_sscc_is_extension_prefix_serial_and_check_digit():
    assert make_sscc("7613032", 110910342, extension=3) == SSCC
    assert make_sscc("4012345", 1) == "040123450000000016"
    assert make_sscc("0614141", 123456789) == "006141411234567890"
    # a 12-digit prefix leaves four digits of serial reference; 6 digits leave ten
    assert make_sscc("123456789012", 9999) == with_check_digit("01234567890129999")
    assert make_sscc("123456", 9_999_999_999)[1:17] == "1234569999999999"


def test_the_company_prefix_may_come_as_a_number_from_the_configuration():
    # TOML without quotes gives an int; labels/gs1.py used to fail on it
    assert make_sscc(4012345, 1) == "040123450000000016"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("prefix", "serial", "extension", "message"),
    [
        ("12345", 1, 0, "must be 6 to 12 digits"),
        ("1234567890123", 1, 0, "must be 6 to 12 digits"),
        ("12AB567", 1, 0, "must be 6 to 12 digits"),
        ("１２３４５６７", 1, 0, "must be 6 to 12 digits"),
        ("7613032", 10**9, 0, "does not fit the 9 digits left by company prefix 7613032"),
        ("7613032", -1, 0, "does not fit"),
        ("7613032", True, 0, "does not fit"),
        ("7613032", 1, 10, "extension digit 10 must be 0 to 9"),
        ("7613032", 1, -1, "extension digit -1 must be 0 to 9"),
    ],
)
def test_an_sscc_that_cannot_be_made_is_refused(prefix, serial, extension, message):
    with pytest.raises(Refused, match=message):
        make_sscc(prefix, serial, extension)


@pytest.mark.parametrize(
    "typed",
    [
        SSCC,
        f"(00){SSCC}",
        f"00{SSCC}",
        f"  (00) {SSCC[:1]} {SSCC[1:9]} {SSCC[9:17]} {SSCC[17]} ",
        f"]C100{SSCC}",  # a scanner that sends the AIM symbology identifier
        f"]C1(00){SSCC}",
        spaced_sscc(SSCC),
    ],
)
def test_an_sscc_is_read_as_typed_or_scanned(typed):
    assert parse_sscc(typed) == SSCC


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("  123 ", "SSCC '123' must be 18 digits"),
        ("37613032", "SSCC '37613032' must be 18 digits"),
        (SSCC + "0", "must be 18 digits"),
        ("01" + SSCC, "must be 18 digits"),  # 20 digits, but not after AI (00)
        ("３７６１３０３２１１０９１０３４２０", "must be 18 digits"),  # not ASCII digits
        ("37613032110910342²", "must be 18 digits"),  # isdigit() but not int(): no crash
        ("376130321109103421", "SSCC 376130321109103421 has a wrong check digit: scan it again"),
        ("(00)376130321109103421", "SSCC 376130321109103421 has a wrong check digit"),
    ],
)
def test_a_mistyped_sscc_is_refused(typed, message):
    with pytest.raises(Refused, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_sscc(typed)


def test_is_sscc_takes_the_digits_exactly_as_given():
    assert is_sscc(SSCC)
    assert not is_sscc("00" + SSCC)
    assert not is_sscc("376130321109103421")
    assert not is_sscc(SSCC[:-1])


def test_an_sscc_is_spaced_for_reading():
    assert spaced_sscc(SSCC) == "3 76130321 10910342 0"


# --- SKUs, location codes, lot numbers -------------------------------------------------------


def test_codes_are_stripped_and_kept():
    assert check_sku(" OAT-500 ") == "OAT-500"
    assert check_sku("OAT/500") == "OAT/500"  # a SKU may hold '/', a location code not
    assert check_location_code(" A-01-01 ") == "A-01-01"
    assert check_location_code("x" * 64) == "x" * 64


@pytest.mark.parametrize(
    "code", ["", "   ", "A 1", "A/1", "A\x1d1", "A\t1", "x" * 65, "cmd:confirm", "BADGE:7", "shp-1"]
)
def test_a_bad_location_code_is_refused(code):
    with pytest.raises(Refused, match="Location code"):
        check_location_code(code)


def test_a_reserved_prefix_is_named():
    with pytest.raises(Refused, match="starts with 'CMD:', which Backroom reserves"):
        check_location_code("cmd:A")
    with pytest.raises(Refused, match="SKU 'SHP-000001' starts with 'SHP-'"):
        check_sku("SHP-000001")
    with pytest.raises(Refused, match="SKU 'A B' must be 1 to 64 characters without spaces"):
        check_sku("A B")


def test_lot_numbers_take_the_gs1_character_set():
    assert check_lot_number(" L-0424/B ") == "L-0424/B"
    with pytest.raises(Refused, match="must be 1 to 20 characters"):
        check_lot_number("L" * 21)
    with pytest.raises(Refused, match="cannot carry: ' ' '#'"):
        check_lot_number("L 04#24")
