"""The count accuracy report: of the counts posted in a period, how many were within
the tolerance, and by how many units the books were off, per location, per ABC class
and per counter. Held counts a lead rejected are not in it (the recount is)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from backroom.models.errors import Refused
from backroom.models.people.roles import require
from backroom.models.schema import Location, User
from backroom.models.schema.counting import CountRecord


@dataclass(frozen=True)
class Accuracy:
    """One line of the report: COUNTS posted, WITHIN the tolerance, UNITS_OFF summed
    (each count's difference, either way) and NET_OFF (counted minus expected)."""

    key: str
    counts: int
    within: int
    units_off: int
    net_off: int

    @property
    def percent(self) -> float:
        """Counts within tolerance as a percentage of counts, to one decimal."""
        return round(100 * self.within / self.counts, 1) if self.counts else 0.0

    def as_dict(self) -> dict[str, object]:
        fields = ("key", "counts", "within", "units_off", "net_off")
        return {name: getattr(self, name) for name in fields} | {"percent": self.percent}


@dataclass(frozen=True)
class AccuracyReport:
    """The report over SINCE .. UNTIL (days, both included; None: open)."""

    since: dt.date | None
    until: dt.date | None
    overall: Accuracy
    by_location: list[Accuracy] = field(default_factory=list)
    by_class: list[Accuracy] = field(default_factory=list)
    by_counter: list[Accuracy] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "since": self.since,
            "until": self.until,
            "overall": self.overall.as_dict(),
            "by_location": [a.as_dict() for a in self.by_location],
            "by_class": [a.as_dict() for a in self.by_class],
            "by_counter": [a.as_dict() for a in self.by_counter],
        }


@dataclass(frozen=True)
class _Count:
    location: str
    abc: str
    counter: str
    off: int
    within: bool


def _tally(key: str, counts: list[_Count]) -> Accuracy:
    return Accuracy(
        key,
        len(counts),
        sum(1 for c in counts if c.within),
        sum(abs(c.off) for c in counts),
        sum(c.off for c in counts),
    )


def _grouped(counts: list[_Count], key: Callable[[_Count], str]) -> list[Accuracy]:
    groups: dict[str, list[_Count]] = {}
    for c in counts:
        groups.setdefault(key(c), []).append(c)
    return [_tally(name, groups[name]) for name in sorted(groups)]


def accuracy(
    since: dt.date | None = None, until: dt.date | None = None, *, by: User | None = None
) -> AccuracyReport:
    """Count accuracy over the days SINCE .. UNTIL, overall and per location, class and
    counter (an item counted before it had a class is under "-")."""
    require(by, "report")
    if since and until and since > until:
        raise Refused(f"The report runs from {since} to {until}: the first day comes first")
    query = (
        CountRecord.select(
            Location.code,
            CountRecord.abc,
            User.name,
            CountRecord.counted,
            CountRecord.expected,
            CountRecord.within,
        )
        .join(Location, on=(CountRecord.location == Location.id))
        .switch(CountRecord)
        .join(User, on=(CountRecord.counted_by == User.id))
    )
    if since:
        query = query.where(CountRecord.counted_at >= dt.datetime.combine(since, dt.time()))
    if until:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
        query = query.where(CountRecord.counted_at < end)
    counts = [
        _Count(code, abc or "-", name, counted - expected, bool(within))
        for code, abc, name, counted, expected, within in query.tuples()
    ]
    return AccuracyReport(
        since,
        until,
        _tally("all", counts),
        _grouped(counts, lambda c: c.location),
        _grouped(counts, lambda c: c.abc),
        _grouped(counts, lambda c: c.counter),
    )
