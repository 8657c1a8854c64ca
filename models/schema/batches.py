"""Pick batches: the allocated lines of several shipments picked in one walk
(models/tasks/batches.py). Each shipment of a batch has its tote on the cart; each of
its stops is a pick task whose source is the batch ("batch:B-000001").

open -> picking -> done, or cancelled. A batch taken by someone (cluster picking: all
its totes on one cart) is theirs alone: the queue gives its tasks to nobody else.
"""

from __future__ import annotations

import peewee as pw

from backroom.models.schema import BaseModel, Location, User, utcnow
from backroom.models.schema.shipping import Carrier, Shipment
from backroom.models.schema.tasks import Task

BATCH_STATUSES = ("open", "picking", "done", "cancelled")
UNFINISHED = ("open", "picking")
SOURCE_PREFIX = "batch:"


class PickBatch(BaseModel):
    """A batch, numbered B-000001. How it was grouped: CARRIER, PLANNED_DATE and ZONE as
    the lead chose them (none of them: shipments chosen one by one)."""

    number = pw.CharField(max_length=32, unique=True)
    status = pw.CharField(max_length=16, default="open", index=True)
    carrier = pw.ForeignKeyField(Carrier, null=True, on_delete="RESTRICT", index=False)
    planned_date = pw.DateField(null=True)
    zone = pw.ForeignKeyField(Location, null=True, on_delete="RESTRICT", index=False)
    chosen = pw.BooleanField(default=False)  # shipments named one by one
    created_at = pw.DateTimeField(default=utcnow)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    taken_by = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    taken_at = pw.DateTimeField(null=True)
    done_at = pw.DateTimeField(null=True)
    reason = pw.TextField(null=True)  # why it was cancelled

    @property
    def source(self) -> str:
        """The source its pick tasks carry."""
        return SOURCE_PREFIX + self.number


class BatchShipment(BaseModel):
    """A shipment of a batch, and the tote it is picked into: POSITION on the cart (1..n)
    and TOTE, "T1".."Tn" or the code of the tote scanned at the start."""

    batch = pw.ForeignKeyField(PickBatch, backref="shipments", on_delete="RESTRICT")
    shipment = pw.ForeignKeyField(Shipment, on_delete="RESTRICT", index=True)
    position = pw.IntegerField()
    tote = pw.CharField(max_length=64)

    class Meta:
        indexes = (
            (("batch", "position"), True),
            (("batch", "shipment"), True),
        )


def kept_from(user: User) -> pw.Expression:
    """SQL on Task: not a task of a batch someone other than USER has taken (a cluster
    picker's cart is theirs alone, even while a task of it is back in the queue)."""
    others = PickBatch.select(pw.Value(SOURCE_PREFIX).concat(PickBatch.number)).where(
        PickBatch.status.in_(UNFINISHED)
        & PickBatch.taken_by.is_null(False)
        & (PickBatch.taken_by != user.id)
    )
    return Task.source.not_in(others)


BATCH_TABLES: list[type[BaseModel]] = [PickBatch, BatchShipment]
