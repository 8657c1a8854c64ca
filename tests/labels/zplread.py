"""Reading ZPL back: its commands, and what a printer makes of ^BC field data, following
the ZPL II guide (code sets A and C as two-digit values, B as characters, '>' codes for
start, switch, FNC1 and the characters ZPL reserves)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str  # two letters after ^, such as FO or BC
    args: str


def commands(label: str) -> list[Command]:
    """The commands of one label format, in order. Field data runs to the next ^FS."""
    out = []
    for chunk in label.split("^")[1:]:
        chunk = chunk.rstrip("\n")
        out.append(Command(chunk[:2], chunk[2:]))
    return out


def formats(zpl: str) -> list[str]:
    """Each ^XA ... ^XZ label format."""
    return re.findall(r"\^XA.*?\^XZ", zpl, flags=re.S)


def unhex(text: str) -> str:
    """^FH_ field data in a ^FB block back to the text printed: UTF-8 bytes as _XX, and
    a doubled backslash for one (^FB reads a single one as the start of a code)."""
    data = re.sub(rb"_([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), text.encode())
    return data.decode("utf-8").replace("\\\\", "\\")


def bc_data(field: str) -> tuple[str, bool]:
    """^BC field data (no mode) as (what a scanner transmits, GS1 or not)."""
    code_set = "B"
    text: list[str] = []
    gs1 = False
    i = 0
    while i < len(field):
        if field[i] == ">":
            code = field[i + 1]
            i += 2
            if code in "9:;":
                code_set = "ABC"["9:;".index(code)]
            elif code == "5":
                code_set = "C"
            elif code == "6" and code_set != "B":
                code_set = "B"
            elif code == "7" and code_set != "A":
                code_set = "A"
            elif code == "8":
                if not text and not gs1:
                    gs1 = True
                else:
                    text.append("\x1d")
            else:
                text.append({"0": ">", "<": "^", "=": "~", "1": "\x7f"}[code])
        elif code_set == "B":
            text.append(field[i])
            i += 1
        else:
            value = int(field[i : i + 2])
            i += 2
            if code_set == "C":
                text.append(f"{value:02d}")
            else:
                text.append(chr(value + 32) if value < 64 else chr(value - 64))
    return "".join(text), gs1


def bx_data(field: str) -> tuple[str, bool]:
    """^BX field data (quality 200, escape character _) as (what a scanner transmits,
    GS1 or not): _1 is FNC1 (first: a GS1 DataMatrix; later: a separator), _dNNN the
    character NNN."""
    gs1 = field.startswith("_1")
    body = field[2:] if gs1 else field
    text = re.sub(r"_d(\d{3})", lambda m: chr(int(m.group(1))), body.replace("_1", "\x1d"))
    return text, gs1
