"""Keystrokes -> scans -> things. No Textual here: the TUI feeds keys in and shows results.

assembler = ScanAssembler(ScannerSettings.from_config(config, station))
key_scan = assembler.feed(event.character, time.monotonic())   # None until a scan ends
scan = parse(key_scan.text, assembler.settings)                 # no database
result = resolve(scan)                                          # reads the database
"""

from backroom.scanners.calibrate import Diagnosis, Fault, diagnose
from backroom.scanners.companions import companions_missing
from backroom.scanners.gs1 import Element, GS1Reading
from backroom.scanners.keystream import KeyScan, ScanAssembler
from backroom.scanners.parse import Scan, parse
from backroom.scanners.resolve import resolve
from backroom.scanners.results import (
    AMBIGUOUS,
    INVALID,
    UNKNOWN,
    Resolution,
    Resolved,
    ResolvedBadge,
    ResolvedCommand,
    ResolvedItem,
    ResolvedLocation,
    ResolvedLot,
    ResolvedPallet,
    ResolvedParcel,
    ResolvedSerial,
    ResolvedShipment,
    ScanError,
)
from backroom.scanners.settings import ScannerSettings, station_name
from backroom.scanners.symbology import Symbology

__all__ = [
    "AMBIGUOUS",
    "INVALID",
    "UNKNOWN",
    "Diagnosis",
    "Element",
    "Fault",
    "GS1Reading",
    "KeyScan",
    "Resolution",
    "Resolved",
    "ResolvedBadge",
    "ResolvedCommand",
    "ResolvedItem",
    "ResolvedLocation",
    "ResolvedLot",
    "ResolvedPallet",
    "ResolvedParcel",
    "ResolvedSerial",
    "ResolvedShipment",
    "Scan",
    "ScanAssembler",
    "ScanError",
    "ScannerSettings",
    "Symbology",
    "companions_missing",
    "diagnose",
    "parse",
    "resolve",
    "station_name",
]
