"""Ledger timings on the large demo database: one posting, one item's stock, bulk posting.

Run by hand:  .venv/bin/python bench/ledger_bench.py [--db bench/out/large.db] [--profile]
Works on copies of the database (bench/out/work-*.db), so the large one stays as built.
Targets (issue 2): p99 of one posting <= 20 ms; one item's stock <= 5 ms;
bulk posting through models.ledger.post >= 25% of the rate of plain sqlite3 doing
the same inserts and quant updates in the same transactions.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from demo_bench import OUT, ensure_large_db, load, machine, remove_db

from backroom.models.browse import list_stock as stock
from backroom.models.browse import on_hand
from backroom.models.db import SQLITE_PRAGMAS, db, run_write
from backroom.models.migrations import open_database
from backroom.models.schema import Item, Location, Lot, Move, User
from backroom.models.stock.ledger import INSERT_MOVE, UPSERT_QUANT, MoveSpec, post
from backroom.models.stock.operations import transfer

SEED = 2024


def copy_db(src: Path, name: str) -> Path:
    """A consistent copy of SRC (WAL included) in bench/out, through SQLite's backup API."""
    dst = OUT / name
    dst.parent.mkdir(parents=True, exist_ok=True)
    remove_db(dst)
    with sqlite3.connect(src) as source, sqlite3.connect(dst) as target:
        source.backup(target)
    with sqlite3.connect(dst) as target:
        target.execute("PRAGMA journal_mode=wal")
    return dst


def _run_queue_ns() -> int:
    """Nanoseconds this thread has spent ready to run but waiting for a CPU (Linux)."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def timed(fn: Callable[..., object], *args: object, **kwargs: object) -> tuple[float, float]:
    """Seconds FN took, and those seconds minus the time spent waiting for a CPU: on a
    machine busy with other work, the second figure is what the call itself costs."""
    waited = _run_queue_ns()
    started = time.perf_counter()
    fn(*args, **kwargs)
    wall = time.perf_counter() - started
    return wall, max(0.0, wall - (_run_queue_ns() - waited) / 1e9)


def summary(name: str, samples: list[tuple[float, float]]) -> str:
    """Median and p99 of wall times, then of the same without waiting for a CPU."""
    wall = [w for w, _own in samples]
    own = [o for _w, o in samples]
    return (
        f"{name}: median {ms(statistics.median(wall))}, p99 {ms(percentile(wall, 99))}, "
        f"max {ms(max(wall))}; without waiting for a CPU: median "
        f"{ms(statistics.median(own))}, p99 {ms(percentile(own, 99))}"
    )


def percentile(values: list[float], pct: float) -> float:
    """The PCT percentile (nearest rank) of VALUES."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def stock_positions(limit: int | None = None) -> list[tuple[str, str | None, str, int]]:
    """(sku, lot, bin, qty) of released or untracked stock in bins, in a fixed order."""
    query = (
        'SELECT i."sku", l."number", loc."code", q."qty" FROM "quant" q '
        'JOIN "item" i ON i."id" = q."item_id" JOIN "location" loc ON loc."id" = q."location_id" '
        'LEFT JOIN "lot" l ON l."id" = q."lot_id" '
        'WHERE q."qty" > 0 AND loc."kind" = \'internal\' AND loc."parent_id" IS NOT NULL '
        "AND loc.\"code\" NOT IN ('RECEIVING', 'DISPATCH', 'QUARANTINE') "
        'AND (l."status" IS NULL OR l."status" = \'released\') '
        'ORDER BY q."id"'
    )
    if limit:
        query += f" LIMIT {limit}"
    return list(db.execute_sql(query))


def bin_codes() -> list[str]:
    """Every bin: internal locations without children, docks excluded."""
    return [
        code
        for (code,) in db.execute_sql(
            'SELECT l."code" FROM "location" l WHERE l."kind" = \'internal\' AND NOT EXISTS '
            '(SELECT 1 FROM "location" c WHERE c."parent_id" = l."id") '
            "AND l.\"code\" NOT IN ('RECEIVING', 'DISPATCH', 'QUARANTINE') ORDER BY l.\"id\""
        )
    ]


def bench_single_postings(
    count: int, user: str, rng: random.Random, pace: float = 0.0
) -> list[tuple[float, float]]:
    """COUNT single transfers of one piece through models.operations.transfer, PACE
    seconds apart (0: back to back, as a script would; people post far more slowly)."""
    positions = stock_positions(20_000)
    bins = bin_codes()
    samples = []
    while len(samples) < count:
        n = rng.randrange(len(positions))
        sku, lot, src, qty = positions[n]
        dst = rng.choice(bins)
        if dst == src:
            continue
        samples.append(timed(transfer, sku, 1, src, dst, user=user, lot=lot, note="bench"))
        if pace:
            time.sleep(pace)
        positions[n] = (sku, lot, src, qty - 1)
        if qty == 1:
            positions[n] = positions[-1]
            positions.pop()
    return samples


def bench_stock(
    count: int, rng: random.Random
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], int]:
    """stock(item=...) and on_hand(item) for COUNT random items; and the most rows seen."""
    skus = [sku for (sku,) in db.execute_sql('SELECT "sku" FROM "item" ORDER BY "id"')]
    listing, totals = [], []
    for sku in rng.sample(skus, min(count, len(skus))):
        listing.append(timed(stock, item=sku))
        totals.append(timed(on_hand, sku))
    most = max(len(stock(item=sku)) for sku in skus[:: max(1, len(skus) // 200)])
    return listing, totals, most


def bulk_specs(total: int, rng: random.Random) -> list[MoveSpec]:
    """A realistic mix: a quarter receipts, half bin-to-bin transfers, a quarter picks."""
    positions = stock_positions(50_000)
    items = {i.sku: i for i in Item.select()}
    locs = {loc.code: loc for loc in Location.select()}
    wanted = {lot for _s, lot, _b, _q in positions if lot}
    lots = {}
    numbers = sorted(wanted)
    for start in range(0, len(numbers), 500):
        for lot in Lot.select().where(Lot.number.in_(numbers[start : start + 500])):
            lots[(lot.item_id, lot.number)] = lot
    bins = [locs[c] for c in bin_codes()]
    left = {n: qty for n, (*_rest, qty) in enumerate(positions)}
    untracked = [i for i in items.values() if i.tracking == "none"]
    supplier, receiving, dispatch = locs["SUPPLIER"], locs["RECEIVING"], locs["DISPATCH"]
    specs: list[MoveSpec] = []
    while len(specs) < total:
        roll = rng.random()
        if roll < 0.25:
            item = rng.choice(untracked)
            specs.append(MoveSpec("receipt", item, rng.randint(10, 500), supplier, receiving))
            continue
        n = rng.randrange(len(positions))
        if left[n] == 0:
            continue
        sku, number, code, _qty = positions[n]
        item = items[sku]
        lot = lots[(item.id, number)] if number else None
        src = locs[code]
        left[n] -= 1
        if roll < 0.75:
            dst = rng.choice(bins)
            if dst is src:
                left[n] += 1
                continue
            specs.append(MoveSpec("transfer", item, 1, src, dst, lot, note="bench"))
        else:
            specs.append(
                MoveSpec("pick", item, 1, src, dispatch, lot, reference=f"SO-B{len(specs)}")
            )
    return specs


def bench_bulk_peewee(specs: list[MoveSpec], batch: int, user: User) -> tuple[float, float, int]:
    """Post SPECS through models.ledger.post, BATCH per write transaction.

    Returns wall seconds, CPU seconds and the first move id posted."""
    first = Move.select(Move.id).order_by(Move.id.desc()).first().id + 1
    at = dt.datetime(2030, 1, 1)
    cpu = time.process_time()
    started = time.perf_counter()
    for start in range(0, len(specs), batch):
        chunk = specs[start : start + batch]
        run_write(post, chunk, user, at + dt.timedelta(seconds=start))
    return time.perf_counter() - started, time.process_time() - cpu, first


def bench_bulk_sqlite3(path: Path, rows: list[tuple], batch: int) -> tuple[float, float]:
    """The same move rows with their hashes, and two quant upserts per move, in plain
    sqlite3 with the same pragmas; returns wall and CPU seconds."""
    con = sqlite3.connect(path, isolation_level=None)
    for name, value in SQLITE_PRAGMAS.items():
        con.execute(f"PRAGMA {name}={value}")
    cur = con.cursor()
    cpu = time.process_time()
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        quants = []
        for row in chunk:
            item, lot, qty, src, dst = row[3], row[4], row[5], row[6], row[7]
            quants.append((item, lot, lot or 0, src, -qty))
            quants.append((item, lot, lot or 0, dst, qty))
        cur.execute("BEGIN IMMEDIATE")
        cur.executemany(INSERT_MOVE, chunk)
        cur.executemany(UPSERT_QUANT, quants)
        cur.execute(
            'UPDATE "ledger_head" SET "last_id" = ?, "last_hash" = ? WHERE "id" = 1',
            (chunk[-1][0], chunk[-1][-1]),
        )
        cur.execute("COMMIT")
    seconds = time.perf_counter() - started, time.process_time() - cpu
    con.close()
    return seconds


def main() -> None:
    """Run the three ledger benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", type=Path, help="a large demo database (default bench/out/large.db)"
    )
    parser.add_argument("--postings", type=int, default=2_000)
    parser.add_argument("--items", type=int, default=1_000)
    parser.add_argument("--bulk", type=int, default=100_000, help="moves in the bulk test")
    parser.add_argument("--batch", type=int, default=5_000, help="moves per transaction")
    parser.add_argument("--profile", action="store_true", help="cProfile the bulk posting")
    parser.add_argument(
        "--pace", type=float, default=0.0, help="milliseconds between single postings"
    )
    args = parser.parse_args()
    source = args.db or ensure_large_db()
    print(machine())
    print(f"load average at the start: {load()}")
    rng = random.Random(SEED)

    work = copy_db(source, "work-peewee.db")
    plain = copy_db(source, "work-sqlite3.db")
    open_database(f"sqlite:///{work}")
    user = User.select().where(User.role == "admin").order_by(User.id).first()
    moves = Move.select().count()
    print(f"database: {source} ({moves:,} moves)")

    samples = bench_single_postings(args.postings, user.name, rng, args.pace / 1000)
    apart = f", {args.pace:g} ms apart" if args.pace else ""
    print(summary(f"one posting (operations.transfer){apart}, {len(samples):,}", samples))
    listing, totals, most = bench_stock(args.items, rng)
    print(summary(f"one item's stock(item=), {len(listing):,} items (up to {most} rows)", listing))
    print(summary(f"one item's on_hand(), {len(totals):,} items", totals))

    # The plain copy gets the same single postings first, so both start from one state.
    head = db.execute_sql('SELECT "last_id" FROM "ledger_head"').fetchone()[0]
    catch_up = list(db.execute_sql(_ROWS, (moves,)))
    bench_bulk_sqlite3(plain, catch_up, args.batch)

    specs = bulk_specs(args.bulk, rng)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    peewee_wall, peewee_cpu, first = bench_bulk_peewee(specs, args.batch, user)
    if profiler:
        profiler.disable()
    assert first == head + 1
    rows = list(db.execute_sql(_ROWS, (head,)))
    db.close()
    plain_wall, plain_cpu = bench_bulk_sqlite3(plain, rows, args.batch)
    n = len(rows)
    print(
        f"bulk posting, {n:,} moves in transactions of {args.batch:,}: "
        f"ledger.post {n / peewee_wall:,.0f} moves/s, plain sqlite3 {n / plain_wall:,.0f} "
        f"moves/s, ratio {plain_wall / peewee_wall:.0%}; per CPU second: "
        f"{n / peewee_cpu:,.0f} and {n / plain_cpu:,.0f}, ratio {plain_cpu / peewee_cpu:.0%}"
    )
    print(f"load average at the end: {load()}")
    _check_same(work, plain)
    if profiler:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)


_ROWS = (
    'SELECT "id", "time", "kind", "item_id", "lot_id", "qty", "from_location_id", '
    '"to_location_id", "user_id", "reference", "note", "reverses_id", "prev_hash", "hash" '
    'FROM "move" WHERE "id" > ? ORDER BY "id"'
)


def _check_same(a: Path, b: Path) -> None:
    """Both copies must end with the same ledger head and the same quants."""
    results = []
    for path in (a, b):
        with sqlite3.connect(path) as con:
            head = con.execute('SELECT "last_id", "last_hash" FROM "ledger_head"').fetchone()
            quants = con.execute(
                'SELECT SUM("qty" * ("item_id" + 7 * "lot_key" + 13 * "location_id")), COUNT(*) '
                'FROM "quant"'
            ).fetchone()
            results.append((head, quants))
    if results[0] != results[1]:
        raise SystemExit(f"the two copies differ: {results}")


if __name__ == "__main__":
    main()
