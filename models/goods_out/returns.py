"""Customer returns: stock coming back from a customer is received into quarantine,
against the original shipment or the consignee, so that it shows in the trace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import get_item, get_location, get_lot, set_lot_status
from backroom.models.people.roles import acting
from backroom.models.rules.tracking import check_lot_given
from backroom.models.schema import Item, Location, Lot, Move
from backroom.models.schema.shipping import Consignee, Shipment
from backroom.models.stock.ledger import MoveSpec, PostedMove, post
from backroom.models.stock.requests import at_most_once
from backroom.models.trace.walk import RETURNED_BY


@dataclass(frozen=True)
class ReturnResult:
    """A posted return: the move, whom it came from, and the lot's status now."""

    move: PostedMove
    shipment: str | None
    consignee: str
    lot_status: str | None

    def as_dict(self) -> dict[str, object]:
        """The JSON form scripts rely on."""
        return {
            **self.move.as_dict(),
            "shipment": self.shipment,
            "consignee": self.consignee,
            "lot_status": self.lot_status,
        }


def _customer() -> Location:
    loc = Location.select().where(Location.kind == "customer").order_by(Location.id).first()
    if loc is None:
        raise NotFound("No customer location: run 'backroom init'")
    return loc


def _shipped_on(shipment: str, item: Item, lot: Lot | None) -> int:
    """How much of ITEM (LOT) went to a customer on SHIPMENT, less what came back
    against it already. A plain move to the customer location counts, as in the trace."""
    to_loc, from_loc = Location.alias("to_loc"), Location.alias("from_loc")
    moves = (
        Move.select(to_loc.kind, Move.qty)
        .join(to_loc, on=(Move.to_location == to_loc.id))
        .switch(Move)
        .join(from_loc, on=(Move.from_location == from_loc.id))
        .where(
            (Move.reference == shipment)
            & (Move.item == item.id)
            & ((Move.lot == lot.id) if lot else Move.lot.is_null())
            & (Move.kind != "reversal")
            & ((to_loc.kind == "customer") | (from_loc.kind == "customer"))
        )
    )
    return sum(qty if kind == "customer" else -qty for kind, qty in moves.tuples())


def receive_return(
    item: str,
    qty: int,
    to: str,
    *,
    user: str,
    lot: str | None = None,
    shipment: str | None = None,
    consignee: str | None = None,
    note: str | None = None,
    at: dt.datetime | None = None,
    request_id: str | None = None,
) -> ReturnResult:
    """Receive QTY of ITEM (LOT) back from a customer into quarantine location TO,
    against SHIPMENT (the number it left on) or CONSIGNEE. A released lot goes to
    quarantine until someone has looked at what came back."""
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise Refused(f"Quantity must be a positive whole number, not {qty!r}")
    if bool(shipment) == bool(consignee):
        raise Refused("Name the shipment the goods left on, or else the consignee: one of them")

    def _return() -> ReturnResult:
        who = acting(user, "return")
        it = get_item(item)
        dest = get_location(to)
        if not (dest.is_internal and dest.quarantine):
            raise Refused(f"Returns go into a quarantine location, and {dest.code} is not one")
        check_lot_given(it, lot, missing="give the lot that came back")
        the_lot = get_lot(it, lot.strip()) if lot and it.tracking != "none" else None
        ref, partner, text = _returned_by(shipment, consignee, it, the_lot, qty, note)
        spec = MoveSpec("return", it, qty, _customer(), dest, the_lot, reference=ref, note=text)
        move = post([spec], who, at)[0]
        status = the_lot.status if the_lot else None
        if the_lot is not None and the_lot.status == "released":
            reason = f"returned by {partner}" + (f" on {ref}" if ref else "")
            status = set_lot_status(the_lot, "quarantine", reason, by=who).status
        return ReturnResult(move, ref, partner, status)

    asked = (item, qty, to, lot, shipment, consignee, note, at)
    return at_most_once(request_id, "return", asked, user, _return)


def _returned_by(
    shipment: str | None,
    consignee: str | None,
    item: Item,
    lot: Lot | None,
    qty: int,
    note: str | None,
) -> tuple[str | None, str, str | None]:
    """Whom the goods came back from, as (reference, consignee name, move note).

    Against a shipment, no more can come back than it took; without one, the note
    names the consignee, so the trace finds it."""
    if shipment:
        ship = Shipment.get_or_none(Shipment.number == shipment.strip())
        if ship is None:
            raise NotFound(f"Unknown shipment {shipment!r}")
        left = _shipped_on(ship.number, item, lot)
        if left < qty:
            what = f"{item.sku} lot {lot.number}" if lot else item.sku
            raise Refused(
                f"Shipment {ship.number} took {left} {item.unit} of {what} that have not "
                f"come back; cannot return {qty}"
            )
        return ship.number, ship.consignee.name, note
    who_sent = Consignee.get_or_none(Consignee.name == consignee.strip())
    if who_sent is None:
        raise NotFound(f"Unknown consignee {consignee!r}")
    partner = who_sent.name
    return None, partner, f"{RETURNED_BY}{partner}" + (f": {note}" if note else "")
