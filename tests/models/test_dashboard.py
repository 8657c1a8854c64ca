"""Today's figures on the home screen add up from the ledger and the shipments."""

from __future__ import annotations

import datetime as dt

from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.parties import add_consignee
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, set_lot_status
from backroom.models.schema import Lot
from backroom.models.stock.dashboard import figures
from backroom.models.stock.operations import receive
from tests.conftest import TEST_USER


def test_figures_count_receipts_open_picks_expiring_lots_and_quarantine(database):
    add_location("A-01")
    add_item(ItemSpec("OAT-500", "Oat flakes 500 g", tracking="lot"))
    add_item(ItemSpec("TAPE-48", "Packing tape"))
    today = dt.date.today()
    receive("OAT-500", 10, "A-01", user=TEST_USER, lot="L1", expiry=today + dt.timedelta(days=9))
    receive("OAT-500", 4, "A-01", user=TEST_USER, lot="L2", expiry=today + dt.timedelta(days=90))
    receive("TAPE-48", 30, "A-01", user=TEST_USER)
    set_lot_status(Lot.get(Lot.number == "L2"), "quarantine", "smells odd", by=None)
    add_consignee(
        "Fresh & Co",
        address="Quai 1",
        postal_code="9000",
        city="Gent",
        country="BE",
        user=TEST_USER,
    )
    number = create_shipment("Fresh & Co", user=TEST_USER)
    add_line(number, "TAPE-48", 5, user=TEST_USER)
    add_line(number, "OAT-500", 3, user=TEST_USER)
    allocate(number, user=TEST_USER)

    seen = figures(today=dt.datetime.now(dt.UTC).date())
    assert seen.receipts_today == 3
    assert seen.open_picks == 2
    assert seen.lots_expiring_30d == 1
    assert seen.quarantine_qty == 4
    assert seen.moves_per_day[-1] == 3
