"""The next task with 10,000 open tasks on the large demo database (issue 16: <= 20 ms).

Run by hand:  .venv/bin/python bench/next_task_bench.py [--db bench/out/large.db]
Works on a copy of the database (bench/out/work-tasks.db). Seeds 10,000 open tasks
(replenish, count, move, put away) at random bins of the demo's 10,000 locations,
priorities 1-9 and due times over the next day; a tenth of them past due. The seed is
a bulk insert of task rows (no stock moves: a task is not the ledger), so it takes
seconds rather than the minutes 10,000 logged create_task calls would.

Timed, 200 calls per run, least of RUNS runs:
- choosing: `choosing.candidates` for a random operator at a random bin: the query
  the next-task screen waits for;
- take_next: the whole call, as a handheld makes it: its write transaction, the
  abandoned-task check, the choice, the conditional take, the task.taken event and
  the TaskView; each task taken is handed back untimed, so 10,000 stay open.
Both again with every task at the same priority: the worst case for the choice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
from pathlib import Path

from demo_bench import ensure_large_db, load, machine
from ledger_bench import copy_db, ms, percentile, timed

from backroom.models.db import db, run_write
from backroom.models.migrations import open_database
from backroom.models.schema import Item, Location, User, utcnow
from backroom.models.schema.tasks import Task
from backroom.models.tasks import choosing, queue

SEED = 16
TASKS = 10_000
CALLS = 200
RUNS = 5
KINDS = ("replenish", "count", "move", "put_away")


def seed_tasks(same_priority: bool) -> None:
    """Replace the task table's rows with TASKS open tasks at random bins."""
    rnd = random.Random(SEED)
    parents = {p for (p,) in Location.select(Location.parent).distinct().tuples() if p}
    internal = Location.select(Location.id).where(Location.kind == "internal").tuples()
    bins = [loc_id for (loc_id,) in internal if loc_id not in parents]
    items = [i for (i,) in Item.select(Item.id).where(Item.tracking == "none").tuples()]
    now = utcnow()

    def _seed() -> None:
        Task.delete().execute()
        rows = []
        for n in range(TASKS):
            kind = KINDS[n % len(KINDS)]
            src, dst = rnd.sample(bins, 2)
            due = now + dt.timedelta(minutes=rnd.randint(-144, 1440))
            rows.append(
                {
                    "kind": kind,
                    "item": rnd.choice(items),
                    "from_location": src,
                    "to_location": None if kind == "count" else dst,
                    "qty": None if kind == "count" else rnd.randint(1, 48),
                    "priority": 5 if same_priority else rnd.randint(1, 9),
                    "due": due,
                    "status": "open",
                    "source": "bench",
                    "created_at": now,
                }
            )
        for start in range(0, len(rows), 500):
            Task.insert_many(rows[start : start + 500]).execute()

    run_write(_seed)


def _bins_with_paths() -> list[Location]:
    return list(
        Location.select().where((Location.kind == "internal") & (Location.path.contains("/")))
    )


def bench(title: str, operators: list[User], places: list[Location]) -> None:
    """Time choosing and take_next, CALLS each per run, least of RUNS."""
    rnd = random.Random(SEED)
    best: dict[str, list[float]] = {}
    for _ in range(RUNS):
        choose, take = [], []
        for _ in range(CALLS):
            who, here = rnd.choice(operators), rnd.choice(places)
            choose.append(timed(choosing.candidates, who, here, utcnow())[0])
            wall, _own = timed(queue.take_next, who.name, here.code)
            take.append(wall)
            queue.release_held(who.name)
        for name, samples in (("choosing", choose), ("take_next", take)):
            if name not in best or statistics.median(samples) < statistics.median(best[name]):
                best[name] = samples
    open_now = Task.select().where(Task.status == "open").count()
    print(f"{title} ({open_now:,} open tasks, {CALLS} calls, least of {RUNS} runs):")
    for name, samples in best.items():
        print(
            f"  {name}: median {ms(statistics.median(samples))}, "
            f"p99 {ms(percentile(samples, 99))}, max {ms(max(samples))}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="the large demo database (default: build one)")
    args = parser.parse_args()
    source = args.db or ensure_large_db()
    work = copy_db(source, "work-tasks.db")
    print(machine())
    print(f"load average before: {load()}")
    open_database(f"sqlite:///{work}")
    for kept in work.parent.glob(f"{work.name}.schema-v*.bak"):  # the copy before migrating
        kept.unlink()
    operators = list(User.select().where(User.role == "operator"))
    places = _bins_with_paths()
    print(f"{Location.select().count():,} locations, {len(operators)} operators")
    for same, title in ((False, "priorities 1-9"), (True, "all at priority 5")):
        seed_tasks(same)
        bench(title, operators, places)
    print(f"load average after: {load()}")
    db.close()


if __name__ == "__main__":
    sys.exit(main())
