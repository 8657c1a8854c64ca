"""Text needs no particular font: with none installed, Pillow's own scalable font
is used, and labels still fit and read; fontconfig finds the fonts where it is there."""

from __future__ import annotations

import pytest

from backroom.labels import fonts
from backroom.labels.sizes import LabelSize
from backroom.labels.templates.by_kind import layout
from tests.labels.checks import check_drawing
from tests.labels.decode import read_all
from tests.labels.samples import data_of, one_of_each


@pytest.fixture
def no_fonts(monkeypatch):
    """A machine without TrueType fonts: fontconfig finds none, the usual folders are empty."""
    fonts.clear_caches()
    monkeypatch.setattr(fonts, "fontconfig", lambda pattern, listing=False: None)
    monkeypatch.setattr(fonts, "FONT_DIRS", ())
    yield
    fonts.clear_caches()


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
