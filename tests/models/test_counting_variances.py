"""Blind counts, counts held for a lead beyond the tolerance, approval and rejection,
and the accuracy report on a known set of counts."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from backroom.models.config import CountingRules
from backroom.models.counting import use_rules
from backroom.models.counting.accuracy import accuracy
from backroom.models.counting.plans import CountDue
from backroom.models.counting.recording import (
    CountOutcome,
    approve,
    count_prompt,
    list_variances,
    record_count,
    reject,
    within_tolerance,
)
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_user,
    get_item,
    get_user,
)
from backroom.models.schema import Event, Move
from backroom.models.schema.counting import CountRecord, ItemClass
from backroom.models.stock.operations import receive, transfer
from tests.models.support import USER, assert_clean, on_shelf, refused


@pytest.fixture(autouse=True)
def _default_rules():
    use_rules(CountingRules())  # 2 units or 5% either way
    yield
    use_rules(None)


@pytest.fixture
def shelves(database) -> str:
    """TAPE (untracked) 137 on A-01, MILK lot L1 40 on A-02; operator olaf, lead lena."""
    admin = get_user(USER)
    add_item(ItemSpec("TAPE", "Packing tape"), by=admin)
    add_item(ItemSpec("MILK", "Milk 1 l", tracking="lot"), by=admin)
    for code in ("A-01", "A-02", "B-01"):
        add_location(code, by=admin)
    receive("TAPE", 137, "A-01", user=USER)
    receive("MILK", 40, "A-02", user=USER, lot="L1")
    add_user("olaf", "operator", by=admin)
    add_user("lena", "lead", by=admin)
    return database


def test_the_counter_is_never_shown_the_expected_quantity(shelves):
    prompt = count_prompt("A-01", "TAPE")
    assert prompt.text == "Count TAPE (Packing tape) at A-01, in pcs"
    assert "expected" not in dataclasses.asdict(prompt)
    assert all("137" not in str(value) for value in dataclasses.asdict(prompt).values())
    lots = count_prompt("A-02", "MILK").text
    assert lots == "Count MILK (Milk 1 l) at A-02, in pcs; count each lot on its own"
    # neither what is handed to the floor nor what the counter hears back carries it
    for blind in (CountDue, CountOutcome):
        assert "expected" not in {f.name for f in dataclasses.fields(blind)}
    held = record_count("A-01", "TAPE", None, 120, "olaf")
    assert "137" not in held.text and "17" not in held.text


def test_a_count_within_tolerance_is_posted_at_once(shelves):
    done = record_count("A-01", "TAPE", None, 135, "olaf")  # 2 off: within 2 units
    assert done.posted and done.text == "Count of 135 TAPE at A-01 recorded"
    assert on_shelf()[("TAPE", None, "A-01")] == 135
    record_count("A-02", "MILK", "L1", 42, "olaf")  # 2 off: within 5% of 40
    assert on_shelf()[("MILK", "L1", "A-02")] == 42
    kept = CountRecord.select().order_by(CountRecord.id)
    assert [(r.expected, r.counted, r.within) for r in kept] == [(137, 135, True), (40, 42, True)]
    assert list_variances(by=get_user("lena")) == []
    assert_clean()


def test_the_tolerance_is_units_or_percent_whichever_allows_more():
    rules = CountingRules(variance_units=2, variance_percent=5)
    assert within_tolerance(12, 10, rules) and not within_tolerance(13, 10, rules)
    assert within_tolerance(105, 100, rules) and not within_tolerance(94, 100, rules)
    assert within_tolerance(2, 0, rules) and not within_tolerance(3, 0, rules)


def test_a_count_beyond_tolerance_posts_nothing_until_a_lead_approves_it(shelves):
    moves = Move.select().count()
    held = record_count("A-01", "TAPE", None, 120, "olaf")
    assert not held.posted
    assert (
        held.text
        == "Count of 120 TAPE at A-01 held for a lead (variance 1); it will be counted again"
    )
    assert Move.select().count() == moves and on_shelf()[("TAPE", None, "A-01")] == 137
    recount = Event.get(Event.kind == "count.recount")
    assert recount.subject == "TAPE@A-01"
    (shown,) = list_variances(by=get_user("lena"))
    assert (shown.expected, shown.counted, shown.difference, shown.counted_by) == (
        137,
        120,
        -17,
        "olaf",
    )
    with refused("User olaf is an operator: posting a large count difference needs a lead"):
        approve(held.variance, user="olaf")
    decided = approve(held.variance, user="lena")
    assert on_shelf()[("TAPE", None, "A-01")] == 120
    posted = Move.get_by_id(decided.move_id)
    assert (posted.kind, posted.qty, posted.user.name) == ("count", 17, "lena")
    assert (decided.status, decided.decided_by) == ("approved", "lena")
    record = CountRecord.get(CountRecord.variance == held.variance)
    assert (record.expected, record.counted, record.within, record.counted_by.name) == (
        137,
        120,
        False,
        "olaf",
    )
    with refused("Count 1 was approved already"):
        approve(held.variance, user="lena")
    assert_clean()


def test_a_rejected_count_posts_nothing(shelves):
    held = record_count("A-02", "MILK", "L1", 10, "olaf")
    decided = reject(held.variance, user="lena", reason="miscounted, cases of 6")
    assert (decided.status, decided.note, decided.move_id) == (
        "rejected",
        "miscounted, cases of 6",
        None,
    )
    assert on_shelf()[("MILK", "L1", "A-02")] == 40
    assert CountRecord.select().count() == 0
    with refused("Count 1 was rejected already"):
        approve(held.variance, user="lena")


def test_stock_that_moved_since_the_count_is_not_approved_on_a_stale_count(shelves):
    held = record_count("A-01", "TAPE", None, 100, "olaf")
    transfer("TAPE", 30, "A-01", "B-01", user=USER)  # 107 on the books now
    with refused(r"changed since count 1 \(the books said 137, now 107\)"):
        approve(held.variance, user="lena")
    assert on_shelf()[("TAPE", None, "A-01")] == 107
    reject(held.variance, user="lena", reason="stock moved")
    # the recount finds what is really there now, and the books follow it
    record_count("A-01", "TAPE", None, 70, "olaf")
    (again,) = list_variances(by=get_user("lena"))
    approve(again.id, user="lena")
    assert on_shelf()[("TAPE", None, "A-01")] == 70
    assert_clean()


def test_a_recount_within_tolerance_replaces_the_held_count(shelves):
    first = record_count("A-01", "TAPE", None, 120, "olaf")
    assert record_count("A-01", "TAPE", None, 136, "lena").posted
    assert on_shelf()[("TAPE", None, "A-01")] == 136
    (closed,) = list_variances(None, by=get_user("lena"))
    assert (closed.id, closed.status, closed.note) == (
        first.variance,
        "rejected",
        "counted again: 136, within tolerance",
    )
    # a second count beyond it replaces the first held one: one held count per spot
    record_count("A-01", "TAPE", None, 100, "olaf")
    record_count("A-01", "TAPE", None, 101, "olaf")
    assert [v.counted for v in list_variances(by=get_user("lena"))] == [101]


def test_an_operator_beyond_the_sites_count_threshold_is_held_even_within_percent(shelves):
    receive("TAPE", 863, "A-01", user=USER)  # 1000 on the books
    held = record_count("A-01", "TAPE", None, 960, "olaf")  # 4%, but 40 > 10 units
    assert not held.posted and on_shelf()[("TAPE", None, "A-01")] == 1000
    # a lead's own count of the same is within tolerance and posts
    assert record_count("A-01", "TAPE", None, 960, "lena").posted
    assert on_shelf()[("TAPE", None, "A-01")] == 960


def test_counts_are_refused_with_a_reason(shelves):
    with refused("Item MILK is lot-tracked: give the lot"):
        record_count("A-02", "MILK", None, 4, "olaf")
    with refused("Counted quantity must be zero or a positive whole number"):
        record_count("A-01", "TAPE", None, -1, "olaf")
    with refused("Unknown location 'Z-99'"):
        record_count("Z-99", "TAPE", None, 1, "olaf")


def _count_on(day: int, location: str, item: str, lot: str | None, counted: int, who: str):
    at = dt.datetime(2026, 3, day, 10, 0)
    return record_count(location, item, lot, counted, who, at=at)


def test_accuracy_per_location_class_and_counter_on_a_known_set_of_counts(shelves):
    ItemClass.insert_many(
        [
            {"item": get_item("TAPE").id, "abc": "A", "picks": 9, "units": 9},
            {"item": get_item("MILK").id, "abc": "C", "picks": 0, "units": 0},
        ]
    ).execute()
    _count_on(2, "A-01", "TAPE", None, 137, "olaf")  # exact
    _count_on(3, "A-01", "TAPE", None, 136, "lena")  # 1 off, within
    held = _count_on(4, "A-01", "TAPE", None, 126, "olaf")  # 10 off: held, approved
    approve(held.variance, user="lena")
    _count_on(5, "A-02", "MILK", "L1", 40, "lena")  # exact
    rejected = _count_on(6, "A-02", "MILK", "L1", 1, "olaf")  # rejected: not in the report
    reject(rejected.variance, user="lena")
    _count_on(20, "A-02", "MILK", "L1", 38, "olaf")  # 2 off, outside the period below
    report = accuracy(dt.date(2026, 3, 1), dt.date(2026, 3, 10), by=get_user("lena"))
    line = lambda a: (a.key, a.counts, a.within, a.units_off, a.net_off, a.percent)  # noqa: E731
    assert line(report.overall) == ("all", 4, 3, 11, -11, 75.0)
    assert [line(a) for a in report.by_location] == [
        ("A-01", 3, 2, 11, -11, 66.7),
        ("A-02", 1, 1, 0, 0, 100.0),
    ]
    assert [line(a) for a in report.by_class] == [
        ("A", 3, 2, 11, -11, 66.7),
        ("C", 1, 1, 0, 0, 100.0),
    ]
    assert [line(a) for a in report.by_counter] == [
        ("lena", 2, 2, 1, -1, 100.0),
        ("olaf", 2, 1, 10, -10, 50.0),
    ]
    assert accuracy(by=get_user("lena")).overall.counts == 5
    with pytest.raises(Refused, match="running reports needs a lead"):
        accuracy(by=get_user("olaf"))
