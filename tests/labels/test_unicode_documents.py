"""Documents and labels in any script: consignees in Polish, Czech, Greek, Cyrillic and
Japanese come out of the PDF (as poppler's pdftotext reads it) exactly as they went in,
columns stay on their grid, and a Japanese name on a label is drawn, not boxes."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops, ImageDraw

from backroom.labels import fonts
from backroom.labels.content import ItemContent
from backroom.labels.pdf_documents import LEADING, document_pdf
from backroom.labels.render import to_image
from backroom.labels.sizes import LabelSize
from backroom.labels.templates.by_kind import layout
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.dispatch import manifest, ship
from backroom.models.goods_out.documents import (
    Document,
    delivery_note,
    manifest_document,
    packing_list,
)
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.packing import pack_all
from backroom.models.goods_out.parties import add_carrier, add_consignee
from backroom.models.goods_out.picking import pick_all
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from tests.labels.pdfread import check_xref, page_lines, text, words

USER = "tester"
SITE = ("Backroom Nord", "Hafenstrasse 5", "20457 Hamburg")
NAMES = {
    "PL": ("Łódź Spółka z o.o.", "Piotrkowska 1", "90-001", "Łódź"),
    "CZ": ("Příliš žluťoučký kůň s.r.o.", "Náměstí 2", "110 00", "Praha"),
    "GR": ("Αθήνα Εμπόριο ΑΕ", "Οδός Ερμού 3", "105 63", "Αθήνα"),
    "RU": ("ООО Ромашка", "ул. Ленина 4", "101000", "Москва"),
    "JP": ("株式会社東京倉庫", "千代田区丸の内5", "100-0005", "東京"),
}


@pytest.fixture
def shipped(database) -> dict[str, str]:
    """One shipment of tea to each consignee, packed in one parcel, shipped with DHL."""
    add_item(ItemSpec("TEA", "Tee 緑茶 Чай", tracking="none"))
    add_location("A-01")
    receive("TEA", 50, "A-01", user=USER)
    add_carrier("DHL", name="DHL Freight", user=USER)
    numbers = {}
    for country, (name, street, postal_code, city) in NAMES.items():
        add_consignee(
            name, address=street, postal_code=postal_code, city=city, country=country, user=USER
        )
        number = create_shipment(name, user=USER, carrier="DHL")
        add_line(number, "TEA", 2, user=USER)
        allocate(number, user=USER)
        pick_all(number, user=USER)
        pack_all(number, user=USER, company_prefix="4012345", weight_g=1_000)
        ship(number, user=USER)
        numbers[country] = number
    return numbers


def _same_words(pdf: bytes, doc: Document) -> None:
    """Every line of DOC is on the pages, word for word, in order (the spacing of a
    line with wide characters differs: they take two cells)."""
    seen = [" ".join(line.split()) for page in page_lines(pdf, LEADING) for line in page]
    seen = [line for line in seen if line and " - page " not in line]
    assert seen == [" ".join(line.split()) for line in doc.lines() if line.strip()]


@pytest.mark.parametrize("country", list(NAMES))
def test_delivery_notes_and_packing_lists_keep_every_script(shipped, country):
    name, street, postal_code, city = NAMES[country]
    for make in (delivery_note, packing_list):
        doc = make(shipped[country], SITE)
        pdf = document_pdf(doc)
        check_xref(pdf)
        extracted = text(pdf)
        print(f"--- pdftotext {doc.title} {country}\n{extracted}")
        lines = extracted.splitlines()
        assert name in lines and street in lines and f"{postal_code} {city}" in lines
        assert "?" not in extracted
        _same_words(pdf, doc)


def test_the_manifest_keeps_every_script(shipped):
    doc = manifest_document(manifest("DHL"), SITE)
    pdf = document_pdf(doc)
    extracted = text(pdf)
    print(f"--- pdftotext manifest\n{extracted}")
    for name, *_ in NAMES.values():
        assert name[:24] in extracted  # the manifest cuts names to 24 characters
    assert "?" not in extracted
    _same_words(pdf, doc)


def test_wide_characters_take_two_cells_so_columns_line_up():
    doc = Document("Packing list", "T-1", footer=("株式会社  |", "abcdefgh  |", "Αθήνα Ро  |"))
    pdf = document_pdf(doc)
    bars = [w for w in words(pdf)[0] if w.text == "|"]
    assert len(bars) == 3
    assert max(b.x_min for b in bars) - min(b.x_min for b in bars) < 0.05  # points


def test_a_document_in_latin_script_embeds_one_font_and_stays_pdf_1_4():
    doc = Document("Packing list", "T-1", facts=(("Consignee", "Kaufhaus Süd"),))
    pdf = document_pdf(doc)
    assert pdf.startswith(b"%PDF-1.4")
    assert "Kaufhaus Süd" in text(pdf)


def _ink(image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    return image.crop(box).convert("L")


def test_a_japanese_item_name_on_a_label_is_drawn_in_a_font_that_has_it():
    name = "東京倉庫の緑茶"
    drawing = layout(ItemContent("TEA-1", name), LabelSize(100, 50), 203)[0]
    (line,) = [t for t in drawing.texts if t.text == name]
    label = to_image(drawing)
    box = line.box()
    drawn = _ink(label, box)
    assert drawn.getextrema()[0] == 0, "no ink where the name is"
    # The same text in the main font alone is a row of .notdef boxes: not what we drew.
    main = fonts.get_font(line.size)
    tofu = Image.new("1", label.size, 1)
    ImageDraw.Draw(tofu).text((line.x, line.y), name, font=main, fill=0, anchor="la")
    assert ImageChops.difference(drawn, _ink(tofu, box)).getbbox() is not None
    fallback = {font for _, font in fonts.runs(name)} - {fonts.main_font()}
    assert fallback, "the main font was expected to lack Japanese"


def test_each_japanese_character_differs_from_the_missing_glyph_box():
    size = 40
    main = fonts.get_font(size)
    box = Image.new("L", (60, 60), 255)
    ImageDraw.Draw(box).text((5, 5), "\U0010fffd", font=main, fill=0)  # surely missing
    for char in "東京倉庫":
        ((part, font),) = fonts.text_runs(char, size)
        glyph = Image.new("L", (60, 60), 255)
        ImageDraw.Draw(glyph).text((5, 5), part, font=font, fill=0)
        assert glyph.getextrema()[0] < 128
        assert ImageChops.difference(glyph, box).getbbox() is not None
        assert ord(char) in fonts.coverage(fonts.fallback_for(char))


def test_without_any_font_a_document_still_prints_in_courier(monkeypatch):
    fonts.clear_caches()
    monkeypatch.setattr(fonts, "fontconfig", lambda pattern, listing=False: None)
    monkeypatch.setattr(fonts, "FONT_DIRS", ())
    try:
        doc = Document("Delivery note", "T-1", facts=(("Consignee", "Kaufhaus Süd Łódź"),))
        extracted = text(document_pdf(doc))
    finally:
        fonts.clear_caches()
    assert "Kaufhaus Süd ?ód?" in extracted  # Latin-1 only: the last resort
