"""Screenshots of the floor at 40x16: Move with what the bin holds, a quantity refused
at the field, Pick with what is left at the stop, and the new-shipment form."""

from __future__ import annotations

import datetime as dt

from backroom.models.goods_in.putaway import add_rule, set_capacity
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.parties import add_carrier, add_consignee
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut

PAST = dt.datetime(2026, 1, 5, 9, 30)
HANDHELD = (40, 16)


def _app(url: str) -> BackroomApp:
    add_location("A-01")
    add_location("A-02")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("TAPE-48", 20, "A-01", user=TEST_USER, at=PAST)
    return BackroomApp(Session(TEST_USER, "sqlite:////data/backroom.db", site="Test DC"))


def _consignee_and_carrier() -> None:
    add_consignee(
        "Kaufhaus Süd", address="Marktplatz 1", postal_code="80331", city="München",
        country="DE", user=TEST_USER,
    )  # fmt: skip
    add_carrier("DHL", name="DHL Freight", user=TEST_USER)


def test_move_shows_what_the_bin_holds_and_refuses_too_many(snap_compare, sqlite_database):
    async def fill(pilot) -> None:
        await settle(pilot)
        await shortcut(pilot, "m")
        for text in ("A-01", "TAPE-48", "25"):
            await pilot.press(*text, "enter")
            await settle(pilot)

    app = _app(sqlite_database)
    assert snap_compare(app, terminal_size=HANDHELD, run_before=fill)


def test_the_new_shipment_form_on_a_handheld(snap_compare, sqlite_database):
    _consignee_and_carrier()

    async def fill(pilot) -> None:
        await settle(pilot)
        await shortcut(pilot, "g")
        await settle(pilot)

    app = _app(sqlite_database)
    assert snap_compare(app, terminal_size=HANDHELD, run_before=fill)


def test_pick_shows_the_next_stop_and_what_is_left_there(snap_compare, sqlite_database):
    app = _app(sqlite_database)
    _consignee_and_carrier()
    number = create_shipment("Kaufhaus Süd", user=TEST_USER, carrier="DHL")
    add_line(number, "TAPE-48", 6, user=TEST_USER)
    allocate(number, user=TEST_USER)

    async def fill(pilot) -> None:
        await settle(pilot)
        await shortcut(pilot, "p")
        for text in (number, "A-01", "TAPE-48"):
            await pilot.press(*text, "enter")
            await settle(pilot)

    assert snap_compare(app, terminal_size=HANDHELD, run_before=fill)


def test_receive_shows_where_to_put_it_away(snap_compare, sqlite_database):
    app = _app(sqlite_database)
    add_location("B")
    for code in ("B-01", "B-02"):
        add_location(code, parent="B")
    add_rule("B", item="TAPE-48")
    set_capacity("B-01", max_units=10)

    async def fill(pilot) -> None:
        await settle(pilot)
        await shortcut(pilot, "r")
        for text in ("TAPE-48", "24"):
            await pilot.press(*text, "enter")
            await settle(pilot)

    assert snap_compare(app, terminal_size=HANDHELD, run_before=fill)
