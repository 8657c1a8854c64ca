"""Completing a task: its moves go through the usual operations (transfer, count, pick),
in the same transaction as the task's status change, with the quantity the person
confirmed.

Less than the task asked for: the task is done with what was confirmed, and the rest
becomes a new open task (same kind, places, priority, due, source and reference;
`rest_of` names the first), unless the person says that is all there is (`short`):
then there is no rest task. A short pick goes to picking's short pick (which gives
the rest of the allocation up and asks for a recount); a short put-away, move or
replenishment asks for a count of the source location.

A count task is recorded as cycle counting records a count (models/counting/
recording.py): blind, posted within the tolerance, else held for a lead with a recount
asked for; a count task with no item checks that its bin is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from backroom.models.errors import Refused
from backroom.models.masterdata.adding import log_event
from backroom.models.people.roles import acting
from backroom.models.schema import User, utcnow
from backroom.models.schema.tasks import Task
from backroom.models.stock.ledger import PostedMove

if TYPE_CHECKING:
    from backroom.models.counting.recording import CountOutcome
from backroom.models.stock.requests import at_most_once
from backroom.models.tasks.batch_progress import batch_progressed
from backroom.models.tasks.making import ask_for_count
from backroom.models.tasks.records import TaskView, get_task, mine, view_of

TRANSFER_KINDS = ("put_away", "replenish", "move")


@dataclass(frozen=True)
class TaskDone:
    """What completing a task did: the task as it stands now, the moves it posted, the
    count it recorded, and the task made for the rest, if any."""

    task: TaskView
    moves: list[PostedMove]
    rest: TaskView | None
    counted: CountOutcome | None = None  # a count task's count, as the counter hears it

    @property
    def text(self) -> str:
        """What happened, for the person who did it."""
        parts = [f"{self.task.number} done"]
        parts += [move.sentence() for move in self.moves]
        if self.counted is not None:
            parts.append(self.counted.text)
        if self.rest is not None:
            parts.append(f"The rest ({self.rest.qty}) is {self.rest.number}")
        return ". ".join(parts)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "task": self.task.as_dict(),
            "moves": [move.as_dict() for move in self.moves],
            "counted": self.counted.counted if self.counted else None,
            "held_for_lead": self.counted.variance if self.counted else None,
            "rest": self.rest.as_dict() if self.rest else None,
        }


def _confirmed(task: Task, qty: int | None, short: bool) -> int:
    """The quantity the person confirmed, checked against the task."""
    if task.kind == "count":
        if qty is None:
            raise Refused(f"{task.number} is a count: say how many are there")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            raise Refused(f"Counted quantity must be zero or more, not {qty!r}")
        return qty
    qty = task.qty if qty is None else qty
    if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0 or (qty == 0 and not short):
        raise Refused(f"Quantity must be a positive whole number, not {qty!r}")
    if qty > task.qty:
        raise Refused(f"{task.number} asks for {task.qty}; {qty} is more than that")
    return qty


def _counted(task: Task, qty: int, who: User) -> CountOutcome:
    """A count task's count, recorded as cycle counting records one (for the plan the
    task was made for, if any)."""
    from backroom.models.counting.recording import record_count, record_empty

    plan = task.ref if task.source == "cycle" else None
    if task.item_id is None:
        if qty:
            raise Refused(
                f"{task.number} checks that {task.from_location.code} is empty: found "
                "something there? Count it as a count of its item"
            )
        return record_empty(task.from_location.code, who.name, plan=plan)
    lot = task.lot.number if task.lot_id else None
    return record_count(task.from_location.code, task.item.sku, lot, qty, who.name, plan=plan)


def _post(task: Task, qty: int, who: User, short: bool) -> list[PostedMove]:
    """Post TASK's moves for QTY through the usual operations, as WHO."""
    from backroom.models.stock.operations import transfer

    lot = task.lot.number if task.lot_id else None
    if task.kind in TRANSFER_KINDS:
        if qty == 0:
            return []
        move = transfer(
            task.item.sku,
            qty,
            task.from_location.code,
            task.to_location.code,
            user=who.name,
            lot=lot,
            ref=task.ref or task.number,
            note=f"task {task.number}",
        )
        return [move]
    from backroom.models.goods_out.dispatch import DEFAULT_DISPATCH
    from backroom.models.goods_out.picking import pick

    picked = pick(
        task.ref,
        location=task.from_location.code,
        item=task.item.sku,
        qty=qty,
        user=who.name,
        lot=lot,
        short=short,
        dispatch=task.to_location.code if task.to_location_id else DEFAULT_DISPATCH,
    )
    return [picked.move] if picked.move else []


def _rest(task: Task, qty: int, who: User) -> int:
    """A new open task for the QTY still to do of TASK."""
    rest = Task.create(
        kind=task.kind,
        item=task.item_id,
        lot=task.lot_id,
        from_location=task.from_location_id,
        to_location=task.to_location_id,
        qty=qty,
        priority=task.priority,
        due=task.due,
        source=task.source,
        ref=task.ref,
        created_by=who,
        rest_of=task.id,
    )
    log_event(
        "task.created", rest.number, who, kind=task.kind, source=task.source, rest_of=task.number
    )
    return rest.id


def _recount(task: Task, who: User, found: int) -> None:
    """The source held less than the task expected: a count task for it."""
    ask_for_count(
        task.item, task.from_location, task.lot if task.lot_id else None, ref=task.number, by=who
    )
    log_event(
        "location.recount_requested",
        task.from_location.code,
        who,
        item=task.item.sku,
        reason=f"short {task.kind.replace('_', ' ')} {task.number}: "
        f"expected {task.qty}, found {found}",
    )


def complete(
    number: str | int,
    user: str,
    qty: int | None = None,
    *,
    short: bool = False,
    request_id: str | None = None,
) -> TaskDone:
    """The holder confirms the task done with QTY (the task's quantity if not given; what
    was counted, for a count). Its moves post in the same transaction; refused, nothing
    is written. Less than asked leaves the rest as a new task, unless SHORT."""

    def _complete() -> TaskDone:
        who = acting(user, "task.work")
        task = get_task(number, lock=True)
        mine(task, who)
        confirmed = _confirmed(task, qty, short)
        # Done first: a count far off the books asks for a recount of this spot, which
        # must be a new task, not this one (all in one transaction, refused as a whole).
        Task.update(status="done", done_qty=confirmed, done_at=utcnow()).where(
            Task.id == task.id
        ).execute()
        counted = _counted(task, confirmed, who) if task.kind == "count" else None
        moves = [] if counted is not None else _post(task, confirmed, who, short)
        log_event("task.done", task.number, who, qty=confirmed, short=short)
        rest = None
        if task.kind != "count" and confirmed < task.qty:
            if not short:
                rest = _rest(task, task.qty - confirmed, who)
            elif task.kind != "pick":  # picking asks for its own recount
                _recount(task, who, confirmed)
        if task.source.startswith("batch:"):  # after the rest: it is still to pick
            batch_progressed(task.source.removeprefix("batch:"), who)
        return TaskDone(view_of(task.id), moves, view_of(rest) if rest else None, counted)

    return at_most_once(request_id, "task.done", (str(number), qty, short), user, _complete)
