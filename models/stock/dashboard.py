"""Today's figures for a lead, read in a few indexed queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn

from backroom.models.browse import first_move_since
from backroom.models.schema import Location, Lot, Move, Quant, utcnow


@dataclass(frozen=True)
class Figures:
    receipts_today: int
    shipments_today: int
    open_picks: int  # allocation lines of open shipments not yet fully picked
    lots_expiring_30d: int
    quarantine_qty: int
    moves_per_day: list[int]  # oldest first, today last


def figures(days: int = 14, today: dt.date | None = None) -> Figures:
    """Receipts and shipments today, open picks, lots expiring soon, stock in quarantine,
    and moves per day over the last DAYS days."""
    today = today or utcnow().date()
    midnight = dt.datetime.combine(today, dt.time())
    first_today = first_move_since(midnight)
    receipts = shipments = 0
    if first_today is not None:
        receipts = Move.select().where((Move.id >= first_today) & (Move.kind == "receipt")).count()
        shipments = (
            Move.select(fn.COUNT(fn.DISTINCT(Move.reference)))
            .where((Move.id >= first_today) & (Move.kind == "ship"))
            .scalar()
            or 0
        )
    in_stock = Quant.select(Quant.lot_key).where((Quant.qty > 0) & (Quant.lot_key > 0))
    expiring = (
        Lot.select()
        .where(Lot.expiry.between(today, today + dt.timedelta(days=30)))
        .where(Lot.id.in_(in_stock))
        .count()
    )
    quarantined = (
        Quant.select(fn.COALESCE(fn.SUM(Quant.qty), 0))
        .join(Location, on=(Quant.location == Location.id))
        .switch(Quant)
        .join(Lot, on=(Quant.lot == Lot.id), join_type=JOIN.LEFT_OUTER)
        .where((Quant.qty > 0) & (Location.kind == "internal"))
        .where(Location.quarantine | (Lot.status != "released"))
        .scalar()
    )
    per_day = []
    for back in range(days - 1, -1, -1):
        day = midnight - dt.timedelta(days=back)
        start = first_move_since(day)
        end = first_move_since(day + dt.timedelta(days=1))
        if start is None:
            per_day.append(0)
        else:
            last = end if end is not None else (Move.select(fn.MAX(Move.id)).scalar() + 1)
            per_day.append(last - start)
    return Figures(receipts, shipments, _open_picks(), expiring, int(quarantined or 0), per_day)


def _open_picks() -> int:
    """Allocations still to pick on shipments that are allocated or being picked."""
    from backroom.models.schema.shipping import Allocation, Shipment, ShipmentLine

    return (
        Allocation.select()
        .join(ShipmentLine)
        .join(Shipment)
        .where(Shipment.status.in_(("allocated", "picking")) & (Allocation.picked < Allocation.qty))
        .count()
    )
