"""Checks a floor form makes the moment a value arrives, before anything is posted:
the same rules the ledger enforces at posting, asked early so that the person hears
of a wrong quantity at the quantity, not five fields later. Posting checks again."""

from __future__ import annotations

from backroom.models.errors import Refused
from backroom.models.masterdata.adding import get_item, get_location, lot_or_none
from backroom.models.schema import Quant


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
