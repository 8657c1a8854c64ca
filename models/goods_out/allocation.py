"""Allocation: reserving stock for a shipment's lines.

Lot items go first-expiry-first-out, skipping lots that are not released, expired, or
too close to expiry for the consignee; other items first-in-first-out by when the
stock arrived at its location. Reserved stock is what open allocations hold
(allocated and not yet picked); what is free at an item/lot/location is the quant
less that. Allocating takes the ledger-head lock first, so two sessions allocating at
once, or one allocating while another posts, never promise the same units twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from backroom.models.db import run_write
from backroom.models.errors import Refused
from backroom.models.goods_out.dispatch import DEFAULT_DISPATCH
from backroom.models.goods_out.free_stock import Candidate, candidates, lot_problem
from backroom.models.goods_out.orders import get_shipment, sync_line
from backroom.models.goods_out.status import check_status, set_status
from backroom.models.masterdata.adding import find_lot, get_item, get_location, log_event
from backroom.models.people.roles import acting, require
from backroom.models.rules.tracking import check_lot_given
from backroom.models.schema import Item, Location, Lot, Quant
from backroom.models.schema.shipping import Allocation, Shipment, ShipmentLine
from backroom.models.stock.ledger import lock_head


@dataclass(frozen=True)
class Reserved:
    """Stock reserved by one allocation step."""

    item: str
    lot: str | None
    expiry: dt.date | None
    location: str
    qty: int

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "item": self.item,
            "lot": self.lot,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "location": self.location,
            "qty": self.qty,
        }


@dataclass(frozen=True)
class Shortage:
    """What a line still lacks after allocation."""

    item: str
    ordered: int
    allocated: int

    @property
    def missing(self) -> int:
        return self.ordered - self.allocated

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "item": self.item,
            "ordered": self.ordered,
            "allocated": self.allocated,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class AllocationResult:
    """What one allocation run reserved and what it could not find."""

    shipment: str
    status: str
    reserved: tuple[Reserved, ...]
    short: tuple[Shortage, ...]

    @property
    def complete(self) -> bool:
        return not self.short

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "shipment": self.shipment,
            "status": self.status,
            "complete": self.complete,
            "reserved": [r.as_dict() for r in self.reserved],
            "short": [s.as_dict() for s in self.short],
        }


def reserved_qty(item_id: int, lot_id: int | None, location_id: int) -> int:
    """Units of the item/lot at the location held by open allocations."""
    query = Allocation.select(
        pw.fn.COALESCE(pw.fn.SUM(Allocation.qty - Allocation.picked), 0)
    ).where(
        (Allocation.item == item_id)
        & (Allocation.location == location_id)
        & (Allocation.qty > Allocation.picked)
    )
    query = query.where(Allocation.lot.is_null() if lot_id is None else Allocation.lot == lot_id)
    return int(query.scalar() or 0)


def _reserve(line: ShipmentLine, cand: Candidate, qty: int) -> Reserved:
    Allocation.create(
        line=line, item=cand.item, lot=cand.lot, location=cand.location, qty=qty, picked=0
    )
    lot = cand.lot
    return Reserved(
        cand.item.sku,
        lot.number if lot else None,
        lot.expiry if lot else None,
        cand.location.code,
        qty,
    )


def allocate(
    number: str,
    *,
    user: str,
    today: dt.date | None = None,
    dispatch: str = DEFAULT_DISPATCH,
) -> AllocationResult:
    """Reserve stock for every line of the shipment that is not fully allocated yet.

    Takes what there is when stock is short: the result lists the shortages, and
    allocating again later tops the lines up."""

    def _allocate() -> AllocationResult:
        lock_head()
        who = acting(user, "shipment")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("draft", "allocated"), "allocate")
        day = today or dt.date.today()
        min_days = shipment.consignee.min_shelf_life_days
        reserved: list[Reserved] = []
        short: list[Shortage] = []
        lines = shipment.lines.join(Item).order_by(ShipmentLine.id)
        for line in lines:
            need = line.qty_ordered - line.qty_allocated
            for cand in candidates(
                line.item, today=day, min_shelf_days=min_days, dispatch=dispatch
            ):
                if need <= 0:
                    break
                take = min(need, cand.free)
                reserved.append(_reserve(line, cand, take))
                need -= take
            sync_line(line)
            if line.qty_allocated < line.qty_ordered:
                short.append(Shortage(line.item.sku, line.qty_ordered, line.qty_allocated))
        if reserved:
            log_event(
                "shipment.allocate",
                shipment.number,
                who,
                reserved=[r.as_dict() for r in reserved],
                short=[s.as_dict() for s in short] or None,
            )
        if any(line.qty_allocated for line in shipment.lines):
            set_status(shipment, "allocated", who)
        return AllocationResult(shipment.number, shipment.status, tuple(reserved), tuple(short))

    return run_write(_allocate)


def allocate_lot(
    number: str,
    item: str,
    qty: int,
    *,
    lot: str | None,
    location: str,
    user: str,
    today: dt.date | None = None,
) -> AllocationResult:
    """A lead's choice: reserve QTY of ITEM from LOT at LOCATION for the shipment,
    whatever order FEFO would take. The lot must still be fit to ship."""
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise Refused(f"Quantity must be a positive whole number, not {qty!r}")

    def _allocate() -> AllocationResult:
        lock_head()
        who = acting(user, "shipment")
        require(who, "shipment", doing="choosing lots by hand")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("draft", "allocated"), "allocate")
        it = get_item(item)
        line = _line(shipment, it)
        the_lot = find_lot(lot, it.sku) if lot else None
        check_lot_given(it, the_lot)
        day = today or dt.date.today()
        if the_lot is not None:
            problem = lot_problem(the_lot, day, shipment.consignee.min_shelf_life_days)
            if problem:
                raise Refused(problem)
        where = get_location(location)
        if not where.is_internal or where.quarantine or not where.active:
            raise Refused(f"{where.code} is not a shelf stock can be allocated from")
        free = _free(it, the_lot, where)
        if qty > free:
            what = f"{it.sku} lot {the_lot.number}" if the_lot else it.sku
            raise Refused(f"Only {free} {it.unit} of {what} at {where.code} are free; not {qty}")
        open_qty = line.qty_ordered - line.qty_allocated
        if qty > open_qty:
            raise Refused(
                f"Line {it.sku} needs {open_qty} more {it.unit}, not {qty}: add to the line first"
            )
        got = _reserve(line, Candidate(it, the_lot, where, free), qty)
        sync_line(line)
        log_event("shipment.allocate", shipment.number, who, reserved=[got.as_dict()], manual=True)
        set_status(shipment, "allocated", who)
        short = tuple(
            Shortage(li.item.sku, li.qty_ordered, li.qty_allocated)
            for li in shipment.lines
            if li.qty_allocated < li.qty_ordered
        )
        return AllocationResult(shipment.number, shipment.status, (got,), short)

    return run_write(_allocate)


def _line(shipment: Shipment, item: Item) -> ShipmentLine:
    line = ShipmentLine.get_or_none(
        (ShipmentLine.shipment == shipment) & (ShipmentLine.item == item)
    )
    if line is None:
        raise Refused(f"Shipment {shipment.number} has no line for {item.sku}")
    return line


def _free(item: Item, lot: Lot | None, location: Location) -> int:
    quant = Quant.get_or_none(
        (Quant.item == item)
        & (Quant.lot_key == (lot.id if lot else 0))
        & (Quant.location == location)
    )
    have = quant.qty if quant else 0
    return have - reserved_qty(item.id, lot.id if lot else None, location.id)
