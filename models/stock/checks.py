"""Checks a floor form makes the moment a value arrives, before anything is posted:
the same rules the ledger enforces at posting, asked early so that the person hears
of a wrong quantity at the quantity, not five fields later. Posting checks again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import fn

from backroom.models.config import Config
from backroom.models.errors import Refused, Unlikely
from backroom.models.masterdata.adding import get_item, get_location, lot_or_none
from backroom.models.masterdata.packaging import in_levels, levels_of
from backroom.models.schema import Move, Quant


def quantity_at(sku: str, location: str, lot: str | None = None) -> int:
    """Units of item SKU (of LOT) at exactly LOCATION, nothing under it counted."""
    item = get_item(sku)
    where = get_location(location)
    the_lot = lot_or_none(item, lot) if lot else None
    if lot and the_lot is None:
        return 0
    row = Quant.get_or_none(
        (Quant.item == item.id)
        & (Quant.lot_key == (the_lot.id if the_lot else 0))
        & (Quant.location == where.id)
    )
    return row.qty if row else 0


def held_at(sku: str, location: str, lot: str | None = None) -> str:
    """What LOCATION holds of SKU (LOT), as a floor form shows it: 'A-01 holds 20 pcs
    of TAPE-48 lot L1', in its packaging levels where they fit ('5 cs + 3 pcs (63 pcs)')."""
    item = get_item(sku)
    what = f"{item.sku} lot {lot}" if lot else item.sku
    held = in_levels(quantity_at(sku, location, lot), levels_of(item), item.unit)
    return f"{location} holds {held} of {what}"


def refuse_more_than_here(qty: int, sku: str, location: str, lot: str | None = None) -> None:
    """Refuse taking QTY of SKU (LOT) from LOCATION when fewer are there."""
    item = get_item(sku)
    if not get_location(location).is_internal:
        return  # suppliers, customers and scrap hold no counted stock
    have = quantity_at(sku, location, lot)
    if qty > have:
        what = f"{item.sku} lot {lot}" if lot else item.sku
        raise Refused(f"Only {have} {item.unit} of {what} at {location}; cannot take {qty}")


def refuse_serial_in_stock(sku: str, serial: str) -> None:
    """Refuse receiving serial SERIAL of SKU while it is already in stock somewhere."""
    item = get_item(sku)
    if item.tracking != "serial":
        return
    lot = lot_or_none(item, serial)
    if lot is None:
        return
    rows = Quant.select().where((Quant.lot_key == lot.id) & (Quant.qty > 0))
    held = [q.location.code for q in rows if q.location.is_internal]
    if held:
        raise Refused(f"Serial {serial} of {item.sku} is already in stock at {held[0]}")


# Above either, a floor form asks before it takes a quantity ([floor] in the config).
MOST_WITHOUT_ASKING = 100_000
TIMES_THE_LARGEST_MOVE = 10
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class FloorLimits:
    """When a floor form asks "are you sure?" ([floor] in the configuration)."""

    most: int = MOST_WITHOUT_ASKING
    times_largest: int = TIMES_THE_LARGEST_MOVE
    per_item: dict[str, int] = field(default_factory=dict)  # SKU -> most without asking
    per_unit: dict[str, int] = field(default_factory=dict)  # unit -> most without asking
    expiry_warning_days: int = EXPIRY_WARNING_DAYS

    @classmethod
    def from_config(cls, config: Config) -> FloorLimits:
        return cls(
            most=int(config.get("floor.most_without_asking", MOST_WITHOUT_ASKING)),
            times_largest=int(config.get("floor.times_largest_move", TIMES_THE_LARGEST_MOVE)),
            per_item={str(k): int(v) for k, v in config.get("floor.items", {}).items()},
            per_unit={str(k): int(v) for k, v in config.get("floor.units", {}).items()},
            expiry_warning_days=int(config.get("floor.expiry_warning_days", EXPIRY_WARNING_DAYS)),
        )


def ask_if_unusual(qty: int, sku: str, limits: FloorLimits) -> None:
    """Raise Unlikely when QTY of SKU is above what the site takes without asking: its
    own limit (item, then unit), else 100,000 or ten times the item's largest move."""
    item = get_item(sku)
    own = limits.per_item.get(item.sku, limits.per_unit.get(item.unit))
    if own is not None:
        if qty > own:
            raise Unlikely(f"{qty:,} {item.unit} of {item.sku} is above this site's {own:,}")
        return
    if qty > limits.most:
        raise Unlikely(f"{qty:,} {item.unit} of {item.sku} is more than {limits.most:,}")
    largest = Move.select(fn.MAX(Move.qty)).where(Move.item == item.id).scalar() or 0
    if largest and qty > limits.times_largest * largest:
        raise Unlikely(
            f"{qty:,} {item.unit} of {item.sku} is more than {limits.times_largest} times "
            f"its largest move so far ({largest:,})"
        )


def ask_if_expiring(expiry: dt.date | None, lot: str, limits: FloorLimits) -> None:
    """Raise Unlikely when lot LOT expired, or expires within the warning days."""
    if expiry is None:
        return
    today = dt.date.today()
    if expiry < today:
        days = (today - expiry).days
        raise Unlikely(f"Lot {lot} expired on {expiry} ({days} days ago)")
    if expiry <= today + dt.timedelta(days=limits.expiry_warning_days):
        raise Unlikely(f"Lot {lot} expires on {expiry}, in {(expiry - today).days} days")
