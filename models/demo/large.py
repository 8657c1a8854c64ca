"""`backroom demo --size large`: a year of a big warehouse, for benchmarks and paging.

Master data (locations, items, lots) is bulk-inserted; every move still goes
through models.ledger.post, a few thousand per write transaction, so the stock
rules, the quants and the hash chain are exactly those of everyday postings.
The simulation keeps its own copy of the stock, so every move it posts is valid.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from peewee import chunked

from backroom.models.db import db, is_sqlite, run_write
from backroom.models.demo.blocks import (
    ADJUST_REASONS,
    BRANDS,
    DISPATCH,
    LEAD,
    LINE_TRACKING,
    PRODUCT_LINES,
    RECEIVING,
    SCRAP_REASONS,
    SITE,
    Progress,
    add_demo_users,
    add_site,
    gtin13,
)
from backroom.models.demo.counting import add_count_plan
from backroom.models.demo.shipping import add_open_shipments, add_shipping_partners
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import get_location, log_event, set_lot_status
from backroom.models.schema import Item, Location, Lot, User, utcnow
from backroom.models.stock.ledger import MoveSpec, lock_head, post

HISTORY_DAYS = 365
BATCH = 5_000  # moves per write transaction
INSERT_CHUNK = 500
BAYS, LEVELS = 20, 5  # one aisle: 100 bins
ZONES = (("AMB", "Ambient"), ("BULK", "Bulk racking"), ("COLD", "Cold room"), ("SEC", "Secure"))
BULK_CACHE_KIB = -262_144  # 256 MB of page cache while the moves are posted
BULK_WAL_PAGES = 10_000
HOT_SHIPMENTS = 1_100  # ship moves of one lot to distinct orders (the trace benchmark's)


@dataclass
class _Position:
    """Stock of one item (and lot) in one bin, as the simulation knows it."""

    item: int
    lot: int  # index into lots, -1 for untracked stock
    bin: int
    qty: int
    slot: int = -1  # index in the list of pickable positions, -1 if not in it


@dataclass
class _Plan:
    """What the bulk-inserted master data is, by index."""

    items: list[Item] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)
    bins: list[Location] = field(default_factory=list)
    untracked: list[int] = field(default_factory=list)
    users: list[User] = field(default_factory=list)  # operators
    lead: User | None = None


def build_large(
    *,
    owner: str,
    seed: int,
    moves: int = 1_000_000,
    lots: int = 100_000,
    locations: int = 10_000,
    progress: Progress | None = None,
    today: dt.date | None = None,
    batch: int = BATCH,
) -> None:
    """A year of history: about LOCATIONS locations, LOTS lots and exactly MOVES moves."""
    if lots < 10 or moves < 5 * lots or locations < 100:
        raise Refused("A large demo needs at least 10 lots, 5 moves per lot and 100 locations")
    rng = random.Random(seed)
    today = today or utcnow().date()
    first_day = today - dt.timedelta(days=HISTORY_DAYS)
    plan = _Plan()
    names = add_demo_users(owner)
    plan.users = list(User.select().where(User.name.in_(names)).order_by(User.name))
    plan.lead = User.get_or_none(User.name == LEAD) or User.get(User.name == owner)
    _progress(progress, 0, moves, "Locations")
    plan.bins = _make_locations(locations)
    _progress(progress, 0, moves, "Items")
    _make_items(plan, rng, max(20, lots // 50))
    _progress(progress, 0, moves, "Lots")
    _make_lots(plan, rng, lots, first_day)
    sim = _Simulation(plan, rng, moves, first_day, progress, batch)
    with _bulk_load():
        sim.run()
    _quality_holds(plan, rng)
    add_shipping_partners(owner)
    skus = [plan.items[i].sku for i in plan.untracked[:8]]
    add_open_shipments(plan.lead.name, plan.users[0].name, skus, seed)
    add_count_plan(plan.lead.name)
    run_write(
        log_event, "demo.build", "large", User.get(User.name == owner), moves=moves, lots=lots
    )


@contextmanager
def _bulk_load() -> Iterator[None]:
    """SQLite settings for this connection while it posts a million moves: a page cache
    big enough for the ledger's indexes, and the WAL written back every 40 MB rather
    than every 4 MB (each write-back rewrites the same hot index pages and syncs)."""
    if not is_sqlite():
        yield
        return
    cache = db.execute_sql("PRAGMA cache_size").fetchone()[0]
    autocheckpoint = db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0]
    db.execute_sql(f"PRAGMA cache_size = {BULK_CACHE_KIB}")
    db.execute_sql(f"PRAGMA wal_autocheckpoint = {BULK_WAL_PAGES}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA cache_size = {int(cache)}")
        db.execute_sql(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _progress(progress: Progress | None, done: int, total: int, what: str) -> None:
    if progress:
        progress(done, total, what)


def _aisle_code(n: int) -> str:
    """A, B, ... Z, AA, AB, ...: aisle letters as painted on the floor."""
    code = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        code = chr(65 + rest) + code
    return code


def _insert(model: type, rows: Sequence[dict]) -> None:
    def _do() -> None:
        for chunk in chunked(rows, INSERT_CHUNK):
            model.insert_many(chunk).execute()

    run_write(_do)


def _make_locations(total: int) -> list[Location]:
    """Site, dock, dispatch, quarantine, zones, aisles of 100 bins; returns the bins."""
    add_site("Central distribution centre")
    per_aisle = BAYS * LEVELS
    aisles = max(1, round((total - 8) / (per_aisle + 1)))
    zones = ZONES[: min(len(ZONES), aisles)]
    site = get_location(SITE)
    _insert(
        Location,
        [{"code": z, "name": name, "parent": site.id, "path": f"{SITE}/{z}"} for z, name in zones],
    )
    zone_ids = {z.code: (z.id, z.path) for z in Location.select().where(Location.parent == site)}
    aisle_rows = []
    for n in range(aisles):
        zone = zones[n * len(zones) // aisles][0]
        zone_id, zone_path = zone_ids[zone]
        code = _aisle_code(n)
        aisle_rows.append(
            {
                "code": code,
                "name": f"Aisle {code}",
                "parent": zone_id,
                "path": f"{zone_path}/{code}",
            }
        )
    _insert(Location, aisle_rows)
    bin_rows = []
    for aisle in Location.select().where(Location.code.in_([r["code"] for r in aisle_rows])):
        for bay in range(1, BAYS + 1):
            for level in range(1, LEVELS + 1):
                code = f"{aisle.code}-{bay:02d}-{level:02d}"
                bin_rows.append(
                    {
                        "code": code,
                        "name": f"Aisle {aisle.code}, bay {bay}, level {level}",
                        "parent": aisle.id,
                        "path": f"{aisle.path}/{code}",
                    }
                )
    _insert(Location, bin_rows)
    codes = {r["code"] for r in bin_rows}
    return [
        loc
        for loc in Location.select().where(Location.kind == "internal").order_by(Location.id)
        if loc.code in codes
    ]


def _make_items(plan: _Plan, rng: random.Random, count: int) -> None:
    """COUNT items: 60% food and health (lots), 10% electronics (serials), 30% packaging."""
    rows = []
    for n in range(count):
        roll = n % 10
        prefix = "FD" if roll < 4 else "HB" if roll < 6 else "EL" if roll < 7 else "PK"
        name, size, shelf = rng.choice(PRODUCT_LINES[prefix])
        brand = rng.choice(BRANDS)
        rows.append(
            {
                "sku": f"{prefix}-{n + 1:06d}",
                "gtin": "0" + gtin13(n + 1),
                "name": f"{brand} {name} {size}".strip(),
                "tracking": LINE_TRACKING[prefix],
                "shelf_life_days": shelf,
            }
        )
    _insert(Item, rows)
    skus = [r["sku"] for r in rows]
    by_sku = {i.sku: i for i in Item.select()}
    plan.items = [by_sku[s] for s in skus]
    plan.untracked = [n for n, i in enumerate(plan.items) if i.tracking == "none"]


def _make_lots(plan: _Plan, rng: random.Random, count: int, first_day: dt.date) -> None:
    """COUNT lots (a tenth of them serial numbers), each to be received once, in order."""
    lot_items = [n for n, i in enumerate(plan.items) if i.tracking == "lot"]
    serial_items = [n for n, i in enumerate(plan.items) if i.tracking == "serial"]
    long_lived = [n for n in lot_items if (plan.items[n].shelf_life_days or 0) >= 365]
    long_lived = long_lived or lot_items
    supplier = get_location("SUPPLIER")
    rows = []
    for n in range(count):
        # Every tenth lot is a serial number; lot 0 is the one sold to a thousand customers.
        serial = n % 10 == 9 and bool(serial_items)
        item_n = rng.choice(serial_items if serial else lot_items if n else long_lived)
        item = plan.items[item_n]
        # Lot n arrives when about n/count of 95% of the year has passed.
        arrives = first_day + dt.timedelta(days=int(HISTORY_DAYS * 0.95 * n / count))
        produced = arrives - dt.timedelta(days=rng.randint(1, 20))
        expiry = None
        if item.shelf_life_days:
            expiry = produced + dt.timedelta(days=item.shelf_life_days)
        rows.append(
            {
                "item": item.id,
                "number": f"SN{n + 1:09d}" if serial else f"B{n + 1:07d}",
                "expiry": expiry,
                "production_date": None if serial else produced,
                "supplier": supplier.id,
                "supplier_lot": None if serial else f"S{rng.randint(100000, 999999)}",
                "created_at": dt.datetime.combine(arrives, dt.time(6)),
            }
        )
    _insert(Lot, rows)
    by_key = {(lot.item_id, lot.number): lot for lot in Lot.select()}
    plan.lots = [by_key[(r["item"], r["number"])] for r in rows]


class _Simulation:
    """Receipts, put-away, orders, shipments and chores, in the order they happen."""

    def __init__(
        self,
        plan: _Plan,
        rng: random.Random,
        moves: int,
        first_day: dt.date,
        progress: Progress | None,
        batch: int,
    ) -> None:
        self.plan, self.rng, self.total = plan, rng, moves
        self.first_day, self.progress, self.batch = first_day, progress, batch
        self.receiving = get_location(RECEIVING)
        self.dispatch = get_location(DISPATCH)
        self.virtual = {
            kind: get_location(kind.upper()) for kind in ("supplier", "customer", "adjustment")
        }
        self.scrap_loc = get_location("SCRAP")
        self.done = 0  # moves generated so far
        self.first_id = 0
        self.last_time = dt.datetime.min
        self.groups: list[tuple[dt.datetime, User, list[MoveSpec]]] = []
        self.pending = 0
        self.positions: dict[tuple[int, int, int], _Position] = {}
        self.pickable: list[_Position] = []
        self.to_ship: list[tuple[int, int, int, str]] = []
        self.next_lot = 0
        self.next_so = 100_001
        self.next_po = 500_001
        self.orders = 0
        self.lot_spacing = 0.95 * moves / len(plan.lots)
        self.hot = min(HOT_SHIPMENTS, moves // 40)
        est_orders = (moves - 2.4 * len(plan.lots)) * 0.9 / 5
        self.hot_every = max(1, int(est_orders // (self.hot * 2))) if self.hot else 0
        self.hot_position: _Position | None = None
        self.item_index = {item.id: n for n, item in enumerate(plan.items)}
        self.expiries = [lot.expiry for lot in plan.lots]
        self.today = first_day
        self.expired: list[MoveSpec] = []

    # -- time and posting

    def now(self) -> dt.datetime:
        """The time of the next group: the year's working hours in step with the moves."""
        frac = self.done / self.total * HISTORY_DAYS
        day = int(frac)
        at = dt.datetime.combine(self.first_day + dt.timedelta(days=day), dt.time(6))
        at += dt.timedelta(seconds=int((frac - day) * 12 * 3600))
        self.last_time = max(at, self.last_time + dt.timedelta(seconds=1))
        return self.last_time

    def emit(self, specs: list[MoveSpec], user: User | None = None) -> None:
        specs = specs[: self.total - self.done]
        if not specs:
            return
        user = user or self.rng.choice(self.plan.users)
        self.groups.append((self.now(), user, specs))
        self.done += len(specs)
        self.pending += len(specs)
        if self.pending >= self.batch or self.done == self.total:
            self.flush()

    def flush(self) -> None:
        groups, self.groups, self.pending = self.groups, [], 0

        def _post() -> None:
            for at, user, specs in groups:
                post(specs, user, at)

        run_write(_post)
        if self.progress:
            self.progress(self.done, self.total, "Posting moves")

    def move_id(self) -> int:
        """The id the next generated move will get."""
        return self.first_id + self.done + 1

    # -- stock the simulation knows

    def add_stock(self, item: int, lot: int, bin_n: int, qty: int) -> _Position:
        key = (item, lot, bin_n)
        pos = self.positions.get(key)
        if pos is None:
            pos = self.positions[key] = _Position(item, lot, bin_n, 0)
        pos.qty += qty
        if pos.qty > 0 and pos.slot < 0 and pos is not self.hot_position:
            pos.slot = len(self.pickable)
            self.pickable.append(pos)
        return pos

    def take_stock(self, pos: _Position, qty: int) -> None:
        pos.qty -= qty
        if pos.qty == 0 and pos.slot >= 0:
            last = self.pickable.pop()
            if last is not pos:
                last.slot = pos.slot
                self.pickable[pos.slot] = last
            pos.slot = -1

    def spec(
        self,
        kind: str,
        pos: _Position,
        qty: int,
        src: Location,
        dst: Location,
        ref: str | None = None,
        note: str | None = None,
    ) -> MoveSpec:
        lot = self.plan.lots[pos.lot] if pos.lot >= 0 else None
        return MoveSpec(kind, self.plan.items[pos.item], qty, src, dst, lot, ref, note)

    def has_expired(self, pos: _Position) -> bool:
        expiry = self.expiries[pos.lot] if pos.lot >= 0 else None
        return expiry is not None and expiry < self.today

    def is_serial(self, pos: _Position) -> bool:
        return self.plan.items[pos.item].tracking == "serial"

    # -- what happens

    def run(self) -> None:
        self.first_id = lock_head_outside()
        rng = self.rng
        while self.done < self.total:
            if (
                self.next_lot < len(self.plan.lots)
                and self.done >= self.next_lot * self.lot_spacing
            ):
                self.inbound()
            elif not self.pickable or rng.random() < 0.05:
                self.inbound_untracked()
            elif rng.random() < 0.2:
                rng.choice((self.adjust, self.count, self.scrap, self.replenish))()
            else:
                self.pick_wave()
            if len(self.to_ship) >= 24:
                self.ship()
        if self.groups:
            self.flush()

    def inbound(self) -> None:
        """The morning's trucks: receipts into the dock, then put-away to bins."""
        lines = []
        for _ in range(self.rng.randint(1, 3)):
            po = f"PO-{self.next_po}"
            self.next_po += 1
            for _ in range(self.rng.randint(1, 6)):
                if self.next_lot >= len(self.plan.lots):
                    break
                lot_n = self.next_lot
                self.next_lot += 1
                item_n = self.item_index[self.plan.lots[lot_n].item_id]
                serial = self.plan.items[item_n].tracking == "serial"
                qty = 1 if serial else self.rng.randint(20, 400)
                if lot_n == 0 and self.hot:
                    qty = self.hot + 50
                lines.append((item_n, lot_n, qty, po))
        self._receive(lines)

    def inbound_untracked(self) -> None:
        """A delivery of packaging material, which has no lots."""
        po = f"PO-{self.next_po}"
        self.next_po += 1
        lines = [
            (self.rng.choice(self.plan.untracked), -1, self.rng.randint(50, 1_000), po)
            for _ in range(self.rng.randint(1, 4))
        ]
        self._receive(lines)

    def _receive(self, lines: list[tuple[int, int, int, str]]) -> None:
        receipts, putaway = [], []
        bins = self.plan.bins
        for item_n, lot_n, qty, po in lines:
            pos = _Position(item_n, lot_n, -1, qty)
            receipts.append(
                self.spec("receipt", pos, qty, self.virtual["supplier"], self.receiving, po)
            )
            bin_n = self.rng.randrange(len(bins))
            putaway.append(self.spec("transfer", pos, qty, self.receiving, bins[bin_n], po))
            if lot_n == 0 and self.hot:
                self.hot_position = _Position(item_n, lot_n, bin_n, 0)
                self.positions[(item_n, lot_n, bin_n)] = self.hot_position
            self.add_stock(item_n, lot_n, bin_n, qty)
        self.emit(receipts)
        self.emit(putaway)

    def pick_wave(self) -> None:
        """A wave of customer orders picked to dispatch and confirmed together."""
        specs: list[MoveSpec] = []
        self.expired = []
        self.today = self.first_day + dt.timedelta(days=self.done * HISTORY_DAYS // self.total)
        for _ in range(self.rng.randint(2, 8)):
            self.order(specs)
        self.emit(specs)
        # Expired stock the pickers found goes to scrap, which is a lead's to post.
        self.emit(self.expired, self.plan.lead)

    def order(self, specs: list[MoveSpec]) -> None:
        """One customer order's lines, added to SPECS; now and then one picked wrongly."""
        rng = self.rng
        so = f"SO-{self.next_so}"
        self.next_so += 1
        self.orders += 1
        chosen: list[_Position] = []
        hot = self.hot_position
        if hot is not None and hot.qty > 50 and self.orders % self.hot_every == 0:
            chosen.append(hot)
        for _ in range(rng.randint(1, 4)):
            if not self.pickable:
                break
            pos = self.pickable[rng.randrange(len(self.pickable))]
            if self.has_expired(pos):
                here = self.plan.bins[pos.bin]
                self.expired.append(
                    self.spec("scrap", pos, pos.qty, here, self.scrap_loc, note="Expired")
                )
                self.take_stock(pos, pos.qty)
            elif pos not in chosen:
                chosen.append(pos)
        for pos in chosen:
            if pos is hot or self.is_serial(pos):
                qty = 1
            elif rng.random() < 0.12:
                qty = pos.qty
            else:
                qty = rng.randint(1, max(1, pos.qty // 6))
            src = self.plan.bins[pos.bin]
            specs.append(self.spec("pick", pos, qty, src, self.dispatch, so))
            self.take_stock(pos, qty)
            self.to_ship.append((pos.item, pos.lot, qty, so))
        if chosen and rng.random() < 0.004:
            # Picked the wrong thing: the picker reverses the last line at once.
            wrong = specs[-1]
            specs.append(
                MoveSpec(
                    "reversal",
                    wrong.item,
                    wrong.qty,
                    wrong.to_location,
                    wrong.from_location,
                    wrong.lot,
                    so,
                    "Picked the wrong item",
                    self.move_id() + len(specs) - 1,
                )
            )
            self.to_ship.pop()
            self.add_stock(chosen[-1].item, chosen[-1].lot, chosen[-1].bin, wrong.qty)

    def ship(self) -> None:
        """The carrier collects: every picked line leaves for the customer."""
        specs = []
        for item_n, lot_n, qty, so in self.to_ship:
            pos = _Position(item_n, lot_n, -1, qty)
            specs.append(self.spec("ship", pos, qty, self.dispatch, self.virtual["customer"], so))
        self.to_ship = []
        self.emit(specs)

    def _some_stock(self) -> _Position:
        return self.pickable[self.rng.randrange(len(self.pickable))]

    def adjust(self) -> None:
        pos = self._some_stock()
        delta = self.rng.choice((-2, -1, 1, 2)) if pos.qty > 2 else 1
        if self.is_serial(pos):
            delta = -1  # a serial number is in stock once at most
        here, adj = self.plan.bins[pos.bin], self.virtual["adjustment"]
        src, dst = (adj, here) if delta > 0 else (here, adj)
        note = self.rng.choice(ADJUST_REASONS)
        # Adjustments and scrap are a lead's to post (models/people/roles.py).
        self.emit([self.spec("adjust", pos, abs(delta), src, dst, note=note)], self.plan.lead)
        if delta > 0:
            self.add_stock(pos.item, pos.lot, pos.bin, delta)
        else:
            self.take_stock(pos, -delta)

    def count(self) -> None:
        pos = self._some_stock()
        counted = max(0, pos.qty + self.rng.choice((-2, -1, 1)))
        if self.is_serial(pos):
            counted = 0
        diff = counted - pos.qty
        here, adj = self.plan.bins[pos.bin], self.virtual["adjustment"]
        src, dst = (adj, here) if diff > 0 else (here, adj)
        note = f"counted {counted}, expected {pos.qty}"
        self.emit([self.spec("count", pos, abs(diff), src, dst, note=note)])
        if diff > 0:
            self.add_stock(pos.item, pos.lot, pos.bin, diff)
        else:
            self.take_stock(pos, -diff)

    def scrap(self) -> None:
        pos = self._some_stock()
        qty = self.rng.randint(1, min(3, pos.qty))
        note = self.rng.choice(SCRAP_REASONS)
        here = self.plan.bins[pos.bin]
        self.emit([self.spec("scrap", pos, qty, here, self.scrap_loc, note=note)], self.plan.lead)
        self.take_stock(pos, qty)

    def replenish(self) -> None:
        pos = self._some_stock()
        dest = self.rng.randrange(len(self.plan.bins))
        if dest == pos.bin:
            return
        qty = pos.qty
        src, dst = self.plan.bins[pos.bin], self.plan.bins[dest]
        self.emit([self.spec("transfer", pos, qty, src, dst, note="Replenished pick face")])
        self.take_stock(pos, qty)
        self.add_stock(pos.item, pos.lot, dest, qty)


def lock_head_outside() -> int:
    """The last move's id, read in a short transaction of its own."""
    return run_write(lock_head)[0]


def _quality_holds(plan: _Plan, rng: random.Random) -> None:
    """A few lots held for a lab result and a few blocked, where they stand."""
    lead = plan.lead
    assert lead is not None
    candidates = rng.sample(range(1, len(plan.lots)), min(12, len(plan.lots) - 1))
    for n, lot_n in enumerate(candidates):
        lot = plan.lots[lot_n]
        if n % 3 == 2:
            set_lot_status(lot, "blocked", "Temperature excursion reported by the carrier", by=lead)
        else:
            set_lot_status(
                lot, "quarantine", "Supplier quality notice: awaiting lab result", by=lead
            )
