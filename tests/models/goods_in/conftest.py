"""A supplier and a confirmed purchase order on top of the small `warehouse`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from backroom.models.goods_in.orders import add_order_line, confirm_order, create_order
from backroom.models.goods_in.suppliers import add_supplier
from backroom.models.masterdata.adding import add_user
from backroom.models.people.users import set_pin
from backroom.models.rules.identifiers import make_sscc, with_check_digit
from tests.models.support import USER

SUPPLIER_GLN = with_check_digit("401234500001")
PREFIX = "4012345"  # the supplier's GS1 company prefix, for its pallets' SSCCs
LEAD_PIN = "482913"


def pallet_sscc(serial: int) -> str:
    """An SSCC of the supplier's (valid check digit)."""
    return make_sscc(PREFIX, serial)


@dataclass(frozen=True)
class Order:
    number: str
    supplier: str = "ACME"


@pytest.fixture
def order(warehouse) -> Order:
    """Supplier ACME; PO with line 1: 100 MILK, line 2: 5000 g FLOUR; confirmed. Users:
    'op' (operator) and 'boss' (lead, PIN LEAD_PIN)."""
    add_supplier(
        "ACME", name="Acme Dairies", address="Milk Road 1\nCheddar", gln=SUPPLIER_GLN, user=USER
    )
    number = create_order("ACME", user=USER)
    add_order_line(
        number, "MILK", 100, user=USER, pack_name="case", pack_qty=12, supplier_item="AC-M1"
    )
    add_order_line(number, "FLOUR", 5000, user=USER)
    confirm_order(number, user=USER)
    add_user("op", "operator")
    boss = add_user("boss", "lead")
    set_pin("boss", LEAD_PIN, by=None)
    assert boss.role == "lead"
    return Order(number)
