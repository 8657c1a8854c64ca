"""Progress of long commands on stderr, with rich: a bar, done/total, the rate and the
time left. Shown only where stderr is a terminal and the output is not --json, so a
script or a pipe gets nothing but its data."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

Report = Callable[..., None]  # (done, total) or (done, total, what)


class RateColumn(ProgressColumn):
    """Rows (or moves, lots...) a second, once there is a rate to tell."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "…/s", style="progress.data.speed")


def shown(off: bool, console: Console | None = None) -> bool:
    """Whether progress is shown: a terminal on stderr, and not turned OFF (--json)."""
    if off:
        return False
    return console.is_terminal if console is not None else sys.stderr.isatty()


@contextmanager
def progress_of(
    label: str, *, off: bool = False, console: Console | None = None
) -> Iterator[Report]:
    """A report(done, total[, what]) for a long job; a bar while it runs, or nothing
    (OFF under --json, or where the data itself goes to the terminal)."""
    if not shown(off, console):
        yield lambda *_: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console or Console(stderr=True),
        transient=False,
    )
    task = bar.add_task(label, total=None)

    def report(done: int, total: int, what: str | None = None) -> None:
        bar.update(task, completed=done, total=total or None, description=what or label)

    with bar:
        yield report
