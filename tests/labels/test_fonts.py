"""Text needs no particular font: with none installed, Pillow's own scalable font
is used, and labels still fit and read."""

from __future__ import annotations

import pytest

from backroom.labels import fonts
from backroom.labels.sizes import LabelSize
from backroom.labels.templates.by_kind import layout
from tests.labels.checks import check_drawing
from tests.labels.decode import read_all
from tests.labels.samples import data_of, one_of_each

CACHED = (fonts.font_path, fonts.get_font, fonts.text_width, fonts.line_height)


@pytest.fixture
def no_fonts(monkeypatch):
    """A machine without TrueType fonts."""
    for cached in CACHED:
        cached.cache_clear()
    monkeypatch.setattr(fonts, "FONT_DIRS", ())
    yield
    for cached in CACHED:
        cached.cache_clear()


def test_dejavu_is_used_where_the_system_has_it():
    path = fonts.font_path(False)
    if path is None:
        pytest.skip("no DejaVu or other known font on this machine")
    assert path.endswith(".ttf")


@pytest.mark.parametrize("content", one_of_each()[:6], ids=lambda c: c.kind)
def test_labels_fit_and_read_with_pillows_own_font(no_fonts, content):
    assert fonts.font_path(False) is None
    size = LabelSize(100, 150)
    found = []
    for drawing in layout(content, size, 203):
        found += [r.text for r in read_all(check_drawing(drawing))]
    assert found == data_of(content, size)
