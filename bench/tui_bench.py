"""TUI timings on a large database: open every screen, page down, peak memory.

Run by hand:  .venv/bin/python bench/tui_bench.py --db sqlite:///bench/out/large.db
Targets (issue 4): a screen opens in <= 0.5 s, a page down in <= 100 ms, RSS < 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import resource
import statistics
import time

from textual.actions import SkipAction
from textual.widgets import DataTable

from models.migrations import open_database
from models.schema import User
from tui.app import BackroomApp
from tui.navigation import DESTINATIONS
from tui.session import Session


async def _settle(app, pilot) -> None:
    await pilot.pause()
    await _quiet(app)


async def _quiet(app) -> None:
    """Until no worker runs and the message queues have drained (no idle heuristics:
    Pilot.pause waits for CPU idleness, which adds ~100 ms of its own)."""
    for _ in range(3):
        await asyncio.sleep(0.001)
        while any(not w.is_finished for w in app.workers):
            await asyncio.sleep(0.001)


async def measure(url: str, pages: int, size: tuple[int, int]) -> None:
    user = User.select().where(User.role == "admin").first().name
    app = BackroomApp(Session(user, url, site="bench"))
    async with app.run_test(size=size) as pilot:
        await _settle(app, pilot)
        print(f"{'screen':<12} {'open ms':>8} {'page median ms':>15} {'page max ms':>12}")
        for dest in DESTINATIONS:
            started = time.perf_counter()
            app.action_goto(dest.name)
            await _quiet(app)
            while app.screen.focused is None and not list(app.screen.query(DataTable)):
                await asyncio.sleep(0.001)
            await _quiet(app)
            opened = (time.perf_counter() - started) * 1000
            tables = list(app.screen.query(DataTable))
            page_times = []
            if tables:
                tables[0].focus()
                for _ in range(pages):
                    t0 = time.perf_counter()
                    try:
                        tables[0].action_page_down()
                    except SkipAction:  # a table too short to page
                        break
                    await _quiet(app)
                    page_times.append((time.perf_counter() - t0) * 1000)
            med = f"{statistics.median(page_times):.1f}" if page_times else "-"
            worst = f"{max(page_times):.1f}" if page_times else "-"
            print(f"{dest.name:<12} {opened:>8.1f} {med:>15} {worst:>12}")
            # A person looks at a screen before the next: switching within the same
            # instant trips Textual's Header (its title update outlives the screen).
            await asyncio.sleep(0.3)
        app.action_home()
        await _settle(app, pilot)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--size", default="200x60", help="terminal WIDTHxHEIGHT")
    args = parser.parse_args()
    open_database(args.db)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')} {platform.node()} {platform.processor()} "
        f"python {platform.python_version()}; db {args.db}"
    )
    width, height = (int(n) for n in args.size.split("x"))
    asyncio.run(measure(args.db, args.pages, (width, height)))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
