"""2D symbols: GS1 DataMatrix with FNC1 first and QR codes with a GS1 Digital Link URI,
chosen per label kind or per printer, and sent to Zebra printers as ^BX and ^BQ."""

from __future__ import annotations

import datetime as dt

import pytest
from biip.gs1_digital_link_uris import GS1DigitalLinkURI

from backroom.labels import jobs
from backroom.labels.content import LotContent
from backroom.labels.gs1 import Element
from backroom.labels.matrix import datamatrix, digital_link
from backroom.labels.printers import PrinterError
from backroom.labels.sizes import LabelSize
from backroom.labels.templates.by_kind import layout
from backroom.labels.templates.gs1_kinds import SymbolChoice
from backroom.labels.zpl import to_zpl
from backroom.models.config import Config
from backroom.models.errors import Refused
from tests.labels.checks import check_drawing
from tests.labels.decode import read_all, read_one
from tests.labels.pdfread import pages
from tests.labels.samples import GTIN, GTIN_14
from tests.labels.zplread import bx_data, commands, formats

LOT = LotContent("SKU-1", "Blue widget", "A.B/C-D_E%", GTIN, dt.date(2030, 2, 28))
SIZE = LabelSize(100, 50)


def test_a_digital_link_has_the_key_and_its_qualifiers_in_the_path_and_escapes_values():
    uri = digital_link(
        [Element("01", GTIN), Element("17", "300228"), Element("10", "A.B/C-D_E%")],
        "https://id.example.com",
    )
    assert uri == "https://id.example.com/01/05901234123457/10/A.B%2FC-D_E%25?17=300228"
    parsed = GS1DigitalLinkURI.parse(uri)
    assert [(e.ai.ai, e.value) for e in parsed.element_strings] == [
        ("01", GTIN),
        ("10", "A.B/C-D_E%"),
        ("17", "300228"),
    ]


def test_a_serial_qr_code_reads_back_as_its_digital_link():
    serial = LotContent("PHONE", "Handheld", "SN-1", GTIN_14, serial=True)
    (drawing,) = layout(serial, SIZE, 300, SymbolChoice("qr", "https://id.example.com"))
    (read,) = read_all(check_drawing(drawing))
    assert (read.format, read.identifier) == ("QRCode", "]Q1")
    assert read.text == "https://id.example.com/01/15901234123454/21/SN-1"


def test_gs1_datamatrix_is_square_ecc_200_whatever_the_data():
    # zint alone would make the lower-case lot a DMRE rectangle GS1 does not list.
    for lot in ("lot-lower", "ABCDEFGHIJ0123456789", "1"):
        symbol = datamatrix([Element("01", GTIN), Element("10", lot)])
        assert symbol.columns == symbol.height
        assert symbol.data == f"01{GTIN}10{lot}" and symbol.gs1


@pytest.mark.parametrize("dpi", [203, 300, 600])
def test_a_datamatrix_in_zpl_is_the_printers_own_bx_of_the_same_size_and_data(dpi):
    (drawing,) = layout(LOT, SIZE, dpi, SymbolChoice("datamatrix"))
    (matrix,) = drawing.matrices
    (label,) = formats(to_zpl([drawing]))
    cmds = commands(label)
    (i,) = [n for n, c in enumerate(cmds) if c.name == "BX"]
    assert cmds[i - 1].args == f"{matrix.x},{matrix.y}"
    size = f"{matrix.symbol.columns},{matrix.symbol.height}"
    assert cmds[i].args == f"N,{matrix.module},200,{size},,_"
    assert bx_data(cmds[i + 1].args) == (f"01{GTIN}17300228" + "10A.B/C-D_E%", True)


@pytest.mark.parametrize("dpi", [203, 300])
def test_a_qr_code_in_zpl_is_the_printers_own_bq_with_the_digital_link(dpi):
    (drawing,) = layout(LOT, SIZE, dpi, SymbolChoice("qr"))
    (matrix,) = drawing.matrices
    cmds = commands(formats(to_zpl([drawing]))[0])
    (i,) = [n for n, c in enumerate(cmds) if c.name == "BQ"]
    assert cmds[i].args == f"N,2,{matrix.module}"
    assert cmds[i + 1].args == "MA," + matrix.symbol.data
    assert matrix.symbol.data.startswith("https://id.gs1.org/01/05901234123457/10/")


def test_a_qr_code_zpl_cannot_draw_at_gs1_size_is_refused_not_shrunk():
    (drawing,) = layout(LOT, SIZE, 600, SymbolChoice("qr"))  # 0.743 mm is 18 dots at 600
    with pytest.raises(Refused, match=r"beyond ZPL's \^BQ .* PNG or PDF, or as GS1 DataMatrix"):
        to_zpl([drawing])


def test_the_symbol_is_chosen_per_kind_and_a_printer_can_override_it():
    config = Config(
        {
            "labels": {"symbols": {"lot": "qr"}, "digital_link": "https://id.example.com/"},
            "printers": {"zebra": {"transport": "dir:/tmp", "symbol": "datamatrix"}},
        }
    )
    job = jobs.settings_for(config, "lot")
    assert job.symbol == SymbolChoice("qr", "https://id.example.com")
    assert jobs.settings_for(config, "serial").symbol.kind == "auto"
    assert jobs.settings_for(config, "lot", printer="zebra").symbol.kind == "datamatrix"
    assert (
        jobs.settings_for(config, "lot", symbol="linear", printer="zebra").symbol.kind == "linear"
    )
    (png_reads,) = [read_all(check_drawing(d)) for d in jobs.drawings([LOT], SIZE, 203, job.symbol)]
    assert png_reads[0].text.startswith("https://id.example.com/01/05901234123457/10/")


def test_a_misconfigured_symbol_or_digital_link_domain_is_refused():
    with pytest.raises(Refused, match="'aztec' is not one of auto, linear, datamatrix, qr"):
        jobs.settings_for(Config({"labels": {"symbols": {"lot": "aztec"}}}), "lot")
    with pytest.raises(Refused, match="not a web address"):
        jobs.settings_for(Config({"labels": {"digital_link": "HTTPS://id.example.com"}}), "lot")
    bad_printer = {"printers": {"z": {"transport": "dir:/tmp", "symbol": "pdf417"}}}
    with pytest.raises(PrinterError, match=r"\[printers.z\] symbol 'pdf417'"):
        jobs.settings_for(Config(bad_printer), "lot", printer="z")


@pytest.mark.parametrize("choice", ["datamatrix", "qr"])
def test_a_2d_label_in_pdf_keeps_whole_dot_modules_and_reads_back(choice):
    job = jobs.settings_for(Config({}), "lot", format="pdf", dpi=300, symbol=choice)
    (pdf,) = jobs.render([LOT], job)
    (page,) = pages(pdf)
    (placed,) = page.placed
    (drawing,) = jobs.drawings([LOT], job.size, job.dpi, job.symbol)
    # The page holds the label's own image, one pixel per printer dot: modules stay whole.
    assert placed.image.size == (drawing.width, drawing.height)
    assert placed.image.convert("1").tobytes() == check_drawing(drawing).tobytes()
    read = read_one(placed.image)
    assert read.format == {"datamatrix": "DataMatrix", "qr": "QRCode"}[choice]
    assert sorted(read.fields()) == sorted([("01", GTIN), ("17", "300228"), ("10", LOT.number)])
