"""ZPL II: one format per label with its size in dots, printer-native barcodes that
carry exactly the label's data, and escapes for whatever ZPL would misread."""

from __future__ import annotations

import pytest

from backroom.labels.content import ItemContent, LocationContent
from backroom.labels.sizes import LabelSize
from backroom.labels.symbols import code128_symbol
from backroom.labels.templates.by_kind import layout
from backroom.labels.zpl import code128_field, escape_text, to_zpl
from backroom.models.rules.codes import SCANNER_TEST_TEXT
from tests.labels.samples import one_of_each
from tests.labels.zplread import bc_data, commands, formats, unhex

SIZE = LabelSize(100, 150)


@pytest.mark.parametrize("dpi", [203, 300, 600])
@pytest.mark.parametrize("content", one_of_each(), ids=lambda c: c.kind)
def test_every_kind_in_zpl_matches_its_drawing(content, dpi):
    size = LabelSize(210, 297) if content.kind == "scanner-test" else SIZE
    drawings = layout(content, size, dpi)
    zpl = to_zpl(drawings, copies=3)
    labels = formats(zpl)
    assert len(labels) == len(drawings)
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    for label, drawing in zip(labels, drawings, strict=True):
        cmds = commands(label)
        args = {c.name: c.args for c in cmds}
        assert args["PW"] == str(drawing.width)
        assert args["LL"] == str(drawing.height)
        assert args["PQ"] == "3"
        assert args["CI"] == "28"  # field data is UTF-8
        origins = [c.args for c in cmds if c.name == "FO"]
        assert origins == [f"{e.x},{e.y}" for e in drawing.elements]
        modules = [int(c.args.split(",")[0]) for c in cmds if c.name == "BY"]
        assert modules == [b.module for b in drawing.bars]
        fields = [c.args for c in cmds if c.name == "FD"]
        texts = [unhex(f) for f, prev in zip(fields, _before_fd(cmds), strict=True) if prev]
        assert texts == [t.text for t in drawing.texts]
        assert _barcodes(cmds) == [
            (b.symbol.data, b.symbol.gs1) for b in drawing.bars if b.symbol.code
        ]


def _before_fd(cmds):
    """For each ^FD: whether it is a text field (preceded by ^FH)."""
    flags = []
    for i, c in enumerate(cmds):
        if c.name == "FD":
            flags.append(cmds[i - 1].name == "FH")
    return flags


def _barcodes(cmds):
    out = []
    for i, c in enumerate(cmds):
        if c.name == "BC":
            assert cmds[i + 1].name == "FD"
            out.append(bc_data(cmds[i + 1].args))
    return out


@pytest.mark.parametrize(
    "text",
    ["1234", "12345", "A1B2C3D4", "lower-case", "^>~_`{|}\\", "A\tB", SCANNER_TEST_TEXT],
)
def test_code128_field_data_carries_exactly_the_text(text):
    field = code128_field(code128_symbol(text).code)
    assert "^" not in field and "~" not in field
    assert bc_data(field) == (text, False)


def test_gs1_fields_start_with_fnc1_and_separate_variable_length_fields():
    from backroom.labels import gs1
    from backroom.labels.symbols import gs1_128_symbol

    symbol = gs1_128_symbol(
        [gs1.Element("01", "05901234123457"), gs1.Element("10", "L1"), gs1.Element("21", "7")]
    )
    field = code128_field(symbol.code)
    assert field.startswith(">;>8")  # start C, FNC1: GS1-128
    assert bc_data(field) == ("0105901234123457" + "10L1\x1d217", True)


def test_ean_13_goes_as_twelve_digits_the_printer_completes():
    drawing = layout(ItemContent("SKU-1", "Widget", "05901234123457"), SIZE, 203)[0]
    (bars,) = drawing.bars
    zpl = to_zpl([drawing])
    assert f"^BY{bars.module}^BEN,{bars.height},N,N^FD590123412345^FS" in zpl


def test_text_escapes_carets_tildes_underscores_and_non_ascii():
    assert escape_text("A^B~C_D") == "A_5EB_7EC_5FD"
    assert escape_text("Straße") == "Stra_C3_9Fe"
    assert unhex(escape_text("Ölçü 5 °C")) == "Ölçü 5 °C"


def test_a_name_with_zpl_commands_in_it_stays_text():
    drawing = layout(LocationContent("A-1", "^XZ~JR evil"), SIZE, 203)[0]
    label = formats(to_zpl([drawing]))
    assert len(label) == 1
    assert [c.name for c in commands(label[0])].count("XZ") == 1
