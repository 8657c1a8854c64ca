"""Cycle counting: ABC classes from the picks of a known history, count plans and the
counts they hand out day by day."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from backroom.models.config import CountingRules
from backroom.models.counting import use_rules
from backroom.models.counting.classes import classify, rank_classes
from backroom.models.counting.plans import add_plan, due_counts, generate_counts, list_plans
from backroom.models.counting.recording import record_count
from backroom.models.errors import Refused
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.parties import add_consignee
from backroom.models.goods_out.picking import pick_all
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, add_user, get_user
from backroom.models.schema import Event, utcnow
from backroom.models.stock.operations import receive
from tests.models.support import USER

# Pick moves per item in the known history: 30 in all.
PICKS = {"I1": 12, "I2": 8, "I3": 4, "I4": 3, "I5": 2, "I6": 1, "I7": 0}


@pytest.fixture(autouse=True)
def _default_rules():
    """Every test starts from the default [counting] settings, whatever the tester's files."""
    use_rules(CountingRules())
    yield
    use_rules(None)


@pytest.fixture
def store(database) -> str:
    """Items I1..I7 with 100 each on shelves S-01..S-07 of aisle S, a consignee."""
    admin = get_user(USER)
    add_location("S", by=admin)
    for n, sku in enumerate(PICKS, start=1):
        add_item(ItemSpec(sku, f"Item {n}"), by=admin)
        add_location(f"S-{n:02d}", parent="S", by=admin)
        receive(sku, 100, f"S-{n:02d}", user=USER)
    add_consignee(
        "Shop", address="Main St 1", postal_code="1000", city="Town", country="DE", user=USER
    )
    return database


def ship_picks(picks: dict[str, int]) -> None:
    """One shipment per round, with a line for each item still to be picked that often."""
    for round_ in range(max(picks.values())):
        number = create_shipment("Shop", user=USER)
        for sku, times in picks.items():
            if times > round_:
                add_line(number, sku, 1, user=USER)
        allocate(number, user=USER)
        pick_all(number, user=USER)


def test_abc_classes_follow_the_picks_of_the_last_90_days(store):
    ship_picks(PICKS)
    classes = classify(by=get_user(USER))
    # A makes 80% of the 30 picks (12 + 8 + 4 = 24); B the next 15% (3 + 2); C the rest.
    assert {c.item: c.abc for c in classes} == {
        "I1": "A",
        "I2": "A",
        "I3": "A",
        "I4": "B",
        "I5": "B",
        "I6": "C",
        "I7": "C",
    }
    assert [(c.item, c.picks, c.units) for c in classes if c.abc == "A"] == [
        ("I1", 12, 12),
        ("I2", 8, 8),
        ("I3", 4, 4),
    ]


def test_picks_older_than_the_window_leave_every_item_in_class_c(store):
    ship_picks({"I1": 3, "I2": 1})
    later = utcnow() + dt.timedelta(days=91)
    assert {c.abc for c in classify(by=get_user(USER), now=later)} == {"C"}
    assert {c.item: c.abc for c in classify(days=120, by=get_user(USER), now=later)}["I1"] == "A"


def test_ranking_breaks_ties_by_units_then_sku_and_follows_the_configured_shares():
    picks = {"B": (5, 10), "A": (5, 10), "C": (5, 50), "D": (0, 0)}
    # C has the most units, then A before B by SKU; each has a third of the picks
    assert rank_classes(picks, 30, 30) == {"C": "A", "A": "B", "B": "C", "D": "C"}
    assert rank_classes(picks, 50, 30) == {"C": "A", "A": "A", "B": "B", "D": "C"}
    assert rank_classes(picks, 100, 0) == {"C": "A", "A": "A", "B": "A", "D": "C"}


def test_an_operator_may_not_classify_or_plan(store):
    olaf = add_user("olaf", by=get_user(USER))
    with pytest.raises(Refused, match="planning cycle counts needs a lead"):
        classify(by=olaf)
    with pytest.raises(Refused, match="planning cycle counts needs a lead"):
        add_plan("Weekly", by=olaf)


def test_plans_are_checked_and_listed(store):
    lead = get_user(USER)
    add_plan("ABC", by=lead)
    add_plan("Aisle S", "every_location", zone="S", period_days=20, by=lead)
    with pytest.raises(Refused, match="There is a count plan ABC already"):
        add_plan("ABC", by=lead)
    with pytest.raises(Refused, match="The period is a whole number of days"):
        add_plan("No period", "every_location", by=lead)
    with pytest.raises(Refused, match="counts by abc or every_location"):
        add_plan("Odd", "random", by=lead)
    assert [(p.name, p.how_often, p.zone) for p in list_plans()] == [
        ("ABC", "A every 7 days, B 30, C 90", None),
        ("Aisle S", "every location every 20 days", "S"),
    ]


def _days(first: dt.date, n: int) -> list[dt.date]:
    return [first + dt.timedelta(days=k) for k in range(n)]


def test_every_location_is_due_once_per_period_spread_over_its_days(store):
    add_plan("Aisle S", "every_location", zone="S", period_days=7, by=get_user(USER))
    start = dt.date(2026, 1, 5)
    per_day = {day: [c.location for c in due_counts(day)] for day in _days(start, 7)}
    # seven shelves over seven days: one a day, never all on the first day
    assert [len(codes) for codes in per_day.values()] == [1] * 7
    assert Counter(code for codes in per_day.values() for code in codes) == {
        f"S-{n:02d}": 1 for n in range(1, 8)
    }
    # counted on its day, a shelf is due again seven days later, not before
    day, (first,) = next(iter(per_day.items()))
    sku = next(c.item for c in due_counts(day))
    record_count(first, sku, None, 100, USER, at=dt.datetime.combine(day, dt.time(9)))
    later = [d for d in _days(day + dt.timedelta(days=1), 10) if first in _codes(d)]
    assert later == [day + dt.timedelta(days=7), *_days(day + dt.timedelta(days=8), 3)]


def _codes(day: dt.date) -> list[str]:
    return [c.location for c in due_counts(day)]


def test_abc_plan_counts_a_items_weekly_and_c_items_quarterly(store):
    ship_picks(PICKS)
    lead = get_user(USER)
    classify(by=lead)
    add_plan("ABC", days=(7, 30, 90), by=lead)
    start = dt.date(2026, 1, 5)
    week = Counter(c.item for day in _days(start, 7) for c in due_counts(day))
    # each A item (one shelf each) comes up once in its first week; B and C items may
    # come up too, but none twice
    assert {sku: week[sku] for sku in ("I1", "I2", "I3")} == {"I1": 1, "I2": 1, "I3": 1}
    assert max(week.values()) == 1
    # never counted, each comes up once in every period of its class: 90 days hold
    # 12 or 13 weeks, 3 months, 1 quarter
    quarter = Counter(c.item for day in _days(start, 90) for c in due_counts(day))
    assert {sku: quarter[sku] in (12, 13) for sku in ("I1", "I2", "I3")} == dict.fromkeys(
        ("I1", "I2", "I3"), True
    )
    assert [quarter[sku] for sku in ("I4", "I5", "I6", "I7")] == [3, 3, 1, 1]
    due = next(c for day in _days(start, 7) for c in due_counts(day) if c.item == "I1")
    assert (due.abc, due.reason, due.plan) == ("A", "due", "ABC")


def test_generating_a_day_twice_hands_its_counts_over_once(store):
    lead = get_user(USER)
    add_plan("Aisle S", "every_location", zone="S", period_days=1, by=lead)
    day = dt.date(2026, 2, 2)
    first = generate_counts(day, by=lead)
    assert sorted(c.location for c in first.counts) == [f"S-{n:02d}" for n in range(1, 8)]
    again = generate_counts(day, by=lead)
    assert (again.counts, again.already) == ([], ["Aisle S"])
    handed = Event.select().where(Event.kind == "count.due")
    assert sorted(e.subject for e in handed) == sorted(
        f"{s}@{c.location}"
        for s, c in zip((c.item for c in first.counts), first.counts, strict=True)
    )
    # generating classed the items (no classes were kept yet)
    assert Event.select().where(Event.kind == "count.classify").count() == 1


def test_counting_settings_are_read_from_the_configuration_and_checked():
    from backroom.models.config import Config
    from backroom.models.errors import DomainError

    rules = Config({"counting": {"a_share": 70, "b_share": 20, "variance_units": 0}}).counting
    assert (rules.a_share, rules.b_share, rules.variance_units, rules.window_days) == (
        70,
        20,
        0,
        90,
    )
    for wrong, said in (
        ({"a_share": 90, "b_share": 20}, "a_share \\+ b_share at most 100"),
        ({"variance_percent": -1}, "variance_percent must be a whole number >= 0"),
        ({"window": 30}, "has no setting 'window'"),
        ({"window_days": 0}, "window_days and reclassify_days are at least 1"),
    ):
        with pytest.raises(DomainError, match=said):
            _ = Config({"counting": wrong}).counting


def test_an_every_location_plan_checks_empty_bins_too(store):
    from backroom.models.counting.recording import record_empty

    admin = get_user(USER)
    add_location("S-08", parent="S", by=admin)  # an empty bin
    add_plan("Aisle S", "every_location", zone="S", period_days=8, by=admin)
    start = dt.date(2026, 1, 5)
    empty = [(d, c) for d in _days(start, 8) for c in due_counts(d) if c.item is None]
    assert [c.location for _, c in empty] == ["S-08"]
    day = empty[0][0]
    done = record_empty("S-08", USER, at=dt.datetime.combine(day, dt.time(9)))
    assert done.text == "S-08 checked: empty"
    assert [
        c.location
        for d in _days(day + dt.timedelta(days=1), 7)
        for c in due_counts(d)
        if c.location == "S-08"
    ] == []
    assert "S-08" in _codes(day + dt.timedelta(days=8))
    with pytest.raises(Refused, match="The books hold stock at S-01: count each item there"):
        record_empty("S-01", USER)
