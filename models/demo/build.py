"""`backroom demo`: a believable warehouse to try Backroom on, small or large.

The small one (`backroom.models.demo.small`) is four weeks posted through the same
operations people use; the large one (`backroom.models.demo.large`) is a year of a
big warehouse, bulk-loaded, for benchmarks and paging.
"""

from __future__ import annotations

import datetime as dt
import time

from backroom.models.demo.blocks import DemoSummary, Progress, check_empty, summarise
from backroom.models.demo.large import build_large
from backroom.models.demo.small import build_small
from backroom.models.errors import Refused


def build_demo(
    size: str,
    owner: str,
    seed: int,
    progress: Progress | None = None,
    *,
    today: dt.date | None = None,
) -> DemoSummary:
    """Build the small or large demo warehouse into an empty database."""
    started = time.perf_counter()
    if size not in ("small", "large"):
        raise Refused(f"Demo size {size!r} is not one of small, large")
    check_empty()
    if size == "large":
        build_large(owner=owner, seed=seed, progress=progress, today=today)
    else:
        build_small(owner=owner, seed=seed, progress=progress, today=today)
    return summarise(size, seed, owner, started)
