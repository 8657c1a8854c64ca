"""A writer that posts until stopped, for the restore-under-writers test; kept apart
from the test module so a spawned process imports little."""

from __future__ import annotations

from backroom.models.data.restored import DiscardedByRestore
from backroom.models.errors import DomainError
from backroom.models.migrations import open_database
from backroom.models.stock.operations import receive


def post_until_stopped(url: str, user: str, told, stop, results) -> None:
    """Receive flour as USER until STOP; sets TOLD once a posting says a restore
    discarded earlier ones. Puts on RESULTS (user, [(id, hash)] posted before being
    told, [lost ids], [(id, hash)] posted after, [unexpected errors])."""
    before: list[tuple[int, str]] = []
    after: list[tuple[int, str]] = []
    lost: list[int] = []
    errors: list[str] = []
    try:
        open_database(url)
        while not stop.is_set():
            try:
                move = receive("FLOUR", 1, "A1", user=user)
            except DiscardedByRestore as exc:
                if lost:
                    errors.append(f"told twice: {exc}")
                lost = exc.lost
                told.set()
                continue
            except DomainError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            (after if lost else before).append((move.id, move.hash))
    except Exception as exc:  # reported to the test rather than lost in a dead process
        errors.append(repr(exc))
    results.put((user, before, lost, after, errors))
