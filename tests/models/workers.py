"""Code that runs in other processes during the concurrency and crash tests.

Kept apart from the test modules so a spawned process imports little.
"""

from __future__ import annotations

import time

from backroom.models.errors import DomainError
from backroom.models.migrations import open_database
from backroom.models.stock.operations import receive, transfer

USER = "tester"
Job = tuple  # ("receive", item, qty, to, lot) or ("transfer", item, qty, src, dst)


Outcome = tuple[str, object]


def session(url: str, all_ready, results, jobs: list[Job]) -> None:
    """One session: open the database, wait until every session is ready, post JOBS.

    Puts on RESULTS the outcome of each job, ("ok", move id), ("refused", message)
    for a DomainError or ("error", repr) for anything a user should never see, and
    when the session started and finished posting.
    """
    try:
        open_database(url)
        all_ready.wait(timeout=60)
    except Exception as exc:  # reported to the test rather than lost in a dead process
        all_ready.abort()
        results.put(([("error", f"session could not start: {exc!r}")], 0.0, 0.0))
        return
    results.put(run_jobs(jobs))


def run_jobs(jobs: list[Job]) -> tuple[list[Outcome], float, float]:
    """Post JOBS one by one; the outcome of each and the time taken."""
    started = time.time()
    outcomes: list[Outcome] = []
    for job in jobs:
        try:
            if job[0] == "receive":
                _, item, qty, to, lot = job
                outcomes.append(("ok", receive(item, qty, to, user=USER, lot=lot).id))
            else:
                _, item, qty, src, dst = job
                outcomes.append(("ok", transfer(item, qty, src, dst, user=USER).id))
        except DomainError as exc:
            outcomes.append(("refused", f"{type(exc).__name__}: {exc}"))
        except Exception as exc:
            outcomes.append(("error", repr(exc)))
        # A person scans between postings: this also keeps four sessions on a busy
        # machine posting side by side rather than one after another.
        time.sleep(0.002)
    return outcomes, started, time.time()


def post_forever(url: str) -> None:
    """Receive and move flour until killed."""
    open_database(url)
    while True:
        receive("FLOUR", 3, "A1", user=USER)
        transfer("FLOUR", 2, "A1", "A2", user=USER)
