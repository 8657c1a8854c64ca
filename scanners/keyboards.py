"""Keyboard layouts, to explain what a scanner types on a computer set to another layout.

A keyboard-wedge scanner turns each character into the key presses its configured
layout would need; the computer turns key presses back into characters with its
own layout. When the two differ, "1" can arrive as "&" (AZERTY) and '"' as "@" (UK).
Keys are named by what they give on a US keyboard; "iso" is the extra key left of Z.
"""

from __future__ import annotations

from dataclasses import dataclass

NORMAL, SHIFT, ALTGR = 0, 1, 2


def _rows(normal: str, shifted: str, keys: str) -> dict[str, tuple[str, str, str]]:
    return {k: (n, s, "") for k, n, s in zip(keys, normal, shifted, strict=True)}


US_KEYS = "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./"
US_SHIFTED = '~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:"ZXCVBNM<>?'


@dataclass(frozen=True)
class Layout:
    """One layout: for each key, the character without Shift, with Shift, with AltGr."""

    name: str
    keys: dict[str, tuple[str, str, str]]

    def char(self, key: str, level: int) -> str:
        """What this layout gives for KEY at LEVEL ("" when nothing)."""
        return self.keys.get(key, ("", "", ""))[level]

    def keystroke(self, char: str) -> tuple[str, int] | None:
        """The key and level this layout types CHAR with, if it can."""
        for level in (NORMAL, SHIFT, ALTGR):
            for key, chars in self.keys.items():
                if chars[level] == char:
                    return key, level
        return None


def _layout(name: str, changes: dict[str, tuple[str, ...]]) -> Layout:
    keys = _rows(US_KEYS, US_SHIFTED, US_KEYS)
    keys["iso"] = ("\\", "|", "")
    for key, chars in changes.items():
        keys[key] = (*chars, "", "")[:3]  # type: ignore[assignment]
    return Layout(name, keys)


US = _layout("US (QWERTY)", {})
UK = _layout(
    "UK (QWERTY)",
    {"`": ("`", "¬", "¦"), "2": ("2", '"'), "3": ("3", "£"), "'": ("'", "@"), "\\": ("#", "~")},
)
FRENCH = _layout(
    "French (AZERTY)",
    {
        "`": ("²", ""),
        "1": ("&", "1"),
        "2": ("é", "2", "~"),
        "3": ('"', "3", "#"),
        "4": ("'", "4", "{"),
        "5": ("(", "5", "["),
        "6": ("-", "6", "|"),
        "7": ("è", "7", "`"),
        "8": ("_", "8", "\\"),
        "9": ("ç", "9", "^"),
        "0": ("à", "0", "@"),
        "-": (")", "°", "]"),
        "=": ("=", "+", "}"),
        "q": ("a", "A"),
        "w": ("z", "Z"),
        "[": ("^", "¨"),
        "]": ("$", "£", "¤"),
        "a": ("q", "Q"),
        ";": ("m", "M"),
        "'": ("ù", "%"),
        "\\": ("*", "µ"),
        "z": ("w", "W"),
        "m": (",", "?"),
        ",": (";", "."),
        ".": (":", "/"),
        "/": ("!", "§"),
        "iso": ("<", ">"),
    },
)
GERMAN = _layout(
    "German (QWERTZ)",
    {
        "`": ("^", "°"),
        "2": ("2", '"', "²"),
        "3": ("3", "§", "³"),
        "6": ("6", "&"),
        "7": ("7", "/", "{"),
        "8": ("8", "(", "["),
        "9": ("9", ")", "]"),
        "0": ("0", "=", "}"),
        "-": ("ß", "?", "\\"),
        "=": ("´", "`"),
        "q": ("q", "Q", "@"),
        "y": ("z", "Z"),
        "[": ("ü", "Ü"),
        "]": ("+", "*", "~"),
        ";": ("ö", "Ö"),
        "'": ("ä", "Ä"),
        "\\": ("#", "'"),
        "z": ("y", "Y"),
        "/": ("-", "_"),
        ",": (",", ";"),
        ".": (".", ":"),
        "iso": ("<", ">", "|"),
    },
)
LAYOUTS = (US, UK, FRENCH, GERMAN)


def retype(text: str, scanner: Layout, computer: Layout, *, caps_lock: bool = False) -> str:
    """TEXT as it arrives when a scanner set to SCANNER types it on COMPUTER.

    Control characters (the GS) pass as they are; characters the scanner's layout
    cannot type are lost.
    """
    out = []
    for char in text:
        if char < " ":
            out.append(char)
            continue
        stroke = scanner.keystroke(char)
        got = computer.char(*stroke) if stroke else ""
        if caps_lock and got.isascii() and got.isalpha():
            got = got.swapcase()
        out.append(got)
    return "".join(out)
