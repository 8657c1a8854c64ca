"""Per-station scanner settings, read from the [scanner.stations.NAME] config table."""

from __future__ import annotations

import os
import re
from typing import Any

from backroom.models.config import Config
from backroom.models.errors import DomainError
from backroom.models.values import FrozenValue

DEFAULT_STATION = "default"
STATION_ENV = "BACKROOM_STATION"

# What people write in the config for the last key a scanner sends.
SUFFIX_NAMES = {"enter": "\r", "tab": "\t", "none": ""}
# A station name becomes a bare TOML key, so it keeps to the bare-key characters.
STATION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


class ScannerSettings(FrozenValue):
    """How the scanner at one station delivers its codes."""

    station: str = DEFAULT_STATION
    # Characters the scanner sends before each code; with a prefix, only prefixed
    # input counts as a scan, which keeps stray keystrokes out of scans.
    prefix: str = ""
    # The key that ends a scan: Enter ("\r"), Tab ("\t") or literal characters.
    suffix: str = "\r"
    # What this scanner sends instead of the GS1 group separator (ASCII 29).
    gs_substitutes: tuple[str, ...] = ()
    # Shorter input is not a scan (a stray key followed by Enter).
    min_length: int = 2
    # Timing hints only: keys closer than this (seconds, on average) look like a scanner;
    # a pause longer than idle_reset drops what was typed before it (0 keeps it).
    burst_interval: float = 0.05
    idle_reset: float = 2.0
    # A scanner that sends no suffix ("none"): a burst of keys ends after this many
    # seconds without another key.
    end_after: float = 0.15

    @property
    def suffix_name(self) -> str:
        """The suffix as the config file writes it: enter, tab or the characters."""
        for name, chars in SUFFIX_NAMES.items():
            if chars == self.suffix:
                return name
        return self.suffix

    @classmethod
    def from_config(cls, config: Config, station: str | None = None) -> ScannerSettings:
        """The settings of STATION: built-in defaults, then the "default" station's
        table, then the station's own table."""
        name = station_name(station)
        values: dict[str, Any] = {}
        for table_name in dict.fromkeys((DEFAULT_STATION, name)):
            table = config.get(f"scanner.stations.{table_name}")
            if table is None:
                continue
            if not isinstance(table, dict):
                raise DomainError(f"Config scanner.stations.{table_name} must be a table")
            values.update(table)
        return cls.from_values(name, values)

    @classmethod
    def from_values(cls, station: str, values: dict[str, Any]) -> ScannerSettings:
        """Settings from one station table's values, each checked; other keys are ignored."""
        where = f"scanner.stations.{station}"
        return cls(
            station=station,
            prefix=_text(values.get("prefix", ""), f"{where}.prefix"),
            suffix=_suffix(values.get("suffix", "enter"), f"{where}.suffix"),
            gs_substitutes=_substitutes(values.get("gs_substitutes", []), where),
            min_length=_number(values.get("min_length", 2), f"{where}.min_length", int),
            burst_interval=_number(
                values.get("burst_interval", 0.05), f"{where}.burst_interval", float
            ),
            idle_reset=_number(values.get("idle_reset", 2.0), f"{where}.idle_reset", float),
            end_after=_number(values.get("end_after", 0.15), f"{where}.end_after", float),
        )


def unframe(text: str, settings: ScannerSettings) -> str:
    """TEXT without the station's prefix and suffix, where a whole scan was captured
    some other way (typed on the command line, pasted, read from a log)."""
    if settings.prefix and text.startswith(settings.prefix):
        text = text[len(settings.prefix) :]
    if settings.suffix not in ("\r", "\n") and text.endswith(settings.suffix):
        text = text[: -len(settings.suffix)]
    return text


def station_name(explicit: str | None = None) -> str:
    """The station: --station, else BACKROOM_STATION, else "default"."""
    name = explicit or os.environ.get(STATION_ENV) or DEFAULT_STATION
    if not STATION_NAME.fullmatch(name):
        raise DomainError(f"Station name {name!r} must be 1 to 64 letters, digits, '-' or '_'")
    return name


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise DomainError(f"Config {where} must be a string, not {value!r}")
    return value


def _suffix(value: Any, where: str) -> str:
    text = _text(value, where)
    if not text:
        raise DomainError(f'Config {where} must not be empty: use "enter", "tab" or "none"')
    return SUFFIX_NAMES.get(text.lower(), text)


def _substitutes(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DomainError(
            f"Config {where}.gs_substitutes must be a list of non-empty strings, "
            f'such as ["~", "<GS>"]'
        )
    # Longest first, so "<GS>" is replaced before a substitute that is part of it.
    return tuple(sorted(dict.fromkeys(value), key=len, reverse=True))


def _number(value: Any, where: str, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise DomainError(f"Config {where} must be a number of zero or more, not {value!r}")
    if kind is int and not isinstance(value, int):
        raise DomainError(f"Config {where} must be a whole number, not {value!r}")
    return kind(value)
