"""Pick: scan the shipment, then at each stop the location, the item or lot (a GS1 label
fills both), and the quantity. The next stop of the pick list shows after each pick.
Ctrl+O records a short pick: what was entered (or nothing) is all there was.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding

from backroom.models.goods_out.picking import pick, pick_list
from backroom.tui.screens.goods_out.shipments_form import ShipmentForm
from backroom.tui.screens.stock.operation_form import Field, Values


def next_stop(number: str) -> str:
    """The next stop on the pick list of NUMBER, in words."""
    tasks = pick_list(number)
    if not tasks:
        return "Nothing left to pick"
    left = sum(t.qty for t in tasks)
    return f"Next: {tasks[0].text} ({len(tasks)} stops, {left} units)"


class PickScreen(ShipmentForm):
    """Picking for a shipment, stop by stop in walking order."""

    TITLE = "Pick"
    OPERATION = "pick"
    FIELDS: ClassVar = (
        Field("shipment", "Shipment", "text"),
        Field("location", "From location", "location"),
        Field("item", "Item", "item"),
        Field("lot", "Lot", "lot"),
        Field("qty", "Quantity", "qty"),
    )
    BINDINGS: ClassVar = [
        Binding("ctrl+o", "short", "Short pick", id="pick.short"),
    ]

    def shipment_status(self, number: str) -> str:
        return next_stop(number)

    def perform(self, v: Values, user: str) -> str:
        result = pick(
            v["shipment"],
            location=v["location"],
            item=v["item"],
            lot=v.get("lot") or None,
            qty=v.get("qty", 0),
            short=bool(v.get("short")),
            user=user,
            dispatch=self.dispatch,
        )
        return result.text

    def action_short(self) -> None:
        """Post what was entered as all there was at this stop (zero if nothing)."""
        needed = ("shipment", "location", "item")
        missing = [f.label for f in self.FIELDS if f.name in needed and f.name not in self.values]
        if missing:
            self.error(f"Short pick: fill in {', '.join(missing)} first")
            self._focus_next()
            return
        if self.busy:
            return
        self.busy = True
        values = {**self.values, "qty": self.values.get("qty", 0), "short": True}
        self._post(values, self.app.session.user)
