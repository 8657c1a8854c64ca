"""The small demo's goods in still to come: its suppliers on record (name, GLN), an order
due today with its ASN (one pallet to scan at the dock), an order late, one due later."""

from __future__ import annotations

import datetime as dt
import random

from backroom.models.demo.blocks import CATALOGUE, SUPPLIERS
from backroom.models.goods_in.asn import AnnouncedLine, AsnDraft, announce
from backroom.models.goods_in.orders import (
    add_order_line,
    confirm_order,
    create_order,
    order_detail,
)
from backroom.models.goods_in.suppliers import add_supplier
from backroom.models.rules.identifiers import make_sscc, with_check_digit

# The suppliers' own GS1 company prefix (their pallets' SSCCs), one each.
SUPPLIER_PREFIXES = {
    "FD": "4012345",
    "HB": "4023456",
    "PH": "4034567",
    "EL": "4045678",
    "PK": "4056789",
}


def add_open_orders(lead: str, today: dt.date, seed: int) -> list[str]:
    """Suppliers, and three confirmed orders: due TODAY (with an ASN), late, due later."""
    rng = random.Random(seed)
    for family, (code, name) in SUPPLIERS.items():
        gln = with_check_digit(SUPPLIER_PREFIXES[family] + "00000")
        add_supplier(code, name=name, gln=gln, user=lead)
    due = _order(lead, "FD", today, rng, 3)
    late = _order(lead, "PH", today - dt.timedelta(days=2), rng, 2)
    later = _order(lead, "PK", today + dt.timedelta(days=3), rng, 2)
    _announce(lead, due, "FD", today, rng)
    return [due, late, later]


def _products(family: str):
    return [p for p in CATALOGUE if p.sku.startswith(family)]


def _order(lead: str, family: str, expected: dt.date, rng: random.Random, lines: int) -> str:
    number = create_order(SUPPLIERS[family][0], user=lead, expected=expected)
    for product in rng.sample(_products(family), lines):
        qty = rng.randint(*product.qty) // 12 * 12 or 12  # whole cases of 12
        add_order_line(number, product.sku, qty, user=lead, pack_name="cs", pack_qty=12)
    confirm_order(number, user=lead)
    return number


def _announce(lead: str, number: str, family: str, today: dt.date, rng: random.Random) -> None:
    """The supplier's despatch advice for the whole order: one pallet, a lot per line."""
    sscc = make_sscc(SUPPLIER_PREFIXES[family], rng.randint(1, 99_999))
    lines = []
    for line in order_detail(number).lines:
        product = next(p for p in CATALOGUE if p.sku == line.item)
        expiry = today + dt.timedelta(days=product.shelf_life or 365)
        lot = f"{line.item[-4:]}-{today:%y%m%d}" if product.tracking == "lot" else None
        lines.append(AnnouncedLine(sscc, line.item, line.ordered, lot, expiry if lot else None))
    announce(AsnDraft(f"DA-{number[-4:]}", number, tuple(lines), today), user=lead)
