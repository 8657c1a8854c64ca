"""What an entry in an operation form means: a typed value, a command code, or a scan
that fills several fields at once. No Textual here: the screens call `interpret`
from a worker thread and apply the result."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from models.codes import COMMAND_PREFIX, COMMANDS, QUANTITY_PREFIX
from models.errors import DomainError
from models.masterdata import get_item, get_location
from models.schema import Lot

QTY_RE = re.compile(r"\d{1,7}")
DELTA_RE = re.compile(r"[+-]?\d{1,7}")


@dataclass
class Entry:
    """The result of one entry: values to put in fields (name -> (shown, value)),
    a command, or an error."""

    fills: dict[str, tuple[str, Any]] = field(default_factory=dict)
    command: str | None = None
    error: str | None = None
    understood: str = ""
    tracking: str | None = None
    ask: tuple[str, ...] = ()  # optional fields worth asking for next (expiry of a new lot)


def _number(text: str, signed: bool, zero_ok: bool) -> Entry | None:
    if not (DELTA_RE if signed else QTY_RE).fullmatch(text):
        return None
    value = int(text)
    if value == 0 and not zero_ok:
        return Entry(error="Quantity must not be 0" if not signed else "Change must not be 0")
    return Entry(fills={"qty": (str(value) if not signed else f"{value:+d}", value)})


def _date(text: str) -> Entry:
    for fmt in ("%Y-%m-%d", "%y%m%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return Entry(fills={"expiry": (day.isoformat(), day)})
    return Entry(error=f"{text!r} is not a date (YYYY-MM-DD)")


def _command(text: str, signed: bool) -> Entry | None:
    if not text.startswith(COMMAND_PREFIX):
        return None
    if text.startswith(QUANTITY_PREFIX):
        number = text[len(QUANTITY_PREFIX) :]
        return _number(number, signed, zero_ok=True) or Entry(error=f"Bad quantity code {text}")
    name = text[len(COMMAND_PREFIX) :]
    if name in COMMANDS:
        return Entry(command=name.lower(), understood=name)
    return Entry(error=f"Unknown command code {text}")


def _item_entry(item) -> Entry:
    return Entry(
        fills={"item": (item.sku, item.sku)},
        tracking=item.tracking,
        understood=f"item {item.sku} {item.name}",
    )


def interpret(
    kind: str, text: str, values: dict[str, Any], *, zero_ok: bool = False, new_lot_ok: bool = False
) -> Entry:
    """What TEXT, entered in a field of KIND with the form's VALUES so far, means."""
    if text.strip() == "":
        return Entry(error="Nothing entered")
    signed = kind == "delta"
    command = _command(text.strip(), signed)
    if command:
        return command
    if kind in ("qty", "delta"):
        number = _number(text.strip(), signed, zero_ok)
        if number:
            return number
    if kind == "date":
        return _date(text.strip())
    if kind == "text":
        return Entry(fills={"reason": (text.strip(), text.strip())})
    if kind == "lot" and values.get("item"):
        return _lot(text.strip(), values["item"], new_lot_ok)
    return _thing(text, kind)


def _lot(number: str, sku: str, new_lot_ok: bool) -> Entry:
    item = get_item(sku)
    lot = Lot.get_or_none((Lot.item == item) & (Lot.number == number))
    if lot is None:
        if new_lot_ok:
            return Entry(
                fills={"lot": (number, number)}, understood=f"new lot {number}", ask=("expiry",)
            )
        return Entry(error=f"Unknown lot {number!r} of item {item.sku}")
    fills: dict[str, tuple[str, Any]] = {"lot": (lot.number, lot.number)}
    if lot.expiry:
        fills["expiry"] = (lot.expiry.isoformat(), lot.expiry)
    return Entry(fills=fills, understood=f"lot {lot.number} ({lot.status})")


def _thing(text: str, kind: str) -> Entry:
    """A code naming a location or an item (SKU or GTIN)."""
    code = text.strip()
    try:
        loc = get_location(code)
    except DomainError:
        loc = None
    try:
        item = get_item(code)
    except DomainError:
        item = None
    chosen = (loc if kind == "location" else item) if loc and item else loc or item
    if chosen is None:
        if kind in ("qty", "delta"):
            return Entry(error=f"{code!r} is not a quantity: type a whole number")
        what = {"location": "location", "item": "item"}.get(kind, "code")
        return Entry(error=f"Unknown {what} {code!r}")
    if chosen is loc:
        return Entry(fills={"location": (loc.code, loc.code)}, understood=f"location {loc.code}")
    return _item_entry(item)
