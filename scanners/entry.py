"""What an entry in an operation form means: a typed value, a command code, or a scan
that fills several fields at once. The screens call `interpret` from a worker thread
and apply the result; every look-up goes through models/ and scanners/resolve."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from backroom.models.browse.lots import LotLine, lots_numbered
from backroom.models.errors import Refused
from backroom.models.goods_out.orders import get_shipment
from backroom.models.goods_out.packing import get_parcel
from backroom.models.masterdata.adding import find_lot, get_item, lot_or_none
from backroom.models.masterdata.packaging import looks_in_levels, read_in_levels, shown_quantity
from backroom.models.rules.codes import COMMAND_PREFIX
from backroom.models.rules.dates import parse_date
from backroom.models.rules.identifiers import has_good_check_digit
from backroom.scanners.gs1 import read_sscc
from backroom.scanners.parse import Scan, parse
from backroom.scanners.resolve import resolve
from backroom.scanners.results import (
    AMBIGUOUS,
    UNKNOWN,
    Resolution,
    ResolvedCommand,
    ResolvedItem,
    ResolvedLocation,
    ResolvedLot,
    ResolvedSerial,
    ScanError,
)
from backroom.scanners.settings import ScannerSettings

BLANKS = " \t\r\n"

QTY_RE = re.compile(r"\d{1,7}")
# Digit strings of these lengths are barcodes (GTIN-8, UPC-A, EAN-13, GTIN-14, SSCC).
GS1_LENGTHS = {8: "GTIN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14", 18: "SSCC"}
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
    # Keep the cursor in the quantity field (this one, or the form's next if this is
    # none), counting by repeated scans: the same item again, or a case after a case.
    stay: bool = False
    # A lot number several items carry, scanned without its item: the lots to pick from.
    choices: tuple[LotLine, ...] = ()
    # The code as scanned, and what the scan warns of (a label's expiry that is not the
    # lot's); GS1's companions are the form's to check, over all its scans.
    scan: Scan | None = None
    warnings: tuple[str, ...] = ()


def counted(entry: Entry, values: dict[str, Any]) -> Entry | None:
    """ENTRY, a scan of the item (and lot) the form already has, made in its quantity
    field: one more (or the scan's own count: a case GTIN adds a case) on what the field
    holds, where the first scan of the item counts as one. None when ENTRY is no scan of
    an item; refused when it is another item's (its count is not this one's)."""
    item = entry.fills.get("item")
    if item is None or not values.get("item"):
        return None
    if item[1] != values["item"]:
        return Entry(error=f"That is {item[1]}, not {values['item']}: count one item at a time")
    lot = entry.fills.get("lot")
    if lot is not None and values.get("lot") and lot[1] != values["lot"]:
        return Entry(error=f"That is lot {lot[1]}, not {values['lot']}: count one lot at a time")
    step = entry.fills["qty"][1] if "qty" in entry.fills else 1
    total = (values.get("qty") or 1) + step
    shown = shown_quantity(item[1], total)
    said = f"{total} ×" if shown == str(total) else f"{shown} of"
    return Entry(
        fills={"qty": (shown, total)},
        understood=f"{said} {item[1]}: scan again to add, Enter when done",
        stay=True,
    )


def in_levels(entry: Entry, values: dict[str, Any], signed: bool) -> Entry:
    """ENTRY with its quantity shown in the item's packaging levels ('5 cs + 3 pcs
    (63 pcs)') when the item has levels that fit; as it is otherwise."""
    sku = entry.fills["item"][1] if "item" in entry.fills else values.get("item")
    if "qty" not in entry.fills or not sku:
        return entry
    value = entry.fills["qty"][1]
    shown = shown_quantity(sku, value)
    if shown == str(value):
        return entry
    shown = f"+{shown}" if signed and value > 0 else shown
    entry.fills["qty"] = (shown, value)
    return entry


def _typed_in_levels(text: str, values: dict[str, Any], signed: bool, zero_ok: bool) -> Entry:
    """'5 cs + 3' typed in a quantity field: its base units, for the item the form has."""
    if not values.get("item"):
        return Entry(error=f"Scan the item first: {text} counts in its packaging levels")
    try:
        value = read_in_levels(text, values["item"])
    except Refused as exc:
        return Entry(error=str(exc))
    if value is None:
        return Entry(error="That is not a quantity: type a whole number, or such as 5 cs + 3")
    if value < 0 and not signed:
        return Entry(error="A quantity is not signed: type it without + or -")
    if value == 0 and not zero_ok:
        return Entry(error="Quantity must not be 0" if not signed else "Change must not be 0")
    return Entry(fills={"qty": (str(value), value)})


def _number(text: str, signed: bool, zero_ok: bool) -> Entry | None:
    if not (DELTA_RE if signed else QTY_RE).fullmatch(text):
        if re.fullmatch(r"[+-]?\d{8,}", text) and not _a_barcode(text):
            # 99999999 typed as a quantity is not a GTIN-8 (its check digit is wrong):
            # only a digit string of a GS1 key's length and check digit is read as one.
            return Entry(error=f"{text} is too large for a quantity (at most 9,999,999)")
        return None
    value = int(text)
    if value == 0 and not zero_ok:
        return Entry(error="Quantity must not be 0" if not signed else "Change must not be 0")
    return Entry(fills={"qty": (str(value) if not signed else f"{value:+d}", value)})


def _a_barcode(text: str) -> bool:
    """TEXT could be a GS1 key scanned in the wrong field: its length and check digit."""
    return len(text) in GS1_LENGTHS and has_good_check_digit(text)


def _date(text: str) -> Entry:
    try:
        day = parse_date(text, "", typed=True)
    except Refused as exc:
        return Entry(error=str(exc))
    return Entry(fills={"expiry": (day.isoformat(), day)})


def interpret(
    kind: str,
    text: str,
    values: dict[str, Any],
    *,
    settings: ScannerSettings | None = None,
    zero_ok: bool = False,
    new_lot_ok: bool = False,
) -> Entry:
    """What TEXT, entered in a field of KIND with the form's VALUES so far, means."""
    stripped = text.strip(BLANKS)  # not strip(): that would eat a GS1 separator
    if stripped == "":
        return Entry(error="Nothing entered")
    signed = kind == "delta"
    if kind in ("qty", "delta"):
        number = _number(stripped, signed, zero_ok)
        if number is None and looks_in_levels(stripped):
            number = _typed_in_levels(stripped, values, signed, zero_ok)
        if number:
            return in_levels(number, values, signed)
    if kind == "date":
        return _date(stripped)
    if kind == "text" and not stripped.startswith(COMMAND_PREFIX):
        return Entry(fills={"reason": (stripped, stripped)})
    scan = parse(text, settings)
    if (
        kind == "lot"
        and values.get("item")
        and not scan.gs1_declared
        and not stripped.startswith(COMMAND_PREFIX)
    ):
        return _lot(stripped, values["item"], new_lot_ok)
    res = resolve(scan)
    entry = in_levels(from_resolution(res, kind, new_lot_ok), values, signed)
    if kind in ("item", "lot"):
        entry.choices = lot_choices(scan, res)
    alone = scan.gs1.companions if scan.gs1 else ()
    entry.scan = scan
    entry.warnings = tuple(w for w in res.warnings if w not in alone)
    return entry


def lot_choices(scan: Scan, res: Resolution) -> tuple[LotLine, ...]:
    """The lots to pick from when RES says the lot number SCAN holds is on several items."""
    if not (isinstance(res, ScanError) and res.problem == AMBIGUOUS):
        return ()
    gs1 = scan.gs1 if scan.gs1_declared else None
    number = (gs1.value("10") or gs1.value("21")) if gs1 else None
    return tuple(lots_numbered(number or scan.data.strip(BLANKS)))


def _lot(number: str, sku: str, new_lot_ok: bool) -> Entry:
    item = get_item(sku)
    lot = lot_or_none(item, number)
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


def _item_fills(item: ResolvedItem) -> dict[str, tuple[str, Any]]:
    return {"item": (item.sku, item.sku)}


def _lot_entry(
    res: ResolvedLot | ResolvedSerial, understood: str, new: bool, kind: str = "item"
) -> Entry:
    number = res.number if isinstance(res, ResolvedLot) else res.serial
    fills = {**_item_fills(res.item), "lot": (number, number)}
    if res.expiry:
        fills["expiry"] = (res.expiry.isoformat(), res.expiry)
    quantity = 1 if isinstance(res, ResolvedSerial) else res.quantity
    if quantity is not None:
        fills["qty"] = (str(quantity), quantity)
    ask = ("expiry",) if new and not res.expiry else ()
    return Entry(
        fills=fills,
        understood=understood,
        tracking=res.item.tracking,
        ask=ask,
        stay=_counting_packs(res.item, kind),
    )


def _counting_packs(item: ResolvedItem, kind: str) -> bool:
    # A case scanned as the item: the cursor waits in the quantity field, where the next
    # case adds one. (In the quantity field itself, counted() adds; elsewhere it moves on.)
    return kind in ("item", "lot") and item.packaging is not None and item.quantity is not None


def from_resolution(res: Resolution, kind: str, new_lot_ok: bool = False) -> Entry:
    """The fields a resolved scan fills, or why it cannot be used in this form."""
    if isinstance(res, ResolvedLocation):
        return Entry(fills={"location": (res.code, res.code)}, understood=res.label)
    if isinstance(res, ResolvedItem):
        fills = _item_fills(res)
        if res.quantity is not None:
            fills["qty"] = (str(res.quantity), res.quantity)
        stay = _counting_packs(res, kind)
        return Entry(fills=fills, understood=res.label, tracking=res.tracking, stay=stay)
    if isinstance(res, ResolvedLot | ResolvedSerial):
        return _lot_entry(res, res.label, new=False, kind=kind)
    if isinstance(res, ResolvedCommand):
        if res.quantity is not None:
            return Entry(fills={"qty": (str(res.quantity), res.quantity)}, understood=res.label)
        return Entry(command=res.command.lower(), understood=res.label)
    if isinstance(res, ScanError):
        new = res.partial
        if new_lot_ok and isinstance(new, ResolvedLot | ResolvedSerial):
            return _lot_entry(new, f"new {new.label}", new=True, kind=kind)
        if kind in ("qty", "delta") and res.problem == UNKNOWN:
            return Entry(error="That is not a quantity: type a whole number")
        return Entry(error=res.message)
    return Entry(error=f"{res.label} scanned: this form takes items, lots and locations")


def shipment_of(text: str) -> tuple[str, str | None]:
    """The shipment a scan names, and the parcel's SSCC when a parcel was scanned."""
    scan = parse(text)
    data = scan.data.strip()
    sscc = read_sscc(data) or (scan.gs1.value("00") if scan.gs1 else None)
    if sscc:
        return get_parcel(sscc).shipment.number, sscc
    return get_shipment(data).number, None


def lot_named(text: str, settings: ScannerSettings | None = None) -> tuple[str, str]:
    """The (item SKU, lot number) that TEXT names: a GS1 scan, 'SKU LOT', or a lot number."""
    words = text.split()
    if len(words) == 2 and "\x1d" not in text:
        lot = find_lot(words[1], words[0])
        return lot.item.sku, lot.number
    res = resolve(parse(text, settings))
    if isinstance(res, ResolvedLot | ResolvedSerial) and res.id is not None:
        number = res.number if isinstance(res, ResolvedLot) else res.serial
        return res.item.sku, number
    lot = find_lot(text.strip())
    return lot.item.sku, lot.number
