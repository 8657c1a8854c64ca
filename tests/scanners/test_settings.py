"""Station settings from the config file, and writing them back into it."""

from __future__ import annotations

import tomllib

import pytest

from backroom.models.config import Config, load_config
from backroom.models.errors import DomainError
from backroom.scanners.config_file import save_station
from backroom.scanners.settings import ScannerSettings, station_name

GS = "\x1d"


def config(text: str, tmp_path) -> Config:
    path = tmp_path / "extra.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    monkeypatch.setattr("backroom.models.config.SYSTEM_CONFIG", tmp_path / "no-system-config.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    monkeypatch.delenv("BACKROOM_STATION", raising=False)


def test_without_a_config_a_station_gets_enter_and_no_prefix():
    settings = ScannerSettings.from_config(Config(), None)
    assert (settings.station, settings.prefix, settings.suffix) == ("default", "", "\r")
    assert settings.gs_substitutes == ()


def test_a_station_table_overrides_the_default_station(tmp_path):
    cfg = config(
        '[scanner.stations.default]\nsuffix = "tab"\nmin_length = 4\n'
        '[scanner.stations.dock1]\nprefix = "@@"\ngs_substitutes = ["~", "<GS>"]\n',
        tmp_path,
    )
    settings = ScannerSettings.from_config(cfg, "dock1")
    assert (settings.prefix, settings.suffix, settings.min_length) == ("@@", "\t", 4)
    assert settings.gs_substitutes == ("<GS>", "~")  # longest first
    assert ScannerSettings.from_config(cfg, "default").prefix == ""


def test_the_station_comes_from_the_environment_when_not_given(monkeypatch):
    monkeypatch.setenv("BACKROOM_STATION", "handheld-3")
    assert station_name(None) == "handheld-3"
    assert station_name("dock1") == "dock1"


@pytest.mark.parametrize("name", ["dock 1", "a.b", "x" * 65])
def test_a_station_name_that_cannot_be_a_table_name_is_refused(name):
    with pytest.raises(DomainError, match="Station name"):
        station_name(name)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("suffix = 13", "suffix must be a string"),
        ('suffix = ""', "suffix must not be empty"),
        ("gs_substitutes = [1]", "gs_substitutes must be a list of non-empty strings"),
        ("min_length = -1", "min_length must be a number of zero or more"),
        ("min_length = 2.5", "min_length must be a whole number"),
    ],
)
def test_a_bad_setting_is_a_clear_error(tmp_path, table, message):
    cfg = config(f"[scanner.stations.default]\n{table}\n", tmp_path)
    with pytest.raises(DomainError, match=message):
        ScannerSettings.from_config(cfg, None)


def test_saving_into_a_new_file_writes_the_station_table(tmp_path):
    path = tmp_path / "backroom" / "config.toml"
    table = save_station(path, "dock1", {"prefix": "", "suffix": "tab", "gs_substitutes": ["~"]})
    assert table.startswith("[scanner.stations.dock1]\n")
    settings = ScannerSettings.from_config(load_config(path), "dock1")
    assert (settings.suffix, settings.gs_substitutes) == ("\t", ("~",))


def test_saving_keeps_the_rest_of_the_file_and_the_tables_other_keys(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '# site settings\n[database]\nurl = "sqlite:///x.db"\n\n'
        '[scanner.stations.dock1]\nprefix = "OLD"\nmin_length = 5\n\n'
        '[printers.zebra]\nkind = "tcp"\n',
        encoding="utf-8",
    )
    save_station(path, "dock1", {"prefix": "@@", "gs_substitutes": []})
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["database"]["url"] == "sqlite:///x.db"
    assert data["printers"]["zebra"]["kind"] == "tcp"
    assert data["scanner"]["stations"]["dock1"] == {
        "prefix": "@@",
        "min_length": 5,
        "gs_substitutes": [],
    }
    assert path.read_text(encoding="utf-8").startswith("# site settings\n")


def test_awkward_characters_survive_the_round_trip(tmp_path):
    path = tmp_path / "config.toml"
    awkward = ['"', "\\", GS, "<GS>", "^]", "é"]
    save_station(path, "default", {"prefix": '\\"\t', "gs_substitutes": awkward})
    table = tomllib.loads(path.read_text(encoding="utf-8"))["scanner"]["stations"]["default"]
    assert table == {"prefix": '\\"\t', "gs_substitutes": awkward}
    assert "\\u001D" in path.read_text(encoding="utf-8")


def test_a_station_written_in_another_form_is_not_clobbered(tmp_path):
    path = tmp_path / "config.toml"
    original = '[scanner]\nstations.dock1.prefix = "X"\n'
    path.write_text(original, encoding="utf-8")
    with pytest.raises(DomainError, match="replace it by hand"):
        save_station(path, "dock1", {"prefix": "@@"})
    assert path.read_text(encoding="utf-8") == original


def test_a_broken_config_file_is_not_overwritten(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[scanner\n", encoding="utf-8")
    with pytest.raises(DomainError, match="not valid TOML"):
        save_station(path, "dock1", {"prefix": "@@"})
    assert path.read_text(encoding="utf-8") == "[scanner\n"
