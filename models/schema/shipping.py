"""Tables of transport shipments: consignees, carriers, shipments and their lines,
allocations (reserved stock), parcels with SSCCs and what each parcel holds."""

from __future__ import annotations

import peewee as pw

from backroom.models.schema import BaseModel, Item, Location, Lot, Move, User, utcnow

SHIPMENT_STATUSES = ("draft", "allocated", "picking", "packed", "shipped", "delivered", "cancelled")
PARCEL_KINDS = ("box", "pallet")


class Counter(BaseModel):
    """Named sequences (shipment numbers, SSCC serials), bumped under a row lock."""

    name = pw.CharField(max_length=32, unique=True)
    value = pw.BigIntegerField(default=0)


class Consignee(BaseModel):
    name = pw.CharField(max_length=200, unique=True)
    address = pw.TextField(default="")  # street lines, newline-separated
    postal_code = pw.CharField(max_length=16)
    city = pw.CharField(max_length=100)
    country = pw.CharField(max_length=2)  # ISO 3166-1 alpha-2
    gln = pw.CharField(max_length=13, null=True)
    contact = pw.CharField(max_length=200, null=True)
    min_shelf_life_days = pw.IntegerField(default=0)
    active = pw.BooleanField(default=True)


class Carrier(BaseModel):
    code = pw.CharField(max_length=32, unique=True)
    name = pw.CharField(max_length=200)
    service_levels = pw.TextField(default="")  # comma-separated
    tracking_url = pw.CharField(max_length=500, null=True)  # with {tracking}
    active = pw.BooleanField(default=True)


class Load(BaseModel):
    """A vehicle departure grouping shipments."""

    number = pw.CharField(max_length=32, unique=True)
    vehicle = pw.CharField(max_length=64, default="")
    driver = pw.CharField(max_length=100, default="")
    departure = pw.DateTimeField(null=True)


class Shipment(BaseModel):
    number = pw.CharField(max_length=32, unique=True)
    consignee = pw.ForeignKeyField(Consignee, on_delete="RESTRICT")
    carrier = pw.ForeignKeyField(Carrier, null=True, on_delete="RESTRICT")
    service = pw.CharField(max_length=64, null=True)
    planned_date = pw.DateField(index=True)
    status = pw.CharField(max_length=16, default="draft", index=True)
    load = pw.ForeignKeyField(Load, null=True, on_delete="RESTRICT")
    created_at = pw.DateTimeField(default=utcnow)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    shipped_at = pw.DateTimeField(null=True)
    delivered_at = pw.DateTimeField(null=True)
    pod_name = pw.CharField(max_length=200, null=True)  # proof of delivery: who signed
    pod_note = pw.TextField(null=True)


class ShipmentLine(BaseModel):
    shipment = pw.ForeignKeyField(Shipment, backref="lines", on_delete="RESTRICT")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    qty_ordered = pw.IntegerField()
    qty_allocated = pw.IntegerField(default=0)
    qty_picked = pw.IntegerField(default=0)
    qty_shipped = pw.IntegerField(default=0)


class Allocation(BaseModel):
    """Stock reserved for a shipment line: QTY of LOT at LOCATION, PICKED of it so far."""

    line = pw.ForeignKeyField(ShipmentLine, backref="allocations", on_delete="RESTRICT")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    lot = pw.ForeignKeyField(Lot, null=True, on_delete="RESTRICT")
    location = pw.ForeignKeyField(Location, on_delete="RESTRICT")
    qty = pw.IntegerField()
    picked = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("item", "lot", "location"), False),)


class Parcel(BaseModel):
    shipment = pw.ForeignKeyField(Shipment, backref="parcels", on_delete="RESTRICT")
    sscc = pw.CharField(max_length=18, unique=True)
    kind = pw.CharField(max_length=8, default="box")
    weight_g = pw.IntegerField(null=True)
    tracking_number = pw.CharField(max_length=64, null=True)
    created_at = pw.DateTimeField(default=utcnow)


class ParcelContent(BaseModel):
    """What a parcel holds; `move` is the ship move that took it out, once shipped."""

    parcel = pw.ForeignKeyField(Parcel, backref="contents", on_delete="RESTRICT")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    lot = pw.ForeignKeyField(Lot, null=True, on_delete="RESTRICT", index=True)
    qty = pw.IntegerField()
    move = pw.ForeignKeyField(Move, null=True, on_delete="RESTRICT")


SHIPPING_TABLES: list[type[BaseModel]] = [
    Counter,
    Consignee,
    Carrier,
    Load,
    Shipment,
    ShipmentLine,
    Allocation,
    Parcel,
    ParcelContent,
]
