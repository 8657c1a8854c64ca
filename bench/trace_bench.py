"""Trace timings on the large demo database: the lot with the most shipments, and a lot
three transformations up from shipped products.

Run by hand:  .venv/bin/python bench/trace_bench.py [--db bench/out/large.db] [--runs 30]
Works on a copy (bench/out/work-trace.db), so the large database stays as built; build
that one first with `backroom --db sqlite:///bench/out/large.db demo --size large --no-tui`.
Target (issue 5): a lot with at least 1,000 downstream shipments traces in <= 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backroom.models.db import db, run_write  # noqa: E402
from backroom.models.masterdata.adding import ItemSpec, add_item, get_location, get_user  # noqa: E402
from backroom.models.migrations import open_database  # noqa: E402
from backroom.models.schema import Item, Lot, Move, User  # noqa: E402
from backroom.models.schema.shipping import Consignee, Shipment  # noqa: E402
from backroom.models.stock.ledger import MoveSpec, post  # noqa: E402
from backroom.models.trace.report import Trace  # noqa: E402
from backroom.models.trace.transform import Line, transform  # noqa: E402
from backroom.models.trace.walk import trace_lot  # noqa: E402

OUT = ROOT / "bench" / "out"
TARGET_MS = 200.0


def machine() -> str:
    """Date, CPU, cores and software versions, for the figures' header."""
    import peewee

    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    one, five, _ = os.getloadavg()
    return (
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {cpu}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"peewee {peewee.__version__}; load {one:.1f}/{five:.1f}"
    )


def copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of SRC, through SQLite's backup API."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(src) as source, sqlite3.connect(dst) as target:
        source.backup(target)


def timed(lot_id: int, runs: int) -> tuple[list[float], list[float], Trace]:
    """Milliseconds (wall clock, and CPU of this process) of RUNS traces of LOT_ID by its
    number, as a person asks for it, with its JSON (after one warm-up); the last trace.
    CPU time shows what the trace costs when other work shares the machine."""
    number, sku = (
        Lot.select(Lot.number, Item.sku).join(Item).where(Lot.id == lot_id).scalar(as_tuple=True)
    )
    trace_lot(number, sku)
    times, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        found = trace_lot(number, sku)
        json.dumps(found.as_dict(), default=str)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return times, cpu, found


def figures(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return (
        f"{name}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"min {ordered[0]:.1f} ms, max {ordered[-1]:.1f} ms ({len(times)} runs)"
    )


def hot_lot() -> tuple[int, int]:
    """The lot with the most ship moves, and how many it has."""
    row = db.execute_sql(
        'SELECT "lot_id", COUNT(*) FROM "move" WHERE "kind" = \'ship\' AND "lot_id" IS NOT NULL '
        'GROUP BY "lot_id" ORDER BY 2 DESC LIMIT 1'
    ).fetchone()
    return row[0], row[1]


def build_genealogy(user: str) -> int:
    """Three levels of transformation from a lot in stock, the products shipped to 300
    orders; returns the raw lot's id."""
    row = db.execute_sql(
        'SELECT q."lot_id", q."qty", loc."code", i."sku", l."number" FROM "quant" q '
        'JOIN "location" loc ON loc."id" = q."location_id" '
        'JOIN "lot" l ON l."id" = q."lot_id" JOIN "item" i ON i."id" = q."item_id" '
        'WHERE loc."kind" = \'internal\' AND l."status" = \'released\' AND q."qty" >= 400 '
        'ORDER BY q."qty" DESC LIMIT 1'
    ).fetchone()
    lot_id, _qty, loc, sku, number = row
    for n in (1, 2, 3):
        if not Item.select().where(Item.sku == f"BENCH-L{n}").exists():
            add_item(ItemSpec(f"BENCH-L{n}", f"Bench level {n}", tracking="lot"))
    stamp = dt.datetime.now().strftime("%H%M%S")
    level1 = [f"B1{stamp}{k}" for k in range(2)]
    transform(
        loc,
        [Line(sku, number, 400)],
        [Line("BENCH-L1", level1[0], 200), Line("BENCH-L1", level1[1], 200)],
        user=user,
    )
    level2 = f"B2{stamp}"
    transform(
        loc,
        [Line("BENCH-L1", level1[0], 200), Line("BENCH-L1", level1[1], 200)],
        [Line("BENCH-L2", level2, 400)],
        user=user,
    )
    level3 = f"B3{stamp}"
    transform(loc, [Line("BENCH-L2", level2, 400)], [Line("BENCH-L3", level3, 400)], user=user)
    shop = Consignee.get_or_none(Consignee.name == "Bench customer") or Consignee.create(
        name="Bench customer", address="1 Bench St", postal_code="1000", city="Testville",
        country="BE",
    )  # fmt: skip
    item = Item.get(Item.sku == "BENCH-L3")
    lot = Lot.get((Lot.item == item) & (Lot.number == level3))
    numbers = [f"SHP-9{stamp}{k:03d}" for k in range(300)]
    Shipment.insert_many(
        [{"number": n, "consignee": shop, "planned_date": dt.date.today()} for n in numbers]
    ).execute()
    src, dst = get_location(loc), get_location("CUSTOMER")
    specs = [MoveSpec("ship", item, 1, src, dst, lot, reference=n) for n in numbers]
    run_write(lambda: post(specs, get_user(user)))
    return lot_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=OUT / "large.db")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if not args.db.exists():
        print(f"No {args.db}: build it with `backroom --db sqlite:///{args.db} demo --size large "
              "--no-tui`", file=sys.stderr)  # fmt: skip
        return 1
    work = OUT / "work-trace.db"
    started = time.perf_counter()
    copy_db(args.db, work)
    print(machine())
    print(f"copied {args.db.name} to {work.name} in {time.perf_counter() - started:.1f} s")
    open_database(f"sqlite:///{work}")
    moves = Move.select().count()
    user = User.select().where(User.role == "admin").first().name
    lot_id, ships = hot_lot()
    times, cpu, found = timed(lot_id, args.runs)
    shipped = len(found.root.shipments)
    print(
        f"ledger {moves:,} moves; hot lot {found.root.info.label}: {ships:,} ship moves, "
        f"{len(found.moves):,} movements, {len(found.root.on_hand)} locations on hand"
    )
    print(figures("trace of the hot lot, wall clock", times))
    print(figures("trace of the hot lot, CPU", cpu))
    root = build_genealogy(user)
    times2, cpu2, found2 = timed(root, args.runs)
    reached = sum(1 for _ in found2.reached())
    print(
        f"genealogy lot {found2.root.info.label}: {len(found2.downstream)} lots made from it "
        f"over 3 levels, {reached:,} shipments reached"
    )
    print(figures("trace through three transformations, wall clock", times2))
    print(figures("trace through three transformations, CPU", cpu2))
    ok = shipped >= 1000 and statistics.median(times) <= TARGET_MS
    print(
        f"target: >= 1,000 shipments in <= {TARGET_MS:.0f} ms (median): {'met' if ok else 'MISSED'}"
    )
    db.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
