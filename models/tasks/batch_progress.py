"""A batch's status follows its tasks: the first stop picked starts it, the last one
finishes it, whichever way the stop was finished (`batch pick`, `task done`, the
handheld's Next task). Apart from models/tasks/batches.py so that completing a task
can tell its batch without importing the batch operations (which complete tasks)."""

from __future__ import annotations

import datetime as dt

from backroom.models.masterdata.adding import log_event
from backroom.models.schema import User, utcnow
from backroom.models.schema.batches import PickBatch
from backroom.models.schema.tasks import FINISHED, Task


def unfinished_tasks(batch: PickBatch) -> list[Task]:
    """The batch's tasks not yet done, cancelled or skipped, oldest first."""
    unfinished = (Task.source == batch.source) & Task.status.not_in(FINISHED)
    return list(Task.select().where(unfinished).order_by(Task.id))


def progress(batch: PickBatch, who: User, now: dt.datetime) -> str:
    """The first pick starts the batch; the last finishes it (once: a stop picked
    through `batch pick` and its task's completion both come here). Its status now."""
    if unfinished_tasks(batch):
        PickBatch.update(status="picking").where(
            (PickBatch.id == batch.id) & (PickBatch.status == "open")
        ).execute()
        return "picking"
    finished = PickBatch.update(status="done", done_at=now).where(
        (PickBatch.id == batch.id) & PickBatch.status.in_(("open", "picking"))
    )
    if finished.execute():
        log_event("batch.done", batch.number, who)
    return "done"


def batch_progressed(number: str, who: User) -> None:
    """A task of batch NUMBER was finished, through `batch pick` or as any task (`task
    done`, the handheld's Next task): the batch starts or ends with it."""
    batch = PickBatch.get_or_none(PickBatch.number == number)
    if batch is not None and batch.status in ("open", "picking"):
        progress(batch, who, utcnow())
