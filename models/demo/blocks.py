"""The building blocks both demo warehouses share: the demo company prefix and its
GTINs, the site's fixed locations, the people, the catalogues of what is stocked,
the refusal of a database that is not empty, and the summary of what was built.

`backroom.models.demo.small` and `backroom.models.demo.large` build on these and
never on each other; `backroom.models.demo.build` chooses between them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from backroom.models.db import db
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import add_location, add_user, init_database
from backroom.models.rules.identifiers import with_check_digit
from backroom.models.schema import Item, Location, Lot, Move, Quant, User
from backroom.models.stock.ledger import sql

Progress = Callable[[int, int, str], None]

# GS1 keeps company prefixes starting 952 for demonstrations and examples, so no
# demo GTIN can ever clash with a real product's.
DEMO_COMPANY_PREFIX = "9521234"
SITE = "WH1"
RECEIVING, DISPATCH, QUARANTINE = "RECEIVING", "DISPATCH", "QUARANTINE"
OPERATORS = ("maria", "tomasz", "aisha")
LEAD = "jonas"
SCRAP_REASONS = ("Crushed carton", "Leaking container", "Damaged by forklift", "Torn packaging")
ADJUST_REASONS = ("Found on wrong shelf", "Damaged, not recoverable", "Unrecorded sample taken")


@dataclass(frozen=True)
class DemoSummary:
    """What the demo built: counts of each kind of thing, and how long it took."""

    size: str
    seed: int
    owner: str
    users: int
    locations: int
    bins: int
    items: int
    lots: int
    moves: int
    quants: int
    seconds: float

    def as_dict(self) -> dict[str, object]:
        """The JSON form of `backroom demo --json`."""
        data = asdict(self)
        data["seconds"] = round(self.seconds, 2)
        return data

    def text(self) -> str:
        """One readable paragraph for the command line."""
        return (
            f"Demo warehouse ({self.size}, seed {self.seed}) built in {self.seconds:.1f} s: "
            f"{self.locations:,} locations ({self.bins:,} bins), {self.items:,} items, "
            f"{self.lots:,} lots, {self.moves:,} moves, {self.quants:,} quants, "
            f"{self.users} users (admin: {self.owner})."
        )


def gtin13(reference: int, prefix: str = DEMO_COMPANY_PREFIX) -> str:
    """A GTIN-13 under the demo company prefix, with its check digit."""
    body = f"{prefix}{reference:0{12 - len(prefix)}d}"
    if len(body) != 12:
        raise ValueError(f"item reference {reference} does not fit after prefix {prefix}")
    return with_check_digit(body)


def check_empty() -> None:
    """Refuse to build a demo into a database that already holds a warehouse."""
    if Item.select().exists() or Move.select().exists():
        raise Refused(
            "This database already has items: build the demo into a new, empty database "
            "(for example --db sqlite:////tmp/demo.db)"
        )
    if Location.select().where(Location.kind == "internal").exists():
        raise Refused(
            "This database already has warehouse locations: build the demo into a new, "
            "empty database"
        )


def add_demo_users(owner: str) -> list[str]:
    """The owner as admin, a lead and a few operators; returns the operators' names."""
    admin = init_database(owner)
    for name, role in ((LEAD, "lead"), *((op, "operator") for op in OPERATORS)):
        if not User.select().where(User.name == name).exists():
            add_user(name, role, by=admin)
    return [op for op in OPERATORS if op != owner] or [owner]


def add_site(name: str) -> None:
    """The site NAME with its receiving dock, dispatch area and quarantine area."""
    add_location(SITE, name=name)
    add_location(RECEIVING, name="Receiving dock", parent=SITE)
    add_location(DISPATCH, name="Dispatch area", parent=SITE)
    add_location(QUARANTINE, name="Quarantine area", parent=SITE, quarantine=True)


def summarise(size: str, seed: int, owner: str, started: float) -> DemoSummary:
    """Count what is in the database now."""
    bins = db.execute_sql(
        sql(
            'SELECT COUNT(*) FROM "location" l WHERE l."kind" = \'internal\' AND NOT EXISTS '
            '(SELECT 1 FROM "location" c WHERE c."parent_id" = l."id") '
            'AND l."code" NOT IN (?, ?, ?)'
        ),
        (RECEIVING, DISPATCH, QUARANTINE),
    ).fetchone()[0]
    return DemoSummary(
        size=size,
        seed=seed,
        owner=owner,
        users=User.select().count(),
        locations=Location.select().count(),
        bins=bins,
        items=Item.select().count(),
        lots=Lot.select().count(),
        moves=Move.select().count(),
        quants=Quant.select().where(Quant.qty != 0).count(),
        seconds=time.perf_counter() - started,
    )


# --- what the demos stock -------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    """An item of the small demo: how it is tracked, where it is stored, how it arrives."""

    sku: str
    name: str
    tracking: str
    shelf_life: int | None
    zone: str
    lots: tuple[int, int]  # how many lots (or serial numbers) to receive
    qty: tuple[int, int]  # received per lot or per delivery
    unit: str = "pcs"


# The small demo's forty items; each family has its supplier (SUPPLIERS).
# fmt: off
CATALOGUE = (
    Product("FD-1001", "Arabica coffee beans 1 kg", "lot", 365, "AMB", (2, 3), (60, 240)),
    Product("FD-1002", "Earl Grey tea, 100 bags", "lot", 730, "AMB", (2, 3), (48, 192)),
    Product("FD-1003", "Extra virgin olive oil 750 ml", "lot", 540, "AMB", (2, 3), (72, 288)),
    Product("FD-1004", "Basmati rice 5 kg", "lot", 720, "AMB", (2, 2), (40, 160)),
    Product("FD-1005", "Penne rigate 500 g", "lot", 730, "AMB", (2, 3), (120, 480)),
    Product("FD-1006", "Chopped tomatoes 400 g tin", "lot", 900, "AMB", (2, 3), (144, 576)),
    Product("FD-1007", "Dark chocolate 70% 100 g", "lot", 365, "AMB", (2, 3), (100, 400)),
    Product("FD-1008", "Oat biscuits 300 g", "lot", 180, "AMB", (2, 3), (96, 384)),
    Product("FD-1009", "Wildflower honey 450 g", "lot", 720, "AMB", (1, 2), (48, 144)),
    Product("FD-1010", "Strawberry jam 340 g", "lot", 365, "AMB", (2, 2), (48, 192)),
    Product("FD-1011", "Greek yoghurt 500 g", "lot", 21, "COLD", (2, 3), (60, 180)),
    Product("FD-1012", "Mature cheddar 400 g", "lot", 90, "COLD", (2, 2), (40, 120)),
    Product("FD-1013", "Sparkling mineral water 1.5 l", "lot", 365, "AMB", (2, 2), (180, 540)),
    Product("FD-1014", "Orange juice 1 l", "lot", 45, "COLD", (2, 3), (60, 240)),
    Product("HB-2001", "Hand cream 75 ml", "lot", 900, "AMB", (1, 3), (60, 240)),
    Product("HB-2002", "Sunscreen SPF 50, 200 ml", "lot", 730, "AMB", (1, 3), (48, 192)),
    Product("HB-2003", "Shampoo 250 ml", "lot", 900, "AMB", (1, 3), (72, 288)),
    Product("HB-2004", "Toothpaste 75 ml", "lot", 720, "AMB", (1, 3), (96, 384)),
    Product("PH-3001", "Paracetamol 500 mg, 16 tablets", "lot", 1095, "SEC", (2, 2), (100, 400)),
    Product("PH-3002", "Ibuprofen 200 mg, 24 tablets", "lot", 1095, "SEC", (2, 2), (100, 400)),
    Product("PH-3003", "Vitamin D3 1000 IU, 90 capsules", "lot", 730, "SEC", (2, 2), (60, 240)),
    Product("PH-3004", "Saline nasal spray 20 ml", "lot", 540, "SEC", (2, 2), (60, 240)),
    Product("EL-4001", "Wireless barcode scanner", "serial", None, "SEC", (2, 3), (1, 1)),
    Product("EL-4002", "Thermal label printer 203 dpi", "serial", None, "SEC", (2, 3), (1, 1)),
    Product("EL-4003", "Rugged handheld terminal", "serial", None, "SEC", (2, 3), (1, 1)),
    Product("EL-4004", "USB-C charging dock", "serial", None, "SEC", (1, 2), (1, 1)),
    Product("EL-4005", "Bluetooth headset", "serial", None, "SEC", (1, 2), (1, 1)),
    Product("EL-4006", "10-inch tablet", "serial", None, "SEC", (1, 2), (1, 1)),
    Product("PK-5001", "Shipping carton 30x20x15 cm", "none", None, "AMB", (2, 3), (200, 800)),
    Product("PK-5002", "Shipping carton 40x30x30 cm", "none", None, "AMB", (1, 2), (100, 400)),
    Product("PK-5003", "Stretch film 500 mm x 300 m", "none", None, "AMB", (1, 2), (24, 96)),
    Product("PK-5004", "Packing tape 48 mm x 66 m", "none", None, "AMB", (1, 2), (72, 288)),
    Product("PK-5005", "Bubble wrap roll 1 m x 50 m", "none", None, "AMB", (1, 1), (10, 40)),
    Product("PK-5006", "Void fill paper 500 m", "none", None, "AMB", (1, 2), (10, 40)),
    Product("PK-5007", "Euro pallet 1200x800", "none", None, "AMB", (1, 1), (20, 60)),
    Product("PK-5008", "Pallet label pouch A5", "none", None, "AMB", (1, 1), (200, 1000)),
    Product("PK-5009", "Thermal labels 100x150 mm, roll of 500", "none", None, "AMB", (1, 2),
            (20, 80)),
    Product("PK-5010", "Cable ties 200 mm, pack of 100", "none", None, "AMB", (1, 1), (50, 200)),
    Product("PK-5011", "Mailer bag 32x45 cm", "none", None, "AMB", (1, 2), (250, 1000)),
    Product("PK-5012", "Corner protector 50 mm", "none", None, "AMB", (1, 1), (100, 500)),
)
# fmt: on
SUPPLIERS = {
    "FD": ("SUP-NORDFOOD", "Nordic Fine Foods"),
    "HB": ("SUP-BEAUTY", "Lumen Cosmetics"),
    "PH": ("SUP-PHARMA", "Medivale Pharma"),
    "EL": ("SUP-TECH", "Scanwise Devices"),
    "PK": ("SUP-PACK", "Boxwell Packaging"),
}

# The large demo's items: a brand, a product line and a size, tracked by family.
BRANDS = ("Nordvik", "Alba", "Greenfield", "Solera", "Kestrel", "Maple & Co", "Orion", "Vesta")
PRODUCT_LINES = {
    "FD": (
        ("Arabica coffee beans", "1 kg", 365),
        ("Earl Grey tea", "100 bags", 730),
        ("Olive oil", "750 ml", 540),
        ("Basmati rice", "5 kg", 720),
        ("Penne rigate", "500 g", 730),
        ("Chopped tomatoes", "400 g", 900),
        ("Dark chocolate 70%", "100 g", 365),
        ("Oat biscuits", "300 g", 180),
        ("Greek yoghurt", "500 g", 21),
        ("Orange juice", "1 l", 45),
        ("Mature cheddar", "400 g", 90),
        ("Granola", "750 g", 270),
    ),
    "HB": (
        ("Hand cream", "75 ml", 900),
        ("Sunscreen SPF 50", "200 ml", 730),
        ("Shampoo", "250 ml", 900),
        ("Toothpaste", "75 ml", 720),
        ("Paracetamol 500 mg", "16 tablets", 1095),
        ("Vitamin D3", "90 capsules", 730),
    ),
    "EL": (
        ("Wireless barcode scanner", "", None),
        ("Thermal label printer", "203 dpi", None),
        ("Rugged handheld terminal", "", None),
        ("Bluetooth headset", "", None),
        ("10-inch tablet", "64 GB", None),
    ),
    "PK": (
        ("Shipping carton", "40x30x30 cm", None),
        ("Stretch film", "500 mm x 300 m", None),
        ("Packing tape", "48 mm x 66 m", None),
        ("Mailer bag", "32x45 cm", None),
        ("Euro pallet", "1200x800", None),
    ),
}
LINE_TRACKING = {"FD": "lot", "HB": "lot", "EL": "serial", "PK": "none"}
