"""Cycle counting: count plans, the ABC class of each item, the counts done, and the
counts held for a lead because they differ too much from the books
(models/counting/)."""

from __future__ import annotations

import peewee as pw

from backroom.models.schema import BaseModel, Item, Location, Lot, User, utcnow

COUNT_METHODS = ("abc", "every_location")
ABC_CLASSES = ("A", "B", "C")
VARIANCE_STATUSES = ("held", "approved", "rejected")


class CountPlan(BaseModel):
    """What to count how often: by ABC class (A every DAYS_A days, ...) or every
    location once per PERIOD_DAYS; in ZONE (a location and all below it) or the site."""

    name = pw.CharField(max_length=64, unique=True)
    method = pw.CharField(max_length=16, default="abc")
    days_a = pw.IntegerField(default=7)
    days_b = pw.IntegerField(default=30)
    days_c = pw.IntegerField(default=90)
    period_days = pw.IntegerField(null=True)  # every_location only
    zone = pw.ForeignKeyField(Location, null=True, on_delete="RESTRICT")
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)


class ItemClass(BaseModel):
    """An item's ABC class, from its picks in the WINDOW_DAYS before COMPUTED_AT."""

    item = pw.ForeignKeyField(Item, unique=True, on_delete="RESTRICT")
    abc = pw.CharField(max_length=1)
    computed_at = pw.DateTimeField(default=utcnow)
    window_days = pw.IntegerField(default=90)
    picks = pw.IntegerField(default=0)  # pick moves in the window
    units = pw.BigIntegerField(default=0)  # base units picked in the window
    value = pw.BigIntegerField(null=True)  # units x unit value, once items carry a value


class CountVariance(BaseModel):
    """A count that differed from the books by more than the tolerance: held, nothing
    posted, until a lead approves it (the count is posted: MOVE_ID) or rejects it."""

    location = pw.ForeignKeyField(Location, on_delete="RESTRICT")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    lot = pw.ForeignKeyField(Lot, null=True, on_delete="RESTRICT")
    expected = pw.IntegerField()
    counted = pw.IntegerField()
    counted_by = pw.ForeignKeyField(User, on_delete="RESTRICT")
    counted_at = pw.DateTimeField(default=utcnow)
    plan = pw.ForeignKeyField(CountPlan, null=True, on_delete="RESTRICT")
    abc = pw.CharField(max_length=1, null=True)
    status = pw.CharField(max_length=16, default="held", index=True)
    decided_by = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    decided_at = pw.DateTimeField(null=True)
    note = pw.CharField(max_length=200, null=True)
    move_id = pw.IntegerField(null=True)


class CountRecord(BaseModel):
    """One count that was posted (within tolerance, or approved): what the accuracy
    report reads. WITHIN says whether it was within the tolerance when counted. No
    ITEM: a bin checked and found empty, as the books said."""

    location = pw.ForeignKeyField(Location, on_delete="RESTRICT")
    item = pw.ForeignKeyField(Item, null=True, on_delete="RESTRICT")
    lot = pw.ForeignKeyField(Lot, null=True, on_delete="RESTRICT")
    expected = pw.IntegerField()
    counted = pw.IntegerField()
    counted_by = pw.ForeignKeyField(User, on_delete="RESTRICT")
    counted_at = pw.DateTimeField(default=utcnow, index=True)
    plan = pw.ForeignKeyField(CountPlan, null=True, on_delete="RESTRICT")
    abc = pw.CharField(max_length=1, null=True)
    within = pw.BooleanField(default=True)
    variance = pw.ForeignKeyField(CountVariance, null=True, on_delete="RESTRICT")
    move_id = pw.IntegerField(null=True)

    class Meta:
        indexes = ((("location", "item", "counted_at"), False),)


class CountRun(BaseModel):
    """The counts a plan handed out for one day: `cycle generate` runs once a day."""

    plan = pw.ForeignKeyField(CountPlan, on_delete="RESTRICT")
    day = pw.DateField()
    handed = pw.IntegerField(default=0)
    at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("plan", "day"), True),)


COUNTING_TABLES: list[type[BaseModel]] = [
    CountPlan,
    ItemClass,
    CountVariance,
    CountRecord,
    CountRun,
]
