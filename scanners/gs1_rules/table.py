"""The GS1 Barcode Syntax Dictionary as Backroom reads it: one AISpec per AI.

The data (`syntax_dictionary.json`, written by `refresh.py` from GS1's published text)
is read the first time a GS1 code is checked, not when Backroom starts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "syntax_dictionary.json"


@dataclass(frozen=True)
class Component:
    """One part of an AI's value: its character set, length and content checks."""

    cset: str  # N digits, X GS1 set 82, Y GS1 set 39, Z base64url
    minimum: int
    maximum: int
    optional: bool
    linters: tuple[str, ...]


@dataclass(frozen=True)
class AISpec:
    """What the dictionary says about one AI."""

    ai: str
    title: str
    predefined: bool  # fixed length known from the AI alone: no separator after it
    dl_attribute: bool  # may stand in a Digital Link's query
    components: tuple[Component, ...]
    requires: tuple[tuple[tuple[str, ...], ...], ...]  # each: alternatives, each all of
    excludes: tuple[str, ...]  # AIs or patterns (310n, 31nn) it may not stand with
    dl_keys: tuple[tuple[str, ...], ...] | None  # qualifier sequences when a DL key

    @property
    def fixed_length(self) -> int | None:
        """The value's length when it can have one only."""
        if all(c.minimum == c.maximum and not c.optional for c in self.components):
            return sum(c.maximum for c in self.components)
        return None

    @property
    def max_length(self) -> int:
        """The longest value."""
        return sum(c.maximum for c in self.components)


@cache
def _loaded() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@cache
def _index() -> dict[str, list]:
    """AI -> its entry in the data, ranges spelled out (AISpecs are made when asked for)."""
    index: dict[str, list] = {}
    for entry in _loaded()["entries"]:
        first, last = entry[0], entry[1]
        for number in range(int(first), int(last) + 1):
            index[str(number).zfill(len(first))] = entry
    return index


@cache
def spec(ai: str) -> AISpec | None:
    """The dictionary's entry for AI, if it has one."""
    entry = _index().get(ai)
    if entry is None:
        return None
    _, _, flags, parts, requires, excludes, dl_keys, title = entry
    return AISpec(
        ai=ai,
        title=title,
        predefined="*" in flags,
        dl_attribute="?" in flags,
        components=tuple(
            Component(c, lo, hi, opt, tuple(lints)) for c, lo, hi, opt, lints in parts
        ),
        requires=tuple(tuple(tuple(a) for a in alts) for alts in requires),
        excludes=tuple(excludes),
        dl_keys=None if dl_keys is None else tuple(tuple(q) for q in dl_keys),
    )


def specs() -> dict[str, AISpec]:
    """Every AI in the dictionary."""
    return {ai: spec(ai) for ai in _index()}  # type: ignore[misc]


def release() -> str:
    """The dictionary's release, such as 2026-01-27."""
    return _loaded()["release"]


@cache
def code_list(name: str) -> frozenset[str]:
    """One of the code lists the linters look up: iso3166, iso4217, packagetype, ..."""
    return frozenset(_loaded()["lists"][name])


def ai_at(text: str) -> str | None:
    """The AI that TEXT starts with (AIs are 2 to 4 digits and none starts another)."""
    index = _index()
    return next((text[:n] for n in (2, 3, 4) if text[:n] in index), None)


def matches(ai: str, pattern: str) -> bool:
    """True when AI is PATTERN, where an n stands for any digit (310n, 31nn)."""
    return len(ai) == len(pattern) and all(p in ("n", a) for a, p in zip(ai, pattern, strict=True))
