"""GS1's required companions checked across the scans of one form.

A label may spread its data over several symbols (the SSCC label's (00) in one GS1-128,
its (02), (37) and (10) in another): GS1 asks that the AIs an element requires be looked
for over everything scanned from one item. Each scan warns of what it lacks alone; a form
calls `companions_missing` with all its scans before it posts, and shows what is still
missing.
"""

from __future__ import annotations

from collections.abc import Iterable

from backroom.scanners.gs1 import GS1Reading
from backroom.scanners.gs1_rules import checks
from backroom.scanners.parse import Scan


def companions_missing(scans: Iterable[Scan | GS1Reading | None]) -> list[str]:
    """What GS1 requires beside the AIs of SCANS taken together, that none of them holds.

    Scans that are not GS1, or are invalid, add nothing.
    """
    readings = [scan.gs1 if isinstance(scan, Scan) else scan for scan in scans]
    names: dict[str, str] = {}
    for reading in readings:
        if reading is not None and not reading.problem:
            names.update((e.ai, e.name) for e in reading.elements)
    return checks.companions_missing(names, names)
