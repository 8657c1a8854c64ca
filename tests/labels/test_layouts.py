"""Every kind of label at every size Backroom is tested at: nothing leaves the label,
nothing overlaps, text never overflows, bars are whole dots, and every barcode reads."""

from __future__ import annotations

import pytest

from backroom.labels.content import ItemContent, LocationContent, LogisticContent, LotContent
from backroom.labels.sizes import STANDARD_SIZES, LabelSize
from backroom.labels.templates.by_kind import layout
from backroom.labels.templates.gs1_kinds import SymbolChoice
from backroom.models.errors import Refused
from tests.labels.checks import check_drawing
from tests.labels.decode import read_all
from tests.labels.samples import GTIN, SSCC, carried, data_of, one_of_each

# What must fit, by kind: the rest may be refused as too small, with a clear message.
# GS1 labels keep GS1's bar sizes, so they need a 100 mm wide label.
WIDE = [s for s in STANDARD_SIZES if s.width_mm >= 100]
MUST_FIT = {
    "location": STANDARD_SIZES,
    "item": WIDE,
    "sscc": WIDE,
    "badge": [s for s in STANDARD_SIZES if s.width_mm >= 57],
    "lot": WIDE,
    "commands": STANDARD_SIZES,
    "scanner-test": [LabelSize(210, 297)],
}


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("size", STANDARD_SIZES, ids=str)
@pytest.mark.parametrize("content", one_of_each(), ids=lambda c: f"{c.kind}-{c.key}")
def test_every_kind_lays_out_cleanly_and_reads_back(content, size, dpi):
    try:
        drawings = layout(content, size, dpi)
    except Refused as exc:
        assert size not in MUST_FIT[content.kind], str(exc)
        assert "wider label" in str(exc) or "smallest label it fits" in str(exc)
        return
    found = []
    for drawing in drawings:
        assert (drawing.width, drawing.height) == size.dots(dpi)
        found += carried(read_all(check_drawing(drawing)))
    assert found == data_of(content, size)


LONG = "Extra-wide industrial shelving upright, galvanised steel, 2500 mm, " * 3
AWKWARD_TEXT = [
    LocationContent("A-01-02", LONG),
    LocationContent("PALLETRACKROW12LEVEL4", "Ångström Ölçü Straße ÉÈ"),
    ItemContent("SKU-1", "Supercalifragilisticexpialidocious" * 4, GTIN),
    ItemContent("X", LONG),
    LotContent("SKU-1", LONG, "L-0424", GTIN),
    LogisticContent(
        SSCC,
        ship_from=(LONG, LONG),
        ship_to=(LONG,) * 8,
        ship_to_postal_code="12345",
        carrier=LONG,
        contents=(LONG,) * 6,
    ),
]


@pytest.mark.parametrize("size", [LabelSize(100, 150), LabelSize(100, 50), LabelSize(57, 32)])
@pytest.mark.parametrize("content", AWKWARD_TEXT, ids=lambda c: f"{c.kind}-{c.key}")
def test_long_text_shrinks_wraps_or_is_cut_never_overflows(content, size):
    try:
        drawings = layout(content, size, 203)
    except Refused as exc:
        assert "wider label" in str(exc) or "smallest label it fits" in str(exc)
        return
    for drawing in drawings:
        check_drawing(drawing)
        for text in drawing.texts:
            assert text.size >= round(1.8 * 203 / 25.4) or text.text.startswith("(")


def test_a_long_item_name_wraps_onto_a_second_line_rather_than_being_cut():
    name = "Blue widget, large, galvanised, with a name far too long for one line"
    drawing = layout(ItemContent("SKU-1", name), LabelSize(57, 32), 203)[0]
    sku, *lines = [t.text for t in drawing.texts]
    assert sku == "SKU-1"
    assert len(lines) == 2
    assert " ".join(lines) == name


def test_a_barcode_too_wide_for_the_label_is_refused_with_the_width_it_needs():
    location = LocationContent("PALLET-RACK-ROW-12-LEVEL-4-POSITION-7")
    with pytest.raises(Refused, match=r"needs [\d.]+ mm .* 203 dpi .* wider label"):
        layout(location, LabelSize(50, 25), 203)


def test_a_gs1_label_no_permitted_layout_holds_names_the_smallest_that_would():
    lot = LotContent("SKU-1", "Widget", "ABCDEFGHIJ0123456789", GTIN)
    with pytest.raises(Refused) as refused:
        layout(lot, LabelSize(57, 32), 203, SymbolChoice("linear"))
    message = str(refused.value)
    assert "X 0.495 to 1.016 mm, bars at least 31.75 mm high" in message
    assert message.endswith("the smallest label it fits at 203 dpi is 150x100 mm")
    # ... and it does fit there, at GS1's sizes.
    (drawing,) = layout(lot, LabelSize(150, 100), 203, SymbolChoice("linear"))
    assert carried(read_all(check_drawing(drawing))) == data_of(lot, LabelSize(150, 100))


@pytest.mark.parametrize("dpi", [203, 300, 600])
def test_bars_are_whole_dots_and_within_the_size_range(dpi):
    drawing = layout(LocationContent("A-01-02"), LabelSize(100, 50), dpi)[0]
    (bars,) = drawing.bars
    module_mm = bars.module * 25.4 / dpi
    assert 0.165 <= module_mm <= 0.6
    check_drawing(drawing)


def test_a_longer_command_sheet_spills_onto_more_labels():
    from backroom.labels.lookup import command_content

    drawings = layout(command_content(), LabelSize(100, 50), 203)
    assert len(drawings) > 1
    assert [d.title for d in drawings][:2] == ["commands 1", "commands 2"]


@pytest.mark.parametrize("content", one_of_each(), ids=lambda c: f"{c.kind}-{c.key}")
def test_every_kind_at_600_dpi(content):
    size = LabelSize(100, 150)
    found = []
    for drawing in layout(content, size, 600):
        found += carried(read_all(check_drawing(drawing)))
    assert found == data_of(content, size)
