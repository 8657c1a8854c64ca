"""Tables of goods in: suppliers, purchase orders and their lines, advance shipping
notices (a supplier's despatch advice: pallets by SSCC and what each holds), and the
receipts posted against them."""

from __future__ import annotations

import peewee as pw

from backroom.models.schema import BaseModel, Item, Location, Move, User, utcnow

ORDER_STATUSES = ("draft", "confirmed", "partly-received", "received", "closed", "cancelled")
# Orders that goods may still be received against.
RECEIVABLE = ("confirmed", "partly-received")
ASN_STATUSES = ("announced", "partly-received", "received")
# What became of a receipt: into stock, or into quarantine as damaged or unexpected.
DISPOSITIONS = ("stock", "damaged", "unexpected")


class Supplier(BaseModel):
    """The name, address and GLN of a supplier location (kind supplier)."""

    location = pw.ForeignKeyField(Location, unique=True, on_delete="RESTRICT")
    name = pw.CharField(max_length=200)
    address = pw.TextField(default="")
    gln = pw.CharField(max_length=13, null=True, unique=True)
    active = pw.BooleanField(default=True)


class PurchaseOrder(BaseModel):
    number = pw.CharField(max_length=32, unique=True)
    supplier = pw.ForeignKeyField(Supplier, on_delete="RESTRICT")
    expected_date = pw.DateField(index=True)
    status = pw.CharField(max_length=16, default="draft", index=True)
    supplier_reference = pw.CharField(max_length=64, null=True)
    created_at = pw.DateTimeField(default=utcnow)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")


class OrderLine(BaseModel):
    order = pw.ForeignKeyField(PurchaseOrder, backref="lines", on_delete="RESTRICT")
    number = pw.IntegerField()  # 1, 2, ... within the order
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    qty_ordered = pw.IntegerField()  # base units
    qty_received = pw.IntegerField(default=0)  # base units, damaged included
    qty_damaged = pw.IntegerField(default=0)
    qty_short = pw.IntegerField(default=0)  # recorded when the order is closed short
    # As the supplier sells it: a packaging level's name and size (h-pack converts).
    pack_name = pw.CharField(max_length=32, null=True)
    pack_qty = pw.IntegerField(null=True)
    supplier_item = pw.CharField(max_length=64, null=True)

    class Meta:
        indexes = ((("order", "number"), True),)


class Asn(BaseModel):
    """An advance shipping notice: the supplier's despatch advice for one order."""

    number = pw.CharField(max_length=64, unique=True)  # the supplier's despatch number
    order = pw.ForeignKeyField(PurchaseOrder, backref="asns", on_delete="RESTRICT")
    expected_date = pw.DateField(null=True, index=True)
    status = pw.CharField(max_length=16, default="announced")
    source = pw.CharField(max_length=16, default="csv")  # csv or desadv
    created_at = pw.DateTimeField(default=utcnow)


class AsnPallet(BaseModel):
    """A pallet or case of an ASN, by its SSCC; received once, whole."""

    asn = pw.ForeignKeyField(Asn, backref="pallets", on_delete="RESTRICT")
    sscc = pw.CharField(max_length=18, unique=True)
    received_at = pw.DateTimeField(null=True)
    received_by = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")


class AsnContent(BaseModel):
    pallet = pw.ForeignKeyField(AsnPallet, backref="contents", on_delete="RESTRICT")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    lot = pw.CharField(max_length=64, null=True)
    expiry = pw.DateField(null=True)
    qty = pw.IntegerField()
    line = pw.ForeignKeyField(OrderLine, null=True, on_delete="RESTRICT")


class Receipt(BaseModel):
    """One receipt move posted against an order (and a pallet, when it came on one)."""

    order = pw.ForeignKeyField(PurchaseOrder, backref="receipts", on_delete="RESTRICT")
    line = pw.ForeignKeyField(OrderLine, null=True, on_delete="RESTRICT")
    pallet = pw.ForeignKeyField(AsnPallet, null=True, on_delete="RESTRICT")
    move = pw.ForeignKeyField(Move, unique=True, on_delete="RESTRICT")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    qty = pw.IntegerField()
    disposition = pw.CharField(max_length=16, default="stock")
    approved_by = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")


GOODS_IN_TABLES: list[type[BaseModel]] = [
    Supplier,
    PurchaseOrder,
    OrderLine,
    Asn,
    AsnPallet,
    AsnContent,
    Receipt,
]
