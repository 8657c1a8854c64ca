"""`backroom demo` (small): four weeks of a small warehouse.

It is built through the same operations people use (receive, put away, pick, ship,
count, adjust, scrap, reverse), backdated over four weeks, so everything in it obeys
the stock rules and `backroom verify` passes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from backroom.models.demo.blocks import (
    ADJUST_REASONS,
    CATALOGUE,
    DISPATCH,
    LEAD,
    QUARANTINE,
    RECEIVING,
    SCRAP_REASONS,
    SITE,
    SUPPLIERS,
    Product,
    Progress,
    add_demo_users,
    add_site,
    gtin13,
)
from backroom.models.demo.counting import add_count_plan
from backroom.models.demo.goods_in import add_open_orders
from backroom.models.demo.putaway import (
    add_packaging_levels,
    add_putaway_rules,
    deliver_to_the_dock,
)
from backroom.models.demo.replenishment import add_pick_faces
from backroom.models.demo.shipping import add_open_shipments, add_shipping_partners
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    get_item,
    get_lot,
    set_lot_status,
)
from backroom.models.schema import User, utcnow
from backroom.models.stock.operations import adjust, count, receive, reverse, scrap, transfer

# zone -> (name, aisles, bays per aisle, levels per bay): 4x40 + 24 + 16 = 200 bins
ZONES = {
    "AMB": ("Ambient", ("A", "B", "C", "D"), 10, 4),
    "COLD": ("Cold room 2-8 °C", ("K",), 8, 3),
    "SEC": ("Secure cage", ("S",), 4, 4),
}
HISTORY_DAYS = 28


def build_small(
    *, owner: str, seed: int, progress: Progress | None = None, today: dt.date | None = None
) -> None:
    """Four weeks of a small warehouse up to TODAY, the same for the same SEED."""
    _SmallDemo(owner, seed, progress, today).build()


@dataclass
class _PlannedLot:
    product: Product
    number: str | None  # None for untracked deliveries
    qty: int
    day: dt.date
    expiry: dt.date | None
    supplier_lot: str | None


class _SmallDemo:
    """Four weeks of a small warehouse, posted through models.operations."""

    def __init__(
        self, owner: str, seed: int, progress: Progress | None, today: dt.date | None
    ) -> None:
        self.owner = owner
        self.rng = random.Random(seed)
        self.progress = progress
        now = utcnow()
        self.today = today or now.date()
        self.clock = dt.datetime.combine(self.today - dt.timedelta(days=HISTORY_DAYS), dt.time())
        # Our own copy of the stock in bins, so that every operation we post is valid.
        self.stock: dict[tuple[str, str | None, str], int] = {}
        self.expiry: dict[tuple[str, str], dt.date | None] = {}
        self.bins: dict[str, list[str]] = {}
        self.held: set[tuple[str, str]] = set()  # lots no longer picked (blocked, quarantine)
        self.users: list[str] = []
        self.next_po = 4101
        self.next_so = 1001
        self.putaways: list[tuple[int, str, str | None, int, str, str]] = []

    # -- time and people

    def at(self, lo: int = 2, hi: int = 12) -> dt.datetime:
        """The next moment of the working day: strictly later than the last."""
        self.clock += dt.timedelta(
            minutes=self.rng.randint(lo, hi), seconds=self.rng.randint(1, 59)
        )
        return self.clock

    def start_day(self, day: dt.date) -> None:
        start = dt.datetime.combine(day, dt.time(6, 30)) + dt.timedelta(
            minutes=self.rng.randint(0, 40)
        )
        self.clock = max(self.clock, start)

    def who(self) -> str:
        return self.rng.choice(self.users)

    def lead(self) -> str:
        return LEAD if self.owner != LEAD else self.owner

    def step(self, done: int, total: int, what: str) -> None:
        if self.progress:
            self.progress(done, total, what)

    # -- building

    def build(self) -> None:
        self.users = add_demo_users(self.owner)
        self.step(1, 5, "Locations")
        self.make_locations()
        self.step(2, 5, "Items")
        self.make_items()
        plan = self.plan_deliveries()
        self.step(3, 5, "Four weeks of history")
        days = [self.today - dt.timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
        workdays = [d for d in days if d.weekday() < 5]
        for day in workdays:
            self.start_day(day)
            self.receive_day([p for p in plan if p.day == day])
            self.work_day(day)
        self.step(4, 5, "Quality holds")
        self.quality_holds(workdays[-1])
        self.correct_a_mistake()
        add_shipping_partners(self.owner)
        serial = {p.sku for p in CATALOGUE if p.tracking == "serial"}
        skus = sorted({sku for sku, _, _ in self.pickable(self.today)} - serial)
        add_open_shipments(self.lead(), self.who(), skus, self.rng.randint(0, 9999))
        add_open_orders(self.lead(), self.today, self.rng.randint(0, 9999))
        self.direct_put_away()
        add_count_plan(self.lead())
        self.step(5, 5, "Done")

    def direct_put_away(self) -> None:
        """Packaging levels, put-away rules and capacities; this morning's delivery at
        the dock, with more of the lot of FD-1001 held most of."""
        add_packaging_levels(self.lead())
        occupied = {loc for (_s, _l, loc), q in self.stock.items() if q > 0}
        faces = add_putaway_rules(self.lead(), self.bins, occupied)
        stored = [(q, k) for k, q in self.stock.items() if k[0] == "FD-1001" and q > 0 and k[1]]
        same_lot = None
        if stored:
            _qty, (sku, lot, _loc) = max(stored)
            assert lot is not None
            same_lot = (sku, lot, self.expiry.get((sku, lot)))
        deliver_to_the_dock(self.users[0], f"PO-{self.next_po}", self.today, same_lot)
        add_pick_faces(self.lead(), faces, self.stock, self.bins, self.held)

    def make_locations(self) -> None:
        add_site("Main warehouse")
        for code, name in SUPPLIERS.values():
            add_location(code, name=name, parent="SUPPLIER", kind="supplier")
        for zone, (name, aisles, bays, levels) in ZONES.items():
            add_location(zone, name=name, parent=SITE)
            self.bins[zone] = []
            for aisle in aisles:
                add_location(aisle, name=f"Aisle {aisle}", parent=zone)
                for bay in range(1, bays + 1):
                    for level in range(1, levels + 1):
                        code = f"{aisle}-{bay:02d}-{level:02d}"
                        add_location(
                            code, name=f"Aisle {aisle}, bay {bay}, level {level}", parent=aisle
                        )
                        self.bins[zone].append(code)

    def make_items(self) -> None:
        for n, p in enumerate(CATALOGUE, start=1):
            add_item(ItemSpec(p.sku, p.name, gtin13(n * 7 + 10), p.unit, p.tracking, p.shelf_life))

    def plan_deliveries(self) -> list[_PlannedLot]:
        """Every delivery of the four weeks, with its lot, expiry and day."""
        rng = self.rng
        first = self.today - dt.timedelta(days=HISTORY_DAYS)
        workdays = [first + dt.timedelta(days=n) for n in range(HISTORY_DAYS)]
        workdays = [d for d in workdays if d.weekday() < 5]
        plan: list[_PlannedLot] = []
        long_lived: list[_PlannedLot] = []
        serial = 0
        for p in CATALOGUE:
            for k in range(rng.randint(*p.lots)):
                day = (
                    rng.choice(workdays[: len(workdays) - 2]) if k else workdays[rng.randint(0, 2)]
                )
                qty = rng.randint(*p.qty)
                if p.tracking == "none":
                    plan.append(_PlannedLot(p, None, qty, day, None, None))
                    continue
                if p.tracking == "serial":
                    serial += 1
                    number = f"SN{4_700_000 + serial * 137:09d}"
                    plan.append(_PlannedLot(p, number, 1, day, None, None))
                    continue
                fresh = p.shelf_life is not None and p.shelf_life <= 90
                produced = day - dt.timedelta(
                    days=rng.randint(1, 3) if fresh else rng.randint(3, 20)
                )
                number = f"L{produced:%y%j}{'ABC'[k]}"
                lot = _PlannedLot(p, number, qty, day, None, f"S{rng.randint(10000, 99999)}")
                if fresh and p.shelf_life:
                    lot.expiry = produced + dt.timedelta(days=p.shelf_life)
                else:
                    long_lived.append(lot)
                plan.append(lot)
        # Some lots expired, some expiring within 30 days, most later; each arrived
        # well before its expiry.
        rng.shuffle(long_lived)
        n = len(long_lived)
        for i, lot in enumerate(long_lived):
            if i < round(n * 0.1):
                lot.expiry = self.today - dt.timedelta(days=rng.randint(2, 12))
                lot.day = min(lot.day, workdays[rng.randint(0, 4)])
            elif i < round(n * 0.28):
                lot.expiry = self.today + dt.timedelta(days=rng.randint(3, 30))
            else:
                lot.expiry = self.today + dt.timedelta(days=rng.randint(60, 700))
        return plan

    # -- a day's work

    def receive_day(self, lines: list[_PlannedLot]) -> None:
        by_supplier: dict[str, list[_PlannedLot]] = {}
        for line in lines:
            by_supplier.setdefault(SUPPLIERS[line.product.sku[:2]][0], []).append(line)
        for supplier, delivery in by_supplier.items():
            po = f"PO-{self.next_po}"
            self.next_po += 1
            user = self.who()
            for line in delivery:
                receive(
                    line.product.sku,
                    line.qty,
                    RECEIVING,
                    user=user,
                    lot=line.number,
                    expiry=line.expiry,
                    supplier=supplier,
                    supplier_lot=line.supplier_lot,
                    ref=po,
                    at=self.at(1, 4),
                )
                if line.number:
                    self.expiry[(line.product.sku, line.number)] = line.expiry
            for line in delivery:
                self.put_away(line, po)

    def put_away(self, line: _PlannedLot, po: str) -> None:
        sku, lot = line.product.sku, line.number
        parts = [line.qty]
        if line.qty >= 100 and self.rng.random() < 0.3:
            parts = [line.qty // 2, line.qty - line.qty // 2]
        for qty in parts:
            dest = self.free_bin(line.product.zone)
            moved = transfer(
                sku, qty, RECEIVING, dest, user=self.who(), lot=lot, ref=po, at=self.at(3, 9)
            )
            self.stock[(sku, lot, dest)] = self.stock.get((sku, lot, dest), 0) + qty
            self.putaways.append((moved.id, sku, lot, qty, dest, po))

    def free_bin(self, zone: str) -> str:
        used = {loc for (_s, _l, loc), q in self.stock.items() if q > 0}
        empty = [b for b in self.bins[zone] if b not in used]
        return self.rng.choice(empty or self.bins[zone])

    def pickable(self, day: dt.date) -> list[tuple[str, str | None, str]]:
        """Stock that may go to a customer on DAY: not held, not expiring within a week."""
        keys = []
        for key, qty in self.stock.items():
            sku, lot, _loc = key
            if qty <= 0 or (lot and (sku, lot) in self.held):
                continue
            expiry = self.expiry.get((sku, lot)) if lot else None
            if expiry is not None and expiry < day + dt.timedelta(days=7):
                continue
            keys.append(key)
        return sorted(keys, key=lambda k: (k[0], str(self.expiry.get((k[0], k[1])) or ""), k))

    def work_day(self, day: dt.date) -> None:
        picked: list[tuple[str, str | None, int, str]] = []
        for _order in range(self.rng.randint(6, 10)):
            picked.extend(self.pick_order(day))
        chores = (self.cycle_count, self.adjust_one, self.scrap_one, self.consolidate)
        for chore in self.rng.sample(chores, self.rng.randint(1, 2)):
            chore(day)
        # The carrier collects at the end of the afternoon.
        self.clock = max(self.clock, dt.datetime.combine(day, dt.time(15, 30)))
        user = self.who()
        for sku, lot, qty, so in picked:
            transfer(
                sku,
                qty,
                DISPATCH,
                "CUSTOMER",
                user=user,
                lot=lot,
                ref=so,
                kind="ship",
                at=self.at(1, 3),
            )

    def pick_order(self, day: dt.date) -> list[tuple[str, str | None, int, str]]:
        so = f"SO-{self.next_so}"
        self.next_so += 1
        stock = self.pickable(day)
        skus = sorted({k[0] for k in stock})
        lines = []
        user = self.who()
        for sku in self.rng.sample(skus, min(len(skus), self.rng.randint(1, 4))):
            # First expiry, first out: the earliest-expiring lot of this item.
            key = next(k for k in stock if k[0] == sku)
            have = self.stock[key]
            qty = 1 if key[1] and key[1].startswith("SN") else min(have, self.rng.randint(2, 24))
            transfer(
                sku,
                qty,
                key[2],
                DISPATCH,
                user=user,
                lot=key[1],
                ref=so,
                kind="pick",
                at=self.at(2, 7),
            )
            self.stock[key] = have - qty
            lines.append((sku, key[1], qty, so))
        return lines

    def random_stock(self, bulk_only: bool = False) -> tuple[str, str | None, str] | None:
        keys = sorted(k for k, q in self.stock.items() if q > (2 if bulk_only else 0))
        return self.rng.choice(keys) if keys else None

    def cycle_count(self, day: dt.date) -> None:
        key = self.random_stock()
        if key is None:
            return
        sku, lot, loc = key
        have = self.stock[key]
        counted = max(0, have + self.rng.choice((-2, -1, 0, 0, 0, 1)))
        count(sku, counted, loc, user=self.who(), lot=lot, at=self.at())
        self.stock[key] = counted

    def adjust_one(self, day: dt.date) -> None:
        key = self.random_stock(bulk_only=True)
        if key is None:
            return
        delta = self.rng.choice((-2, -1, 1))
        adjust(
            key[0],
            delta,
            key[2],
            user=self.lead(),
            lot=key[1],
            reason=self.rng.choice(ADJUST_REASONS),
            at=self.at(),
        )
        self.stock[key] += delta

    def scrap_one(self, day: dt.date) -> None:
        key = self.random_stock(bulk_only=True)
        if key is None:
            return
        qty = self.rng.randint(1, 2)
        scrap(
            key[0],
            qty,
            key[2],
            user=self.lead(),
            lot=key[1],
            reason=self.rng.choice(SCRAP_REASONS),
            at=self.at(),
        )
        self.stock[key] -= qty

    def consolidate(self, day: dt.date) -> None:
        key = self.random_stock(bulk_only=True)
        if key is None:
            return
        sku, lot, src = key
        zone = next(z for z, b in self.bins.items() if src in b)
        dest = self.free_bin(zone)
        if dest == src:
            return
        qty = self.stock[key]
        transfer(
            sku,
            qty,
            src,
            dest,
            user=self.who(),
            lot=lot,
            ref=None,
            note="Consolidated to free a bin",
            at=self.at(),
        )
        self.stock[key] = 0
        self.stock[(sku, lot, dest)] = self.stock.get((sku, lot, dest), 0) + qty

    # -- the end of the four weeks

    def quality_holds(self, day: dt.date) -> None:
        """One lot held for a lab result, one blocked, expired stock scrapped."""
        self.clock = max(self.clock, dt.datetime.combine(day, dt.time(16, 30)))
        lead = self.lead()
        lots = sorted({k[:2] for k, q in self.stock.items() if q > 0 and k[1] and k[0][:2] != "EL"})
        pharma = [k for k in lots if k[0].startswith("PH")]
        food = [k for k in lots if k[0].startswith("FD")]
        holds = []
        if pharma:
            holds.append((pharma[0], "quarantine", "Supplier quality notice: awaiting lab result"))
        if food:
            holds.append((food[-1], "blocked", "Temperature excursion reported by the carrier"))
        for key, status, reason in holds:
            sku, lot = key
            assert lot is not None
            set_lot_status(get_lot(get_item(sku), lot), status, reason, by=User.get(name=lead))
            self.held.add((sku, lot))
            for other in sorted(k for k, q in self.stock.items() if q > 0 and k[:2] == key[:2]):
                transfer(
                    sku,
                    self.stock[other],
                    other[2],
                    QUARANTINE,
                    user=lead,
                    lot=lot,
                    note=reason,
                    at=self.at(2, 5),
                )
                self.stock[other] = 0
        # Most expired stock waits for the weekly clean-up; one lot goes to scrap today.
        expired = [
            (k, q)
            for k, q in sorted(self.stock.items())
            if q > 0 and k[1] and (self.expiry.get((k[0], k[1])) or self.today) < self.today
        ]
        if expired:
            (sku, lot, loc), qty = expired[0]
            scrap(sku, qty, loc, user=lead, lot=lot, reason="Expired", at=self.at(1, 3))
            self.stock[(sku, lot, loc)] = 0

    def correct_a_mistake(self) -> None:
        """This morning's discovery: a pallet was put away into the wrong bin."""
        still_there = [p for p in self.putaways if self.stock.get((p[1], p[2], p[4]), 0) >= p[3]]
        if not still_there:
            return
        move_id, sku, lot, qty, dest, po = still_there[-1]
        lead = self.lead()
        reverse(move_id, user=lead, reason="Put away into the wrong bin")
        zone = next(z for z, b in self.bins.items() if dest in b)
        right = self.free_bin(zone)
        transfer(sku, qty, RECEIVING, right, user=lead, lot=lot, ref=po, note="Put away again")
        self.stock[(sku, lot, dest)] -= qty
        self.stock[(sku, lot, right)] = self.stock.get((sku, lot, right), 0) + qty
