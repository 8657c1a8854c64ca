"""The next task for a person: the most urgent open task they may do, nearest to where
they are.

The order, first key first:
1. priority, lower first (1 before 5);
2. past due before not yet due (a task without a due time is never past due);
3. nearness by location path (`Location.path`, codes from the root joined by '/'):
   the number of leading path parts the task's location shares with the person's,
   more first. A bin in the person's own aisle shares more than one in the next
   aisle, which shares more than one in another zone;
4. aisle order: where the two paths part, how many siblings apart the two branches
   are in walking order (path order) under their common parent: the next aisle is
   nearer than the one five aisles down;
5. due time, earliest first; then the walking order of the task's location; then
   the oldest task.

The task's location is where it starts: its from-location, else its to-location.
Interleaving falls out of (3) and (4): after a put-away to A-01-03 the person stands
there, so a replenishment in aisle A-01 comes before one in aisle B-04 of the same
priority.

Only open tasks within the person's scope (schema.tasks.OperatorScope) are offered, and
none of a pick batch someone else has taken (schema.batches.kept_from).
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from backroom.models.schema import Location, Move, User
from backroom.models.schema.batches import kept_from
from backroom.models.schema.tasks import OperatorScope, Task

# How many tasks of the nearest group the caller may try, should a take fail.
TRIES = 8


def _start() -> pw.Expression:
    return pw.fn.COALESCE(Task.from_location, Task.to_location)


def prefixes(path: str) -> list[str]:
    """The paths of PATH's ancestors and of PATH itself, root first."""
    parts = path.split("/")
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def shared_parts(path: str) -> pw.Node:
    """SQL: how many leading path parts Location.path shares with PATH (0 to its depth)."""
    cases = []
    for depth, prefix in reversed(list(enumerate(prefixes(path), start=1))):
        under = (Location.path == prefix) | (
            pw.fn.SUBSTR(Location.path, 1, len(prefix) + 1) == prefix + "/"
        )
        cases.append((under, depth))
    return pw.Case(None, cases, 0)


def in_scope(user: User) -> pw.Expression | None:
    """SQL: the tasks USER may be given (Location is the task's start), or None for any."""
    rows = list(OperatorScope.select().where(OperatorScope.user == user.id))
    if not rows:
        return None
    allowed: pw.Expression | None = None
    for row in rows:
        cond: pw.Expression = pw.SQL("1 = 1")
        if row.kinds:
            cond = cond & Task.kind.in_([k for k in row.kinds.split(",") if k])
        if row.zone_id is not None:
            cond = cond & Location.under(row.zone)
        allowed = cond if allowed is None else (allowed | cond)
    return allowed


def fits_scope(user: User, task: Task) -> bool:
    """True when USER may be given TASK."""
    scope = in_scope(user)
    query = (
        Task.select(Task.id)
        .join(Location, on=(Location.id == _start()))
        .where((Task.id == task.id) & kept_from(user))
    )
    return (query if scope is None else query.where(scope)).exists()


def _overdue(now: dt.datetime) -> pw.Node:
    return pw.Case(None, [((Task.due.is_null(False)) & (Task.due <= now), 0)], 1)


def where_is(user: User) -> Location | None:
    """Where USER last was, as far as Backroom knows: the end of their last finished
    task, else of their last move (its to-location, or from-location if that left the
    warehouse), else nowhere known."""
    done = (
        Task.select(Task.from_location, Task.to_location, Task.kind)
        .where((Task.taken_by == user.id) & (Task.status == "done"))
        .order_by(Task.done_at.desc(), Task.id.desc())
        .first()
    )
    if done is not None:
        loc_id = done.from_location_id if done.kind == "count" else done.to_location_id
        loc_id = loc_id or done.from_location_id
        return Location.get_or_none(Location.id == loc_id) if loc_id else None
    move = Move.select().where(Move.user == user.id).order_by(Move.id.desc()).first()
    if move is None:
        return None
    loc = move.to_location if move.to_location.is_internal else move.from_location
    return loc if loc.is_internal else None


def candidates(user: User, near: Location | None, now: dt.datetime) -> list[int]:
    """The ids of the open tasks USER should do next, best first (at most TRIES)."""
    scope = in_scope(user)
    base = Task.select().join(Location, on=(Location.id == _start()))
    base = base.where((Task.status == "open") & kept_from(user))
    if scope is not None:
        base = base.where(scope)
    top = base.select(pw.fn.MIN(Task.priority)).scalar()
    if top is None:
        return []
    base = base.where(Task.priority == top)
    overdue = _overdue(now)
    shared = shared_parts(near.path) if near is not None else pw.Value(0)
    best = (
        base.select(overdue.alias("o"), shared.alias("s"))
        .order_by(pw.SQL("1"), pw.SQL("2").desc())
        .limit(1)
        .tuples()
        .first()
    )
    late, depth = best
    group = base.select(Task.id, Task.due, Location.path).where(
        (overdue == late) & (shared == depth)
    )
    rows = [(tid, due, path) for tid, due, path in group.tuples()]
    gap = _aisle_gap(near, depth)
    rows.sort(key=lambda r: (gap(r[2]), r[1] is None, str(r[1] or ""), r[2], r[0]))
    return [tid for tid, _, _ in rows[:TRIES]]


def _aisle_gap(near: Location | None, depth: int):
    """A function of a task's path: how many siblings apart, in walking order, its branch
    and NEAR's are where the paths part after DEPTH shared parts (0 when they do not)."""
    if near is None:
        return lambda path: 0
    mine = near.path.split("/")
    if depth >= len(mine):
        return lambda path: 0  # the task is at NEAR or under it
    parent = "/".join(mine[:depth]) if depth else None
    siblings = Location.select(Location.code).order_by(Location.path)
    if parent is None:
        siblings = siblings.where(Location.parent.is_null())
    else:
        parent_loc = Location.get_or_none(Location.path == parent)
        siblings = siblings.where(Location.parent == (parent_loc.id if parent_loc else -1))
    rank = {code: n for n, (code,) in enumerate(siblings.tuples())}
    here = rank.get(mine[depth], 0)

    def gap(path: str) -> int:
        parts = path.split("/")
        if len(parts) <= depth:
            return 0
        return abs(rank.get(parts[depth], here) - here)

    return gap
