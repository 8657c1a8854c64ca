"""GS1 labels as a verifier sees them: every kind at 203, 300 and 600 dpi, linear and 2D,
decoded back exactly by zxing-cpp, its X-dimension and bar heights measured from the
pixels and held against GS1's symbol specification tables."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.labels import fonts
from backroom.labels.content import ItemContent, LogisticContent, LotContent
from backroom.labels.drawing import Rect
from backroom.labels.sizes import LabelSize
from backroom.labels.specs import (
    DATA_CONTENT_MM,
    EAN13_RETAIL,
    GS1_128_DISTRIBUTION,
    GS1_128_LOGISTIC,
    MATRIX_DISTRIBUTION,
    MATRIX_LOGISTIC,
)
from backroom.labels.templates.by_kind import layout
from backroom.labels.templates.gs1_kinds import SymbolChoice
from backroom.models.errors import Refused
from tests.labels.checks import check_drawing
from tests.labels.decode import find_all, read_all, reads_of
from tests.labels.measure import digit_height_mm, linear_sizes, matrix_module
from tests.labels.samples import GTIN, GTIN_14, SSCC, carried, data_of

LOT_20 = LotContent("SKU-1", "Blue widget", "ABCDEFGHIJ0123456789", GTIN_14, dt.date(2030, 2, 28))
GS1_LABELS = {
    "item-ean13": ItemContent("SKU-1", "Blue widget, large", GTIN),
    "item-gtin14": ItemContent("CASE-1", "Case of 12 widgets", GTIN_14),
    "lot": LotContent("SKU-1", "Blue widget", "L-0424", GTIN, dt.date(2031, 4, 24)),
    "lot-20": LOT_20,
    "serial": LotContent("PHONE", "Handheld", "SN-000123", GTIN_14, serial=True),
    "sscc": LogisticContent(
        SSCC,
        ship_from=("Backroom DC", "1 Dock Road", "12345 Springfield"),
        ship_to=("ACME Retail", "99 High Street", "SW1A 1AA London"),
        ship_to_postal_code="SW1A 1AA",
        carrier="DHL",
        contents=("12 x SKU-1 Blue widget",),
    ),
}
TALL = LabelSize(100, 150)
WIDE = LabelSize(150, 150)  # room for the 20-character lot's GS1-128


def _linear_spec(content, found):
    if isinstance(content, LogisticContent):
        return GS1_128_LOGISTIC
    return EAN13_RETAIL if found.format.name == "EAN13" else GS1_128_DISTRIBUTION


def _measure(content, image, dpi, symbols=None) -> None:
    """Every symbol on IMAGE within its GS1 sizes, measured from the pixels."""
    for found in symbols if symbols is not None else find_all(image):
        if found.format.name in ("DataMatrix", "QRCode"):
            spec = MATRIX_LOGISTIC if isinstance(content, LogisticContent) else MATRIX_DISTRIBUTION
            x = matrix_module(image, found, dpi)
            assert spec.x_min <= x <= spec.x_max, f"{found.format.name} module {x:.3f} mm"
            continue
        spec = _linear_spec(content, found)
        x, height = linear_sizes(image, found, dpi)
        assert spec.x_min <= x <= spec.x_max, f"{found.text!r}: X {x:.3f} mm"
        least = spec.least_height_mm(x)
        assert height >= least - 1e-9, f"{found.text!r}: bars {height:.2f} mm < {least:.2f}"


def _readable_lines_high_enough(content, drawing, found) -> None:
    """Every human-readable line of a GS1 symbol with digits at least as high as its
    table asks (3 mm in distribution and logistics, 2 mm under an EAN at the POS)."""
    ean = any(f.format.name == "EAN13" for f in found)
    hri = [t for t in drawing.texts if t.text.startswith("(") or (ean and t.text == GTIN[1:])]
    assert hri, "no human-readable line"
    dpmm = drawing.dpi / 25.4
    for text in hri:
        least = (EAN13_RETAIL if text.text == GTIN[1:] else GS1_128_DISTRIBUTION).hri_mm
        assert fonts.digit_height(text.size) >= least * dpmm - 1e-9, text


@pytest.mark.parametrize("dpi", [203, 300, 600])
@pytest.mark.parametrize("choice", ["linear", "datamatrix", "qr"])
@pytest.mark.parametrize("name", GS1_LABELS)
def test_every_gs1_label_reads_back_exactly_at_gs1_sizes(name, choice, dpi):
    content = GS1_LABELS[name]
    size = WIDE if content is LOT_20 else TALL
    (drawing,) = layout(content, size, dpi, SymbolChoice(choice))
    image = check_drawing(drawing)
    found = find_all(image)
    reads = reads_of(found)
    want = data_of(content, size)
    if choice != "linear" and isinstance(content, LogisticContent):
        want = [("00", SSCC), *want]  # the 2D symbol beside the addresses, the GS1-128 lowest
    if choice != "linear" and isinstance(content, ItemContent):
        want = [("01", content.gtin)]
    if choice == "qr":  # a Digital Link has its key in the path, other AIs in the query
        assert sorted(carried(reads)) == sorted(want)
        assert any(r.digital_link for r in reads)
    else:
        assert carried(reads) == want
    formats = {r.format for r in reads}
    if choice == "linear" or isinstance(content, LogisticContent):
        assert formats & {"Code128", "EAN13"}
    if choice != "linear":
        assert {"datamatrix": "DataMatrix", "qr": "QRCode"}[choice] in formats
    _measure(content, image, dpi, found)
    _readable_lines_high_enough(content, drawing, found)


def test_a_20_character_lot_with_gtin_14_and_expiry_prints_on_100x50_at_203_dpi():
    size = LabelSize(100, 50)
    (drawing,) = layout(LOT_20, size, 203)
    image = check_drawing(drawing)
    (read,) = read_all(image)
    assert (read.format, read.gs1) == ("DataMatrix", True)
    assert read.fields() == [("01", GTIN_14), ("17", "300228"), ("10", "ABCDEFGHIJ0123456789")]
    _measure(LOT_20, image, 203)
    hri = ["(01)15901234123454", "(17)300228", "(10)ABCDEFGHIJ0123456789"]
    assert [t.text for t in drawing.texts if t.text.startswith("(")] == hri


def test_gs1_128_that_one_symbol_cannot_hold_is_split_fixed_length_ais_first():
    (drawing,) = layout(LOT_20, LabelSize(150, 100), 203, SymbolChoice("linear"))
    reads = read_all(check_drawing(drawing))
    assert [r.fields() for r in reads] == [
        [("01", GTIN_14), ("17", "300228")],
        [("10", "ABCDEFGHIJ0123456789")],
    ]


def test_linear_only_on_a_label_too_small_is_refused_with_the_smallest_that_holds_it():
    with pytest.raises(Refused, match="smallest label it fits at 203 dpi is 150x100 mm"):
        layout(LOT_20, LabelSize(100, 50), 203, SymbolChoice("linear"))
    with pytest.raises(Refused, match=r"bars 22.85 mm high at X 0.33 mm.* is 50x50 mm"):
        layout(GS1_LABELS["item-ean13"], LabelSize(50, 25), 203)


@pytest.mark.parametrize("dpi", [203, 300, 600])
def test_the_sscc_label_keeps_three_sections_and_the_sscc_lowest(dpi):
    content = GS1_LABELS["sscc"]
    (drawing,) = layout(content, LabelSize(100, 150), dpi)
    image = check_drawing(drawing)
    reads = read_all(image)
    assert [r.fields() for r in reads] == [[("420", "SW1A1AA")], [("00", SSCC)]]
    _measure(content, image, dpi)
    # Two rules across the label: from/to above, the text in the middle, barcodes below.
    rules = sorted(r.y for r in drawing.elements if isinstance(r, Rect) and r.width > r.height)
    assert len(rules) == 2
    (sscc_text,) = [t for t in drawing.texts if t.text.replace(" ", "") == SSCC]
    assert rules[0] < sscc_text.y < rules[1] < min(b.y for b in drawing.bars)
    assert digit_height_mm(image, sscc_text.box(), dpi) >= DATA_CONTENT_MM
