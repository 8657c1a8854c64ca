"""`backroom putaway rule | rules | suggest | capacity | category`, as a script uses them."""

from __future__ import annotations

from tests.tui.test_cli import backroom, isolated  # noqa: F401  (fixtures)


def test_a_category_rule_and_capacities_decide_the_suggested_bin(backroom):  # noqa: F811
    for args in (("B",), ("B-01", "--parent", "B"), ("B-02", "--parent", "B"), ("DOCK",)):
        backroom.ok("location", "add", *args)
    backroom.ok("item", "add", "FISH", "--name", "Frozen cod")
    backroom.ok("receive", "FISH", "10", "--to", "DOCK")
    assert backroom.ok("putaway", "category", "FISH", "Frozen").out == (
        "Item FISH is in category frozen\n"
    )
    backroom.ok("putaway", "rule", "B", "--category", "frozen")
    assert backroom.ok("putaway", "rules", "--json").json == [
        {"sequence": 10, "item": None, "category": "frozen", "kind": "zone", "location": "B"}
    ]
    backroom.ok("putaway", "capacity", "B-01", "--units", "5")
    run = backroom.ok("putaway", "suggest", "FISH", "10", "--from", "DOCK", "--json")
    assert run.json == {"location": "B-02", "reason": "rule for frozen"}
    backroom.ok("putaway", "capacity", "B-02", "--pallets", "1", "--units", "5")
    refused = backroom("putaway", "suggest", "FISH", "10", "--from", "DOCK")
    assert (refused.code, refused.err) == (1, "backroom: No bin with room for 10 of FISH\n")


def test_an_operator_may_ask_for_a_bin_but_not_make_rules(backroom):  # noqa: F811
    backroom.ok("location", "add", "A-01")
    backroom.ok("item", "add", "TAPE", "--name", "Tape")
    backroom.ok("user", "add", "olaf", "--role", "operator")
    refused = backroom("putaway", "rule", "A-01", "--item", "TAPE", "--pick-face", user="olaf")
    assert refused.code == 1 and "needs a lead" in refused.err
    run = backroom("putaway", "suggest", "TAPE", "1", user="olaf")
    assert (run.code, run.out) == (0, "Put away to A-01 (nearest empty bin)\n")
