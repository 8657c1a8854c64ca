"""Code 128 and GS1-128 symbols read back exactly, and are as short as Code 128 allows."""

from __future__ import annotations

import pytest

from backroom.labels import code128, gs1
from backroom.labels.drawing import Bars, Drawing
from backroom.labels.render import to_image
from backroom.labels.symbols import Symbol, code128_symbol, gs1_128_symbol, item_symbol
from backroom.models.errors import Refused
from backroom.models.rules.codes import SCANNER_TEST_TEXT
from tests.labels.decode import read_one


def scan(symbol: Symbol, module: int = 2):
    """The symbol alone on a strip, as a scanner sees it."""
    width = symbol.modules * module
    bars = Bars(symbol.quiet_left * module, 10, module, 80, symbol)
    return read_one(to_image(Drawing(width, 100, 203, "test", [bars])))


@pytest.mark.parametrize(
    "text",
    [
        "1234",  # even digits: code set C only
        "12345",  # odd digits
        "7",
        "A-01-02",
        "SKU12345678X",  # digits between letters
        "lower-case-sku",
        "L.0424/B+C%",  # punctuation
        "ABCDEFGHIJ0123456789",  # a 20-character lot
        "^>~_`{|}",  # what ZPL and keyboards find awkward
        "A\tB\x1dC\x00",  # control characters need code set A
    ],
)
def test_code128_reads_back_exactly(text):
    assert scan(code128_symbol(text)).text == text


def test_every_ascii_character_reads_back():
    every = "".join(chr(c) for c in range(128))
    for chunk in (every[:40], every[40:80], every[80:]):
        assert scan(code128_symbol(chunk)).text == chunk


def test_the_scanner_test_text_reads_back_with_its_group_separator():
    read = scan(code128_symbol(SCANNER_TEST_TEXT))
    assert read.text == SCANNER_TEST_TEXT
    assert not read.gs1


@pytest.mark.parametrize(
    ("text", "symbols"),
    [
        ("12345678", 4),  # four pairs in code set C
        ("1234567", 5),  # one digit in B, switch to C, three pairs
        ("A1234567B", 8),  # the digits packed in C between letters in B
        ("ABC", 3),
        ("\x01a", 3),  # a control character in A, switch, a lowercase letter in B
    ],
)
def test_digits_are_packed_two_to_a_symbol(text, symbols):
    code = code128.encode(text)
    assert len(code.codewords) - 3 == symbols  # without start, check and stop


def test_an_all_digit_code_of_even_length_uses_code_set_c_throughout():
    code = code128.encode("00123456")
    assert [w.code_set for w in code.codewords[:-2]] == ["C"] * 5
    assert code.modules == 11 * 6 + 13


def test_a_character_above_ascii_is_refused():
    with pytest.raises(Refused, match="cannot carry"):
        code128.encode("Bäckerei")


def test_gs1_128_starts_with_fnc1_and_separates_variable_fields():
    elements = [
        gs1.Element("01", "05901234123457"),
        gs1.Element("10", "AB12"),
        gs1.Element("21", "X9"),
    ]
    symbol = gs1_128_symbol(elements)
    assert symbol.code.codewords[1].role == "fnc1"
    assert symbol.data == "0105901234123457" + "10AB12" + "\x1d" + "21X9"
    read = scan(symbol)
    assert read.gs1
    assert read.fields() == [("01", "05901234123457"), ("10", "AB12"), ("21", "X9")]
    assert symbol.readable == "(01)05901234123457(10)AB12(21)X9"


def test_a_gs1_string_biip_rejects_is_refused():
    with pytest.raises(Refused, match="not a valid GS1"):
        gs1_128_symbol([gs1.Element("01", "05901234123458")])  # wrong check digit


@pytest.mark.parametrize(
    ("gtin", "fmt", "text"),
    [
        ("05901234123457", "EAN13", "5901234123457"),
        ("00000096385074", "EAN8", "96385074"),
        ("15901234123454", "Code128", "0115901234123454"),
    ],
)
def test_a_gtin_gets_the_barcode_retail_scanners_expect(gtin, fmt, text):
    read = scan(item_symbol(gtin), module=3)
    assert (read.format, read.text) == (fmt, text)


def test_a_gtin_12_prints_the_bars_of_its_upc_a():
    read = scan(item_symbol("00012345678905"), module=3)
    assert read.text.zfill(14) == "00012345678905"
