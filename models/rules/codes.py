"""The codes Backroom itself prints and reads back: command codes, badges, shipments,
and the scanner test text. Shared by scanners/ (reading) and labels/ (printing)."""

from __future__ import annotations

# Command codes: printed on the command sheet, scanned to drive a form.
COMMAND_PREFIX = "CMD:"
COMMANDS = ("CONFIRM", "CANCEL", "BACK")
QUANTITY_PREFIX = COMMAND_PREFIX + "QTY:"  # CMD:QTY:12 sets the quantity to 12

# A user's badge holds BADGE: and the user's badge token (User.badge).
BADGE_PREFIX = "BADGE:"

# Shipment numbers (the shipments issue): SHP- and six or more digits.
SHIPMENT_PREFIX = "SHP-"

# What the scanner test label encodes: letters of both cases, digits, the punctuation
# keyboard layouts disagree on, and a GS1 group separator (ASCII 29) in the middle.
GS = "\x1d"
SCANNER_TEST_TEXT = "Aq1Zw2My3-7/8.9_0" + GS + "@#$%&*()[]{};:'\",<>?!=+~|^`\\"


def command_code(name: str) -> str:
    """The code for command NAME (CONFIRM, CANCEL, BACK)."""
    if name not in COMMANDS:
        raise ValueError(f"unknown command {name!r}")
    return COMMAND_PREFIX + name


def quantity_code(qty: int) -> str:
    """The code that sets a form's quantity to QTY."""
    return f"{QUANTITY_PREFIX}{qty}"
