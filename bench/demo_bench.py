"""How long `backroom demo` and `backroom verify` take, run as a person runs them.

Run by hand:  .venv/bin/python bench/demo_bench.py [--reuse] [--skip-small]
Builds bench/out/large.db (the database the other benchmarks use) with
`backroom demo --size large`, then times `backroom verify` on it.
Target (issue 2): the large demo in minutes, not hours (under 5 minutes here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LARGE_DB = OUT / "large.db"
BACKROOM = str(Path(sys.executable).with_name("backroom"))


def machine() -> str:
    """Date, CPU, cores, memory and software versions, for the figures' header."""
    import peewee

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
            mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    return (
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {cpu}, {os.cpu_count()} cores{mem}; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, peewee {peewee.__version__}"
    )


def remove_db(path: Path) -> None:
    """Delete a SQLite database file and its WAL companions."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def load() -> str:
    """The load average: other work on the machine slows every figure down."""
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def child_cpu() -> float:
    """CPU seconds used by finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def backroom(path: Path, *args: str) -> tuple[float, dict]:
    """Run `backroom --db PATH ARGS --json`; returns seconds taken and its JSON output."""
    cpu = child_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [BACKROOM, "--db", f"sqlite:///{path}", "--user", "bench", *args, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"backroom {' '.join(args)} failed: {done.stderr.strip()}")
    print(f"  [{' '.join(args)}: {seconds:.2f} s wall, {child_cpu() - cpu:.2f} s CPU; {load()}]")
    return seconds, json.loads(done.stdout)


def build_large(path: Path = LARGE_DB) -> float:
    """Build the large demo into PATH with the command line; returns the seconds taken.

    It is built beside PATH and moved into place when done, so that other benchmarks
    never open a half-built database."""
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.stem + ".building.db")
    remove_db(building)
    seconds, summary = backroom(building, "demo", "--size", "large", "--no-tui")
    print(
        f"backroom demo --size large: {seconds:.1f} s "
        f"({summary['moves']:,} moves, {summary['lots']:,} lots, "
        f"{summary['locations']:,} locations, {summary['items']:,} items)"
    )
    with sqlite3.connect(building) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    remove_db(path)
    building.replace(path)
    remove_db(building)
    return seconds


def ensure_large_db() -> Path:
    """bench/out/large.db, built once and reused by every benchmark."""
    if not LARGE_DB.exists():
        print(f"{LARGE_DB} is missing: building it (a few minutes)")
        build_large()
    return LARGE_DB


def main() -> None:
    """Time the demo builds and verify."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep bench/out/large.db if present")
    parser.add_argument("--skip-small", action="store_true")
    args = parser.parse_args()
    print(machine())
    if not args.skip_small:
        with tempfile.TemporaryDirectory() as tmp:
            small = Path(tmp) / "small.db"
            seconds, summary = backroom(small, "demo", "--no-tui")
            print(f"backroom demo (small): {seconds:.2f} s ({summary['moves']:,} moves)")
            seconds, report = backroom(small, "verify")
            print(f"backroom verify (small): {seconds:.2f} s, clean={report['clean']}")
    if args.reuse and LARGE_DB.exists():
        print(f"reusing {LARGE_DB}")
    else:
        build_large()
    seconds, report = backroom(LARGE_DB, "verify")
    print(
        f"backroom verify (large): {seconds:.1f} s, {report['moves']:,} moves, "
        f"{report['quants']:,} quants, clean={report['clean']}"
    )
    size = sum(
        Path(f"{LARGE_DB}{s}").stat().st_size
        for s in ("", "-wal")
        if Path(f"{LARGE_DB}{s}").exists()
    )
    print(f"database size: {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
