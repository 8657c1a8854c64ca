"""PDF: one label per page at the label's size, or A4 and Letter sheets of labels
inside the margins; every barcode still reads."""

from __future__ import annotations

import pytest

from backroom.labels.content import LocationContent
from backroom.labels.pdf_labels import SHEET_MARGIN_MM, labels_pdf, sheet_grid, sheets_pdf
from backroom.labels.render import to_image
from backroom.labels.sizes import PAPER, LabelSize
from backroom.labels.templates.by_kind import layout
from backroom.models.errors import Refused
from tests.labels.decode import read_one
from tests.labels.pdfread import pages

SMALL = LabelSize(57, 32)


def location_images(n: int, size: LabelSize = SMALL, dpi: int = 203):
    codes = [f"A-{i:02d}-{i % 7}" for i in range(1, n + 1)]
    return codes, [to_image(layout(LocationContent(c), size, dpi)[0]) for c in codes]


def test_one_label_per_page_at_the_size_of_the_label():
    codes, images = location_images(3)
    doc = pages(labels_pdf(images, SMALL))
    assert len(doc) == 3
    for page, code in zip(doc, codes, strict=True):
        assert page.width_mm == pytest.approx(57, abs=0.01)
        assert page.height_mm == pytest.approx(32, abs=0.01)
        (placed,) = page.placed
        assert (placed.x_mm, placed.y_mm) == pytest.approx((0, 0), abs=0.01)
        assert read_one(placed.image).text == code


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_sheets_hold_a_grid_of_labels_inside_the_margins(paper):
    cols, rows = sheet_grid(SMALL, paper)
    codes, images = location_images(cols * rows + 2)
    doc = pages(sheets_pdf(images, SMALL, paper))
    assert [len(p.placed) for p in doc] == [cols * rows, 2]
    width, height = PAPER[paper]
    seen = []
    for page in doc:
        assert (page.width_mm, page.height_mm) == pytest.approx((width, height), abs=0.01)
        for p in page.placed:
            assert p.x_mm >= SHEET_MARGIN_MM - 0.01 and p.y_mm >= SHEET_MARGIN_MM - 0.01
            assert p.x_mm + p.w_mm <= width - SHEET_MARGIN_MM + 0.01
            assert p.y_mm + p.h_mm <= height - SHEET_MARGIN_MM + 0.01
            assert (p.w_mm, p.h_mm) == pytest.approx((57, 32), abs=0.13)  # whole dots
            seen.append(read_one(p.image).text)
    assert seen == codes


def test_copies_of_one_label_are_stored_once():
    _, images = location_images(1)
    one = labels_pdf(images, SMALL)
    many = labels_pdf(images * 50, SMALL)
    assert len(pages(many)) == 50
    assert many.count(b"/Subtype /Image") == one.count(b"/Subtype /Image") == 1


def test_a_label_larger_than_the_paper_is_refused():
    with pytest.raises(Refused, match="does not fit on A4"):
        sheet_grid(LabelSize(200, 150), "a4")


def test_300_dpi_labels_keep_their_size_on_the_page():
    _, images = location_images(1, LabelSize(100, 50), 300)
    (page,) = pages(labels_pdf(images, LabelSize(100, 50)))
    (placed,) = page.placed
    assert placed.image.size == (1181, 590)
    assert (page.width_mm, page.height_mm) == pytest.approx((100, 50), abs=0.01)
    # One image pixel is one 300 dpi dot on paper: nothing is stretched.
    assert (placed.w_mm, placed.h_mm) == pytest.approx((1181 * 25.4 / 300, 590 * 25.4 / 300))
