"""Count plans and the counts they want each day.

An ABC plan counts each (location, item) held in its zone every 7, 30 or 90 days by
the item's class; an every-location plan counts every location once per period: each
item it holds, or, for an empty bin, that it is empty. A pair or location never
counted yet gets a day of its own in the first period (spread evenly in location-path
order, so that each day's counts are neighbours), so a new plan does not put the whole
warehouse on day one; after that it is due again a period after its last count.
The dispatch area is left out: picked stock there is checked as it is packed.
`generate_counts` hands each day's counts over once (idempotent for a day).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import peewee as pw
from peewee import fn

from backroom.models.counting import counting_rules
from backroom.models.counting.classes import classify, item_classes, last_classified
from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.goods_in.putaway import NOT_STORAGE
from backroom.models.masterdata.adding import get_location, log_event
from backroom.models.people.roles import require
from backroom.models.rules.dates import stored_time
from backroom.models.schema import Item, Location, Quant, User, utcnow
from backroom.models.schema.counting import (
    COUNT_METHODS,
    CountPlan,
    CountRecord,
    CountRun,
    CountVariance,
)

LONGEST_PERIOD = 366


@dataclass(frozen=True)
class PlanRow:
    """A count plan as people read it."""

    name: str
    method: str
    zone: str | None
    days_a: int
    days_b: int
    days_c: int
    period_days: int | None
    active: bool

    @property
    def how_often(self) -> str:
        """'A every 7 days, B 30, C 90' or 'every location every 30 days'."""
        if self.method == "every_location":
            return f"every location every {self.period_days} days"
        return f"A every {self.days_a} days, B {self.days_b}, C {self.days_c}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class CountDue:
    """One count to hand to the floor: ITEM at LOCATION (no item: a bin the books say
    is empty, to be checked), why (due or recount), for which plan and day. Never the
    quantity the books expect: counts are blind."""

    location: str
    item: str | None
    reason: str  # "due" or "recount"
    day: dt.date
    plan: str | None = None
    abc: str | None = None
    lot: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _check_days(days: int, what: str) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= LONGEST_PERIOD:
        raise Refused(f"{what} is a whole number of days from 1 to {LONGEST_PERIOD}, not {days!r}")
    return days


def _row(plan: CountPlan) -> PlanRow:
    zone = plan.zone.code if plan.zone_id else None
    return PlanRow(
        plan.name,
        plan.method,
        zone,
        plan.days_a,
        plan.days_b,
        plan.days_c,
        plan.period_days,
        plan.active,
    )


def add_plan(
    name: str,
    method: str = "abc",
    *,
    zone: str | None = None,
    days: tuple[int, int, int] = (7, 30, 90),
    period_days: int | None = None,
    by: User | None = None,
) -> PlanRow:
    """A count plan NAME: by ABC class (DAYS for A, B, C) or every location once per
    PERIOD_DAYS; in ZONE and below it, or the whole site."""
    require(by, "count.plan")
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise Refused("A count plan has a name of 1 to 64 characters")
    if method not in COUNT_METHODS:
        raise Refused(f"A count plan counts by {' or '.join(COUNT_METHODS)}, not {method!r}")
    for value, what in zip(days, ("Class A's period", "Class B's", "Class C's"), strict=True):
        _check_days(value, what)
    if method == "every_location":
        _check_days(period_days if period_days is not None else 0, "The period")
    elif period_days is not None:
        raise Refused("An ABC plan counts by class: give days per class, not one period")

    def _add() -> PlanRow:
        if CountPlan.get_or_none(CountPlan.name == name) is not None:
            raise Refused(f"There is a count plan {name} already")
        where = get_location(zone) if zone else None
        if where is not None and not where.is_internal:
            raise Refused(f"{where.code} is not a place in the warehouse")
        plan = CountPlan.create(
            name=name,
            method=method,
            days_a=days[0],
            days_b=days[1],
            days_c=days[2],
            period_days=period_days,
            zone=where,
        )
        log_event("count.plan", name, by, method=method, zone=zone, period_days=period_days)
        return _row(plan)

    return run_write(_add)


def set_plan_active(name: str, active: bool, *, by: User | None = None) -> PlanRow:
    """Start or stop count plan NAME."""
    require(by, "count.plan")

    def _set() -> PlanRow:
        plan = _plan(name)
        CountPlan.update(active=active).where(CountPlan.id == plan.id).execute()
        log_event("count.plan.active" if active else "count.plan.stopped", plan.name, by)
        return _row(CountPlan.get_by_id(plan.id))

    return run_write(_set)


def _plan(name: str) -> CountPlan:
    plan = CountPlan.get_or_none(CountPlan.name == name.strip())
    if plan is None:
        raise NotFound(f"No count plan {name!r} ('backroom cycle plan list' shows them)")
    return plan


def list_plans() -> list[PlanRow]:
    """Every count plan, by name."""
    return [_row(p) for p in CountPlan.select().order_by(CountPlan.name)]


# --- what is due ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Held:
    location_id: int
    code: str
    path: str
    item_id: int
    sku: str


def _storage(plan: CountPlan) -> pw.Expression:
    # Picked stock waiting at dispatch belongs to its shipments: packing checks it.
    where = (Location.kind == "internal") & Location.active
    where &= Location.code.not_in(NOT_STORAGE)
    return where & Location.under(plan.zone) if plan.zone_id else where


def _empty_bins(plan: CountPlan, held: list[_Held]) -> list[tuple[str, int, str]]:
    """(path, id, code) of the bins (locations with none below them) in PLAN's zone
    that hold nothing on the books."""
    parents = Location.select(Location.parent).where(Location.parent.is_null(False))
    query = Location.select(Location.path, Location.id, Location.code).where(
        _storage(plan) & Location.id.not_in(parents)
    )
    stocked = {pair.location_id for pair in held}
    return [row for row in query.tuples() if row[1] not in stocked]


def _held_in(plan: CountPlan) -> list[_Held]:
    """The (location, item) pairs holding stock in PLAN's zone, in walking order."""
    where = (Quant.qty > 0) & _storage(plan)
    query = (
        Quant.select(Location.id, Location.code, Location.path, Item.id, Item.sku)
        .join(Location, on=(Quant.location == Location.id))
        .switch(Quant)
        .join(Item, on=(Quant.item == Item.id))
        .where(where)
        .group_by(Location.id, Location.code, Location.path, Item.id, Item.sku)
        .order_by(Location.path, Item.sku)
    )
    return [_Held(*row) for row in query.tuples()]


def _last_counts(by_location: bool) -> dict[tuple[int, int | None], dt.date]:
    """(location id, item id) -> the day of its last count; with BY_LOCATION, (location
    id, None) -> the day of the last count of anything there."""
    keys = [CountRecord.location] if by_location else [CountRecord.location, CountRecord.item]
    query = CountRecord.select(*keys, fn.MAX(CountRecord.counted_at)).group_by(*keys)
    last = {}
    for row in query.tuples():
        key = (row[0], None) if by_location else (row[0], row[1])
        last[key] = stored_time(row[-1]).date()
    return last


def _awaiting_recount() -> set[tuple[int, int]]:
    held = CountVariance.select(CountVariance.location, CountVariance.item)
    return set(held.where(CountVariance.status == "held").tuples())


def _is_due(day: dt.date, last: dt.date | None, period: int, slot: int) -> bool:
    """Due: a period after its last count; never counted, on its own day of the period."""
    if last is None:
        return day.toordinal() % period == slot
    return (day - last).days >= period


def _spread(keys: list, period: int) -> dict:
    """KEY -> its day in the period (0 .. PERIOD-1), evenly over the keys in order."""
    return {key: n * period // len(keys) for n, key in enumerate(keys)}


def _due_abc(plan: CountPlan, day: dt.date, held: list[_Held]) -> list[CountDue]:
    classes = item_classes()
    periods = {"A": plan.days_a, "B": plan.days_b, "C": plan.days_c}
    last = _last_counts(by_location=False)
    by_class: dict[str, list[_Held]] = defaultdict(list)
    for pair in held:
        by_class[classes.get(pair.item_id, "C")].append(pair)
    due = []
    for abc, pairs in by_class.items():
        slots = _spread(pairs, periods[abc])
        for pair in pairs:
            seen = last.get((pair.location_id, pair.item_id))
            if _is_due(day, seen, periods[abc], slots[pair]):
                due.append(CountDue(pair.code, pair.sku, "due", day, plan.name, abc))
    return due


def _due_every_location(plan: CountPlan, day: dt.date, held: list[_Held]) -> list[CountDue]:
    """Every location of the plan: each item it holds, or the bin itself when empty."""
    classes = item_classes()
    period = plan.period_days or 1
    last = _last_counts(by_location=True)
    places = {(p.path, p.location_id, p.code) for p in held} | set(_empty_bins(plan, held))
    walk = sorted(places)
    slots = _spread(walk, period)
    by_place: dict[int, list[_Held]] = defaultdict(list)
    for pair in held:
        by_place[pair.location_id].append(pair)
    due = []
    for place in walk:
        _path, where, code = place
        if not _is_due(day, last.get((where, None)), period, slots[place]):
            continue
        pairs = by_place.get(where, [])
        due.extend(
            CountDue(code, p.sku, "due", day, plan.name, classes.get(p.item_id, "C")) for p in pairs
        )
        if not pairs:
            due.append(CountDue(code, None, "due", day, plan.name))
    return due


def _due_for(plan: CountPlan, day: dt.date) -> list[CountDue]:
    held = _held_in(plan)
    if plan.method == "every_location":
        return _due_every_location(plan, day, held)
    return _due_abc(plan, day, held)


def due_counts(day: dt.date, plans: Iterable[str] | None = None) -> list[CountDue]:
    """The counts the active plans (or PLANS by name) want on DAY, each (location,
    item) once, in walking order; none where a held count awaits its recount."""
    query = CountPlan.select().where(CountPlan.active).order_by(CountPlan.id)
    if plans is not None:
        query = query.where(CountPlan.name.in_(list(plans)))
    return _without_repeats(day, list(query))


def _without_repeats(day: dt.date, plans: list[CountPlan]) -> list[CountDue]:
    waiting = _awaiting_recount()
    codes = dict(Location.select(Location.code, Location.id).tuples())
    skus = dict(Item.select(Item.sku, Item.id).tuples())
    seen: set[tuple[str, str | None]] = set()
    due: list[CountDue] = []
    for plan in plans:
        for count in _due_for(plan, day):
            key = (count.location, count.item)
            spot = (codes[count.location], skus.get(count.item or ""))
            if key in seen or spot in waiting:
                continue
            seen.add(key)
            due.append(count)
    return due


# --- handing counts over ---------------------------------------------------------------


def hand_to_queue(count_due: CountDue, by: User | None) -> None:
    """Hand COUNT_DUE to the floor. The seam to the task queue: until it lands, the count
    is recorded as a `count.due` (or `count.recount`) event; the queue makes it a task."""
    log_event(
        f"count.{count_due.reason}",
        f"{count_due.item}@{count_due.location}" if count_due.item else count_due.location,
        by,
        day=count_due.day,
        plan=count_due.plan,
        abc=count_due.abc,
        lot=count_due.lot,
    )


@dataclass(frozen=True)
class Generated:
    """What `cycle generate` did for DAY: the counts handed over, and the plans that had
    handed theirs over already."""

    day: dt.date
    counts: list[CountDue]
    already: list[str]

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day,
            "counts": [c.as_dict() for c in self.counts],
            "already": self.already,
        }


def _classes_stale(now: dt.datetime) -> bool:
    last = last_classified()
    limit = dt.timedelta(days=counting_rules().reclassify_days)
    return last is None or now - stored_time(last) >= limit


def generate_counts(day: dt.date, *, by: User | None = None) -> Generated:
    """Hand over the counts each active plan wants on DAY; a plan that has done so for
    DAY already hands over nothing again. Classes items first when the classes are older
    than [counting] reclassify_days."""
    require(by, "count.plan")
    if _classes_stale(utcnow()):
        classify(by=by)

    def _generate() -> Generated:
        plans = list(CountPlan.select().where(CountPlan.active).order_by(CountPlan.id))
        done = {r.plan_id for r in CountRun.select().where(CountRun.day == day)}
        counts = _without_repeats(day, [p for p in plans if p.id not in done])
        for count in counts:
            hand_to_queue(count, by)
        for plan in plans:
            if plan.id not in done:
                handed = sum(1 for c in counts if c.plan == plan.name)
                CountRun.create(plan=plan, day=day, handed=handed)
        already = [p.name for p in plans if p.id in done]
        return Generated(day, counts, already)

    return run_write(_generate)
