"""Keystrokes -> scans -> things. No Textual here: the TUI feeds keys in and shows results.

assembler = ScanAssembler(ScannerSettings.from_config(config, station))
key_scan = assembler.feed(event.character, time.monotonic())   # None until a scan ends
scan = parse(key_scan.text, assembler.settings)                 # no database
result = resolve(scan)                                          # reads the database
"""

from __future__ import annotations

import importlib
from typing import Any

# parse() and resolve() share their modules' names: imported here, so that the package's
# `parse` and `resolve` are the functions even once their modules are loaded.
from backroom.scanners.parse import Scan as Scan
from backroom.scanners.parse import parse as parse
from backroom.scanners.resolve import resolve as resolve

# Each name and the module that defines it, imported on first use (PEP 562): a command
# that reads one scan does not pay for the scanner calibration's modules.
_FROM: dict[str, tuple[str, ...]] = {
    "backroom.scanners.calibrate": ("Diagnosis", "Fault", "diagnose"),
    "backroom.scanners.companions": ("companions_missing",),
    "backroom.scanners.gs1": ("Element", "GS1Reading"),
    "backroom.scanners.keystream": ("KeyScan", "ScanAssembler"),
    "backroom.scanners.results": (
        "AMBIGUOUS",
        "INVALID",
        "UNKNOWN",
        "Resolution",
        "Resolved",
        "ResolvedBadge",
        "ResolvedCommand",
        "ResolvedItem",
        "ResolvedLocation",
        "ResolvedLot",
        "ResolvedOrder",
        "ResolvedPallet",
        "ResolvedParcel",
        "ResolvedSerial",
        "ResolvedShipment",
        "ScanError",
    ),
    "backroom.scanners.settings": ("ScannerSettings", "station_name"),
    "backroom.scanners.symbology": ("Symbology",),
}
_MODULE_OF = {name: module for module, names in _FROM.items() for name in names}
__all__ = sorted([*_MODULE_OF, "Scan", "parse", "resolve"])


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
