"""Packing lists, delivery notes and manifests as PDF: what a person reads on the page."""

from __future__ import annotations

import re

import pytest

from backroom.labels.pdf_documents import LEADING, document_pdf, lines_per_page
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.dispatch import manifest, ship
from backroom.models.goods_out.documents import delivery_note, manifest_document, packing_list
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.packing import pack, pack_all
from backroom.models.goods_out.parties import add_carrier, add_consignee
from backroom.models.goods_out.picking import pick_all
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from tests.labels.pdfread import check_xref, page_lines

USER = "tester"
SITE = ("Backroom Nord", "Hafenstrasse 5", "20457 Hamburg")


def page_texts(data: bytes) -> list[list[str]]:
    """The lines of text on each page, top to bottom, as pdftotext reads them."""
    check_xref(data)
    return page_lines(data, LEADING)


@pytest.fixture
def shipped(sqlite_database) -> str:
    """A shipment of milk in two lots, packed in two parcels and shipped with DHL."""
    add_item(ItemSpec("MILK", "Milch 1 l", tracking="lot"))
    add_location("A-01")
    receive("MILK", 6, "A-01", user=USER, lot="L-1", expiry=None)
    receive("MILK", 4, "A-01", user=USER, lot="L-2")
    add_consignee(
        "Kaufhaus Süd",
        address="Marktplatz 1",
        postal_code="80331",
        city="München",
        country="DE",
        user=USER,
    )
    add_carrier("DHL", name="DHL Freight", user=USER)
    number = create_shipment("Kaufhaus Süd", user=USER, carrier="DHL")
    add_line(number, "MILK", 10, user=USER)
    allocate(number, user=USER)
    pick_all(number, user=USER)
    pack(number, item="MILK", lot="L-1", qty=6, user=USER, company_prefix="4012345")
    pack_all(number, user=USER, company_prefix="4012345", weight_g=4_200)
    ship(number, user=USER)
    return number


def test_the_packing_list_pdf_shows_every_parcel_and_its_lots(shipped):
    pages = page_texts(document_pdf(packing_list(shipped, SITE)))
    assert len(pages) == 1
    text = "\n".join(pages[0])
    assert pages[0][0] == f"PACKING LIST  {shipped}"
    assert "Parcel 1 of 2: SSCC 040123450000000016  box  -" in text
    assert "Parcel 2 of 2: SSCC 040123450000000023  box  4.200 kg" in text
    assert re.search(r"MILK +Milch 1 l +L-2 +4", text)
    assert "Kaufhaus Süd" in text and "80331 München" in text  # umlauts survive
    assert pages[0][-1] == f"Packing list {shipped}  -  page 1 of 1"


def test_the_delivery_note_has_lines_lots_and_room_to_sign(shipped):
    text = delivery_note(shipped, SITE).as_text()
    assert re.search(r"MILK +Milch 1 l +10 +10 +0 +pcs", text)
    assert re.search(r"L-1 +6 +040123450000000016", text)
    assert "Name ____" in text


def test_a_long_manifest_runs_onto_more_pages_each_numbered(shipped):
    doc = manifest_document(manifest("DHL"), SITE)
    long = type(doc)(doc.title, doc.reference, doc.blocks, doc.facts, doc.sections * 40, doc.footer)
    pages = page_texts(document_pdf(long))
    assert len(pages) > 1
    assert all(len(p) <= lines_per_page() + 1 for p in pages)
    assert pages[-1][-1].endswith(f"page {len(pages)} of {len(pages)}")
    assert sum(line.count("040123450000000023") for p in pages for line in p) == 40
