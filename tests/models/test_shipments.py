"""Transport shipments in the warehouse: from order to proof of delivery, and every
refusal on the way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from backroom.models.errors import DomainError, NotFound, Refused
from backroom.models.goods_out.allocation import allocate, allocate_lot
from backroom.models.goods_out.cancelling import cancel
from backroom.models.goods_out.dispatch import (
    assign_load,
    create_load,
    deliver,
    load_info,
    manifest,
    ship,
)
from backroom.models.goods_out.orders import add_line, create_shipment, shipment_detail
from backroom.models.goods_out.packing import pack, pack_all, set_weight
from backroom.models.goods_out.parties import add_carrier, add_consignee
from backroom.models.goods_out.picking import pick, pick_all, pick_list
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_user,
    find_lot,
    get_user,
    set_lot_status,
)
from backroom.models.rules.identifiers import make_sscc, parse_sscc
from backroom.models.schema import Move
from backroom.models.stock.operations import receive
from tests.models.support import USER, assert_clean, on_shelf, refused

TODAY = dt.date.today()
PREFIX = "4012345"


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@dataclass(frozen=True)
class Shop:
    """A small warehouse with a consignee and a carrier."""

    url: str
    consignee: str = "Kaufhaus Sued"
    fussy: str = "Fussy Deli"  # wants 30 days of shelf life left
    carrier: str = "DHL"


def _build(url: str) -> Shop:
    admin = get_user(USER)
    add_item(ItemSpec("MILK", "Milk 1 l", tracking="lot"), by=admin)
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"), by=admin)
    for code in ("A", "B"):
        add_location(code, by=admin)
    add_location("A-01", parent="A", by=admin)
    add_location("A-02", parent="A", by=admin)
    add_location("B-01", parent="B", by=admin)
    add_location("QC", quarantine=True, by=admin)
    add_consignee(
        "Kaufhaus Sued",
        address="Marktplatz 1",
        postal_code="80331",
        city="Muenchen",
        country="DE",
        user=USER,
    )
    add_consignee(
        "Fussy Deli",
        address="Gasse 2",
        postal_code="1010",
        city="Wien",
        country="AT",
        min_shelf_life_days=30,
        user=USER,
    )
    add_carrier("DHL", name="DHL Freight", services=["std", "express"], user=USER)
    return Shop(url)


@pytest.fixture
def shop(sqlite_database) -> Shop:
    """On SQLite only: most shipment rules need no second backend."""
    return _build(sqlite_database)


@pytest.fixture
def shop_everywhere(database) -> Shop:
    """On SQLite and, when configured, PostgreSQL."""
    return _build(database)


def order(shop: Shop, *lines: tuple[str, int], consignee: str | None = None) -> str:
    number = create_shipment(consignee or shop.consignee, user=USER, carrier=shop.carrier)
    for item, qty in lines:
        add_line(number, item, qty, user=USER)
    return number


def test_a_shipment_goes_from_order_to_delivery_and_the_ledger_follows(shop_everywhere):
    shop = shop_everywhere
    receive("MILK", 10, "A-02", user=USER, lot="L2", expiry=days(40))
    receive("MILK", 6, "A-01", user=USER, lot="L1", expiry=days(20))
    receive("FLOUR", 5000, "B-01", user=USER)
    number = order(shop, ("MILK", 12), ("FLOUR", 2000))
    assert number.startswith("SHP-") and len(number) == 10

    result = allocate(number, user=USER)
    assert result.complete and result.status == "allocated"
    assert [t.text for t in pick_list(number)] == [
        "A-01 MILK lot L1 x 6",
        "A-02 MILK lot L2 x 6",
        "B-01 FLOUR x 2000",
    ]

    first = pick(number, location="A-01", item="MILK", lot="L1", qty=6, user=USER)
    assert first.status == "picking" and first.next.text == "A-02 MILK lot L2 x 6"
    pick(number, location="A-02", item="MILK", lot="L2", qty=6, user=USER)
    done = pick(number, location="B-01", item="FLOUR", qty=2000, user=USER)
    assert done.text.endswith("Picking done")
    assert on_shelf()[("MILK", "L1", "DISPATCH")] == 6

    box = pack(number, item="MILK", lot="L1", qty=6, user=USER, company_prefix=PREFIX)
    rest = pack_all(number, user=USER, company_prefix=PREFIX, kind="pallet", weight_g=25_500)
    assert rest.status == "packed" and rest.unpacked == 0
    shipped = ship(number, user=USER, tracking={box.parcel.sscc: "JD000123"})
    assert shipped.status == "shipped"
    assert ("MILK", "L1", "DISPATCH") not in on_shelf()

    ship_moves = list(Move.select().where((Move.reference == number) & (Move.kind == "ship")))
    assert {m.to_location.code for m in ship_moves} == {"CUSTOMER"}
    assert sorted(m.note for m in ship_moves) == sorted(
        [f"parcel {box.parcel.sscc}"] + [f"parcel {rest.parcel.sscc}"] * 2
    )
    delivered = deliver(number, user=USER, signed_by="K. Meier", note="at the gate")
    assert delivered.status == "delivered" and delivered.pod_name == "K. Meier"

    detail = shipment_detail(number)
    assert [(x.item, x.ordered, x.shipped) for x in detail.lines] == [
        ("FLOUR", 2000, 2000),
        ("MILK", 12, 12),
    ]
    tracked = {p.sscc: p.tracking for p in detail.parcels}
    assert tracked[box.parcel.sscc] == "JD000123"
    # lot -> parcel -> shipment -> consignee: every parcel content names its ship move
    lot_l1 = [c for p in detail.parcels for c in p.contents if c.lot == "L1"]
    assert lot_l1 and all(c.move for c in lot_l1)
    assert detail.consignee.name == shop.consignee
    steps = [h.text for h in detail.history if h.kind == "shipment.status"]
    assert steps[0] == "draft -> allocated" and steps[-1].startswith("shipped -> delivered")
    assert len(steps) == 5
    assert_clean()


def test_allocation_takes_what_there_is_when_stock_is_short(shop):
    receive("MILK", 4, "A-01", user=USER, lot="L1", expiry=days(20))
    number = order(shop, ("MILK", 10), ("FLOUR", 100))
    result = allocate(number, user=USER)
    assert result.status == "allocated" and not result.complete
    assert [(s.item, s.missing) for s in result.short] == [("MILK", 6), ("FLOUR", 100)]
    receive("MILK", 10, "A-02", user=USER, lot="L2", expiry=days(30))
    again = allocate(number, user=USER)
    assert [(r.lot, r.qty) for r in again.reserved] == [("L2", 6)]
    assert [(x.item, x.allocated) for x in shipment_detail(number).lines] == [
        ("FLOUR", 0),
        ("MILK", 10),
    ]


def test_nothing_in_stock_leaves_the_shipment_a_draft(shop):
    number = order(shop, ("MILK", 3))
    result = allocate(number, user=USER)
    assert result.status == "draft" and result.reserved == ()


def test_lots_go_first_expiry_first_out_skipping_what_may_not_ship(shop):
    receive("MILK", 5, "A-01", user=USER, lot="LATE", expiry=days(60))
    receive("MILK", 5, "A-02", user=USER, lot="SOON", expiry=days(10))
    receive("MILK", 5, "B-01", user=USER, lot="MID", expiry=days(30))
    receive("MILK", 5, "B-01", user=USER, lot="GONE", expiry=days(-1))
    receive("MILK", 5, "B-01", user=USER, lot="HELD", expiry=days(5))
    receive("MILK", 5, "B-01", user=USER, lot="BAD", expiry=days(3))
    receive("MILK", 5, "B-01", user=USER, lot="RECALL", expiry=days(4))
    admin = get_user(USER)
    set_lot_status(find_lot("HELD"), "quarantine", "lab test", by=admin)
    set_lot_status(find_lot("BAD"), "blocked", "damaged", by=admin)
    set_lot_status(find_lot("RECALL"), "recalled", "supplier recall", by=admin)
    number = order(shop, ("MILK", 12))
    reserved = allocate(number, user=USER).reserved
    assert [(r.lot, r.qty) for r in reserved] == [("SOON", 5), ("MID", 5), ("LATE", 2)]

    fussy = order(shop, ("MILK", 5), consignee=shop.fussy)
    # MID is all reserved, SOON has too little shelf life left for this consignee
    assert [(r.lot, r.qty) for r in allocate(fussy, user=USER).reserved] == [("LATE", 3)]


def test_untracked_stock_goes_first_in_first_out(shop):
    receive("FLOUR", 300, "B-01", user=USER)
    receive("FLOUR", 500, "A-01", user=USER)
    number = order(shop, ("FLOUR", 400))
    assert [(r.location, r.qty) for r in allocate(number, user=USER).reserved] == [
        ("B-01", 300),
        ("A-01", 100),
    ]


def test_two_shipments_never_allocate_the_same_units(shop):
    receive("MILK", 8, "A-01", user=USER, lot="L1", expiry=days(20))
    first = order(shop, ("MILK", 5))
    second = order(shop, ("MILK", 5))
    allocate(first, user=USER)
    result = allocate(second, user=USER)
    assert [(r.lot, r.qty) for r in result.reserved] == [("L1", 3)]
    assert [s.missing for s in result.short] == [2]


def test_a_lead_chooses_a_lot_by_hand_and_an_operator_may_not(shop):
    receive("MILK", 5, "A-01", user=USER, lot="SOON", expiry=days(10))
    receive("MILK", 5, "A-02", user=USER, lot="LATE", expiry=days(50))
    add_user("olga", "operator")
    number = order(shop, ("MILK", 4))
    with refused("olga is an operator: managing shipments needs a lead"):
        allocate_lot(number, "MILK", 4, lot="LATE", location="A-02", user="olga")
    with refused("Only 5 pcs of MILK lot LATE at A-02 are free"):
        allocate_lot(number, "MILK", 6, lot="LATE", location="A-02", user=USER)
    result = allocate_lot(number, "MILK", 4, lot="LATE", location="A-02", user=USER)
    assert [(r.lot, r.location, r.qty) for r in result.reserved] == [("LATE", "A-02", 4)]
    assert result.complete


def test_shipment_status_rules(shop):
    receive("MILK", 5, "A-01", user=USER, lot="L1", expiry=days(20))
    number = order(shop, ("MILK", 5))
    with refused("is draft: cannot pick"):
        pick(number, location="A-01", item="MILK", lot="L1", qty=5, user=USER)
    with refused("is draft: cannot ship"):
        ship(number, user=USER)
    with refused("is draft: cannot record delivery"):
        deliver(number, user=USER, signed_by="X")
    allocate(number, user=USER)
    with refused("is allocated: cannot pack"):
        pack_all(number, user=USER, company_prefix=PREFIX)
    pick_all(number, user=USER)
    with refused("is picking: cannot allocate"):
        allocate(number, user=USER)
    with refused("is picking: cannot add lines"):
        add_line(number, "FLOUR", 1, user=USER)
    with refused("is picking: cannot ship"):
        ship(number, user=USER)
    pack_all(number, user=USER, company_prefix=PREFIX)
    ship(number, user=USER)
    with refused("is shipped: cannot cancel"):
        cancel(number, user=USER, return_to="A-01")
    deliver(number, user=USER, signed_by="Ann")
    with refused("is delivered: cannot record delivery"):
        deliver(number, user=USER, signed_by="Ann")


def test_picks_that_do_not_match_the_pick_list_are_refused(shop):
    receive("MILK", 5, "A-01", user=USER, lot="L1", expiry=days(20))
    receive("MILK", 5, "A-02", user=USER, lot="L2", expiry=days(30))
    number = order(shop, ("MILK", 5))
    allocate(number, user=USER)
    with refused("Lot L2 is not the one allocated at A-01: pick lot L1"):
        pick(number, location="A-01", item="MILK", lot="L2", qty=5, user=USER)
    with refused("Only 5 pcs of MILK lot L1 are to be picked at A-01"):
        pick(number, location="A-01", item="MILK", lot="L1", qty=6, user=USER)
    with refused("Nothing of MILK is to be picked at A-02 .* go to A-01"):
        pick(number, location="A-02", item="MILK", lot="L2", qty=1, user=USER)
    with refused("Quantity must be a positive whole number"):
        pick(number, location="A-01", item="MILK", lot="L1", qty=0, user=USER)
    with pytest.raises(NotFound, match="No shipment SHP-999999"):
        pick("SHP-999999", location="A-01", item="MILK", qty=1, user=USER)


def test_a_short_pick_is_recorded_and_frees_the_rest(shop):
    receive("MILK", 5, "A-01", user=USER, lot="L1", expiry=days(20))
    number = order(shop, ("MILK", 5))
    allocate(number, user=USER)
    result = pick(number, location="A-01", item="MILK", lot="L1", qty=3, short=True, user=USER)
    assert result.short == 2 and result.next is None
    detail = shipment_detail(number)
    assert [(x.allocated, x.picked) for x in detail.lines] == [(3, 3)]
    assert any(
        h.kind == "shipment.short_pick" and "expected 5, found 3" in h.text for h in detail.history
    )
    shorts = [h.detail for h in detail.history if h.kind == "shipment.short_pick"]
    assert shorts == [{"item": "MILK", "lot": "L1", "location": "A-01", "expected": 5, "found": 3}]
    # The two not found are no longer reserved: another shipment can have them.
    other = order(shop, ("MILK", 2))
    assert [r.qty for r in allocate(other, user=USER).reserved] == [2]


def test_blocked_and_recalled_lots_cannot_be_picked_or_shipped(shop):
    receive("MILK", 5, "A-01", user=USER, lot="L1", expiry=days(20))
    number = order(shop, ("MILK", 5))
    allocate(number, user=USER)
    set_lot_status(find_lot("L1"), "blocked", "leaking", by=get_user(USER))
    with refused("Lot L1 is blocked and cannot be picked"):
        pick(number, location="A-01", item="MILK", lot="L1", qty=5, user=USER)
    set_lot_status(find_lot("L1"), "released", "checked", by=get_user(USER))
    pick_all(number, user=USER)
    pack_all(number, user=USER, company_prefix=PREFIX)
    set_lot_status(find_lot("L1"), "recalled", "supplier recall", by=get_user(USER))
    with refused("Lot L1 is recalled and cannot be shipped"):
        ship(number, user=USER)


def test_expired_lots_ship_only_when_a_lead_overrides(shop):
    receive("MILK", 5, "A-01", user=USER, lot="L1", expiry=days(2))
    add_user("olga", "operator")
    number = order(shop, ("MILK", 5))
    allocate(number, user=USER)
    pick_all(number, user=USER)
    pack_all(number, user=USER, company_prefix=PREFIX)
    later = days(3)
    with refused("Lot L1 expired: a lead must override"):
        ship(number, user=USER, today=later)
    with refused("olga is an operator: shipping needs a lead"):
        ship(number, user="olga", today=later, override_expired=True)
    result = ship(number, user=USER, today=later, override_expired=True)
    assert result.overridden == ("L1",)
    history = shipment_detail(number).history
    assert any(h.kind == "shipment.override_expired" and h.user == USER for h in history)


def test_cancelling_returns_picked_stock_where_the_person_says(shop):
    receive("MILK", 5, "A-01", user=USER, lot="L1", expiry=days(20))
    receive("FLOUR", 100, "B-01", user=USER)
    number = order(shop, ("MILK", 5), ("FLOUR", 100))
    allocate(number, user=USER)
    pick(number, location="A-01", item="MILK", lot="L1", qty=5, user=USER)
    pack_all(number, user=USER, company_prefix=PREFIX)
    with refused("5 picked units of .* wait at dispatch: say where they go back to"):
        cancel(number, user=USER)
    with refused("CUSTOMER is a customer location"):
        cancel(number, user=USER, return_to="CUSTOMER")
    done = cancel(number, user=USER, return_to="A-02", reason="customer changed mind")
    assert done == [
        "returned 5 MILK lot L1 to A-02",
        "released 100 allocated units",
        "unpacked 1 parcels",
    ]
    assert on_shelf() == {("MILK", "L1", "A-02"): 5, ("FLOUR", None, "B-01"): 100}
    detail = shipment_detail(number)
    assert detail.status == "cancelled" and detail.parcels == ()
    assert [(a.item, a.qty, a.picked) for a in detail.allocations] == [("MILK", 5, 5)]
    # released stock is free again
    again = order(shop, ("FLOUR", 100))
    assert allocate(again, user=USER).complete
    assert_clean()


def test_sscc_numbers_carry_a_valid_check_digit(shop):
    assert make_sscc("4012345", 1) == "040123450000000016"
    assert make_sscc("0614141", 123456789) == "006141411234567890"
    assert parse_sscc("(00)006141411234567890") == "006141411234567890"
    with pytest.raises(Refused, match="wrong check digit"):
        parse_sscc("006141411234567891")
    with pytest.raises(Refused, match="company prefix"):
        make_sscc("12AB", 1)
    receive("MILK", 4, "A-01", user=USER, lot="L1", expiry=days(20))
    number = order(shop, ("MILK", 4))
    allocate(number, user=USER)
    pick_all(number, user=USER)
    one = pack(number, item="MILK", qty=2, user=USER, company_prefix=PREFIX).parcel.sscc
    two = pack(number, item="MILK", qty=2, user=USER, company_prefix=PREFIX).parcel.sscc
    assert one != two
    assert all(parse_sscc(s) == s and s.startswith("04012345") for s in (one, two))


def test_packing_without_a_company_prefix_is_refused(shop):
    receive("MILK", 4, "A-01", user=USER, lot="L1", expiry=days(20))
    number = order(shop, ("MILK", 4))
    allocate(number, user=USER)
    pick_all(number, user=USER)
    with refused("Set site.gs1_company_prefix"):
        pack_all(number, user=USER, company_prefix=None)
    with refused("Only 4 pcs of MILK lot L1 are picked and not yet packed"):
        pack(number, item="MILK", qty=5, user=USER, company_prefix=PREFIX)


def test_the_manifest_adds_up_to_the_shipments(shop):
    receive("FLOUR", 10_000, "B-01", user=USER)
    numbers = [order(shop, ("FLOUR", 1000 * (i + 1))) for i in range(3)]
    weights = {}
    for n in numbers[:2]:
        allocate(n, user=USER)
        pick_all(n, user=USER)
        a = pack(n, item="FLOUR", qty=500, user=USER, company_prefix=PREFIX).parcel
        b = pack_all(n, user=USER, company_prefix=PREFIX, weight_g=2_250).parcel
        set_weight(a.sscc, 600, user=USER)
        weights[a.sscc], weights[b.sscc] = 600, 2_250
        ship(n, user=USER)
    today = manifest("DHL", dt.datetime.now(dt.UTC).date())
    assert today.shipments == tuple(numbers[:2])
    assert {p.sscc: p.weight_g for p in today.parcels} == weights
    assert today.total_weight_g == 2 * (600 + 2_250)
    assert manifest("DHL", dt.date(2001, 1, 1)).parcels == ()
    with pytest.raises(NotFound, match="Unknown carrier"):
        manifest("UPS")


def test_master_data_refusals_say_what_is_wrong(shop):
    with pytest.raises(DomainError, match="already exists"):
        add_consignee(
            shop.consignee, address="x", postal_code="1", city="y", country="DE", user=USER
        )
    with pytest.raises(Refused, match="two-letter code"):
        add_consignee("New", address="x", postal_code="1", city="y", country="GER", user=USER)
    with pytest.raises(Refused, match="GLN"):
        add_consignee(
            "New", address="x", postal_code="1", city="y", country="DE", gln="123", user=USER
        )
    with pytest.raises(Refused, match="tracking URL must hold"):
        add_carrier("UPS", name="UPS", tracking_url="https://ups.example/", user=USER)
    with pytest.raises(Refused, match="offers std, express, not service 'overnight'"):
        create_shipment(shop.consignee, user=USER, carrier="DHL", service="overnight")
    with pytest.raises(NotFound, match="Unknown consignee"):
        create_shipment("Nobody", user=USER)


def test_a_load_groups_shipments_for_one_vehicle_until_they_ship(shop):
    receive("FLOUR", 100, "B-01", user=USER)
    first, second = order(shop, ("FLOUR", 10)), order(shop, ("FLOUR", 20))
    load = create_load(vehicle="HH-BR 123", driver="Jan", user=USER)
    assign_load(first, load, user=USER)
    info = assign_load(second, load, user=USER)
    assert (info.vehicle, info.driver, info.shipments) == ("HH-BR 123", "Jan", (first, second))
    assert shipment_detail(first).summary.load == load
    allocate(first, user=USER)
    pick_all(first, user=USER)
    pack_all(first, user=USER, company_prefix=PREFIX)
    ship(first, user=USER)
    with refused("is shipped: cannot change its load"):
        assign_load(first, None, user=USER)
    assign_load(second, None, user=USER)
    assert load_info(load).shipments == (first,)
