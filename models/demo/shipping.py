"""Goods out in the demo: who is shipped to, who carries it, the site's GS1 company
prefix (kept in the database, so `make run` packs without a configuration file), and a
few open shipments in different states to pick, pack and ship straight away."""

from __future__ import annotations

import random
from collections.abc import Sequence

from backroom.models.demo.blocks import DEMO_COMPANY_PREFIX, DISPATCH
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.parties import add_carrier, add_consignee
from backroom.models.goods_out.picking import pick, pick_all, pick_list
from backroom.models.masterdata.site_settings import record_site_setting

# name, street, postal code, city, country, minimum remaining shelf life in days
CONSIGNEES = (
    ("Kaufhaus Süd", "Marktplatz 1", "80331", "München", "DE", 0),
    ("Bistro Centraal", "Damrak 12", "1012 LG", "Amsterdam", "NL", 10),
    ("Nordhafen Apotheke", "Hafenstraße 7", "20457", "Hamburg", "DE", 30),
    ("Café Lumière", "12 rue de la Paix", "75002", "Paris", "FR", 0),
)
# code, name, service levels, tracking link
CARRIERS = (
    ("DHL", "DHL Freight", ("standard", "express"), "https://www.dhl.com/track?id={tracking}"),
    ("DPD", "DPD Parcel", ("classic", "predict"), "https://tracking.dpd.de/{tracking}"),
    ("OWN", "Own van", (), None),
)


def add_shipping_partners(owner: str) -> None:
    """The demo's consignees and carriers, and the site's GS1 company prefix."""
    record_site_setting("site.gs1_company_prefix", DEMO_COMPANY_PREFIX, user=owner)
    for name, street, postal, city, country, shelf_life in CONSIGNEES:
        add_consignee(
            name, address=street, postal_code=postal, city=city, country=country,
            min_shelf_life_days=shelf_life, user=owner,
        )  # fmt: skip
    for code, name, services, link in CARRIERS:
        add_carrier(code, name=name, services=services, tracking_url=link, user=owner)


def add_open_shipments(lead: str, picker: str, skus: Sequence[str], seed: int) -> list[str]:
    """Four open shipments of SKUS (items in stock, not serial-tracked): one draft, one
    allocated, one half picked and one picked and waiting to be packed."""
    rng = random.Random(seed)
    plans = (
        ("Kaufhaus Süd", "DHL", "standard"),
        ("Bistro Centraal", "DPD", "classic"),
        ("Café Lumière", "DHL", "express"),
        ("Kaufhaus Süd", "OWN", None),
    )
    numbers = []
    for consignee, carrier, service in plans:
        number = create_shipment(consignee, user=lead, carrier=carrier, service=service)
        for sku in rng.sample(list(skus), min(len(skus), rng.randint(2, 3))):
            add_line(number, sku, rng.randint(1, 4), user=lead)
        numbers.append(number)
    _draft, ready, half, picked = numbers
    for number in (ready, half, picked):
        allocate(number, user=lead, dispatch=DISPATCH)
    tasks = pick_list(half)
    if tasks:
        first = tasks[0]
        pick(
            half, location=first.location, item=first.item, lot=first.lot, qty=first.qty,
            user=picker, dispatch=DISPATCH,
        )  # fmt: skip
    pick_all(picked, user=picker, dispatch=DISPATCH)
    return numbers
