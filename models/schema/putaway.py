"""Directed put-away: where received stock should go (models/goods_in/putaway.py).
Rules send an item or an item category to a zone or bin, or give an item its fixed pick
face; a location may hold at most so many units or pallets."""

from __future__ import annotations

import peewee as pw

from backroom.models.schema import BaseModel, Item, Location

RULE_KINDS = ("zone", "pick_face")


class ItemCategory(BaseModel):
    """The category an item belongs to, for put-away rules ("frozen", "hazmat")."""

    item = pw.ForeignKeyField(Item, unique=True, on_delete="RESTRICT")
    category = pw.CharField(max_length=64, index=True)


class PutawayRule(BaseModel):
    """ITEM or CATEGORY goes to LOCATION: a zone (the nearest empty bin in it) or a bin;
    a pick face is an item's fixed bin. Lower SEQUENCE is tried first."""

    item = pw.ForeignKeyField(Item, null=True, on_delete="RESTRICT", index=True)
    category = pw.CharField(max_length=64, null=True, index=True)
    location = pw.ForeignKeyField(Location, on_delete="RESTRICT")
    kind = pw.CharField(max_length=16, default="zone")
    sequence = pw.IntegerField(default=10)


class LocationCapacity(BaseModel):
    """At most MAX_UNITS base units, or MAX_PALLETS pallets, at one location."""

    location = pw.ForeignKeyField(Location, unique=True, on_delete="RESTRICT")
    max_units = pw.IntegerField(null=True)
    max_pallets = pw.IntegerField(null=True)


PUTAWAY_TABLES: list[type[BaseModel]] = [ItemCategory, PutawayRule, LocationCapacity]
