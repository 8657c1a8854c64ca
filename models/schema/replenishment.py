"""Replenishment of pick faces (models/replenishment.py): the bins items are picked from,
each with the least and the most it should hold, in the item's base units.

A pick face here stands beside the put-away rule of kind "pick_face"
(models/schema/putaway.py): that rule says where received stock goes, under the put-away
rules' sequence; this row says how full a bin must be kept for picking. Reserve stock is
never taken from a location that either of them names as a pick face.
"""

from __future__ import annotations

import peewee as pw

from backroom.models.schema import BaseModel, Item, Location


class PickFace(BaseModel):
    """ITEM is picked from LOCATION, which is filled up to MAX_QTY once it holds (free,
    not allocated to shipments) less than MIN_QTY."""

    item = pw.ForeignKeyField(Item, on_delete="RESTRICT", index=False)
    location = pw.ForeignKeyField(Location, on_delete="RESTRICT")
    min_qty = pw.IntegerField()
    max_qty = pw.IntegerField()

    class Meta:
        indexes = ((("item", "location"), True),)
        constraints = (pw.SQL('CHECK ("min_qty" >= 0 AND "min_qty" < "max_qty")'),)


REPLENISHMENT_TABLES: list[type[BaseModel]] = [PickFace]
