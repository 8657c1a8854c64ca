"""Code that runs in other processes during the request-id races (kept small to spawn)."""

from __future__ import annotations

from backroom.models.migrations import open_database
from backroom.models.stock.operations import receive


def retry_receipt(url: str, all_ready, results, request_id: str) -> None:
    """One session confirming the same receipt: wait for the others, post, report the move."""
    try:
        open_database(url)
        all_ready.wait(timeout=60)
        move = receive("FLOUR", 7, "A1", user="tester", request_id=request_id)
        results.put(("ok", move.id))
    except Exception as exc:  # reported to the test rather than lost in a dead process
        all_ready.abort()
        results.put(("error", repr(exc)))
