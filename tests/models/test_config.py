"""Configuration files: read in order, later ones win; a broken one is one clear error."""

from __future__ import annotations

import pytest

from backroom.models.config import load_config
from backroom.models.errors import DomainError


def test_later_files_override_earlier_ones(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "backroom").mkdir(parents=True)
    (home / "backroom" / "config.toml").write_text(
        '[site]\nname = "Ghent"\n[database]\nurl = "x"\n'
    )
    extra = tmp_path / "extra.toml"
    extra.write_text('[site]\nname = "Antwerp"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    config = load_config(extra)
    assert config.site_name == "Antwerp"
    assert config.db_url == "x"


def test_a_broken_file_is_named_in_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    bad = tmp_path / "bad.toml"
    bad.write_text("[site\nname = 1\n")
    with pytest.raises(DomainError, match=r"bad\.toml is not valid TOML"):
        load_config(bad)
    with pytest.raises(DomainError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
