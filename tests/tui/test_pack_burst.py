"""Packing by keys and scans that arrive in one burst (an SSH batch): each lands in
its own field, in the order it was sent, on the screen the key before it opened."""

from __future__ import annotations

import pytest

from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.orders import shipment_detail as detail_of
from backroom.models.goods_out.picking import pick_all
from backroom.tui.app import BackroomApp
from tests.conftest import TEST_USER
from tests.tui.conftest import key_burst, settle, shortcut
from tests.tui.test_shipping_flow import app_screen, session, warehouse  # noqa: F401

PACK_FOUR = ["enter", *"MILK", "enter", *"L-5", "enter", "4", "enter"]


@pytest.fixture
def picked(warehouse):  # noqa: F811
    """A shipment of 4 MILK (lot L-5), picked, nothing packed."""
    number = create_shipment("Kaufhaus Süd", user=TEST_USER)
    add_line(number, "MILK", 4, user=TEST_USER)
    allocate(number, user=TEST_USER)
    pick_all(number, user=TEST_USER)
    return number


def packed(number: str) -> list[tuple[str, str | None, int]]:
    return [(c.item, c.lot, c.qty) for p in detail_of(number).parcels for c in p.contents]


async def test_a_new_parcel_item_lot_and_quantity_in_one_burst_pack_them(warehouse, picked):  # noqa: F811
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        app.push_screen(app_screen(picked))
        await settle(pilot)
        await shortcut(pilot, "k")
        key_burst(app, PACK_FOUR)
        for _ in range(4):
            await settle(pilot)
    assert packed(picked) == [("MILK", "L-5", 4)]


async def test_the_key_that_opens_pack_and_the_scans_after_it_in_one_burst(warehouse, picked):  # noqa: F811
    """K and the scans came in one batch: K was held to see whether a scan began with
    it, handed on a moment later, and meanwhile MILK, L-5 and 4 were read by the
    detail screen as scans of their own (a lot trace opened; nothing was packed)."""
    app = BackroomApp(session(warehouse))
    async with app.run_test(size=(40, 16)) as pilot:
        app.push_screen(app_screen(picked))
        await settle(pilot)
        key_burst(app, ["k", *PACK_FOUR])
        for _ in range(4):
            await settle(pilot)
        assert type(app.screen).__name__ == "PackScreen"
    assert packed(picked) == [("MILK", "L-5", 4)]
