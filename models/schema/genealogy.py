"""Tables of the lot genealogy: transformations (production, repack, kitting) and their
lines, which lots went in and which came out, each line tied to its ledger move."""

from __future__ import annotations

import peewee as pw

from backroom.models.schema import AppendOnlyModel, BaseModel, Item, Location, Lot, Move, User

TRANSFORMATION_KINDS = ("production", "repack", "kitting")
DIRECTIONS = ("in", "out")


class Transformation(AppendOnlyModel):
    """Inputs consumed and outputs produced at one location, in one transaction."""

    kind = pw.CharField(max_length=16, default="production")
    time = pw.DateTimeField(index=True)
    user = pw.ForeignKeyField(User, on_delete="RESTRICT")
    location = pw.ForeignKeyField(Location, on_delete="RESTRICT")
    reference = pw.CharField(max_length=64, null=True, index=True)  # work order, if any
    note = pw.TextField(null=True)


class TransformationLine(AppendOnlyModel):
    """QTY of ITEM (LOT) that went into ("in") or came out of ("out") a transformation."""

    transformation = pw.ForeignKeyField(
        Transformation, backref="lines", on_delete="RESTRICT", index=False
    )
    direction = pw.CharField(max_length=3)
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT", index=False)
    lot = pw.ForeignKeyField(Lot, null=True, on_delete="RESTRICT", index=False)
    qty = pw.IntegerField()
    move = pw.ForeignKeyField(Move, on_delete="RESTRICT", unique=True)

    class Meta:
        # The trace walks lot -> transformations it went into (or came out of), and
        # transformation -> its other side; both lead from an index.
        indexes = (
            (("lot", "direction"), False),
            (("transformation", "direction"), False),
        )


GENEALOGY_TABLES: list[type[BaseModel]] = [Transformation, TransformationLine]
