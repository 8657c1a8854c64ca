"""Code 128 and GS1-128 (ISO/IEC 15417): symbol values with the fewest symbols, and the
module widths of the bars. The code sets chosen are kept, so ZPL can print the same symbol.

Written here rather than taken from python-barcode: we need FNC1 in first position and
after variable-length GS1 fields, control characters (code set A, for the scanner test),
a shortest encoding, and the code-set choices themselves to program a Zebra printer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from backroom.models.errors import Refused

CodeSet = Literal["A", "B", "C"]

# Bar/space widths of each symbol value, in modules (ISO/IEC 15417, table 1).
_TABLE = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 "
    "221312 231212 112232 122132 122231 113222 123122 123221 223211 221132 "
    "221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 "
    "212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 "
    "231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 "
    "231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 "
    "314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 "
    "112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 "
    "111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 "
    "214121 412121 111143 111341 131141 114113 114311 411113 411311 113141 "
    "114131 311141 411131 211412 211214 211232 2331112"
)
PATTERNS: tuple[tuple[int, ...], ...] = tuple(tuple(map(int, p)) for p in _TABLE.split())

FNC1 = 102
START = {"A": 103, "B": 104, "C": 105}
STOP = 106
# The value that switches to a code set (the same in every set it is valid in).
SWITCH_TO = {"A": 101, "B": 100, "C": 99}
QUIET_ZONE = 10  # modules each side

_SETS: tuple[CodeSet, ...] = ("B", "C", "A")  # order of preference on a tie


@dataclass(frozen=True)
class Codeword:
    """One symbol of a Code 128 barcode, with the code set in effect when it is read."""

    value: int
    code_set: CodeSet
    role: Literal["start", "data", "fnc1", "switch", "check", "stop"]


@dataclass(frozen=True)
class Code128:
    """An encoded Code 128 symbol.

    `data` is what a scanner transmits: for GS1-128 the element string, with a group
    separator (ASCII 29) where an FNC1 separates fields.
    """

    data: str
    gs1: bool
    codewords: tuple[Codeword, ...]

    @property
    def values(self) -> list[int]:
        """The symbol values, start to stop."""
        return [c.value for c in self.codewords]

    def widths(self) -> list[int]:
        """Module widths, bar first, alternating bar and space, ending with a bar."""
        return [w for v in self.values for w in PATTERNS[v]]

    @property
    def modules(self) -> int:
        """Width of the symbol in modules, without quiet zones."""
        return 11 * (len(self.codewords) - 1) + 13


def _in_a(c: int) -> bool:
    return c < 96


def _in_b(c: int) -> bool:
    return 32 <= c < 128


def _value(c: int, code_set: CodeSet) -> int:
    if code_set == "A":
        return c - 32 if c >= 32 else c + 64
    return c - 32


def encode(data: str, *, gs1: bool = False) -> Code128:
    """Encode DATA with the fewest symbols. With gs1=True an FNC1 leads, and every
    group separator (ASCII 29) in DATA becomes an FNC1 field separator."""
    if not data:
        raise Refused("A barcode needs at least one character")
    bad = sorted({ch for ch in data if ord(ch) > 127})
    if bad:
        raise Refused(f"{data!r} has characters a Code 128 barcode cannot carry: {''.join(bad)!r}")
    # Atoms: character codes, or None for FNC1.
    atoms: list[int | None] = [None] if gs1 else []
    atoms += [None if (gs1 and ch == "\x1d") else ord(ch) for ch in data]
    return Code128(data=data, gs1=gs1, codewords=tuple(_codewords(atoms)))


def _direct(atoms: list[int | None], i: int, code_set: CodeSet) -> int:
    """How many atoms at I one symbol of CODE_SET takes (0 if it cannot)."""
    atom = atoms[i]
    if atom is None:
        return 1
    if code_set == "C":
        nxt = atoms[i + 1] if i + 1 < len(atoms) else None
        return 2 if nxt is not None and 48 <= atom <= 57 and 48 <= nxt <= 57 else 0
    return 1 if (_in_a(atom) if code_set == "A" else _in_b(atom)) else 0


def _plan(atoms: list[int | None]) -> tuple[list[dict[CodeSet, int]], list[dict[CodeSet, CodeSet]]]:
    """Shortest encoding, from the end: for each position, the cost of the rest when
    encoding the next atom directly in each set, and for each current set the set to
    encode the next atom in (switching first when it differs)."""
    n = len(atoms)
    inf = 10**9
    direct: list[dict[CodeSet, int]] = [dict.fromkeys(_SETS, inf) for _ in range(n + 1)]
    choice: list[dict[CodeSet, CodeSet]] = [{s: s for s in _SETS} for _ in range(n + 1)]
    best_after = dict.fromkeys(_SETS, 0)  # cost of atoms[i+k:] in a current set
    rest: list[dict[CodeSet, int]] = [dict.fromkeys(_SETS, 0) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for s in _SETS:
            k = _direct(atoms, i, s)
            direct[i][s] = 1 + rest[i + k][s] if k else inf
        for s in _SETS:
            best_after[s], choice[i][s] = direct[i][s], s
            for t in _SETS:
                if t != s and 1 + direct[i][t] < best_after[s]:
                    best_after[s], choice[i][s] = 1 + direct[i][t], t
        rest[i] = dict(best_after)
    return direct, choice


def _codewords(atoms: list[int | None]) -> list[Codeword]:
    direct, choice = _plan(atoms)
    # The start code selects a set without a switch: start where encoding is cheapest.
    current: CodeSet = min(_SETS, key=lambda s: (direct[0][s], _SETS.index(s)))
    words = [Codeword(START[current], current, "start")]
    i = 0
    while i < len(atoms):
        target = choice[i][current]
        if target != current:
            words.append(Codeword(SWITCH_TO[target], current, "switch"))
            current = target
        atom = atoms[i]
        if atom is None:
            words.append(Codeword(FNC1, current, "fnc1"))
            i += 1
        elif current == "C":
            pair = chr(atom) + chr(atoms[i + 1])  # type: ignore[arg-type]
            words.append(Codeword(int(pair), "C", "data"))
            i += 2
        else:
            words.append(Codeword(_value(atom, current), current, "data"))
            i += 1
    check = (words[0].value + sum(i * w.value for i, w in enumerate(words[1:], 1))) % 103
    words.append(Codeword(check, current, "check"))
    words.append(Codeword(STOP, current, "stop"))
    return words
