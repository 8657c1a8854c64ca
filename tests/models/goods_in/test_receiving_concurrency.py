"""Two sessions receiving against one order at the same moment never take in more than
was ordered (tolerance 0), on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing

import pytest

from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.goods_in.orders import (
    add_order_line,
    confirm_order,
    create_order,
    order_detail,
)
from backroom.models.goods_in.receiving import receive_on_order
from backroom.models.goods_in.suppliers import add_supplier
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_user,
    init_database,
)
from backroom.models.migrations import open_database
from backroom.models.schema.goods_in import Receipt
from tests.models.support import USER, assert_clean, on_shelf

SESSIONS = 2
TRIES = 4  # receipts each session tries, of EACH units
EACH = 15
ORDERED = 100  # less than SESSIONS * TRIES * EACH = 120

pytestmark = pytest.mark.slow


def receiving_session(url: str, number: str, name: str, all_ready, results) -> None:
    """Open the database, wait for the other, then receive TRIES times against NUMBER."""
    open_database(url)
    all_ready.wait(timeout=60)
    outcomes = []
    for _ in range(TRIES):
        try:
            receive_on_order(number, "FLOUR", EACH, "A1", user=name)
            outcomes.append(("ok", EACH))
        except DomainError as exc:
            outcomes.append(("refused", str(exc)))
        except Exception as exc:
            outcomes.append(("error", repr(exc)))
    results.put(outcomes)


def test_two_sessions_receiving_one_order_never_over_receive(db_url):
    open_database(db_url, create=True)
    init_database(USER)
    add_item(ItemSpec("FLOUR", "Flour", unit="g"))
    add_location("A1")
    add_supplier("MILL", name="The Mill", user=USER)
    number = create_order("MILL", user=USER)
    add_order_line(number, "FLOUR", ORDERED, user=USER)
    confirm_order(number, user=USER)
    for n in range(SESSIONS):
        add_user(f"dock{n}", "operator")
    db.close()

    spawn = multiprocessing.get_context("spawn")
    all_ready, queue = spawn.Barrier(SESSIONS), spawn.Queue()
    procs = [
        spawn.Process(target=receiving_session, args=(db_url, number, f"dock{n}", all_ready, queue))
        for n in range(SESSIONS)
    ]
    for proc in procs:
        proc.start()
    outcomes = [o for _ in procs for o in queue.get(timeout=120)]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    open_database(db_url)

    assert [o for o in outcomes if o[0] == "error"] == []
    taken = sum(o[1] for o in outcomes if o[0] == "ok")
    refusals = [o[1] for o in outcomes if o[0] == "refused"]
    assert taken == 90  # six of 15; a seventh would make 105 of 100
    assert len(refusals) == 2 and all("a lead must approve" in r for r in refusals)
    assert order_detail(number).lines[0].received == taken
    assert sum(r.qty for r in Receipt.select()) == taken
    assert on_shelf()[("FLOUR", None, "A1")] == taken
    assert_clean()
