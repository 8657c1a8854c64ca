"""Refresh syntax_dictionary.json from the GS1 Barcode Syntax Dictionary's published text.

    python -m backroom.scanners.gs1_rules.refresh CLONE [--out FILE]

CLONE is a checkout of GS1's gs1-syntax-dictionary repository (at a release tag): its
gs1-syntax-dictionary.txt gives every AI's format, flags and pairings; the code lists
that some linters look values up in (ISO 3166, ISO 4217, package types) are read from
the tables in its src/lint_*.c files. The result is compact JSON that `table.py` loads
the first time a GS1 code is read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "syntax_dictionary.json"
COMPONENT = re.compile(r"^(\[)?([NXYZ])(\.\.)?(\d+)(\])?((?:,\w+)*)$")
FLAG_CHARS = set("*!?\"$%&'()+,-./:;<=>@[\\]^_`{|}~")
BITS = re.compile(r"0b([01]{8,64})")


def parse_dictionary(text: str) -> tuple[str, list[list[object]]]:
    """The release and the entries of the dictionary TEXT."""
    release = re.search(r"^# Release: (\S+)", text, re.MULTILINE)
    if release is None:
        raise SystemExit("No '# Release:' line: is this the GS1 Barcode Syntax Dictionary?")
    entries = [_entry(line) for line in text.splitlines() if line and not line.startswith("#")]
    return release.group(1), entries


def _entry(line: str) -> list[object]:
    """One line as [first, last, flags, components, req, ex, dlpkey, title]."""
    body, _, title = line.partition("#")
    tokens = body.split()
    first, _, last = tokens[0].partition("-")
    rest = tokens[1:]
    flags = rest.pop(0) if rest and set(rest[0]) <= FLAG_CHARS else ""
    components, requires, excludes, dlpkey = [], [], [], None
    for token in rest:
        if (match := COMPONENT.match(token)) is not None:
            optional, cset, variable, length, _, linters = match.groups()
            minimum = 1 if variable else int(length)
            lints = [name for name in linters.split(",") if name]
            components.append([cset, minimum, int(length), bool(optional), lints])
        elif token.startswith("req="):
            alternatives = token[4:].split(",")
            requires.append([alternative.split("+") for alternative in alternatives])
        elif token.startswith("ex="):
            excludes += token[3:].split(",")
        elif token == "dlpkey":
            dlpkey = [[]]
        elif token.startswith("dlpkey="):
            dlpkey = [sequence.split(",") for sequence in token[7:].split("|")]
        else:
            raise SystemExit(f"Cannot read {token!r} in: {line}")
    return [first, last or first, flags, components, requires, excludes, dlpkey, title.strip()]


def bit_table(source: str) -> list[int]:
    """The indexes of the set bits of a linter's table of binary literals, first bit 0."""
    binary = source.split("#if __STDC_VERSION__ >= 202311L", 1)[1].split("#else", 1)[0]
    literals = BITS.findall(binary)
    bits = "".join(literals)
    return [index for index, bit in enumerate(bits) if bit == "1"]


def package_types(source: str) -> list[str]:
    """The PackageTypeCode values listed in lint_packagetype.c."""
    table = source.split("packagetypes[][4] = {", 1)[1].split("};", 1)[0]
    return re.findall(r'"([0-9A-Z]{2,3})"', table)


def code_lists(src: Path) -> dict[str, list[str]]:
    """The ISO and GS1 code lists the linters look values up in."""
    read = lambda name: (src / f"lint_{name}.c").read_text(encoding="utf-8")  # noqa: E731
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    alpha2 = [letters[i // 26] + letters[i % 26] for i in bit_table(read("iso3166alpha2"))]
    return {
        "iso3166": [f"{code:03d}" for code in bit_table(read("iso3166"))],
        "iso3166alpha2": alpha2,
        "iso4217": [f"{code:03d}" for code in bit_table(read("iso4217"))],
        "packagetype": package_types(read("packagetype")),
    }


def main(argv: list[str] | None = None) -> int:
    """Read a clone of the dictionary repository, write the JSON data file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clone", type=Path, help="checkout of gs1/gs1-syntax-dictionary")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output (default {OUT.name})")
    args = parser.parse_args(argv)
    text = (args.clone / "gs1-syntax-dictionary.txt").read_text(encoding="utf-8")
    release, entries = parse_dictionary(text)
    data = {"release": release, "entries": entries, "lists": code_lists(args.clone / "src")}
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    counts = ", ".join(f"{len(v)} {k}" for k, v in data["lists"].items())
    print(f"Release {release}: {len(entries)} entries, {counts} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
