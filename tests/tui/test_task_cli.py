"""`backroom task ...`: a lead makes tasks, an operator takes and does them, the board."""

from __future__ import annotations

from tests.tui.test_cli import backroom, isolated  # noqa: F401  (fixtures)

TASK_KEYS = {
    "id", "number", "kind", "status", "item", "unit", "lot", "from", "to", "qty", "done_qty",
    "priority", "due", "source", "ref", "reason", "created_at", "created_by", "taken_by",
    "taken_at", "done_at", "rest_of",
}  # fmt: skip


def _floor(backroom) -> None:  # noqa: F811
    for args in (("WH",), ("AMB", "--parent", "WH"), ("A-01", "--parent", "AMB")):
        backroom.ok("location", "add", *args)
    for code in ("A-01-01", "A-01-02"):
        backroom.ok("location", "add", code, "--parent", "A-01")
    backroom.ok("item", "add", "SOAP", "--name", "Hand soap")
    backroom.ok("receive", "SOAP", "50", "--to", "A-01-01")
    backroom.ok("user", "add", "lee", "--role", "lead")
    backroom.ok("user", "add", "olaf", "--role", "operator")


def test_a_task_round_trip_from_the_command_line(backroom):  # noqa: F811
    _floor(backroom)
    added = backroom.ok(
        "task", "add", "replenish", "SOAP", "20", "--from", "A-01-01", "--to", "A-01-02",
        "--priority", "2", "--json",
    ).json  # fmt: skip
    assert set(added) == TASK_KEYS
    assert (added["number"], added["status"], added["priority"]) == ("T-1", "open", 2)
    listed = backroom.ok("task", "list", "--json").json
    assert [t["number"] for t in listed] == ["T-1"]

    step = backroom.ok("task", "next", "--near", "A-01-02")
    assert step.out == (
        "T-1 replenish, priority 2\nGo to   A-01-01\nTake    20 pcs SOAP\nPut at  A-01-02\n"
    )
    done = backroom.ok("task", "done", "T-1", "--qty", "15", "--json").json
    assert done["task"]["status"] == "done" and done["task"]["done_qty"] == 15
    assert [(m["qty"], m["from"], m["to"]) for m in done["moves"]] == [(15, "A-01-01", "A-01-02")]
    assert done["rest"]["number"] == "T-2" and done["rest"]["qty"] == 5
    stock = backroom.ok("stock", "--item", "SOAP", "--json").json
    assert {row["location"]: row["qty"] for row in stock} == {"A-01-01": 35, "A-01-02": 15}

    assert backroom.ok("task", "next", "--json").json["task"]["number"] == "T-2"
    skipped = backroom.ok("task", "skip", "T-2", "--reason", "bin full")
    assert skipped.out == "T-2 skipped: bin full\n"
    assert backroom.ok("task", "next").out == "Nothing to do: no open task for you\n"
    board = backroom.ok("task", "board", "--json").json
    assert board["open_tasks"] == 0
    assert [(p["user"], p["tasks"], p["units"], p["skipped"]) for p in board["throughput"]] == [
        ("tester", 1, 15, 1)
    ]


def test_an_operator_does_tasks_but_a_lead_gives_them_out(backroom):  # noqa: F811
    _floor(backroom)
    refused = backroom("task", "add", "count", "SOAP", "--from", "A-01-01", user="olaf")
    assert refused.code == 1 and "managing tasks needs a lead" in refused.err
    backroom.ok("task", "add", "count", "SOAP", "--from", "A-01-01")
    for args in (("assign", "T-1", "olaf"), ("priority", "T-1", "1")):
        run = backroom("task", *args, user="olaf")
        assert run.code == 1 and "needs a lead" in run.err
    assert backroom.ok("task", "assign", "T-1", "olaf").out == "T-1 is given to olaf\n"
    assert backroom.ok("task", "priority", "T-1", "1").out == "T-1 now has priority 1\n"
    mine = backroom("task", "next", user="olaf")
    assert mine.code == 0 and mine.out.startswith("T-1 count, priority 1\nGo to   A-01-01\n")
    run = backroom("task", "done", "T-1", user="olaf")
    assert run.code == 1 and "say how many are there" in run.err
    counted = backroom("task", "done", "T-1", "--qty", "48", "--json", user="olaf")
    assert counted.code == 0 and (counted.json["counted"], counted.json["held_for_lead"]) == (
        48,
        None,
    )
    backroom.ok("task", "add", "count", "SOAP", "--from", "A-01-02")
    assert backroom.ok("task", "cancel", "T-2", "--reason", "done by hand").out == (
        "T-2 cancelled: done by hand\n"
    )
    assert backroom.ok("task", "list", "--status", "cancelled", "--json").json[0]["reason"] == (
        "done by hand"
    )


def test_a_scoped_operator_gets_nothing_outside_their_zone(backroom):  # noqa: F811
    _floor(backroom)
    backroom.ok("location", "add", "BULK", "--parent", "WH")
    backroom.ok("task", "add", "count", "SOAP", "--from", "A-01-01")
    assert backroom.ok("task", "scope", "olaf", "--zone", "BULK").out == (
        "olaf may be given any task in BULK\n"
    )
    assert backroom("task", "next", user="olaf").out == "Nothing to do: no open task for you\n"
    backroom.ok("task", "scope", "olaf")
    assert backroom("task", "next", user="olaf").out.startswith("T-1 count")
