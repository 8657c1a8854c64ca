"""Stock reserved for a shipment stays for it: a transfer or a scrap may take only what
is free, while a pick takes what was reserved and a count says what is really there."""

from __future__ import annotations

from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.picking import pick
from backroom.models.stock.operations import adjust, count, receive, scrap, transfer
from tests.models.support import USER, assert_clean, on_shelf, refused
from tests.models.test_shipments import days, order, shop, shop_everywhere  # noqa: F401


def test_a_transfer_takes_only_the_free_units_and_names_the_shipment(shop_everywhere):  # noqa: F811
    receive("MILK", 10, "A-01", user=USER, lot="L1", expiry=days(20))
    number = order(shop_everywhere, ("MILK", 8))
    allocate(number, user=USER)
    with refused(rf"Only 2 .* free; 8 are reserved for {number}\. Cannot take 3"):
        transfer("MILK", 3, "A-01", "A-02", user=USER, lot="L1")
    transfer("MILK", 2, "A-01", "A-02", user=USER, lot="L1")
    with refused(r"Only 0 .* free"):
        transfer("MILK", 1, "A-01", "A-02", user=USER, lot="L1")
    assert on_shelf()[("MILK", "L1", "A-01")] == 8
    pick(number, location="A-01", item="MILK", lot="L1", qty=8, user=USER)  # the reserved units
    assert ("MILK", "L1", "A-01") not in on_shelf()
    assert_clean()


def test_a_scrap_spares_reserved_units_but_a_count_says_what_is_there(shop):  # noqa: F811
    receive("FLOUR", 1000, "B-01", user=USER)
    first = order(shop, ("FLOUR", 300))
    second = order(shop, ("FLOUR", 400))
    allocate(first, user=USER)
    allocate(second, user=USER)
    with refused(rf"300 g .* free; 700 are reserved for {first}, {second}\."):
        scrap("FLOUR", 301, "B-01", user=USER, reason="torn sack")
    scrap("FLOUR", 300, "B-01", user=USER, reason="torn sack")
    # Reality wins: a count or an adjustment down may leave the shipments short.
    adjust("FLOUR", -100, "B-01", user=USER, reason="found short")
    assert count("FLOUR", 500, "B-01", user=USER).difference == -100
    assert on_shelf()[("FLOUR", None, "B-01")] == 500
    assert_clean()


def test_units_picked_are_no_longer_held_back(shop):  # noqa: F811
    receive("MILK", 10, "A-01", user=USER, lot="L1", expiry=days(20))
    number = order(shop, ("MILK", 6))
    allocate(number, user=USER)
    pick(number, location="A-01", item="MILK", lot="L1", qty=6, user=USER)
    transfer("MILK", 4, "A-01", "A-02", user=USER, lot="L1")  # all four left are free
    assert on_shelf()[("MILK", "L1", "A-02")] == 4
