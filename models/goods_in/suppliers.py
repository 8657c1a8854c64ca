"""Suppliers: a location of kind supplier, with the name, address and GLN the goods-in
documents show."""

from __future__ import annotations

from dataclasses import dataclass

from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import add_location, get_location, log_event
from backroom.models.people.roles import acting
from backroom.models.rules.identifiers import check_gln
from backroom.models.rules.text import NAME_MOST, check_text
from backroom.models.schema import Location
from backroom.models.schema.goods_in import Supplier


@dataclass(frozen=True)
class SupplierView:
    """A supplier as the CLI and the screens show it."""

    code: str
    name: str
    address: str
    gln: str | None

    @classmethod
    def of(cls, row: Supplier) -> SupplierView:
        """The view of a supplier row."""
        return cls(row.location.code, row.name, row.address, row.gln)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {"code": self.code, "name": self.name, "address": self.address, "gln": self.gln}


def add_supplier(
    code: str, *, name: str, user: str, address: str = "", gln: str | None = None
) -> SupplierView:
    """A supplier CODE: its supplier location (made if new) and its name, address, GLN."""
    check_text(name, "The supplier's name", max_length=NAME_MOST)
    check_text(address, "The supplier's address", lines=True, max_length=1000)
    gln = check_gln(gln) if gln else None

    def _add() -> SupplierView:
        who = acting(user, "partner")
        loc = Location.get_or_none(Location.code == code.strip())
        if loc is None:
            loc = add_location(code, name=name, kind="supplier", by=who)
        elif loc.kind != "supplier":
            raise Refused(f"Location {loc.code} is a {loc.kind} location, not a supplier")
        if Supplier.get_or_none(Supplier.location == loc) is not None:
            raise Refused(f"Supplier {loc.code} already exists")
        if gln and Supplier.get_or_none(Supplier.gln == gln) is not None:
            raise Refused(f"GLN {gln} is another supplier's")
        row = Supplier.create(location=loc, name=name.strip(), address=address.strip(), gln=gln)
        log_event("supplier.add", loc.code, who, name=row.name, gln=gln)
        return SupplierView.of(row)

    return run_write(_add)


def get_supplier(key: str) -> Supplier:
    """The supplier with this location code or GLN."""
    key = key.strip()
    row = Supplier.select().join(Location).where(Location.code == key).first()
    if row is None and key.isdigit() and len(key) == 13:
        row = Supplier.get_or_none(Supplier.gln == key)
    if row is None:
        get_location(key)  # "Unknown location" when there is no such code at all
        raise NotFound(f"{key} is not a supplier: add it with 'backroom supplier add {key}'")
    return row


def list_suppliers() -> list[SupplierView]:
    """Every supplier, by code."""
    rows = Supplier.select(Supplier, Location).join(Location).order_by(Location.code)
    return [SupplierView.of(row) for row in rows]
