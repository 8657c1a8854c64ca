"""The task queue: making tasks, taking them, doing them, handing them back.

Taking is atomic: two handhelds never get the same task. Every change of a task is a
conditional UPDATE (`... WHERE status = 'open'`, `... WHERE taken_by = me`) whose row
count says whether it happened, so a task another session took a moment ago is never
taken again, on SQLite and PostgreSQL alike. The transaction takes the ledger head's
lock first (as every posting does, and as the task event written with it would
anyway), so on PostgreSQL the choice is made after the last take committed, and the
locks are always taken in one order (ledger head, then task rows): no deadlock with a
completion that posts moves. SELECT ... FOR UPDATE SKIP LOCKED was not chosen: SQLite
has no row locks, and the event chain serialises takes on the head in any case.

A holder shows they are still there with heartbeat(); a task whose holder gave no sign
for `[tasks] abandon_after_seconds` (600 by default) goes back to open, and is logged
as task.released. Taking the next task checks for such tasks first, so nothing polls.
"""

from __future__ import annotations

import datetime as dt

from backroom.models.config import DEFAULT_ABANDON_AFTER_SECONDS, Config, ProcessSetting
from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import get_location, log_event
from backroom.models.people.roles import acting, rank
from backroom.models.rules.text import REASON_MOST, check_optional_text
from backroom.models.schema import User, utcnow
from backroom.models.schema.tasks import FINISHED, HELD, TASK_KINDS, OperatorScope, Task
from backroom.models.stock.ledger import lock_head
from backroom.models.tasks import choosing
from backroom.models.tasks.completing import TaskDone, complete
from backroom.models.tasks.making import TaskSpec, add_task, check_priority, create_task
from backroom.models.tasks.records import (
    TaskView,
    get_task,
    mine,
    not_open,
    task_id,
    view_of,
    views_of,
)

# The queue's whole interface, for the other parts of Backroom.
__all__ = [
    "TaskDone",
    "TaskSpec",
    "TaskView",
    "abandon_after",
    "add_task",
    "cancel",
    "complete",
    "configure",
    "create_task",
    "heartbeat",
    "reassign",
    "release_abandoned",
    "release_held",
    "reprioritise",
    "set_scope",
    "skip",
    "start",
    "take",
    "take_next",
]

_abandon_after = ProcessSetting(
    lambda config: config.abandon_after_seconds, lambda: DEFAULT_ABANDON_AFTER_SECONDS
)


def configure(config: Config) -> int:
    """Use CONFIG's [tasks] abandon_after_seconds in this process; the seconds."""
    return _abandon_after.configure(config)


def abandon_after() -> int:
    """Seconds without a sign of life after which a held task goes back to the queue."""
    return _abandon_after.get()


# --- taking -----------------------------------------------------------------------------


def _holding(who: User) -> Task | None:
    return (
        Task.select()
        .where((Task.taken_by == who.id) & Task.status.in_(HELD))
        .order_by(Task.taken_at, Task.id)
        .first()
    )


def _grab(task_id_: int, who: User, now: dt.datetime) -> bool:
    """Take the open task for WHO if it is still open: True when this session got it."""
    taken = (
        Task.update(status="assigned", taken_by=who.id, taken_at=now, heartbeat_at=now)
        .where((Task.id == task_id_) & (Task.status == "open"))
        .execute()
    )
    if taken:
        log_event("task.taken", f"T-{task_id_}", who)
    return bool(taken)


def take(number: str | int, user: str) -> TaskView:
    """USER takes the task NUMBER; refused if someone else has it, or it is done."""

    def _take() -> int:
        lock_head()
        who = acting(user, "task.work")
        task = get_task(number)
        if task.status in HELD and task.taken_by_id == who.id:
            return task.id
        if task.status != "open":
            raise Refused(not_open(task))
        if not choosing.fits_scope(who, task):
            raise Refused(f"{task.number} is outside what {who.name} may be given")
        if not _grab(task.id, who, utcnow()):
            raise Refused(f"{task.number} was taken by someone else a moment ago")
        return task.id

    return view_of(run_write(_take))


def take_next(user: str, near: str | None = None) -> TaskView | None:
    """The task USER should do now, taken for them: the one they hold already, else the
    most urgent open task nearest to NEAR (a location code; else where they last were).
    None when there is nothing for them."""

    def _next() -> int | None:
        lock_head()
        who = acting(user, "task.work")
        now = utcnow()
        _release(now - dt.timedelta(seconds=abandon_after()), now)
        held = _holding(who)
        if held is not None:
            return held.id
        here = get_location(near) if near else choosing.where_is(who)
        for candidate in choosing.candidates(who, here, now):
            if _grab(candidate, who, now):
                return candidate
        return None

    found = run_write(_next)
    return None if found is None else view_of(found)


def start(number: str | int, user: str) -> TaskView:
    """The holder starts the task they took (at the first scan): in progress."""

    def _start() -> int:
        lock_head()
        who = acting(user, "task.work")
        task = get_task(number, lock=True)
        mine(task, who)
        now = utcnow()
        Task.update(status="in_progress", heartbeat_at=now).where(Task.id == task.id).execute()
        return task.id

    return view_of(run_write(_start))


def heartbeat(number: str | int, user: str) -> None:
    """The holder is still there (a scan, a key, the handheld's keep-alive): the task is
    not abandoned. Refused if it is theirs no more. Takes no ledger lock: it is often."""

    def _beat() -> None:
        who = acting(user, "task.work")
        tid = task_id(number)
        done = (
            Task.update(heartbeat_at=utcnow())
            .where((Task.id == tid) & (Task.taken_by == who.id) & Task.status.in_(HELD))
            .execute()
        )
        if not done:
            mine(get_task(tid), who)

    run_write(_beat)


# --- finishing, handing back -------------------------------------------------------------


def _finish(number: str | int, who: User, status: str, reason: str) -> int:
    task = get_task(number, lock=True)
    if task.status in FINISHED:
        raise Refused(not_open(task))
    Task.update(status=status, reason=reason, done_at=utcnow()).where(Task.id == task.id).execute()
    log_event(f"task.{status}", task.number, who, reason=reason)
    return task.id


def _reason(reason: str | None) -> str:
    check_optional_text(reason, "The reason", max_length=REASON_MOST)
    if not reason or not reason.strip():
        raise Refused("Give a reason")
    return reason.strip()


def skip(number: str | int, user: str, reason: str) -> TaskView:
    """The holder cannot do the task ("bin blocked", "no such item there"): skipped, with
    the reason, for the lead to see on the board."""
    why = _reason(reason)

    def _skip() -> int:
        lock_head()
        who = acting(user, "task.work")
        mine(get_task(number, lock=True), who)
        return _finish(number, who, "skipped", why)

    return view_of(run_write(_skip))


def cancel(number: str | int, user: str, reason: str) -> TaskView:
    """A lead cancels a task that is not finished, with the reason."""
    why = _reason(reason)

    def _cancel() -> int:
        lock_head()
        return _finish(number, acting(user, "task.manage"), "cancelled", why)

    return view_of(run_write(_cancel))


def reassign(number: str | int, to_user: str, user: str) -> TaskView:
    """A lead gives an unfinished task to TO_USER (an operator or above): assigned."""

    def _assign() -> int:
        lock_head()
        who = acting(user, "task.manage")
        target = User.get_or_none(User.name == to_user)
        if target is None or not target.active:
            raise NotFound(f"No active user {to_user!r}")
        if rank(target.role) < rank("operator"):
            raise Refused(f"{target.name} cannot work on tasks")
        task = get_task(number, lock=True)
        if task.status in FINISHED:
            raise Refused(not_open(task))
        now = utcnow()
        Task.update(status="assigned", taken_by=target.id, taken_at=now, heartbeat_at=now).where(
            Task.id == task.id
        ).execute()
        log_event("task.assigned", task.number, who, to=target.name)
        return task.id

    return view_of(run_write(_assign))


def reprioritise(number: str | int, priority: int, user: str) -> TaskView:
    """A lead changes an unfinished task's priority (lower is more urgent)."""
    check_priority(priority)

    def _priority() -> int:
        lock_head()
        who = acting(user, "task.manage")
        task = get_task(number, lock=True)
        if task.status in FINISHED:
            raise Refused(not_open(task))
        Task.update(priority=priority).where(Task.id == task.id).execute()
        log_event("task.reprioritised", task.number, who, was=task.priority, now=priority)
        return task.id

    return view_of(run_write(_priority))


def _release(silent_since: dt.datetime, now: dt.datetime, holder: User | None = None) -> list[int]:
    """Put back to open the held tasks silent since SILENT_SINCE (or all of HOLDER's)."""
    cond = Task.status.in_(HELD)
    cond &= (Task.taken_by == holder.id) if holder else (Task.heartbeat_at < silent_since)
    stale = list(Task.select(Task.id, Task.taken_by, Task.heartbeat_at).where(cond))
    released = []
    for task in stale:
        back = (
            Task.update(status="open", taken_by=None, taken_at=None, heartbeat_at=None)
            .where((Task.id == task.id) & Task.status.in_(HELD))
            .execute()
        )
        if back:
            released.append(task.id)
            log_event(
                "task.released",
                task.number,
                None,
                holder=task.taken_by.name,
                silent_since=task.heartbeat_at,
                why="logout" if holder else "no sign of life",
            )
    return released


def release_abandoned(timeout: int | None = None) -> list[TaskView]:
    """Put back the tasks whose holder gave no sign of life for TIMEOUT seconds (default
    [tasks] abandon_after_seconds): a Wi-Fi drop, a handheld left on a shelf."""
    seconds = abandon_after() if timeout is None else timeout

    def _go() -> list[int]:
        lock_head()
        now = utcnow()
        return _release(now - dt.timedelta(seconds=seconds), now)

    return views_of(run_write(_go))


def release_held(user: str) -> list[TaskView]:
    """USER logs out: whatever they hold goes back to the queue now."""

    def _go() -> list[int]:
        lock_head()
        who = acting(user, "task.work")
        return _release(utcnow(), utcnow(), holder=who)

    return views_of(run_write(_go))


# --- scope -----------------------------------------------------------------------------------


def set_scope(
    name: str, *, kinds: list[str] | None = None, zone: str | None = None, user: str
) -> None:
    """A lead limits NAME to task KINDS (none: any) in ZONE and below (none: anywhere),
    replacing their scope; neither given: NAME may be given any task again."""

    def _set() -> None:
        who = acting(user, "task.manage")
        target = User.get_or_none(User.name == name)
        if target is None:
            raise NotFound(f"No user {name!r}")
        for kind in kinds or []:
            if kind not in TASK_KINDS:
                raise Refused(f"Unknown task kind {kind!r}: one of {', '.join(TASK_KINDS)}")
        place = get_location(zone) if zone else None
        OperatorScope.delete().where(OperatorScope.user == target.id).execute()
        if kinds or place:
            OperatorScope.create(user=target, kinds=",".join(kinds) if kinds else None, zone=place)
        log_event("task.scope", target.name, who, kinds=kinds, zone=zone)

    run_write(_set)
