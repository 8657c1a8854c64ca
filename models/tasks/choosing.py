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

The task's location is where it starts: its from-location, which every task has.
Interleaving falls out of (3) and (4): after a put-away to A-01-03 the person stands
there, so a replenishment in aisle A-01 comes before one in aisle B-04 of the same
priority.

Only open tasks within the person's scope (schema.tasks.OperatorScope) are offered, and
none of a pick batch someone else has taken (schema.batches.kept_from).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import peewee as pw

from backroom.models.db import is_sqlite
from backroom.models.schema import Location, Move, User
from backroom.models.schema.batches import kept_from
from backroom.models.schema.tasks import OperatorScope, Task

# How many tasks of the nearest group the caller may try, should a take fail.
TRIES = 8
# A group of equally near tasks up to this size is sorted here; a larger one is walked
# branch by branch in the database.
GROUP_MOST = 200
Branch = Location.alias("branch")


def prefixes(path: str) -> list[str]:
    """The paths of PATH's ancestors and of PATH itself, root first."""
    parts = path.split("/")
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


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
        .join(Location, on=(Location.id == Task.from_location))
        .where((Task.id == task.id) & kept_from(user))
    )
    return (query if scope is None else query.where(scope)).exists()


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


def _under(prefix: str) -> pw.Expression:
    """SQL: the task starts at PREFIX's location or below it. The locations are found
    first (a range on the path index on SQLite, binary order; '0' follows '/'), then
    their open tasks through the (from_location, status) index."""
    exact = (Branch.path == prefix) | (
        pw.fn.SUBSTR(Branch.path, 1, len(prefix) + 1) == prefix + "/"
    )
    if is_sqlite():
        exact = (Branch.path >= prefix) & (Branch.path < prefix + "0") & exact
    return Task.from_location.in_(Branch.select(Branch.id).where(exact))


def _key(gap: Callable[[str], int]) -> Callable[[tuple], tuple]:
    return lambda row: (gap(row[2]), row[1] is None, str(row[1] or ""), row[2], row[0])


def _first(group: pw.ModelSelect, many: int) -> list[tuple]:
    """(id, due, path) of GROUP's tasks: at most MANY, in no particular order."""
    return list(group.select(Task.id, Task.due, Location.path).limit(many).tuples())


def _best(group: pw.ModelSelect) -> list[int]:
    """GROUP's first TRIES tasks by due time, walking order, age (all equally near)."""
    ordered = group.select(Task.id).order_by(Task.due.is_null(), Task.due, Location.path, Task.id)
    return [tid for (tid,) in ordered.limit(TRIES).tuples()]


def _walk_out(bucket: pw.ModelSelect, near: Location, depth: int) -> list[int]:
    """The nearest tasks of BUCKET that share DEPTH path parts with NEAR: all of them
    when they are few, else sibling branch by sibling branch, outwards from NEAR's."""
    parent = "/".join(near.path.split("/")[:depth]) if depth else None
    group = bucket if parent is None else bucket.where(_under(parent))
    rows = _first(group, GROUP_MOST + 1)
    if not rows:
        return []
    codes, here = _siblings(near, depth)
    if len(rows) <= GROUP_MOST:
        rank = {code: n for n, code in enumerate(codes)}

        def gap(path: str) -> int:
            parts = path.split("/")
            return abs(rank.get(parts[depth], here) - here) if len(parts) > depth else 0

        rows.sort(key=_key(gap))
        return [tid for tid, _, _ in rows[:TRIES]]
    at_parent = _best(group.where(Location.path == parent)) if parent else []
    if at_parent:
        return at_parent
    for distance in range(1, len(codes)):
        near_codes = [codes[n] for n in (here - distance, here + distance) if 0 <= n < len(codes)]
        branches = [f"{parent}/{code}" if parent else code for code in near_codes]
        cond = _under(branches[0])
        for branch in branches[1:]:
            cond = cond | _under(branch)
        found = _best(group.where(cond))
        if found:
            return found
    return []


def candidates(user: User, near: Location | None, now: dt.datetime) -> list[int]:
    """The ids of the open tasks USER should do next, best first (at most TRIES).

    Walks out from NEAR: the most urgent priority, past due first, then NEAR and what
    is under it, then its parent's branch, and so on up to the whole tree; the first
    of these with open tasks is the nearest group, taken in aisle order and due time."""
    base = (
        Task.select()
        .join(Location, on=(Location.id == Task.from_location))
        .where((Task.status == "open") & kept_from(user))
    )
    scope = in_scope(user)
    if scope is not None:
        base = base.where(scope)
    top = base.select(pw.fn.MIN(Task.priority)).scalar()
    if top is None:
        return []
    base = base.where(Task.priority == top)
    late = Task.due.is_null(False) & (Task.due <= now)
    for bucket in (base.where(late), base.where(~late)):
        if near is None:
            found = _best(bucket)
        else:
            found = _best(bucket.where(_under(near.path)))
            depth = near.path.count("/") + 1
            while not found and depth > 0:
                depth -= 1
                found = _walk_out(bucket, near, depth)
        if found:
            return found
    return []


def _siblings(near: Location, depth: int) -> tuple[list[str], int]:
    """The codes of the branches under NEAR's ancestor at DEPTH (the roots for 0), in
    walking order, and the place among them of the one NEAR is in."""
    mine = near.path.split("/")
    parent = "/".join(mine[:depth]) if depth else None
    siblings = Location.select(Location.code).order_by(Location.path)
    if parent is None:
        siblings = siblings.where(Location.parent.is_null())
    else:
        parent_loc = Location.get_or_none(Location.path == parent)
        siblings = siblings.where(Location.parent == (parent_loc.id if parent_loc else -1))
    codes = [code for (code,) in siblings.tuples()]
    return codes, codes.index(mine[depth]) if mine[depth] in codes else 0
