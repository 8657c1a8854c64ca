"""The packaging levels of an item: inner pack, case, pallet, each a whole number of the
item's base unit, with the GTIN printed on that level (models/masterdata/packaging.py)."""

from __future__ import annotations

import peewee as pw

from backroom.models.schema import BaseModel, Item


class Packaging(BaseModel):
    """One level: NAME ("cs") holds QTY base units of ITEM; GTIN-14 when it has one.
    A GTIN is unique across items and levels; the models check the items' side."""

    item = pw.ForeignKeyField(Item, backref="packaging", on_delete="RESTRICT", index=False)
    name = pw.CharField(max_length=16)  # lower case, as the person types it
    qty = pw.IntegerField()
    gtin = pw.CharField(max_length=14, null=True, unique=True)

    class Meta:
        indexes = ((("item", "name"), True),)


PACKAGING_TABLES: list[type[BaseModel]] = [Packaging]
