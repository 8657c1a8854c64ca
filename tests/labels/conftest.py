"""A few things to print labels for, and a stand-in for a network label printer."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator

import pytest

from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_lot,
    add_user,
    get_user,
)
from backroom.models.schema import Location
from tests.labels.fake_zebra import FakeZebra

GTIN = "05901234123457"
GTIN_14 = "15901234123454"


@pytest.fixture
def shop(database) -> str:
    """Aisle A with bays and bins (one inactive), item WIDGET with a GTIN and lot L-0424,
    CABLE without GTIN, serial-tracked PHONE with SN-1, and user alice."""
    admin = get_user("tester")
    add_location("A", name="Aisle A", by=admin)
    add_location("A-01", parent="A", name="Bay 1", by=admin)
    for code in ("A-01-01", "A-01-02", "A-01-03"):
        add_location(code, parent="A-01", by=admin)
    add_location("B", name="Aisle B", by=admin)
    Location.update(active=False).where(Location.code == "A-01-03").execute()
    widget = add_item(ItemSpec("WIDGET", "Blue widget", GTIN, tracking="lot"), by=admin)
    add_item(ItemSpec("CABLE", "Cable ties", tracking="lot"), by=admin)
    phone = add_item(ItemSpec("PHONE", "Handheld", GTIN_14, tracking="serial"), by=admin)
    add_lot(widget, "L-0424", expiry=dt.date(2031, 4, 24), by=admin)
    add_lot(phone, "SN-1", by=admin)
    add_user("alice", "operator", by=admin)
    return database


@pytest.fixture
def printer_port() -> Iterator[FakeZebra]:
    """A pretend raw (port 9100) Zebra printer on 127.0.0.1, on a free port, that
    answers ~HS as a ready printer does."""
    with FakeZebra("ready") as printer:
        yield printer


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]
