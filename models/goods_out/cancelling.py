"""Cancelling a shipment that has not left: its allocation is released, picked stock goes
from dispatch back to a place in the warehouse, and its parcels are unpacked.

One write transaction that fully happens or raises a DomainError; the cancellation goes to
the event log with the user, the reason and what came back.
"""

from __future__ import annotations

from backroom.models.errors import Refused
from backroom.models.goods_out.dispatch import DEFAULT_DISPATCH, dispatch_location
from backroom.models.goods_out.orders import get_shipment, sync_line
from backroom.models.goods_out.status import (
    allocations_of,
    check_status,
    open_remainder,
    set_status,
)
from backroom.models.masterdata.adding import get_location
from backroom.models.people.roles import acting
from backroom.models.rules.text import REASON_MOST, check_text
from backroom.models.schema import Item, Lot, User
from backroom.models.schema.shipping import Allocation, Parcel, ParcelContent, Shipment
from backroom.models.stock.ledger import MoveSpec, lock_head, post
from backroom.models.stock.requests import at_most_once


def cancel(
    number: str,
    *,
    user: str,
    return_to: str | None = None,
    reason: str = "",
    dispatch: str = DEFAULT_DISPATCH,
    request_id: str | None = None,
) -> list[str]:
    """Cancel a shipment that has not left: release its allocation and take picked
    stock from dispatch back to RETURN_TO. Returns what was done, line by line."""
    check_text(reason, "The reason", max_length=REASON_MOST)

    def _cancel() -> list[str]:
        lock_head()
        who = acting(user, "shipment")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("draft", "allocated", "picking", "packed"), "cancel it")
        picked = _picked_stock(shipment)
        done = _return_picked(shipment, picked, return_to, dispatch, who) if picked else []
        done += _release_allocation(shipment)
        ssccs = _unpack_parcels(shipment)
        if ssccs:
            done.append(f"unpacked {len(ssccs)} parcels")
        set_status(
            shipment,
            "cancelled",
            who,
            reason=reason.strip() or None,
            returned_to=return_to if picked else None,
            parcels=ssccs or None,
        )
        return done

    asked = (number, return_to, reason, dispatch)
    return at_most_once(request_id, "cancel", asked, user, _cancel)


def _picked_stock(shipment: Shipment) -> list[tuple[Item, Lot | None, int]]:
    """What was picked for SHIPMENT and still waits at dispatch, per item and lot."""
    totals: dict[tuple[int, int], list] = {}
    for alloc in allocations_of(shipment):
        if alloc.picked:
            key = (alloc.item_id, alloc.lot_id or 0)
            entry = totals.setdefault(key, [alloc.item, alloc.lot, 0])
            entry[2] += alloc.picked
    return [(item, lot, qty) for item, lot, qty in totals.values()]


def _return_picked(
    shipment: Shipment,
    picked: list[tuple[Item, Lot | None, int]],
    return_to: str | None,
    dispatch: str,
    who: User,
) -> list[str]:
    """Move the PICKED stock from dispatch back to RETURN_TO, which must be a place in
    the warehouse; returns what went back, line by line."""
    if not return_to:
        total = sum(qty for _, _, qty in picked)
        raise Refused(
            f"{total} picked units of {shipment.number} wait at dispatch: say where they go back to"
        )
    back = get_location(return_to)
    if not back.is_internal:
        raise Refused(f"{back.code} is a {back.kind} location, not a place in the warehouse")
    dock = dispatch_location(dispatch)
    specs = [
        MoveSpec(
            "transfer",
            item,
            qty,
            dock,
            back,
            lot,
            reference=shipment.number,
            note=f"shipment {shipment.number} cancelled",
        )
        for item, lot, qty in picked
    ]
    done = []
    for move in post(specs, who):
        lot_text = f" lot {move.lot}" if move.lot else ""
        done.append(f"returned {move.qty} {move.item}{lot_text} to {back.code}")
    return done


def _release_allocation(shipment: Shipment) -> list[str]:
    """Give up what is allocated and not picked, so the stock is free again."""
    released = open_remainder(shipment)
    for alloc in allocations_of(shipment):
        if alloc.qty != alloc.picked:
            Allocation.update(qty=alloc.picked).where(Allocation.id == alloc.id).execute()
    for line in shipment.lines:
        sync_line(line)
    return [f"released {released} allocated units"] if released else []


def _unpack_parcels(shipment: Shipment) -> list[str]:
    """Delete the shipment's parcels and what they held; returns their SSCCs."""
    ssccs = [p.sscc for p in shipment.parcels]
    if ssccs:
        ParcelContent.delete().where(
            ParcelContent.parcel.in_([p.id for p in shipment.parcels])
        ).execute()
        Parcel.delete().where(Parcel.shipment == shipment).execute()
    return ssccs
