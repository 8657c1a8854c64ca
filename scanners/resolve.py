"""A Scan -> exactly one thing in the database, or a ScanError a worker understands.

Call inside a database connection (in the TUI: `db.connection_context()` in a
worker); only reads, never writes.
"""

from __future__ import annotations

import re
from typing import TypeVar

from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import find_lot
from backroom.models.people.users import badge_holder
from backroom.models.rules.codes import (
    BADGE_PREFIX,
    COMMAND_PREFIX,
    COMMANDS,
    QUANTITY_PREFIX,
    SHIPMENT_PREFIX,
)
from backroom.models.rules.identifiers import is_digits
from backroom.models.schema import Item, Location, Lot
from backroom.models.values import replace
from backroom.scanners.gs1 import GS1Reading, read_sscc
from backroom.scanners.parse import Scan
from backroom.scanners.results import (
    AMBIGUOUS,
    INVALID,
    UNKNOWN,
    Resolution,
    Resolved,
    ResolvedBadge,
    ResolvedCommand,
    ResolvedItem,
    ResolvedLocation,
    ResolvedLot,
    ResolvedOrder,
    ResolvedPallet,
    ResolvedParcel,
    ResolvedSerial,
    ResolvedShipment,
    ScanError,
)
from backroom.scanners.symbology import GTIN

SHIPMENT_NUMBER = re.compile(re.escape(SHIPMENT_PREFIX) + r"[0-9]{6,}")
MAX_CODE = 64  # the longest code, SKU or lot number the database stores
MAX_QUANTITY = 999_999_999
R = TypeVar("R", bound=Resolved)


def resolve(scan: Scan) -> Resolution:
    """What SCAN names: one thing, or a ScanError (unknown, invalid or ambiguous)."""
    if not scan.data:
        return ScanError(problem=INVALID, message="Nothing was scanned")
    if scan.problem:
        return ScanError(problem=INVALID, message=scan.problem)
    if scan.gs1_declared and scan.gs1 is not None:
        return _with_companions(_from_gs1(scan.gs1), scan.gs1)
    if scan.symbology is not None and scan.symbology.reads_as == GTIN and scan.gtin:
        return _item_by_gtin(scan.gtin)
    if scan.data.startswith(COMMAND_PREFIX):
        return _command(scan.data)
    if scan.data.startswith(BADGE_PREFIX):
        return _badge(scan.data[len(BADGE_PREFIX) :])
    return _plain(scan)


# --- parcels and shipments (models/schema/shipping.py) ---------------------------------
# The shipping schema and the packaging levels are imported where a code needs them: a
# scan of a bin looks for neither (start-up time of `backroom scan`).


def find_parcel(sscc: str) -> int | None:
    """The id of the parcel with this SSCC, or None."""
    from backroom.models.schema.shipping import Parcel

    row = Parcel.select(Parcel.id).where(Parcel.sscc == sscc).first()
    return row.id if row else None


def find_shipment(number: str) -> int | None:
    """The id of the shipment with this number (SHP-...), or None."""
    from backroom.models.schema.shipping import Shipment

    row = Shipment.select(Shipment.id).where(Shipment.number == number).first()
    return row.id if row else None


def _parcel(sscc: str, reading: GS1Reading | None = None) -> Resolution:
    parcel = ResolvedParcel(sscc=sscc, id=find_parcel(sscc))
    if reading is not None:
        parcel = replace(
            parcel,
            content_gtin=reading.value("02"),
            lot=reading.value("10"),
            expiry=reading.expiry,
            quantity=reading.quantity,
        )
    if parcel.id is None:
        from backroom.models.goods_in.receiving import announced_pallet  # goods in: ~35 ms

        if (announced := announced_pallet(sscc)) is not None:
            return ResolvedPallet(sscc=sscc, asn=announced[0], order=announced[1])
        return ScanError(problem=UNKNOWN, message=f"No parcel with SSCC {sscc}", partial=parcel)
    return parcel


def _shipment(number: str) -> Resolution:
    shipment = ResolvedShipment(number=number, id=find_shipment(number))
    if shipment.id is None:
        return ScanError(problem=UNKNOWN, message=f"No shipment {number}", partial=shipment)
    return shipment


# --- codes Backroom prints ------------------------------------------------------------


def _command(data: str) -> Resolution:
    name = data[len(COMMAND_PREFIX) :]
    if name in COMMANDS:
        return ResolvedCommand(command=name)
    if data.startswith(QUANTITY_PREFIX):
        digits = data[len(QUANTITY_PREFIX) :]
        if is_digits(digits) and int(digits) <= MAX_QUANTITY:
            return ResolvedCommand(command="QTY", quantity=int(digits))
        example = f"{QUANTITY_PREFIX}12"
        message = f"Quantity code {data!r} must end in a whole number, such as {example}"
        return ScanError(problem=INVALID, message=message)
    return ScanError(problem=INVALID, message=f"Unknown command code {data!r}")


def _badge(token: str) -> Resolution:
    if not _storable(token):
        return ScanError(problem=INVALID, message="This badge code holds no badge number")
    user = badge_holder(token)  # found by the hash of its token
    if user is None:
        return ScanError(problem=UNKNOWN, message="Unknown badge: no user has it")
    if not user.active:
        return ScanError(problem=INVALID, message=f"User {user.name} is deactivated")
    return ResolvedBadge(user_id=user.id, user=user.name, role=user.role)


# --- plain codes: location, SKU, GTIN, lot or serial number, SSCC, shipment -----------


def _plain(scan: Scan) -> Resolution:
    """A code that does not say what it is: whatever in the database has it, if one thing."""
    data = scan.data
    found: dict[tuple[str, int | str], Resolution] = {}
    errors: list[ScanError] = []

    def add(result: Resolution) -> None:
        if isinstance(result, ScanError):
            errors.append(result)
        else:
            found[(result.kind, getattr(result, "id", None) or result.label)] = result

    if _storable(data):
        location = Location.get_or_none(Location.code == data)
        if location is not None:
            add(_location(location))
        item = Item.get_or_none(Item.sku == data)
        if item is not None:
            add(_item(item))
        if len(data) <= 20:  # lot and serial numbers are GS1 (10)/(21): 20 at most
            lot = _lot_by_number(data, None)
            if lot is not None:
                add(lot)
        if SHIPMENT_NUMBER.fullmatch(data):
            add(_shipment(data))
    if scan.gtin:
        add(_item_by_gtin(scan.gtin))
    if sscc := read_sscc(data):
        add(_parcel(sscc))
    if scan.gs1 is not None and not scan.gs1.problem:
        add(_with_companions(_from_gs1(scan.gs1), scan.gs1))
    things = list(found.values())
    shared = [e for e in errors if e.problem == AMBIGUOUS]
    if len(things) == 1 and not shared:
        return things[0]
    if things and (shared or len(things) > 1):
        meanings = [t.label for t in things]
        meanings += ["a lot or serial number of several items" for _ in shared]
        message = f"{_shown(data)} could be {' or '.join(meanings)}: scan a code that says which"
        return ScanError(problem=AMBIGUOUS, message=message)
    if errors:
        return errors[0]
    if _storable(data) and (order := _order(data)) is not None:
        return order  # looked for last: a bin's scan does not load goods in
    if scan.gtin_problem:
        return ScanError(problem=INVALID, message=scan.gtin_problem)
    if scan.gs1 is not None and scan.gs1.problem and _looks_gs1(data):
        return ScanError(problem=INVALID, message=scan.gs1.problem)
    return ScanError(
        problem=UNKNOWN,
        message=f"Unknown code {_shown(data)}: no location, item, lot or serial number has it",
    )


def _order(data: str) -> ResolvedOrder | None:
    """The purchase order DATA numbers (PO-000012), or whose ASN it numbers."""
    from backroom.models.schema.goods_in import Asn, PurchaseOrder

    order = PurchaseOrder.get_or_none(PurchaseOrder.number == data.upper())
    if order is not None:
        return ResolvedOrder(number=order.number)
    asn = Asn.get_or_none(Asn.number == data)
    if asn is not None:
        return ResolvedOrder(number=asn.order.number, asn=asn.number)
    return None


def _looks_gs1(data: str) -> bool:
    return data[:2] in ("00", "01", "02")


# --- GS1 ------------------------------------------------------------------------------


def _from_gs1(reading: GS1Reading) -> Resolution:
    """What GS1 element strings name: parcel, item/lot/serial, location, or a lot alone."""
    if reading.problem:
        return ScanError(problem=INVALID, message=reading.problem)
    if sscc := reading.value("00"):
        return _parcel(sscc, reading)
    gtin = reading.value("01") or reading.value("02")
    if gtin:
        return _trade_item(gtin, reading)
    if gln := reading.value("414"):
        return _location_by_gln(gln)
    for ai in ("21", "10"):
        if number := reading.value(ai):
            return _number_alone(number, ai, reading)
    held = ", ".join(f"({e.ai}) {e.name} {e.shown}" for e in reading.elements)
    return ScanError(
        problem=UNKNOWN,
        message=f"This code holds {held}, but no product, lot, parcel or location",
    )


def _trade_item(gtin: str, reading: GS1Reading) -> Resolution:
    """(01) or (02) GTIN, with its lot or serial number when the item is tracked so."""
    result = _item_by_gtin(gtin, reading.quantity)
    if isinstance(result, ScanError):
        return result
    item = result
    lot, serial = reading.value("10"), reading.value("21")
    if item.tracking == "serial" and serial:
        return _tracked(item, serial, "21", reading)
    if item.tracking == "lot" and lot:
        return _tracked(item, lot, "10", reading)
    notes = list(_swallow_warnings(reading, ()))
    if item.tracking == "none" and (lot or serial):
        notes.append(f"Item {item.sku} is not lot-tracked: the label's lot or serial is ignored")
    elif item.tracking == "serial" and lot:
        notes.append(f"Item {item.sku} is serial-tracked: scan the code with its serial number")
    elif item.tracking == "lot" and serial:
        notes.append(f"Item {item.sku} is lot-tracked: scan the code with its lot number")
    return _warned(item, notes)


def _tracked(item: ResolvedItem, number: str, ai: str, reading: GS1Reading) -> Resolution:
    """Lot (10) or serial (21) NUMBER of ITEM, checked against the database."""
    row = Lot.get_or_none((Lot.item == item.id) & (Lot.number == number))
    swallowed = next((s for s in reading.swallowed if s.element.ai == ai), None)
    if row is None and swallowed is not None:
        # Taken at its word the number is new; more likely its separator was lost.
        return ScanError(problem=INVALID, message=swallowed.message)
    notes = list(_swallow_warnings(reading, (ai,)))
    if swallowed is not None:
        notes.append(
            f"{swallowed.element.name.capitalize()} {number} exists, but its end also "
            f"reads as another element: check the scanner with 'backroom scanner test'"
        )
    if ai == "21":
        serial = ResolvedSerial(item=item, serial=number, expiry=reading.expiry)
        if row is None:
            message = f"No serial number {number} of item {item.sku}"
            return ScanError(problem=UNKNOWN, message=message, partial=serial)
        return _warned(replace(serial, id=row.id, status=row.status), notes + _status(row))
    # The item's quantity: the label's count, in base units when it is a packaging level.
    lot = ResolvedLot(item=item, number=number, expiry=reading.expiry, quantity=item.quantity)
    if row is None:
        message = f"No lot {number} of item {item.sku}"
        return ScanError(problem=UNKNOWN, message=message, partial=lot)
    if reading.expiry and row.expiry and reading.expiry != row.expiry:
        notes.append(
            f"The label says expiry {reading.expiry.isoformat()}, "
            f"Backroom has {row.expiry.isoformat()} for lot {number}"
        )
    lot = replace(lot, id=row.id, expiry=row.expiry or reading.expiry, status=row.status)
    return _warned(lot, notes + _status(row))


def _number_alone(number: str, ai: str, reading: GS1Reading) -> Resolution:
    """(10) lot or (21) serial number without a GTIN: found if only one item has it."""
    what = "lot" if ai == "10" else "serial number"
    result = _lot_by_number(number, ai)
    if result is None:
        return ScanError(problem=UNKNOWN, message=f"Unknown {what} {number!r}")
    if isinstance(result, ScanError):
        return result
    return _warned(result, list(_swallow_warnings(reading, ())))


def _location_by_gln(gln: str) -> Resolution:
    """(414) a physical location's GLN: the location whose code is that GLN."""
    location = Location.get_or_none(Location.code == gln)
    if location is None:
        return ScanError(problem=UNKNOWN, message=f"No location with GLN {gln}")
    return _location(location)


def _with_companions(result: R, reading: GS1Reading) -> R:
    """RESULT warned of the companions GS1 requires that the code lacks (they may be in
    another symbol of the label: the form checks all its scans together)."""
    return _warned(result, list(reading.companions))


def _swallow_warnings(reading: GS1Reading, handled: tuple[str, ...]) -> list[str]:
    # A suspect field the result does not depend on is shown, not refused.
    return [s.message for s in reading.swallowed if s.element.ai not in handled]


# --- rows -> results ------------------------------------------------------------------


def _item_by_gtin(gtin: str, quantity: int | None = None) -> Resolution:
    """The item with this GTIN; or the item one of whose packaging levels has it, with
    that level's base units (times the label's count, (37), when it has one)."""
    from backroom.models.masterdata.packaging import level_by_gtin

    item = Item.get_or_none(Item.gtin == gtin.zfill(14))
    if item is not None:
        return _item(item, quantity)
    found = level_by_gtin(gtin)
    if found is None:
        return ScanError(problem=UNKNOWN, message=f"No item with GTIN {gtin}")
    row, level = found
    resolved = _item(row, level.qty * (quantity if quantity is not None else 1))
    return replace(resolved, packaging=level.name, per_pack=level.qty)


def _lot_by_number(number: str, ai: str | None) -> Resolution | None:
    """The lot or serial with this number, None if there is none, an error if several."""
    if not _storable(number):
        return None
    try:
        row = find_lot(number)
    except NotFound:
        return None
    except Refused:
        what = {"10": "Lot", "21": "Serial number"}.get(ai or "", "Lot or serial number")
        return ScanError(
            problem=AMBIGUOUS,
            message=f"{what} {number} exists for several items: scan the code with the GTIN",
        )
    item = _item(row.item)
    if row.item.tracking == "serial" and ai != "10":
        serial = ResolvedSerial(item=item, serial=row.number, id=row.id, expiry=row.expiry)
        return _warned(replace(serial, status=row.status), _status(row))
    lot = ResolvedLot(item=item, number=row.number, id=row.id, expiry=row.expiry)
    return _warned(replace(lot, status=row.status), _status(row))


def _location(row: Location) -> ResolvedLocation:
    result = ResolvedLocation(
        id=row.id, code=row.code, name=row.name, location_kind=row.kind, active=row.active
    )
    return _warned(result, [] if row.active else [f"Location {row.code} is deactivated"])


def _item(row: Item, quantity: int | None = None) -> ResolvedItem:
    result = ResolvedItem(
        id=row.id,
        sku=row.sku,
        name=row.name,
        gtin=row.gtin,
        unit=row.unit,
        tracking=row.tracking,
        active=row.active,
        quantity=quantity,
    )
    return _warned(result, [] if row.active else [f"Item {row.sku} is deactivated"])


def _status(row: Lot) -> list[str]:
    if row.status == "released":
        return []
    return [f"Lot {row.number} of item {row.item.sku} is {row.status}"]


def _warned(result: R, notes: list[str]) -> R:
    if not notes:
        return result
    return replace(result, warnings=(*result.warnings, *notes))


def _storable(code: str) -> bool:
    """True when CODE could be stored as a code at all (and is safe to query with)."""
    return 0 < len(code) <= MAX_CODE and code.isprintable()


def _shown(data: str) -> str:
    text = data if len(data) <= 40 else data[:37] + "..."
    return repr(text.replace("\x1d", "<GS>"))
