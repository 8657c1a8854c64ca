"""`backroom replenish report | face set | face clear | face list`, as a lead uses them."""

from __future__ import annotations

from tests.tui.test_cli import backroom, isolated  # noqa: F401  (fixtures)


def _warehouse(backroom) -> None:  # noqa: F811
    for args in (("A",), ("A-01", "--parent", "A"), ("B",), ("B-01", "--parent", "B")):
        backroom.ok("location", "add", *args)
    backroom.ok("item", "add", "TAPE", "--name", "Packing tape")
    backroom.ok("item", "add", "GLUE", "--name", "Glue stick")
    backroom.ok("receive", "TAPE", "10", "--to", "A-01")
    backroom.ok("receive", "TAPE", "200", "--to", "B-01")
    backroom.ok("receive", "GLUE", "3", "--to", "A-01")


def test_the_report_says_what_to_bring_from_where_and_which_face_has_no_reserve(backroom):  # noqa: F811
    _warehouse(backroom)
    assert backroom.ok("replenish", "report").out == "Every pick face holds at least its minimum\n"
    run = backroom.ok("replenish", "face", "set", "TAPE", "A-01", "--min", "20", "--max", "100")
    assert run.out == "A-01 is the pick face of TAPE: kept between 20 and 100 pcs, holds 10 free\n"
    backroom.ok("replenish", "face", "set", "GLUE", "A-01", "--min", "5", "--max", "12")
    report = backroom.ok("replenish", "report", "--json").json
    assert [
        (f["item"], f["location"], f["to_bring"], f["pending"]) for f in report["below_min"]
    ] == [
        ("GLUE", "A-01", 9, False),
        ("TAPE", "A-01", 90, True),
    ]
    assert report["below_min"][1]["from"][0] | {"why": ""} == {
        "item": "TAPE",
        "lot": None,
        "expiry": None,
        "from": "B-01",
        "to": "A-01",
        "qty": 90,
        "why": "",
    }
    assert report["no_reserve"] == [{"item": "GLUE", "location": "A-01", "missing": 9}]
    text = backroom.ok("replenish", "report").out
    assert "90 B-01" in text
    assert text.endswith("No reserve to replenish from:\n  GLUE at A-01: 9 pcs to bring\n")


def test_faces_are_listed_and_cleared_and_bad_levels_refused(backroom):  # noqa: F811
    _warehouse(backroom)
    refused = backroom("replenish", "face", "set", "TAPE", "A-01", "--min", "50", "--max", "5")
    assert refused.code == 1
    assert "minimum (50) must be below its maximum (5)" in refused.err
    backroom.ok("replenish", "face", "set", "TAPE", "A-01", "--min", "5", "--max", "50")
    assert backroom.ok("replenish", "face", "list", "--json").json == [
        {
            "item": "TAPE",
            "location": "A-01",
            "unit": "pcs",
            "min": 5,
            "max": 50,
            "on_hand": 10,
            "allocated": 0,
            "free": 10,
        }
    ]
    assert backroom.ok("replenish", "face", "clear", "TAPE", "A-01").out == (
        "A-01 is no longer a pick face of TAPE\n"
    )
    assert backroom.ok("replenish", "face", "list").out == "(nothing)\n"


def test_an_operator_may_read_the_faces_but_not_set_them(backroom):  # noqa: F811
    _warehouse(backroom)
    backroom.ok("user", "add", "olaf", "--role", "operator")
    run = backroom(
        "replenish", "face", "set", "TAPE", "A-01", "--min", "1", "--max", "5", user="olaf"
    )
    assert run.code == 1 and "needs a lead" in run.err
    assert backroom("replenish", "face", "list", user="olaf").code == 0
