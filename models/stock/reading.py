"""Reading stock: quantities on hand and the ledger, one page at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, ModelSelect

from backroom.models.masterdata.adding import find_lot, get_item, get_location
from backroom.models.schema import Item, Location, Lot, Move, Quant, User
from backroom.models.stock.ledger import PostedMove

LocationFrom = Location.alias("from_loc")
LocationTo = Location.alias("to_loc")


@dataclass(frozen=True)
class StockRow:
    """A quantity on hand: item, lot, location."""

    item: str
    item_name: str
    unit: str
    lot: str | None
    expiry: dt.date | None
    lot_status: str | None
    location: str
    qty: int

    def as_dict(self) -> dict[str, object]:
        return {
            "item": self.item,
            "name": self.item_name,
            "unit": self.unit,
            "lot": self.lot,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "status": self.lot_status,
            "location": self.location,
            "qty": self.qty,
        }


def stock(
    *,
    item: str | None = None,
    location: str | None = None,
    lot: str | None = None,
    include_virtual: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[StockRow]:
    """Quantities on hand (non-zero), filtered; internal locations unless asked otherwise."""
    query = (
        Quant.select(
            Quant.qty,
            Item.sku,
            Item.name,
            Item.unit,
            Lot.number,
            Lot.expiry,
            Lot.status,
            Location.code,
        )
        .join(Item, on=(Quant.item == Item.id))
        .switch(Quant)
        .join(Location, on=(Quant.location == Location.id))
        .switch(Quant)
        .join(Lot, join_type=JOIN.LEFT_OUTER, on=(Quant.lot == Lot.id))
        .where(Quant.qty != 0)
    )
    if not include_virtual:
        query = query.where(Location.kind == "internal")
    if item:
        query = query.where(Quant.item == get_item(item).id)
    if location:
        loc = get_location(location)
        query = query.where(Location.under(loc))
    if lot:
        the_lot = find_lot(lot, item)
        query = query.where(Quant.lot_key == the_lot.id)
    query = query.order_by(Item.sku, Lot.number, Location.path).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [
        StockRow(sku, name, unit, number, expiry, status, code, qty)
        for qty, sku, name, unit, number, expiry, status, code in query.tuples()
    ]


def on_hand(item: str, *, location: str | None = None, lot: str | None = None) -> int:
    """Total quantity of ITEM in internal locations (under LOCATION, of LOT)."""
    return sum(r.qty for r in stock(item=item, location=location, lot=lot))


# The columns of a PostedMove, in its field order.
POSTED_MOVE_COLUMNS = (
    Move.id,
    Move.time,
    Move.kind,
    Item.sku,
    Lot.number,
    Move.qty,
    LocationFrom.code,
    LocationTo.code,
    User.name,
    Move.reference,
    Move.note,
    Move.reverses_id,
    Move.hash,
)


def moves_with_places(*columns) -> ModelSelect:
    """Moves joined to their item, lot (if any) and both locations (LocationFrom,
    LocationTo), selecting COLUMNS; join User yourself where a column needs it."""
    return (
        Move.select(*columns)
        .join(Item, on=(Move.item == Item.id))
        .switch(Move)
        .join(Lot, join_type=JOIN.LEFT_OUTER, on=(Move.lot == Lot.id))
        .switch(Move)
        .join(LocationFrom, on=(Move.from_location == LocationFrom.id))
        .switch(Move)
        .join(LocationTo, on=(Move.to_location == LocationTo.id))
    )


def moves(
    *,
    item: str | None = None,
    lot: str | None = None,
    location: str | None = None,
    user: str | None = None,
    kind: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[PostedMove]:
    """The ledger, newest first, filtered; page with before_id."""
    query = (
        moves_with_places(*POSTED_MOVE_COLUMNS).switch(Move).join(User, on=(Move.user == User.id))
    )
    if item:
        query = query.where(Move.item == get_item(item).id)
    if lot:
        query = query.where(Move.lot == find_lot(lot, item).id)
    if location:
        loc = get_location(location)
        query = query.where((Move.from_location == loc.id) | (Move.to_location == loc.id))
    if user:
        query = query.where(User.name == user)
    if kind:
        query = query.where(Move.kind == kind)
    if before_id is not None:
        query = query.where(Move.id < before_id)
    query = query.order_by(Move.id.desc()).limit(limit)
    return [PostedMove(*row) for row in query.tuples()]
