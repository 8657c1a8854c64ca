"""TUI timings on a large database: open every screen, page down, peak memory.

Run by hand:  .venv/bin/python bench/tui_bench.py --db sqlite:///bench/out/large.db
Targets (issue 4): a screen opens in <= 0.5 s, a page down in <= 100 ms, RSS < 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import statistics
import time

from textual.actions import SkipAction

from backroom.models.migrations import open_database
from backroom.models.schema import User
from backroom.tui.app import BackroomApp
from backroom.tui.navigation import DESTINATIONS
from backroom.tui.run import warm_up
from backroom.tui.session import Session

# The tables that page: Textual's DataTable and our LineTable (PagedTable's base).
TABLES = "DataTable, LineTable"


async def _settle(app, pilot) -> None:
    await pilot.pause()
    await _quiet(app)


async def _quiet(app) -> None:
    """Until no worker runs, the message queues have drained and the screen has been
    drawn (no idle heuristics: Pilot.pause waits for CPU idleness, which adds ~100 ms
    of its own)."""
    for _ in range(3):
        await asyncio.sleep(0.001)
        while any(not w.is_finished for w in app.workers) or _undrawn(app.screen):
            await asyncio.sleep(0.001)


def _undrawn(screen) -> bool:
    """Whether the screen has changes not yet drawn (Textual draws on a timer)."""
    return bool(screen._dirty_widgets or screen._layout_required or screen._repaint_required)


class Draws:
    """When the app last sent a frame to the terminal (here, Textual's headless one)."""

    def __init__(self, app: BackroomApp) -> None:
        self.times: list[float] = []
        display = app._display

        def timed(screen, renderable) -> None:
            display(screen, renderable)
            self.times.append(time.perf_counter())

        app._display = timed

    def first_after(self, t0: float) -> float | None:
        return next((t for t in self.times if t >= t0), None)


def _ms(values: list[float]) -> tuple[str, str]:
    if not values:
        return "-", "-"
    return f"{statistics.median(values):.1f}", f"{max(values):.1f}"


async def measure(url: str, pages: int, size: tuple[int, int]) -> None:
    user = User.select().where(User.role == "admin").first().name
    app = BackroomApp(Session(user, url, site="bench"))
    async with app.run_test(size=size) as pilot:
        draws = Draws(app)
        await _settle(app, pilot)
        print(
            f"{'screen':<12} {'open ms':>8}   {'page drawn ms':>14} {'max':>6}"
            f"   {'page settled ms':>16} {'max':>6}"
        )
        for dest in DESTINATIONS:
            started = time.perf_counter()
            app.action_goto(dest.name)
            await _quiet(app)
            while app.screen.focused is None and not list(app.screen.query(TABLES)):
                await asyncio.sleep(0.001)
            await _quiet(app)
            opened = (time.perf_counter() - started) * 1000
            tables = list(app.screen.query(TABLES))
            drawn: list[float] = []  # until the frame with the next page went out
            settled: list[float] = []  # until that and the reading of more rows are done
            if tables:
                tables[0].focus()
                await _quiet(app)
                for _ in range(pages):
                    t0 = time.perf_counter()
                    try:
                        tables[0].action_page_down()
                    except SkipAction:  # a table too short to page
                        break
                    await _quiet(app)
                    settled.append((time.perf_counter() - t0) * 1000)
                    first = draws.first_after(t0)
                    if first is not None:
                        drawn.append((first - t0) * 1000)
            (drawn_med, drawn_max), (settled_med, settled_max) = _ms(drawn), _ms(settled)
            print(
                f"{dest.name:<12} {opened:>8.1f}   {drawn_med:>14} {drawn_max:>6}"
                f"   {settled_med:>16} {settled_max:>6}"
            )
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
        f"python {platform.python_version()}; load average {os.getloadavg()[0]:.2f}; "
        f"db {args.db}"
    )
    width, height = (int(n) for n in args.size.split("x"))
    warm_up()  # as `backroom` does before it opens the app
    asyncio.run(measure(args.db, args.pages, (width, height)))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
