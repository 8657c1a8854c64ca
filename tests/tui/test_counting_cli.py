"""`backroom cycle ...` as a lead's cron job and a counter's script use it: a plan,
the day's counts, a blind count held for a lead, the approval and the accuracy report."""

from __future__ import annotations

from tests.tui.test_cli import backroom, isolated  # noqa: F401  (fixtures)


def _shelves(backroom) -> None:  # noqa: F811
    backroom.ok("location", "add", "A")
    for code in ("A-01", "A-02"):
        backroom.ok("location", "add", code, "--parent", "A")
    backroom.ok("item", "add", "TAPE", "--name", "Packing tape")
    backroom.ok("receive", "TAPE", "50", "--to", "A-01")
    backroom.ok("receive", "TAPE", "8", "--to", "A-02")
    backroom.ok("user", "add", "olaf", "--role", "operator")


def test_a_plan_hands_out_counts_once_a_day_and_a_held_count_waits_for_a_lead(backroom):  # noqa: F811
    _shelves(backroom)
    added = backroom.ok(
        "cycle",
        "plan",
        "add",
        "Aisle-A",
        "--method",
        "every_location",
        "--period",
        "1",
        "--zone",
        "A",
    )
    assert added.out == "Count plan Aisle-A added: every location every 1 days\n"
    day = backroom.ok("cycle", "generate", "--date", "2026-03-16", "--json").json
    assert [(c["location"], c["item"], c["reason"]) for c in day["counts"]] == [
        ("A-01", "TAPE", "due"),
        ("A-02", "TAPE", "due"),
    ]
    again = backroom.ok("cycle", "generate", "--date", "2026-03-16")
    assert again.out.splitlines() == [
        "0 counts handed out for 2026-03-16",
        "Already handed out today: Aisle-A",
    ]
    prompt = backroom("cycle", "prompt", "A-01", "TAPE", "--json", user="olaf")
    assert prompt.code == 0 and "50" not in prompt.out
    held = backroom("cycle", "record", "A-01", "TAPE", "41", user="olaf")
    assert (held.code, held.out) == (
        0,
        "Count of 41 TAPE at A-01 held for a lead (variance 1); it will be counted again\n",
    )
    posted = backroom("cycle", "record", "A-02", "TAPE", "7", user="olaf")
    assert posted.out == "Count of 7 TAPE at A-02 recorded\n"
    refused = backroom("cycle", "variances", user="olaf")
    assert refused.code == 1 and "needs a lead" in refused.err
    (shown,) = backroom.ok("cycle", "variances", "--json").json
    assert (shown["expected"], shown["counted"], shown["difference"]) == (50, 41, -9)
    assert backroom("cycle", "approve", "1", user="olaf").code == 1
    approved = backroom.ok("cycle", "approve", "1")
    assert approved.out.startswith("Count 1 approved: TAPE at A-01 is 41 (move ")
    stock = backroom.ok("stock", "--item", "TAPE", "--json").json
    assert {row["location"]: row["qty"] for row in stock} == {"A-01": 41, "A-02": 7}
    report = backroom.ok("cycle", "accuracy", "--json").json
    assert report["overall"] == {
        "key": "all",
        "counts": 2,
        "within": 1,
        "units_off": 10,
        "net_off": -10,
        "percent": 50.0,
    }
    assert [c["key"] for c in report["by_counter"]] == ["olaf"]
    assert backroom.ok("verify").code == 0


def test_a_rejected_count_posts_nothing_and_says_why(backroom):  # noqa: F811
    _shelves(backroom)
    backroom.ok("cycle", "record", "A-01", "TAPE", "5")
    rejected = backroom.ok("cycle", "reject", "1", "--reason", "counted cases")
    assert rejected.out == "Count 1 rejected: nothing posted (counted cases)\n"
    stock = backroom.ok("stock", "--item", "TAPE", "--location", "A-01", "--json").json
    assert [row["qty"] for row in stock] == [50]
    again = backroom("cycle", "approve", "1")
    assert (again.code, again.err) == (1, "backroom: Count 1 was rejected already\n")
