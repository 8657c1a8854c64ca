"""Safe text: the one rule for every name, code, number, reason and note Backroom keeps,
and the one way stored text is made harmless before it reaches a terminal.

Refused: the C0 and C1 control characters (NUL, ESC, BEL, CR, ...), DEL, the
bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069, the
"Trojan Source" characters that make a terminal or an editor show text in another order
than it is stored), the Unicode line and paragraph separators, and unpaired surrogates
(an undecodable byte that Python smuggled through). A line break is refused too, except
in the few fields that hold several lines (a consignee's street address). Letters,
digits and marks of every script stay allowed: Łódź, 日本, Ελλάδα, عربى.
"""

from __future__ import annotations

import re
import unicodedata

from backroom.models.errors import Refused

NAME_MOST = 200  # characters in a name (an item's, a location's, a consignee's)
REASON_MOST = 500  # characters in a reason or a note
REFERENCE_MOST = 64  # characters in a reference (an order number, a delivery note)

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_SEPARATORS = frozenset("\u2028\u2029")
# What a terminal might act on rather than show: C0 controls, DEL, C1 controls.
_CONTROLS = "\x00-\x1f\x7f-\x9f"
_OTHERS = "\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_UNSAFE = re.compile(f"[{_CONTROLS}{_OTHERS}]")
_UNSAFE_BUT_LINES = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_OTHERS}]")
_UNSAFE_ON_SCREEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_OTHERS}]")  # keeps \t and \n

_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "backspace",
    0x09: "tab",
    0x0A: "line break",
    0x0D: "carriage return",
    0x1B: "ESC",
    0x7F: "DEL",
}


def character_name(char: str) -> str:
    """CHAR as a person reading a refusal can look it up: U+001B (ESC),
    U+202E (RIGHT-TO-LEFT OVERRIDE)."""
    code = ord(char)
    if code in _CONTROL_NAMES:
        name = _CONTROL_NAMES[code]
    elif 0xD800 <= code <= 0xDFFF:
        name = "a byte that is not UTF-8"
    elif unicodedata.category(char) == "Cc":
        name = "a control character"
    else:
        name = unicodedata.name(char, "a control character")
    return f"U+{code:04X} ({name})"


def text_problem(text: str, *, lines: bool = False) -> str | None:
    """The first character of TEXT that Backroom does not store, named; None when
    there is none. With LINES, line breaks are allowed (a multi-line field)."""
    found = (_UNSAFE_BUT_LINES if lines else _UNSAFE).search(text)
    return None if found is None else character_name(found.group())


def check_text(text: str, field: str, *, lines: bool = False, max_length: int = 0) -> str:
    """TEXT as given, or a refusal naming FIELD and the character: a name, code,
    reference, reason or note is plain text on one line (several with LINES), and at
    most MAX_LENGTH characters when one is given."""
    problem = text_problem(text, lines=lines)
    if problem is not None:
        kind = "may not hold" if lines else "must be one line of plain text, without"
        raise Refused(f"{field} {kind} {problem}")
    if max_length and len(text) > max_length:
        raise Refused(f"{field} is {len(text):,} characters long; at most {max_length:,}")
    return text


def check_optional_text(
    text: str | None, field: str, *, lines: bool = False, max_length: int = 0
) -> str | None:
    """As check_text, letting None through."""
    if text is None:
        return None
    return check_text(text, field, lines=lines, max_length=max_length)


def printable(text: str, *, lines: bool = False) -> str:
    """TEXT made harmless for a terminal: each control character, bidirectional control,
    line separator or stray surrogate shown as its escape (\\u001b), which is also valid
    inside a JSON string. With LINES, line breaks and tabs stay as they are."""
    pattern = _UNSAFE_ON_SCREEN if lines else _UNSAFE
    return pattern.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"
