"""The lead's task board: the unfinished work by kind, zone, age and assignee, and what
each person got done today, hour by hour.

A task's zone is the top-level location under the site where it starts: the second
part of its from-location's path (SITE/AMB/A-01/... is in AMB), or the first for a
location at the top. "Today" is the UTC day, as every time in the database is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from backroom.models.rules.dates import stored_time
from backroom.models.schema import Location, User, utcnow
from backroom.models.schema.tasks import HELD, Task

# Age buckets of unfinished tasks, in minutes: under 15, under 60, under 240, older.
AGE_BUCKETS = ((15, "<15m"), (60, "15-60m"), (240, "1-4h"), (None, ">4h"))
# Tasks per hour over less than this is no rate at all: a first task done in a minute
# is not "60 an hour".
LEAST_HOURS = 0.25


@dataclass(frozen=True)
class BoardLine:
    """Unfinished tasks of one kind, zone, status and assignee."""

    kind: str
    zone: str
    status: str
    assignee: str | None
    tasks: int
    units: int
    oldest_minutes: int
    ages: dict[str, int]  # tasks per AGE_BUCKETS label

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "kind": self.kind,
            "zone": self.zone,
            "status": self.status,
            "assignee": self.assignee,
            "tasks": self.tasks,
            "units": self.units,
            "oldest_minutes": self.oldest_minutes,
            "ages": dict(self.ages),
        }


@dataclass(frozen=True)
class Throughput:
    """What one person finished today: tasks and units, in all and per hour (UTC)."""

    user: str
    tasks: int
    units: int
    skipped: int
    per_hour: dict[int, tuple[int, int]]  # hour of the day -> (tasks, units)
    hours: float  # from their first take to their last finish today
    tasks_per_hour: float

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "user": self.user,
            "tasks": self.tasks,
            "units": self.units,
            "skipped": self.skipped,
            "hours": round(self.hours, 2),
            "tasks_per_hour": round(self.tasks_per_hour, 1),
            "per_hour": [
                {"hour": hour, "tasks": tasks, "units": units}
                for hour, (tasks, units) in sorted(self.per_hour.items())
            ],
        }


@dataclass(frozen=True)
class Board:
    """The whole board at one moment."""

    at: dt.datetime
    lines: list[BoardLine]
    people: list[Throughput]

    @property
    def open_tasks(self) -> int:
        return sum(line.tasks for line in self.lines)

    def as_dict(self) -> dict[str, object]:
        """The JSON form scripts rely on (stable keys)."""
        return {
            "at": self.at.isoformat(timespec="seconds") + "Z",
            "open_tasks": self.open_tasks,
            "lines": [line.as_dict() for line in self.lines],
            "throughput": [person.as_dict() for person in self.people],
        }


def zone_of(path: str) -> str:
    """The zone a location path is in: its second part, or its first at the top."""
    parts = path.split("/")
    return parts[1] if len(parts) > 1 else parts[0]


def _age_label(minutes: int) -> str:
    for limit, label in AGE_BUCKETS:
        if limit is None or minutes < limit:
            return label
    raise AssertionError("unreachable")


def _lines(now: dt.datetime) -> list[BoardLine]:
    """The unfinished tasks, counted in SQL per kind, location, status and assignee,
    then gathered per zone."""
    query = (
        Task.select(Task.kind, Location.path, Task.status, User.name, Task.qty, Task.created_at)
        .join(Location, on=(Location.id == Task.from_location))
        .join_from(Task, User, pw.JOIN.LEFT_OUTER, on=(Task.taken_by == User.id))
        .where(Task.status.in_(("open", *HELD)))
        .tuples()
    )
    groups: dict[tuple[str, str, str, str | None], list[tuple[int, int]]] = {}
    for kind, path, status, name, qty, created in query:
        minutes = max(0, int((now - stored_time(created)).total_seconds() // 60))
        groups.setdefault((kind, zone_of(path), status, name), []).append((qty or 0, minutes))
    lines = []
    for (kind, zone, status, name), tasks in sorted(
        groups.items(), key=lambda g: (g[0][0], g[0][1], g[0][2], g[0][3] or "")
    ):
        ages = {label: 0 for _, label in AGE_BUCKETS}
        for _, minutes in tasks:
            ages[_age_label(minutes)] += 1
        lines.append(
            BoardLine(
                kind,
                zone,
                status,
                name,
                len(tasks),
                sum(qty for qty, _ in tasks),
                max(minutes for _, minutes in tasks),
                ages,
            )
        )
    return lines


def _people(now: dt.datetime) -> list[Throughput]:
    """Who finished what today (done and skipped tasks, by the person who held them)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    query = (
        Task.select(User.name, Task.status, Task.done_qty, Task.taken_at, Task.done_at)
        .join(User, on=(Task.taken_by == User.id))
        .where(Task.status.in_(("done", "skipped")) & (Task.done_at >= midnight))
        .tuples()
    )
    per: dict[str, list[tuple[str, int, dt.datetime | None, dt.datetime]]] = {}
    for name, status, qty, taken, done in query:
        taken_at = stored_time(taken) if taken else None
        per.setdefault(name, []).append((status, qty or 0, taken_at, stored_time(done)))
    people = []
    for name in sorted(per):
        rows = per[name]
        done = [r for r in rows if r[0] == "done"]
        hourly: dict[int, tuple[int, int]] = {}
        for _, qty, _, finished in done:
            tasks, units = hourly.get(finished.hour, (0, 0))
            hourly[finished.hour] = (tasks + 1, units + qty)
        first = min((r[2] or r[3]) for r in rows)
        last = max(r[3] for r in rows)
        hours = max((last - max(first, midnight)).total_seconds() / 3600, LEAST_HOURS)
        people.append(
            Throughput(
                name,
                len(done),
                sum(r[1] for r in done),
                len(rows) - len(done),
                hourly,
                hours,
                len(done) / hours,
            )
        )
    return people


def board(now: dt.datetime | None = None) -> Board:
    """The lead's board as it stands NOW (default: this moment)."""
    moment = now or utcnow()
    return Board(moment, _lines(moment), _people(moment))
