"""A small warehouse on top of the `database` fixture: three kinds of item, two
shelves and a quarantine cage."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, get_user
from backroom.models.schema import Location


@dataclass(frozen=True)
class Warehouse:
    url: str
    user: str = "tester"
    # untracked, counted in grams
    flour: str = "FLOUR"
    # lot-tracked with a shelf life of 10 days
    milk: str = "MILK"
    # serial-tracked
    phone: str = "PHONE"


@pytest.fixture
def warehouse(database) -> Warehouse:
    """Items FLOUR (untracked), MILK (lots, 10 days shelf life), PHONE (serials);
    shelves A1 and A2, quarantine cage QC, an inactive shelf OLD."""
    admin = get_user("tester")
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"), by=admin)
    add_item(ItemSpec("MILK", "Milk 1 l", tracking="lot", shelf_life_days=10), by=admin)
    add_item(ItemSpec("PHONE", "Handheld terminal", tracking="serial"), by=admin)
    add_location("A1", name="Aisle 1", by=admin)
    add_location("A2", name="Aisle 2", by=admin)
    add_location("QC", name="Quarantine cage", quarantine=True, by=admin)
    add_location("OLD", name="Closed shelf", by=admin)
    Location.update(active=False).where(Location.code == "OLD").execute()
    return Warehouse(database)
