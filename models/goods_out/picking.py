"""Picking: the pick list in walking order, and picks that move allocated stock from
its shelf to the dispatch location with the shipment number as the move's reference.

A pick of less than was allocated leaves the rest to pick later; a short pick says
that is all there is, and gives the rest of that allocation up (recorded in the
shipment's history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from backroom.models.errors import Refused
from backroom.models.goods_out.dispatch import DEFAULT_DISPATCH, dispatch_location
from backroom.models.goods_out.orders import get_shipment, sync_line
from backroom.models.goods_out.status import check_status, open_remainder, set_status, settle
from backroom.models.masterdata.adding import get_item, get_location, get_lot, log_event
from backroom.models.people.roles import acting
from backroom.models.schema import Item, Location, Lot, User
from backroom.models.schema.shipping import Allocation, Shipment, ShipmentLine
from backroom.models.stock.ledger import MoveSpec, PostedMove, lock_head, post
from backroom.models.stock.requests import at_most_once


@dataclass(frozen=True)
class PickTask:
    """One stop on the pick list: where, what, which lot, how many are still to pick."""

    location: str
    item: str
    name: str
    unit: str
    lot: str | None
    expiry: dt.date | None
    qty: int

    @property
    def text(self) -> str:
        """The stop as one short line: 'A-01 MILK lot L1 x 5'."""
        lot = f" lot {self.lot}" if self.lot else ""
        return f"{self.location} {self.item}{lot} x {self.qty}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "location": self.location,
            "item": self.item,
            "name": self.name,
            "unit": self.unit,
            "lot": self.lot,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "qty": self.qty,
        }


@dataclass(frozen=True)
class PickResult:
    """What a pick did: the move, any quantity given up as short, and what comes next."""

    shipment: str
    status: str
    move: PostedMove | None
    short: int
    next: PickTask | None
    remaining: int

    @property
    def text(self) -> str:
        """What happened, in one or two short sentences."""
        parts = []
        if self.move:
            lot = f" lot {self.move.lot}" if self.move.lot else ""
            parts.append(
                f"Picked {self.move.qty} {self.move.item}{lot} from {self.move.from_location}"
            )
        if self.short:
            parts.append(f"{self.short} short")
        parts.append(f"Next: {self.next.text}" if self.next else "Picking done")
        return ". ".join(parts)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "shipment": self.shipment,
            "status": self.status,
            "move": self.move.as_dict() if self.move else None,
            "short": self.short,
            "next": self.next.as_dict() if self.next else None,
            "remaining": self.remaining,
        }


def _open(shipment: Shipment):
    return (
        Allocation.select(Allocation, Item, Location, Lot)
        .join(ShipmentLine)
        .switch(Allocation)
        .join(Item)
        .switch(Allocation)
        .join(Location)
        .switch(Allocation)
        .join(Lot, pw.JOIN.LEFT_OUTER)
        .where((ShipmentLine.shipment == shipment) & (Allocation.qty > Allocation.picked))
        .order_by(Location.path, Item.sku, Allocation.id)
    )


def _tasks(shipment: Shipment) -> list[PickTask]:
    tasks: dict[tuple[int, int, int], PickTask] = {}
    for a in _open(shipment):
        key = (a.location_id, a.item_id, a.lot_id or 0)
        lot = a.lot if a.lot_id else None
        left = a.qty - a.picked
        if key in tasks:
            old = tasks[key]
            tasks[key] = PickTask(
                old.location, old.item, old.name, old.unit, old.lot, old.expiry, old.qty + left
            )
        else:
            tasks[key] = PickTask(
                a.location.code,
                a.item.sku,
                a.item.name,
                a.item.unit,
                lot.number if lot else None,
                lot.expiry if lot else None,
                left,
            )
    return list(tasks.values())


def pick_list(number: str) -> list[PickTask]:
    """What is still to pick for the shipment, in walking order (by location path)."""
    return _tasks(get_shipment(number))


def pick(
    number: str,
    *,
    location: str,
    item: str,
    qty: int,
    user: str,
    lot: str | None = None,
    short: bool = False,
    dispatch: str = DEFAULT_DISPATCH,
    request_id: str | None = None,
) -> PickResult:
    """Take QTY of ITEM (and LOT) from LOCATION for the shipment to dispatch.

    With short=True, QTY (zero allowed) is all there was: the rest allocated at that
    spot is given up and recorded."""
    if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0 or (qty == 0 and not short):
        raise Refused(f"Quantity must be a positive whole number, not {qty!r}")

    def _pick() -> PickResult:
        lock_head()
        who = acting(user, "pick")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("allocated", "picking"), "pick")
        here = get_location(location)
        it = get_item(item)
        allocs = _matching(shipment, here, it, lot)
        the_lot = allocs[0].lot if allocs[0].lot_id else None
        if the_lot is not None and the_lot.status in ("blocked", "recalled"):
            raise Refused(f"Lot {the_lot.number} is {the_lot.status} and cannot be picked")
        left = sum(a.qty - a.picked for a in allocs)
        what = f"{it.sku} lot {the_lot.number}" if the_lot else it.sku
        if qty > left:
            raise Refused(f"Only {left} {it.unit} of {what} are to be picked at {here.code}")
        move = _to_dispatch(shipment, it, qty, here, the_lot, dispatch, who) if qty else None
        _book(allocs, qty)
        given_up = 0
        if short and qty < left:
            given_up = left - qty
            _give_up(shipment, allocs, here=here, expected=left, found=qty, who=who)
        for line_id in {a.line_id for a in allocs}:
            sync_line(ShipmentLine.get_by_id(line_id))
        _progress(shipment, who)
        tasks = _tasks(shipment)
        return PickResult(
            shipment.number,
            shipment.status,
            move,
            given_up,
            tasks[0] if tasks else None,
            open_remainder(shipment),
        )

    asked = (number, location, item, qty, lot, short, dispatch)
    return at_most_once(request_id, "pick", asked, user, _pick)


def left_at_stop(
    number: str, location: str, item: str | None = None, lot: str | None = None
) -> int:
    """What is still to pick at LOCATION (of ITEM, of LOT) for shipment NUMBER, read as
    each is scanned; a location, item or lot that is not a stop of its pick list, or a
    lot that may not be picked, is refused with where to go instead."""
    shipment = get_shipment(number)
    here = get_location(location)
    at_spot = [a for a in _open(shipment) if a.location_id == here.id]
    if not at_spot:
        tasks = _tasks(shipment)
        hint = f": the next stop is {tasks[0].text}" if tasks else ""
        raise Refused(f"Nothing is to be picked at {here.code} for {shipment.number}{hint}")
    if item is None:
        return sum(a.qty - a.picked for a in at_spot)
    allocs = _matching(shipment, here, get_item(item), lot)
    the_lot = allocs[0].lot if allocs[0].lot_id else None
    if the_lot is not None and the_lot.status in ("blocked", "recalled"):
        raise Refused(f"Lot {the_lot.number} is {the_lot.status} and cannot be picked")
    return sum(a.qty - a.picked for a in allocs)


def _to_dispatch(
    shipment: Shipment,
    item: Item,
    qty: int,
    here: Location,
    lot: Lot | None,
    dispatch: str,
    who: User,
) -> PostedMove:
    """Post the pick move: QTY of ITEM (LOT) from HERE to the dispatch location."""
    spec = MoveSpec(
        "pick", item, qty, here, dispatch_location(dispatch), lot, reference=shipment.number
    )
    return post([spec], who)[0]


def _give_up(
    shipment: Shipment,
    allocs: list[Allocation],
    *,
    here: Location,
    expected: int,
    found: int,
    who: User,
) -> None:
    """A short pick: what is still allocated at the spot is given up, and the shortfall
    goes into the shipment's history."""
    for a in allocs:
        if a.qty != a.picked:
            Allocation.update(qty=a.picked).where(Allocation.id == a.id).execute()
    first = allocs[0]
    log_event(
        "shipment.short_pick",
        shipment.number,
        who,
        item=first.item.sku,
        lot=first.lot.number if first.lot_id else None,
        location=here.code,
        expected=expected,
        found=found,
    )
    # The shelf held less than the books say: it is counted again, as a count task
    # (models/tasks) made in this transaction.
    from backroom.models.tasks.making import ask_for_count

    log_event(
        "location.recount_requested",
        here.code,
        who,
        item=first.item.sku,
        reason=f"short pick for {shipment.number}: expected {expected}, found {found}",
    )
    ask_for_count(
        first.item, here, first.lot if first.lot_id else None, ref=shipment.number, by=who
    )


def _progress(shipment: Shipment, who: User) -> None:
    """The first pick starts picking; the last, with everything packed, makes it packed."""
    if shipment.status == "allocated":
        set_status(shipment, "picking", who)
    settle(shipment, who)


def _matching(shipment: Shipment, here: Location, item: Item, lot: str | None) -> list[Allocation]:
    """The open allocations a pick of ITEM (LOT) at HERE draws on, oldest first."""
    at_spot = [a for a in _open(shipment) if a.location_id == here.id and a.item_id == item.id]
    if lot:
        the_lot = get_lot(item, lot.strip())
        chosen = [a for a in at_spot if a.lot_id == the_lot.id]
        if not chosen and at_spot:
            wanted = sorted({a.lot.number for a in at_spot if a.lot_id})
            raise Refused(
                f"Lot {the_lot.number} is not the one allocated at {here.code}: "
                f"pick lot {' or '.join(wanted)}"
            )
    else:
        lots = {a.lot_id for a in at_spot}
        if item.tracking != "none" and len(lots) > 1:
            raise Refused(
                f"Several lots of {item.sku} are to be picked at {here.code}: scan the lot"
            )
        chosen = at_spot
    if not chosen:
        elsewhere = [a.location.code for a in _open(shipment) if a.item_id == item.id]
        hint = f": go to {elsewhere[0]}" if elsewhere else ""
        raise Refused(
            f"Nothing of {item.sku} is to be picked at {here.code} for {shipment.number}{hint}"
        )
    return sorted(chosen, key=lambda a: a.id)


def _book(allocs: list[Allocation], qty: int) -> None:
    for a in allocs:
        if qty <= 0:
            break
        take = min(qty, a.qty - a.picked)
        a.picked += take
        qty -= take
        Allocation.update(picked=a.picked).where(Allocation.id == a.id).execute()


def pick_all(
    number: str, *, user: str, dispatch: str = DEFAULT_DISPATCH, request_id: str | None = None
) -> list[PostedMove]:
    """Pick everything still on the pick list, as allocated (for scripts and desks)."""

    def _pick_all() -> list[PostedMove]:
        lock_head()
        who = acting(user, "pick")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("allocated", "picking"), "pick")
        tasks = list(_open(shipment))
        if not tasks:
            raise Refused(f"Nothing is left to pick for {shipment.number}")
        for a in tasks:
            if a.lot_id and a.lot.status in ("blocked", "recalled"):
                raise Refused(f"Lot {a.lot.number} is {a.lot.status} and cannot be picked")
        dock = dispatch_location(dispatch)
        specs = [
            MoveSpec(
                "pick",
                a.item,
                a.qty - a.picked,
                a.location,
                dock,
                a.lot if a.lot_id else None,
                reference=shipment.number,
            )
            for a in tasks
        ]
        moves = post(specs, who)
        for a in tasks:
            Allocation.update(picked=a.qty).where(Allocation.id == a.id).execute()
        for line in shipment.lines:
            sync_line(line)
        _progress(shipment, who)
        return moves

    asked = (number, dispatch)
    return at_most_once(request_id, "pick", asked, user, _pick_all)
