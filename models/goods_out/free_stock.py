"""Free stock: what allocation (models/goods_out/allocation.py) may reserve for a
shipment and replenishment (models/replenishment.py) may bring to a pick face, in the
order it should go: first expiry first out for lots, first in first out otherwise.

Free is the quant less what open allocations hold there. This module reads only; it
imports no posting code, so the ledger's replenishment check can use it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from backroom.models.schema import Item, Location, Lot, Move, Quant
from backroom.models.schema.shipping import Allocation

UNUSABLE_STATUSES = ("quarantine", "blocked", "recalled")


@dataclass(frozen=True)
class Candidate:
    """Stock that could be allocated: a quant, and how much of it is free."""

    item: Item
    lot: Lot | None
    location: Location
    free: int


def _reservations(item: Item) -> dict[tuple[int, int], int]:
    """Open reservations of ITEM as {(lot id or 0, location id): units}."""
    rows = (
        Allocation.select(
            Allocation.lot, Allocation.location, pw.fn.SUM(Allocation.qty - Allocation.picked)
        )
        .where((Allocation.item == item) & (Allocation.qty > Allocation.picked))
        .group_by(Allocation.lot, Allocation.location)
        .tuples()
    )
    return {(lot or 0, loc): int(qty) for lot, loc, qty in rows}


def lot_problem(lot: Lot, today: dt.date, min_shelf_days: int) -> str | None:
    """Why LOT cannot be allocated for a consignee wanting MIN_SHELF_DAYS left, or None."""
    if lot.status in UNUSABLE_STATUSES:
        return f"Lot {lot.number} is {lot.status} and cannot be allocated"
    if lot.expiry is not None:
        if lot.expiry < today:
            return f"Lot {lot.number} expired on {lot.expiry.isoformat()}"
        if (lot.expiry - today).days < min_shelf_days:
            return (
                f"Lot {lot.number} expires {lot.expiry.isoformat()}: less than the "
                f"{min_shelf_days} days of shelf life the consignee asks for"
            )
    return None


def candidates(
    item: Item, *, today: dt.date, min_shelf_days: int = 0, dispatch: str
) -> list[Candidate]:
    """Free stock of ITEM in the order it should go: FEFO for lots, FIFO otherwise.

    Only shelves count: not quarantine areas, inactive locations or the dispatch area,
    where picked stock already waits for its shipment."""
    query = (
        Quant.select(Quant, Location, Lot)
        .join(Location, on=(Quant.location == Location.id))
        .switch(Quant)
        .join(Lot, pw.JOIN.LEFT_OUTER, on=(Quant.lot == Lot.id))
        .where(
            (Quant.item == item)
            & (Quant.qty > 0)
            & (Location.kind == "internal")
            & Location.active
            & ~Location.quarantine
            & (Location.code != dispatch)
        )
    )
    reserved = _reservations(item)
    found: list[tuple[tuple, Candidate]] = []
    for quant in query:
        lot = quant.lot if quant.lot_id else None
        if lot is not None and lot_problem(lot, today, min_shelf_days):
            continue
        free = quant.qty - reserved.get((quant.lot_key, quant.location_id), 0)
        if free <= 0:
            continue
        if lot is not None:
            # Earliest expiry first; lots without expiry after them, oldest lot first.
            order: tuple = (lot.expiry is None, lot.expiry or dt.date.max, lot.id)
        else:
            order = (_arrived(item, quant.location_id),)
        found.append(((*order, quant.location.path), Candidate(item, lot, quant.location, free)))
    return [c for _, c in sorted(found, key=lambda pair: pair[0])]


def _arrived(item: Item, location_id: int) -> int:
    """When stock of ITEM first came to the location, as a move id (ids grow with time)."""
    first = (
        Move.select(pw.fn.MIN(Move.id))
        .where((Move.item == item) & (Move.to_location == location_id))
        .scalar()
    )
    return first or 0
