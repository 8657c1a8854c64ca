"""The tables. Operations live in their own modules; this file only says what is stored."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from backroom.models.db import db
from backroom.models.errors import Refused

TRACKING = ("none", "lot", "serial")
LOCATION_KINDS = (
    "internal",
    "supplier",
    "customer",
    "adjustment",
    "scrap",
    "production",
    "transit",
)
LOT_STATUSES = ("released", "quarantine", "blocked", "recalled")
ROLES = ("operator", "lead", "admin")
MOVE_KINDS = (
    "receipt",
    "transfer",
    "pick",
    "ship",
    "adjust",
    "count",
    "scrap",
    "consume",
    "produce",
    "return",
    "reversal",
)
# Hash of the (empty) ledger before the first move.
GENESIS_HASH = "0" * 64


def utcnow() -> dt.datetime:
    """Now in UTC, naive, as every time in the database is stored."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False


class AppendOnlyModel(BaseModel):
    """Rows are inserted, never updated or deleted. Database triggers
    (models/migrations.py) catch whatever bypasses the models."""

    @classmethod
    def _refuse(cls, *_args, **_kwargs):
        raise Refused(f"{cls.__name__} records are append-only: post a reversal instead")

    update = _refuse  # type: ignore[assignment]
    delete = _refuse  # type: ignore[assignment]
    replace = _refuse  # type: ignore[assignment]

    def delete_instance(self, *args, **kwargs):
        return self._refuse()

    def save(self, force_insert=False, only=None):
        if not force_insert:
            return self._refuse()
        return super().save(force_insert=True, only=only)


class SchemaVersion(BaseModel):
    version = pw.IntegerField()


class User(BaseModel):
    name = pw.CharField(max_length=64, unique=True)
    role = pw.CharField(max_length=16, default="operator")
    active = pw.BooleanField(default=True)
    pin_hash = pw.CharField(max_length=255, null=True)
    badge = pw.CharField(max_length=64, null=True, unique=True)  # a hash of the badge token
    created_at = pw.DateTimeField(default=utcnow)
    # Wrong PINs since the last good login, counted until pin_failures_until; at the limit
    # the name is locked until then (schema v7, models/people/users.py).
    pin_failures = pw.IntegerField(default=0)
    pin_failures_until = pw.DateTimeField(null=True)
    pin_digits = pw.SmallIntegerField(null=True)  # None: the PIN was set before v7


class Location(BaseModel):
    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=200, default="")
    parent = pw.ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    kind = pw.CharField(max_length=16, default="internal")
    # Quarantine areas are internal locations where blocked and recalled lots may go.
    quarantine = pw.BooleanField(default=False)
    active = pw.BooleanField(default=True)
    # Codes from the root down, joined by '/': the walking order of pick lists.
    path = pw.CharField(max_length=1000, index=True)

    @property
    def is_internal(self) -> bool:
        return self.kind == "internal"

    @classmethod
    def under(cls, top: Location) -> pw.Expression:
        """TOP and every location below it. Compares the path exactly: peewee's
        startswith is a LIKE, case-insensitive on SQLite, so 'A' would take in 'a'."""
        prefix = top.path + "/"
        return (cls.id == top.id) | (pw.fn.SUBSTR(cls.path, 1, len(prefix)) == prefix)


class Item(BaseModel):
    sku = pw.CharField(max_length=64, unique=True)
    # GTIN-14, zero-padded: every GTIN-8/12/13 is stored in its 14-digit form.
    gtin = pw.CharField(max_length=14, null=True, unique=True)
    name = pw.CharField(max_length=200)
    unit = pw.CharField(max_length=16, default="pcs")
    tracking = pw.CharField(max_length=8, default="none")
    shelf_life_days = pw.IntegerField(null=True)
    active = pw.BooleanField(default=True)


class Lot(BaseModel):
    item = pw.ForeignKeyField(Item, backref="lots", on_delete="RESTRICT")
    number = pw.CharField(max_length=64)
    expiry = pw.DateField(null=True, index=True)
    production_date = pw.DateField(null=True)
    supplier = pw.ForeignKeyField(Location, null=True, on_delete="RESTRICT")
    supplier_lot = pw.CharField(max_length=64, null=True)
    status = pw.CharField(max_length=16, default="released", index=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("item", "number"), True),)


class LedgerHead(BaseModel):
    """One row: the last move's and the last event's id and hash. Locking it serialises
    postings and events alike, so neither chain forks."""

    last_id = pw.IntegerField(default=0)
    last_hash = pw.CharField(max_length=64, default=GENESIS_HASH)
    event_last_id = pw.IntegerField(default=0)
    event_last_hash = pw.CharField(max_length=64, default=GENESIS_HASH)


class Move(AppendOnlyModel):
    id = pw.IntegerField(primary_key=True)
    time = pw.DateTimeField(index=True)
    kind = pw.CharField(max_length=16)
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT", index=False)
    lot = pw.ForeignKeyField(Lot, null=True, on_delete="RESTRICT", index=False)
    qty = pw.IntegerField()
    from_location = pw.ForeignKeyField(Location, on_delete="RESTRICT", index=False)
    to_location = pw.ForeignKeyField(Location, on_delete="RESTRICT", index=False)
    user = pw.ForeignKeyField(User, on_delete="RESTRICT", index=False)
    reference = pw.CharField(max_length=64, null=True, index=True)
    note = pw.TextField(null=True)
    reverses = pw.ForeignKeyField("self", null=True, unique=True, on_delete="RESTRICT")
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64)

    class Meta:
        indexes = (
            (("item", "id"), False),
            (("lot", "id"), False),
            (("from_location", "id"), False),
            (("to_location", "id"), False),
            (("user", "id"), False),
        )


class Quant(BaseModel):
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT", index=False)
    lot = pw.ForeignKeyField(Lot, null=True, on_delete="RESTRICT", index=False)
    # lot id, or 0 for untracked stock: NULLs are never equal in a unique index.
    lot_key = pw.IntegerField(default=0)
    location = pw.ForeignKeyField(Location, on_delete="RESTRICT", index=False)
    qty = pw.IntegerField(default=0)

    class Meta:
        indexes = (
            (("item", "lot_key", "location"), True),
            (("location", "item"), False),
            (("lot_key",), False),
        )


class Event(AppendOnlyModel):
    time = pw.DateTimeField(default=utcnow, index=True)
    user = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    kind = pw.CharField(max_length=32, index=True)
    subject = pw.CharField(max_length=200, index=True)
    detail = pw.TextField(default="{}")
    # The event chain (models/masterdata/adding.py log_event); empty on events written
    # before schema v8, which the chain's first event vouches for as a whole.
    prev_hash = pw.CharField(max_length=64, null=True)
    hash = pw.CharField(max_length=64, null=True)


class Checkpoint(AppendOnlyModel):
    """Both chains' heads, signed with the site's key (models/stock/signing.py)."""

    id = pw.IntegerField(primary_key=True)
    time = pw.CharField(max_length=32)  # time_text of the UTC time, as signed
    move_id = pw.IntegerField()
    move_hash = pw.CharField(max_length=64)
    event_id = pw.IntegerField()
    event_hash = pw.CharField(max_length=64)
    key_id = pw.CharField(max_length=16)
    prev_signature = pw.CharField(max_length=128, null=True)
    signature = pw.CharField(max_length=128)


TABLES: list[type[BaseModel]] = [
    SchemaVersion,
    User,
    Location,
    Item,
    Lot,
    LedgerHead,
    Move,
    Quant,
    Event,
    Checkpoint,
]
