"""The small demo's directed put-away: packaging levels (inner, case, pallet) on a few
items, a put-away rule of every kind, capacities on some bins, and this morning's
delivery waiting at the dock, so that Put away suggests a bin at once.

The rules come after the four weeks of history (which put stock anywhere in its zone),
as a site that starts directing its put-away would add them.
"""

from __future__ import annotations

import datetime as dt

from backroom.models.demo.blocks import CATALOGUE, RECEIVING, SUPPLIERS
from backroom.models.goods_in.putaway import add_rule, set_capacity, set_category
from backroom.models.masterdata.adding import get_item, get_user
from backroom.models.masterdata.packaging import add_packaging
from backroom.models.rules.identifiers import with_check_digit
from backroom.models.stock.operations import receive

# SKU -> (inner, case, pallet) in base units. The food cases hold 12, as the demo's
# purchase orders order them.
PACKED = {
    "FD-1001": (6, 12, 480),
    "FD-1004": (2, 4, 160),
    "FD-1011": (6, 12, 600),
    "FD-1013": (6, 6, 432),
    "PH-3003": (10, 60, 3600),
    "PK-5004": (6, 36, 1800),
}
LEVELS = ("inner", "cs", "pal")  # GTIN-14 indicator digits 1, 2, 3; shown "2 cs + 3 pcs"
CATEGORIES = {"COLD": "chilled", "SEC": "secure"}  # a product's zone -> its category
HEAVY = ("FD-1004", "FD-1013")  # rice and water: low, in aisle D
PICK_FACES = ("PK-5004", "PK-5011")  # fixed bins at the front of aisle A
COLD_PALLETS = 1  # a cold-room rack position holds one pallet
PICK_FACE_UNITS = 600


def level_gtin(gtin: str, indicator: int) -> str:
    """The GTIN-14 of a packaging level of the item whose GTIN is GTIN: the indicator
    digit, the item's GTIN-13 without its check digit, a new check digit."""
    return with_check_digit(f"{indicator}{gtin[-13:-1]}")


def add_packaging_levels(lead: str) -> None:
    """Inner pack, case and pallet of each item in PACKED, each with its GTIN-14."""
    by = get_user(lead)
    for sku, sizes in PACKED.items():
        gtin = get_item(sku).gtin
        for indicator, (name, qty) in enumerate(zip(LEVELS, sizes, strict=True), start=1):
            if name == "inner" and qty == sizes[1]:
                continue  # water comes in packs of six that are its cases
            add_packaging(sku, name, qty, gtin=level_gtin(gtin, indicator), by=by)


def add_putaway_rules(lead: str, bins: dict[str, list[str]], occupied: set[str]) -> list[str]:
    """A rule of each kind: categories to their zones, heavy items to aisle D, two pick
    faces (empty bins at the front of aisle A); one pallet per cold-room bin. Returns
    the pick faces."""
    by = get_user(lead)
    for product in CATALOGUE:
        if product.zone in CATEGORIES:
            set_category(product.sku, CATEGORIES[product.zone], by=by)
    for zone, category in CATEGORIES.items():
        add_rule(zone, category=category, by=by)
    for sku in HEAVY:
        add_rule("D", item=sku, by=by)
    front = [b for b in bins["AMB"] if b.startswith("A-") and b.endswith("-01")]
    faces = [b for b in front if b not in occupied][: len(PICK_FACES)]
    for sku, face in zip(PICK_FACES, faces, strict=False):
        add_rule(face, item=sku, pick_face=True, sequence=1, by=by)
        set_capacity(face, max_units=PICK_FACE_UNITS, by=by)
    for code in bins["COLD"]:
        set_capacity(code, max_pallets=COLD_PALLETS, by=by)
    return faces


def deliver_to_the_dock(
    user: str, po: str, today: dt.date, same_lot: tuple[str, str, dt.date | None] | None
) -> None:
    """This morning's delivery of TODAY, received and waiting at the dock: a chilled lot,
    heavy water, tape for its pick face, a secure item, and more of SAME_LOT, a lot
    already stored (item, number, expiry)."""
    produced = today - dt.timedelta(days=1)
    number = f"L{produced:%y%j}D"  # the history's lots end in A, B or C
    arrivals: list[tuple[str, int, str | None, dt.date | None]] = [
        ("FD-1011", 120, number, produced + dt.timedelta(days=21)),
        ("FD-1013", 216, number, produced + dt.timedelta(days=365)),
        ("PK-5004", 72, None, None),
        ("PH-3003", 120, number, produced + dt.timedelta(days=730)),
    ]
    if same_lot is not None:
        arrivals.append((same_lot[0], 24, same_lot[1], same_lot[2]))
    for sku, qty, lot, expiry in arrivals:
        supplier = SUPPLIERS[sku[:2]][0]
        receive(sku, qty, RECEIVING, user=user, lot=lot, expiry=expiry, supplier=supplier, ref=po)
