"""The role matrix for shipments and traceability: each entry point refuses a role below
the one it needs, before it looks at anything else, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backroom.models.errors import Refused
from backroom.models.goods_out.allocation import allocate, allocate_lot
from backroom.models.goods_out.cancelling import cancel
from backroom.models.goods_out.dispatch import deliver, ship
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.packing import new_parcel, pack
from backroom.models.goods_out.parties import add_carrier, add_consignee
from backroom.models.goods_out.picking import pick
from backroom.models.goods_out.returns import receive_return
from backroom.models.masterdata.adding import add_user, get_user
from backroom.models.trace.recall import recall
from backroom.models.trace.transform import Line, transform
from tests.models.support import USER, ledger_state

N = "SHP-000001"
CALLS: list[tuple[str, str, Callable[[str], object]]] = [
    (
        "adding a consignee",
        "lead",
        lambda u: add_consignee(
            "Fresh", address="Quai 1", postal_code="9000", city="Gent", country="BE", user=u
        ),
    ),
    ("adding a carrier", "lead", lambda u: add_carrier("DHL", name="DHL", user=u)),
    ("creating a shipment", "lead", lambda u: create_shipment("Fresh", user=u)),
    ("adding a line", "lead", lambda u: add_line(N, "MILK", 1, user=u)),
    ("allocating", "lead", lambda u: allocate(N, user=u)),
    (
        "choosing a lot",
        "lead",
        lambda u: allocate_lot(N, "MILK", 1, lot="L1", location="A1", user=u),
    ),
    ("cancelling", "lead", lambda u: cancel(N, user=u)),
    ("shipping", "lead", lambda u: ship(N, user=u)),
    ("recording delivery", "lead", lambda u: deliver(N, user=u, signed_by="X")),
    (
        "transforming",
        "lead",
        lambda u: transform("A1", [Line("MILK", "L1", 1)], [Line("MILK", "L2", 1)], user=u),
    ),
    ("recalling", "lead", lambda u: recall("L1", "supplier recall", user=u)),
    (
        "a return",
        "lead",
        lambda u: receive_return("MILK", 1, "Q1", user=u, lot="L1", consignee="Fresh"),
    ),
    ("picking", "operator", lambda u: pick(N, location="A1", item="MILK", qty=1, user=u, lot="L1")),
    ("opening a parcel", "operator", lambda u: new_parcel(N, company_prefix="5412345", user=u)),
    ("packing", "operator", lambda u: pack(N, item="MILK", qty=1, user=u, lot="L1")),
]


@pytest.fixture
def people(sqlite_database):
    admin = get_user(USER)
    add_user("ann", "operator", by=admin)


@pytest.mark.parametrize(("doing", "least", "call"), CALLS, ids=[c[0] for c in CALLS])
def test_below_the_role_an_operation_needs_it_is_refused_and_writes_nothing(
    people, doing, least, call
):
    below = {"lead": ("ann", "an operator"), "operator": ("visitor", None)}[least]
    name, article = below
    before = ledger_state()
    with pytest.raises(Refused) as refusal:
        call(name)
    message = str(refusal.value)
    if article:
        assert message.startswith(f"User {name} is {article}:"), message
        assert message.endswith("needs a lead"), message
    else:
        assert message.startswith("Unknown user 'visitor':"), message
        assert message.endswith("needs an operator"), message
    assert ledger_state() == before
