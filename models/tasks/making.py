"""Making tasks: what a task must say to be doable, and the one function every maker
(a lead by hand, replenishment, recounts, batches) goes through."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from backroom.models.db import run_write
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import get_item, get_location, get_lot, log_event
from backroom.models.people.roles import acting
from backroom.models.rules.text import REFERENCE_MOST, check_optional_text
from backroom.models.rules.tracking import check_lot_given
from backroom.models.schema import Item, Location, Lot, User
from backroom.models.schema.tasks import DEFAULT_PRIORITY, TASK_KINDS, Task
from backroom.models.tasks.records import TaskView, view_of

MOST_PRIORITY = 999


@dataclass(frozen=True)
class TaskSpec:
    """A task to make. Codes as people type them; QTY in base units (none for a count)."""

    kind: str
    item: str | None = None
    qty: int | None = None
    from_location: str | None = None
    to_location: str | None = None
    lot: str | None = None
    priority: int = DEFAULT_PRIORITY
    due: dt.datetime | None = None
    source: str = "manual"
    ref: str | None = None


def check_priority(priority: int) -> int:
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise Refused(f"Priority is a whole number (1 is the most urgent), not {priority!r}")
    if not 0 <= priority <= MOST_PRIORITY:
        raise Refused(f"Priority is from 0 to {MOST_PRIORITY} (lower is more urgent)")
    return priority


def _check_spec(spec: TaskSpec) -> None:
    """Refuse a task that could never be done as it stands."""
    if spec.kind not in TASK_KINDS:
        raise Refused(f"Unknown task kind {spec.kind!r}: one of {', '.join(TASK_KINDS)}")
    check_priority(spec.priority)
    check_optional_text(spec.ref, "The reference", max_length=REFERENCE_MOST)
    check_optional_text(spec.source, "The source", max_length=REFERENCE_MOST)
    if spec.item is None and spec.kind != "count":  # a count without one checks a bin is empty
        raise Refused(f"A {spec.kind.replace('_', ' ')} task names its item")
    if spec.kind == "count":
        if spec.from_location is None:
            raise Refused("A count task names the location to count (its from-location)")
        if spec.qty is not None:
            raise Refused("A count task has no quantity: the counter says what is there")
        return
    qty = spec.qty
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise Refused(f"Quantity must be a positive whole number, not {qty!r}")
    if spec.from_location is None:
        raise Refused(f"A {spec.kind.replace('_', ' ')} task names where it takes from")
    if spec.kind == "pick":
        if not spec.ref:
            raise Refused("A pick task names the shipment it picks for (its reference)")
    elif spec.to_location is None:
        raise Refused(f"A {spec.kind.replace('_', ' ')} task names where the stock goes")


def create_task(spec: TaskSpec, *, by: User | None) -> TaskView:
    """Make the open task SPEC, logged as task.created, in the caller's write transaction
    (or its own). For the domain's own callers (replenishment, recounts, batches): no
    role is checked; a person making one by hand goes through add_task."""

    def _create() -> int:
        _check_spec(spec)
        item = get_item(spec.item) if spec.item is not None else None
        lot = get_lot(item, spec.lot.strip()) if spec.lot and item is not None else None
        if item is not None:
            check_lot_given(item, lot)
        ends = [
            get_location(code) if code else None for code in (spec.from_location, spec.to_location)
        ]
        for loc in ends:
            if loc is not None and not loc.is_internal:
                raise Refused(f"{loc.code} is a {loc.kind} location, not a place in the warehouse")
        if ends[0] is not None and ends[0] == ends[1]:
            raise Refused(f"From and to are both {ends[0].code}")
        task = Task.create(
            kind=spec.kind,
            item=item,
            lot=lot,
            from_location=ends[0],
            to_location=ends[1],
            qty=spec.qty,
            priority=spec.priority,
            due=spec.due,
            source=spec.source,
            ref=spec.ref,
            created_by=by,
        )
        log_event("task.created", task.number, by, kind=spec.kind, source=spec.source, ref=spec.ref)
        return task.id

    return view_of(run_write(_create))


def add_task(spec: TaskSpec, *, user: str) -> TaskView:
    """A lead's task made by hand (source "manual" unless SPEC says otherwise)."""
    return run_write(lambda: create_task(spec, by=acting(user, "task.manage")))


RECOUNT_PRIORITY = 3  # a shelf that held less than the books say: before routine work


def ask_for_count(
    item: Item | None,
    location: Location,
    lot: Lot | None,
    *,
    ref: str | None,
    by: User | None,
    source: str = "recount",
    priority: int = RECOUNT_PRIORITY,
    due: dt.datetime | None = None,
) -> TaskView:
    """An open count task for ITEM (LOT) at LOCATION, in the caller's transaction: the
    one already open or held if there is one, else a new one. No ITEM: a check that the
    bin is empty."""
    existing = (
        Task.select(Task.id)
        .where(
            (Task.kind == "count")
            & (Task.item.is_null() if item is None else (Task.item == item.id))
            & (Task.from_location == location.id)
            & (Task.lot.is_null() if lot is None else (Task.lot == lot.id))
            & Task.status.in_(("open", "assigned", "in_progress"))
        )
        .first()
    )
    if existing is not None:
        return view_of(existing.id)
    spec = TaskSpec(
        "count",
        item=item.sku if item else None,
        from_location=location.code,
        lot=lot.number if lot else None,
        priority=priority,
        due=due,
        source=source,
        ref=ref,
    )
    return create_task(spec, by=by)


def pending_tasks(kind: str, item: Item, to_location: Location) -> list[int]:
    """The ids of KIND tasks for ITEM to TO_LOCATION that are open or held."""
    query = Task.select(Task.id).where(
        (Task.kind == kind)
        & (Task.item == item.id)
        & (Task.to_location == to_location.id)
        & Task.status.in_(("open", "assigned", "in_progress"))
    )
    return [row.id for row in query]


def withdraw_tasks(
    kind: str, item: Item, to_location: Location, why: str, *, by: User | None
) -> list[int]:
    """Cancel the open KIND tasks for ITEM to TO_LOCATION that nobody holds (the work is
    no longer needed), logged as task.cancelled, in the caller's transaction."""
    ids = [
        row.id
        for row in Task.select(Task.id).where(
            (Task.kind == kind)
            & (Task.item == item.id)
            & (Task.to_location == to_location.id)
            & (Task.status == "open")
        )
    ]
    for task_id in ids:
        done = Task.update(status="cancelled", reason=why).where(
            (Task.id == task_id) & (Task.status == "open")
        )
        if done.execute():
            log_event("task.cancelled", f"T-{task_id}", by, reason=why)
    return ids
