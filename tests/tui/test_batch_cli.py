"""`backroom batch ...`: a lead batches two shipments, a picker takes the batch onto a
cart and walks it, stop by stop and by scans; refusals say why on one line."""

from __future__ import annotations

from tests.tui.test_cli import backroom, isolated  # noqa: F401  (fixtures)


def _two_shipments(backroom) -> list[str]:  # noqa: F811
    for args in (("WH",), ("A-01", "--parent", "WH"), ("A-02", "--parent", "WH")):
        backroom.ok("location", "add", *args)
    for code, aisle in (("A-01-01", "A-01"), ("A-02-01", "A-02")):
        backroom.ok("location", "add", code, "--parent", aisle)
    backroom.ok("item", "add", "SOAP", "--name", "Hand soap")
    backroom.ok("item", "add", "TEA", "--name", "Green tea")
    backroom.ok("receive", "SOAP", "50", "--to", "A-01-01")
    backroom.ok("receive", "TEA", "20", "--to", "A-02-01")
    backroom.ok("user", "add", "lee", "--role", "lead")
    backroom.ok("user", "add", "olaf", "--role", "operator")
    backroom.ok(
        "consignee", "add", "Shop", "--address", "Road 1", "--postal-code", "1",
        "--city", "Town", "--country", "DE",
    )  # fmt: skip
    numbers = []
    for soap, tea in ((3, 2), (5, 0)):
        number = backroom.ok("shipment", "create", "--consignee", "Shop").out.split()[0]
        backroom.ok("shipment", "add-line", number, "SOAP", str(soap))
        if tea:
            backroom.ok("shipment", "add-line", number, "TEA", str(tea))
        backroom.ok("shipment", "allocate", number)
        numbers.append(number)
    return numbers


def test_a_batch_walked_from_the_command_line(backroom):  # noqa: F811
    one, two = _two_shipments(backroom)
    made = backroom.ok("batch", "create", "--shipment", one, "--shipment", two, "--json").json
    assert made["batch"]["number"] == "B-000001" and made["skipped"] == []
    shown = backroom.ok("batch", "show", "B-000001").out.splitlines()
    assert shown[1:] == [
        f"Totes: T1 {one}, T2 {two}",
        f"1. A-01-01  SOAP  put 3 in T1 ({one})",
        f"2. A-01-01  SOAP  put 5 in T2 ({two})",
        f"3. A-02-01  TEA  put 2 in T1 ({one})",
        "3 of 3 stops to pick",
    ]
    assert backroom("batch", "take", "1", user="olaf").code == 0
    taken = backroom("batch", "pick", "B-000001", "--stop", "1", user="lee")
    assert taken.code == 1 and taken.err == "backroom: B-000001 is taken by olaf\n"
    first = backroom("batch", "pick", "B-000001", "--stop", "1", user="olaf")
    assert first.out.startswith(f"Stop 1: 3 SOAP in T1 ({one}). Next: 2. A-01-01")
    scanned = backroom(
        "batch", "pick", "B-000001", "--location", "A-01-01", "--item", "SOAP", "--tote", "T2",
        "--qty", "4", "--short", "--json", user="olaf",
    )  # fmt: skip
    assert scanned.code == 0, scanned.err
    assert (scanned.json["stop"]["status"], scanned.json["stop"]["shipment"]) == ("short", two)
    last = backroom("batch", "pick", "1", "--stop", "3", "--json", user="olaf").json
    assert (last["status"], last["next"]) == ("done", None)
    shown = {n: backroom.ok("shipment", "show", n, "--json").json for n in (one, two)}
    lines = {n: {x["item"]: x["picked"] for x in s["lines"]} for n, s in shown.items()}
    assert lines == {one: {"SOAP": 3, "TEA": 2}, two: {"SOAP": 4}}
    stock = backroom.ok("stock", "--item", "SOAP", "--json").json
    assert {row["location"]: row["qty"] for row in stock} == {"A-01-01": 43, "DISPATCH": 7}
    listed = backroom.ok("batch", "list", "--status", "done", "--json").json
    assert [(b["number"], b["to_pick"]) for b in listed] == [("B-000001", 0)]


def test_batch_refusals_are_one_line(backroom):  # noqa: F811
    one, _ = _two_shipments(backroom)
    run = backroom("batch", "create", "--shipment", one, user="olaf")
    assert run.code == 1 and "managing tasks needs a lead" in run.err
    backroom.ok("batch", "create", "--shipment", one)
    run = backroom("batch", "create", "--shipment", one)
    assert run.err == f"backroom: {one} cannot be batched: it is in batch B-000001 already\n"
    run = backroom("batch", "pick", "B-000001", "--stop", "9")
    assert run.err == "backroom: There is no stop 9: the walk has 2\n"
    cancelled = backroom.ok("batch", "cancel", "B-000001", "--reason", "van is late")
    assert cancelled.out == "B-000001 cancelled: van is late\n"
    assert backroom("batch", "take", "B-000001").err == "backroom: B-000001 is cancelled\n"
