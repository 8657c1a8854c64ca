"""Several sessions allocating the same stock at the same moment never promise more
than is on the shelf (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing

import pytest

from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment, shipment_detail
from backroom.models.goods_out.parties import add_consignee
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, init_database
from backroom.models.migrations import open_database
from backroom.models.stock.operations import receive
from tests.models.support import USER

SESSIONS = 4
PER_SESSION = 5  # shipments each session allocates, 3 units each
STOCK = 20

pytestmark = pytest.mark.slow


def allocating_session(url: str, all_ready, results, numbers: list[str]) -> None:
    """Open the database, wait for the others, allocate NUMBERS one after another."""
    open_database(url)
    all_ready.wait(timeout=60)
    outcomes = []
    for number in numbers:
        try:
            result = allocate(number, user=USER)
            outcomes.append(("ok", sum(r.qty for r in result.reserved)))
        except DomainError as exc:
            outcomes.append(("refused", str(exc)))
        except Exception as exc:
            outcomes.append(("error", repr(exc)))
    results.put(outcomes)


def test_sessions_allocating_at_once_never_over_allocate(db_url):
    open_database(db_url, create=True)
    init_database(USER)
    add_item(ItemSpec("MILK", "Milk", tracking="lot"))
    add_location("A-01")
    add_location("A-02")
    receive("MILK", STOCK // 2, "A-01", user=USER, lot="L1")
    receive("MILK", STOCK // 2, "A-02", user=USER, lot="L2")
    add_consignee("Shop", address="Road 1", postal_code="1", city="Town", country="DE", user=USER)
    batches = []
    for _ in range(SESSIONS):
        batch = []
        for _ in range(PER_SESSION):
            number = create_shipment("Shop", user=USER)
            add_line(number, "MILK", 3, user=USER)
            batch.append(number)
        batches.append(batch)
    db.close()

    spawn = multiprocessing.get_context("spawn")
    all_ready, queue = spawn.Barrier(SESSIONS), spawn.Queue()
    procs = [
        spawn.Process(target=allocating_session, args=(db_url, all_ready, queue, batch))
        for batch in batches
    ]
    for proc in procs:
        proc.start()
    outcomes = [o for _ in procs for o in queue.get(timeout=120)]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    open_database(db_url)

    assert [o for o in outcomes if o[0] != "ok"] == []
    assert sum(qty for _, qty in outcomes) == STOCK
    reserved: dict[tuple[str, str | None], int] = {}
    for batch in batches:
        for number in batch:
            for a in shipment_detail(number).allocations:
                key = (a.location, a.lot)
                reserved[key] = reserved.get(key, 0) + a.qty
    assert reserved == {("A-01", "L1"): STOCK // 2, ("A-02", "L2"): STOCK // 2}
    db.close()
