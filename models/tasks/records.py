"""What a task looks like to the screens, the command line and the other modules: a
TaskView with codes instead of ids; finding a task by its number; listing tasks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from backroom.models.db import is_postgres
from backroom.models.errors import NotFound, Refused
from backroom.models.rules.dates import stored_time
from backroom.models.schema import Item, Location, Lot, User
from backroom.models.schema.tasks import HELD, TASK_KINDS, TASK_STATUSES, Task

# Aliases: a task names two locations and up to two users.
FromLoc = Location.alias("from_loc")
ToLoc = Location.alias("to_loc")
Holder = User.alias("holder")
Maker = User.alias("maker")


@dataclass(frozen=True)
class TaskView:
    """One task as people read it: item SKU, lot number, location codes, user names."""

    id: int
    number: str
    kind: str
    status: str
    item: str | None
    unit: str | None
    lot: str | None
    from_location: str | None
    to_location: str | None
    qty: int | None
    done_qty: int | None
    priority: int
    due: dt.datetime | None
    source: str
    ref: str | None
    reason: str | None
    created_at: dt.datetime
    created_by: str | None
    taken_by: str | None
    taken_at: dt.datetime | None
    done_at: dt.datetime | None
    rest_of: str | None

    @property
    def where(self) -> str | None:
        """The location the task starts at: the one to walk to first."""
        return self.from_location

    @property
    def text(self) -> str:
        """The task in one line: 'T-42 replenish 24 MILK lot L1 BULK-01 → A-01-03'."""
        what = " ".join(
            part
            for part in (
                str(self.qty) if self.qty is not None else "",
                self.item or "",
                f"lot {self.lot}" if self.lot else "",
            )
            if part
        )
        places = " → ".join(p for p in (self.from_location, self.to_location) if p)
        ref = f" for {self.ref}" if self.ref else ""
        return f"{self.number} {self.kind.replace('_', ' ')} {what} {places}{ref}".replace(
            "  ", " "
        )

    def as_dict(self) -> dict[str, object]:
        """The JSON form scripts rely on (stable keys)."""
        return {
            "id": self.id,
            "number": self.number,
            "kind": self.kind,
            "status": self.status,
            "item": self.item,
            "unit": self.unit,
            "lot": self.lot,
            "from": self.from_location,
            "to": self.to_location,
            "qty": self.qty,
            "done_qty": self.done_qty,
            "priority": self.priority,
            "due": _iso(self.due),
            "source": self.source,
            "ref": self.ref,
            "reason": self.reason,
            "created_at": _iso(self.created_at),
            "created_by": self.created_by,
            "taken_by": self.taken_by,
            "taken_at": _iso(self.taken_at),
            "done_at": _iso(self.done_at),
            "rest_of": self.rest_of,
        }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def _time(value: object) -> dt.datetime | None:
    return None if value is None else stored_time(value)  # type: ignore[arg-type]


def _joined() -> pw.ModelSelect:
    """Tasks with everything a TaskView names, in one query."""
    return (
        Task.select(
            Task,
            Item.sku,
            Item.unit,
            Lot.number.alias("lot_number"),
            FromLoc.code.alias("from_code"),
            ToLoc.code.alias("to_code"),
            Holder.name.alias("holder_name"),
            Maker.name.alias("maker_name"),
        )
        .join_from(Task, Item, pw.JOIN.LEFT_OUTER, on=(Task.item == Item.id))
        .join_from(Task, Lot, pw.JOIN.LEFT_OUTER, on=(Task.lot == Lot.id))
        .join_from(Task, FromLoc, pw.JOIN.LEFT_OUTER, on=(Task.from_location == FromLoc.id))
        .join_from(Task, ToLoc, pw.JOIN.LEFT_OUTER, on=(Task.to_location == ToLoc.id))
        .join_from(Task, Holder, pw.JOIN.LEFT_OUTER, on=(Task.taken_by == Holder.id))
        .join_from(Task, Maker, pw.JOIN.LEFT_OUTER, on=(Task.created_by == Maker.id))
    )


def _view(row: dict) -> TaskView:
    return TaskView(
        id=row["id"],
        number=f"T-{row['id']}",
        kind=row["kind"],
        status=row["status"],
        item=row["sku"],
        unit=row["unit"],
        lot=row["lot_number"],
        from_location=row["from_code"],
        to_location=row["to_code"],
        qty=row["qty"],
        done_qty=row["done_qty"],
        priority=row["priority"],
        due=_time(row["due"]),
        source=row["source"],
        ref=row["ref"],
        reason=row["reason"],
        created_at=_time(row["created_at"]),  # type: ignore[arg-type]
        created_by=row["maker_name"],
        taken_by=row["holder_name"],
        taken_at=_time(row["taken_at"]),
        done_at=_time(row["done_at"]),
        rest_of=f"T-{row['rest_of']}" if row["rest_of"] else None,
    )


def _rows(query: pw.ModelSelect) -> list[TaskView]:
    return [_view(row) for row in query.dicts()]


def task_id(number: str | int) -> int:
    """The id in a task number as people write it: 'T-42', 't42' or '42'."""
    text = str(number).strip().upper().removeprefix("T").removeprefix("-")
    if not text.isdigit():
        raise NotFound(f"{number!r} is not a task number (write it as T-42)")
    if len(text) > 10 or int(text) > 2**31 - 1:  # no task has such an id
        raise NotFound(f"No task {number}")
    return int(text)


def view_of(number: str | int) -> TaskView:
    """The task NUMBER as people read it."""
    found = _rows(_joined().where(Task.id == task_id(number)))
    if not found:
        raise NotFound(f"No task {number}")
    return found[0]


def views_of(ids: list[int]) -> list[TaskView]:
    """The tasks IDS, in that order."""
    found = {view.id: view for view in _rows(_joined().where(Task.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def list_tasks(
    *,
    kind: str | None = None,
    status: str | None = None,
    user: str | None = None,
    source: str | None = None,
    ref: str | None = None,
    limit: int = 500,
) -> list[TaskView]:
    """Tasks, most urgent first (priority, then due, then oldest); without STATUS, the
    unfinished ones. USER: the tasks that person holds or finished."""
    query = _joined()
    if kind is not None:
        if kind not in TASK_KINDS:
            raise Refused(f"Unknown task kind {kind!r}: one of {', '.join(TASK_KINDS)}")
        query = query.where(Task.kind == kind)
    if status is None:
        query = query.where(Task.status.in_(("open", "assigned", "in_progress")))
    elif status in TASK_STATUSES:
        query = query.where(Task.status == status)
    else:
        raise Refused(f"Unknown task status {status!r}: one of {', '.join(TASK_STATUSES)}")
    if user is not None:
        query = query.where(Holder.name == user)
    if source is not None:
        query = query.where(Task.source == source)
    if ref is not None:
        query = query.where(Task.ref == ref)
    query = query.order_by(
        Task.priority, Task.due.is_null(), Task.due, Task.created_at, Task.id
    ).limit(limit)
    return _rows(query)


# --- the task rows themselves, for the queue's writes -------------------------------------


def get_task(number: str | int, *, lock: bool = False) -> Task:
    query = Task.select().where(Task.id == task_id(number))
    task = (query.for_update() if lock and is_postgres() else query).first()
    if task is None:
        raise NotFound(f"No task {number}")
    return task


def not_open(task: Task) -> str:
    if task.status in HELD:
        return f"{task.number} is already taken by {task.taken_by.name}"
    return f"{task.number} is {task.status.replace('_', ' ')}"


def mine(task: Task, who: User) -> None:
    """Refuse WHO working on TASK unless they hold it."""
    if task.status in HELD and task.taken_by_id == who.id:
        return
    if task.status == "open":
        raise Refused(
            f"{task.number} is not yours: take it first (a task left without a sign of "
            "life goes back to the queue)"
        )
    if task.status in HELD:
        raise Refused(f"{task.number} is not yours: {task.taken_by.name} has it")
    raise Refused(not_open(task))
