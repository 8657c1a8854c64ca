"""Text needs no particular font: with none installed, Pillow's own scalable font
is used, and labels still fit and read; fontconfig finds the fonts where it is there."""

from __future__ import annotations

import pytest

from backroom.labels import fonts
from backroom.labels.sizes import LabelSize
from backroom.labels.templates.by_kind import layout
from tests.labels.checks import check_drawing
from tests.labels.decode import read_all
from tests.labels.samples import carried, data_of, one_of_each


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
        found += carried(read_all(check_drawing(drawing)))
    assert found == data_of(content, size)


def test_fontconfig_finds_the_main_fonts_and_a_fallback_for_japanese():
    if fonts.fontconfig("sans") is None:
        pytest.skip("no fontconfig on this machine (.ci/run installs it)")
    assert fonts.main_font().path.endswith(".ttf")
    assert "Mono" in fonts.main_font(kind="monospace").path
    found = fonts.fallback_for("東")
    assert found is not None and ord("東") in fonts.coverage(found)
    assert ord("東") not in fonts.coverage(fonts.main_font())
    assert [font for _, font in fonts.runs("Tee 緑茶")] == [fonts.main_font(), found]


def test_fontconfig_is_asked_once_for_each_pattern():
    fonts.clear_caches()
    fonts.fallback_for("茶")
    asked = fonts._fontconfig.cache_info().misses
    fonts.fallback_for.cache_clear()  # forget the answer, not what fontconfig said
    fonts.fallback_for("茶")
    assert fonts._fontconfig.cache_info().misses == asked


def test_without_fontconfig_the_usual_folders_are_the_last_resort(monkeypatch):
    fonts.clear_caches()
    monkeypatch.setattr(fonts, "fontconfig", lambda pattern, listing=False: None)
    try:
        found = fonts.main_font()
        if found is None:
            pytest.skip("none of the usual fonts is installed")
        assert any(found.path.endswith(name) for name in fonts.REGULAR)
        assert fonts.fallback_for("東") is None  # nothing to ask: the main font's box
    finally:
        fonts.clear_caches()
