"""Writing one [scanner.stations.NAME] table into a TOML config file, by hand.

The standard library reads TOML but does not write it; this small table of
strings, numbers and lists is written here, and the whole file is read back
before it replaces the old one, so a config file is never left broken.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from backroom.models.errors import DomainError
from backroom.scanners.settings import STATION_NAME

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ESCAPES["\r"] = "\\r"


def table_text(station: str, values: dict[str, Any]) -> str:
    """The TOML text of the [scanner.stations.STATION] table holding VALUES."""
    lines = [f"[scanner.stations.{station}]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str:
    """VALUE (string, whole number, number, true/false or list of them) as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(_escaped(c) for c in value) + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise DomainError(f"Cannot write {value!r} into a config file")


def save_station(path: Path, station: str, values: dict[str, Any]) -> str:
    """Set VALUES in [scanner.stations.STATION] of the TOML file at PATH, keeping the
    table's other keys and the rest of the file; returns the table as written."""
    if not STATION_NAME.fullmatch(station):
        raise DomainError(f"Station name {station!r} must be letters, digits, '-' or '_'")
    old_text = _read(path)
    try:
        old = tomllib.loads(old_text)
    except tomllib.TOMLDecodeError as exc:
        raise DomainError(f"Config file {path} is not valid TOML: {exc}") from exc
    merged = {**_station_table(old, station), **values}
    table = table_text(station, merged)
    new_text = _with_table(old_text, station, table)
    try:
        written = _station_table(tomllib.loads(new_text), station)
    except tomllib.TOMLDecodeError:
        written = None
    if written != {k: list(v) if isinstance(v, tuple) else v for k, v in merged.items()}:
        raise DomainError(
            f"Cannot update {path} safely (scanner.stations.{station} is written there in "
            f"another form): replace it by hand with\n{table}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(new_text, encoding="utf-8")
    os.replace(temporary, path)
    return table


def _escaped(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char < " " or char == "\x7f":
        return f"\\u{ord(char):04X}"  # the GS, for one, is written \u001D
    return char


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise DomainError(f"Cannot read config file {path}: {exc}") from exc


def _station_table(data: dict[str, Any], station: str) -> dict[str, Any]:
    table = data.get("scanner", {}).get("stations", {}).get(station, {})
    return table if isinstance(table, dict) else {}


def _with_table(text: str, station: str, table: str) -> str:
    """TEXT with the station's table replaced by TABLE, or TABLE added at the end."""
    header = re.compile(
        r'^[ \t]*\[[ \t]*scanner[ \t]*\.[ \t]*stations[ \t]*\.[ \t]*("?)'
        + re.escape(station)
        + r"\1[ \t]*\][ \t]*(#.*)?$",
        re.MULTILINE,
    )
    match = header.search(text)
    if match is None:
        if text and not text.endswith("\n"):
            text += "\n"
        return text + ("\n" if text else "") + table
    following = re.compile(r"^[ \t]*\[", re.MULTILINE).search(text, match.end())
    end = following.start() if following else len(text)
    rest = text[end:]
    return text[: match.start()] + table + ("\n" + rest if rest else "")
