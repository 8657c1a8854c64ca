"""Random histories of receipts, transformations, shipments and returns: every unit
shipped from a lot, directly or through transformations, appears downstream in its
trace, every source lot upstream, and each lot's quantities add up.

The test keeps its own account of the genealogy and of every shipment, and compares
it with the trace. Each example writes lots of its own (E<n>-...) into one database,
so no example pays for a new one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backroom.models.goods_out.returns import receive_return
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.schema.shipping import Consignee, Shipment
from backroom.models.stock.operations import receive, transfer
from backroom.models.trace.transform import Line, transform
from backroom.models.trace.walk import trace_lot
from tests.models.support import USER, assert_clean

EXAMPLES = itertools.count(1)


@dataclass
class History:
    """What the test knows happened in one example."""

    prefix: str
    stock: dict[str, int] = field(default_factory=dict)  # lot -> qty on the shelf A1
    received: dict[str, int] = field(default_factory=dict)
    produced: dict[str, int] = field(default_factory=dict)
    consumed: dict[str, int] = field(default_factory=dict)
    returned: dict[str, int] = field(default_factory=dict)
    in_quarantine: dict[str, int] = field(default_factory=dict)
    shipped: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)  # id, qty, shp
    children: dict[str, set[str]] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)  # lots in quarantine status after a return
    lots: int = 0
    shipments: int = 0

    def new_lot(self) -> str:
        self.lots += 1
        return f"{self.prefix}-{self.lots}"

    def reach(self, lot: str, edges: dict[str, set[str]]) -> set[str]:
        """LOT and every lot linked from it through EDGES."""
        seen, todo = {lot}, [lot]
        while todo:
            for other in edges.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    def parents(self) -> dict[str, set[str]]:
        back: dict[str, set[str]] = {}
        for parent, kids in self.children.items():
            for kid in kids:
                back.setdefault(kid, set()).add(parent)
        return back


def _play(data: st.DataObject, history: History, shop: Consignee) -> None:
    steps = data.draw(st.integers(4, 14), label="steps")
    for _ in range(steps):
        available = sorted(lot for lot, qty in history.stock.items() if qty > 0)
        usable = [lot for lot in available if lot not in history.held]
        shipped = sorted(
            (lot, shp, qty)
            for lot, rows in history.shipped.items()
            for _id, qty, shp in rows
            if lot not in history.held
        )
        choices = ["receive"]
        if usable:
            choices.append("transform")
        if available:
            choices.append("ship")
        if shipped:
            choices.append("return")
        action = data.draw(st.sampled_from(choices), label="action")
        if action == "receive":
            lot, qty = history.new_lot(), data.draw(st.integers(1, 40), label="qty")
            receive("GOOD", qty, "A1", user=USER, lot=lot)
            history.stock[lot] = qty
            history.received[lot] = history.received.get(lot, 0) + qty
        elif action == "transform":
            inputs = data.draw(
                st.lists(st.sampled_from(usable), min_size=1, max_size=3, unique=True),
                label="inputs",
            )
            amounts = [data.draw(st.integers(1, history.stock[lot]), label="use") for lot in inputs]
            # An output is a new lot, or more of a running lot not among the inputs.
            running = [lot for lot in usable if lot not in inputs]
            outputs = []
            for _k in range(data.draw(st.integers(1, 2), label="outputs")):
                if running and data.draw(st.booleans(), label="running"):
                    lot = data.draw(st.sampled_from(running), label="into")
                else:
                    lot = history.new_lot()
                if lot not in outputs:
                    outputs.append(lot)
            made = [data.draw(st.integers(1, 30), label="make") for _lot in outputs]
            transform(
                "A1",
                [Line("GOOD", lot, qty) for lot, qty in zip(inputs, amounts, strict=True)],
                [Line("GOOD", lot, qty) for lot, qty in zip(outputs, made, strict=True)],
                user=USER,
            )
            for lot, qty in zip(inputs, amounts, strict=True):
                history.stock[lot] -= qty
                history.consumed[lot] = history.consumed.get(lot, 0) + qty
                history.children.setdefault(lot, set()).update(outputs)
            for lot, qty in zip(outputs, made, strict=True):
                history.stock[lot] = history.stock.get(lot, 0) + qty
                history.produced[lot] = history.produced.get(lot, 0) + qty
        elif action == "ship":
            lot = data.draw(st.sampled_from(available), label="lot")
            qty = data.draw(st.integers(1, history.stock[lot]), label="qty")
            history.shipments += 1
            number = f"SHP-{history.prefix[1:]}{history.shipments:03d}"
            Shipment.create(number=number, consignee=shop, planned_date=dt.date(2026, 6, 1))
            move = transfer(
                "GOOD", qty, "A1", "CUSTOMER", user=USER, lot=lot, kind="ship", ref=number
            )
            history.stock[lot] -= qty
            history.shipped.setdefault(lot, []).append((move.id, qty, number))
        else:
            lot, number, qty = data.draw(st.sampled_from(shipped), label="back")
            back = data.draw(st.integers(1, qty), label="back qty")
            receive_return("GOOD", back, "QC", user=USER, lot=lot, shipment=number)
            history.returned[lot] = history.returned.get(lot, 0) + back
            history.in_quarantine[lot] = history.in_quarantine.get(lot, 0) + back
            history.held.add(lot)  # the lot is in quarantine now: no more production from it


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_unit_shipped_from_a_lot_appears_in_its_trace(sqlite_database, data):
    if not Consignee.select().exists():
        add_item(ItemSpec("GOOD", "Goods", tracking="lot"))
        add_location("A1")
        add_location("QC", quarantine=True)
        Consignee.create(
            name="Corner Shop", address="1 High St", postal_code="1000", city="Ghent", country="BE"
        )
    history = History(f"E{next(EXAMPLES)}")
    _play(data, history, Consignee.get())
    parents = history.parents()
    for lot in sorted(history.stock):
        found = trace_lot(lot)
        downstream = history.reach(lot, history.children)
        expected = {
            move_id: qty
            for other in downstream
            for move_id, qty, _shp in history.shipped.get(other, ())
        }
        got = {s.move_id: s.qty for _f, s in found.reached()}
        assert got == expected, f"shipments reached from {lot}"
        assert {f.info.number for f in found.downstream} == downstream - {lot}
        assert {f.info.number for f in found.upstream} == history.reach(lot, parents) - {lot}
        assert found.root.received == history.received.get(lot, 0)
        assert found.produced == history.produced.get(lot, 0)
        assert found.consumed == history.consumed.get(lot, 0)
        assert found.root.returned == history.returned.get(lot, 0)
        assert found.root.shipped == sum(qty for _id, qty, _shp in history.shipped.get(lot, ()))
        # The lot's account balances: what came in is what went out plus what is left.
        came_in = found.root.received + found.produced + found.root.returned
        went_out = found.root.shipped + found.consumed
        assert came_in == went_out + found.root.on_hand_total
        assert found.root.on_hand_total == history.stock[lot] + history.in_quarantine.get(lot, 0)
    assert_clean()
