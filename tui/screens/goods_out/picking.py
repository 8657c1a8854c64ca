"""Pick: scan the shipment, then at each stop the location, the item or lot (a GS1 label
fills both), and the quantity. The next stop of the pick list shows after each pick.
Ctrl+O records a short pick: what is in the quantity field (or nothing) is all there
was; it shows what will be recorded and asks first.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.binding import Binding

from backroom.models.db import db
from backroom.models.errors import Refused
from backroom.models.goods_out.picking import left_at_stop, pick, pick_list
from backroom.models.masterdata.packaging import shown_quantity
from backroom.scanners.entry import interpret
from backroom.scanners.settings import ScannerSettings
from backroom.tui.screens.dialogs import ConfirmDialog
from backroom.tui.screens.goods_out.shipments_form import ShipmentForm
from backroom.tui.screens.stock.operation_form import Field, Values


def next_stop(number: str) -> str:
    """The next stop on the pick list of NUMBER, in words."""
    tasks = pick_list(number)
    if not tasks:
        return "Nothing left to pick"
    left = sum(t.qty for t in tasks)
    stops = "1 stop" if len(tasks) == 1 else f"{len(tasks)} stops"
    return f"Next: {tasks[0].text} ({stops}, {left} units)"


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

    def check_entry(self, planned: Values, tracking: str | None) -> None:
        """Each scan checked against the pick list as it comes: the bin is a stop, the
        item and lot are the ones allocated there, the quantity no more than is left."""
        if not (planned.get("shipment") and planned.get("location")):
            return
        item = planned.get("item")
        lot_known = "lot" in planned or tracking == "none"
        lot = planned.get("lot") or None
        left = left_at_stop(
            planned["shipment"], planned["location"], item if lot_known else None, lot
        )
        if lot_known and item and planned.get("qty", 0) > left:
            where = planned["location"]
            raise Refused(f"Only {left} of {item} are to be picked at {where}")

    def context_of(self, planned: Values, tracking: str | None) -> str | None:
        """What is left to pick at this stop, once the bin and item are scanned."""
        lot_known = "lot" in planned or tracking == "none"
        if not (planned.get("shipment") and planned.get("location") and planned.get("item")):
            return None
        if not lot_known:
            return None
        where, item, lot = planned["location"], planned["item"], planned.get("lot") or None
        left = left_at_stop(planned["shipment"], where, item, lot)
        what = f"{item} lot {lot}" if lot else item
        return f"To pick at {where}: {shown_quantity(item, left)} of {what}"

    def action_short(self) -> None:
        """Ctrl+O: all there was at this stop is what is in the quantity field (typed,
        entered or not; nothing is 0). Shows what will be recorded, and asks."""
        needed = ("shipment", "location", "item")
        missing = [f.label for f in self.FIELDS if f.name in needed and f.name not in self.values]
        if missing:
            self.error(f"Short pick: fill in {', '.join(missing)} first")
            self._focus_next()
            return
        typed = self.field_input("qty").value.strip()
        if self.busy:
            return
        self.busy = True
        self._ask_short(dict(self.values), typed, self.app.session.scanner)

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _ask_short(self, values: Values, typed: str, settings: ScannerSettings) -> None:
        # What the field holds, read as an entry is: a number, or cases ("1 cs (12 pcs)").
        with db.connection_context():
            entry = interpret("qty", typed, values, settings=settings, zero_ok=True)
            if typed == "":
                found = 0
            elif entry.error or "item" in entry.fills or "qty" not in entry.fills:
                raise Refused(f"Short pick: {typed!r} is not a quantity")
            else:
                found = entry.fills["qty"][1]
            expected = left_at_stop(
                values["shipment"], values["location"], values["item"], values.get("lot") or None
            )
        self.app.call_from_thread(self._confirm_short, values, found, expected)

    def _confirm_short(self, values: Values, found: int, expected: int) -> None:
        self.busy = False
        if found >= expected:
            self.error(f"Found {found} of {expected}: that is not short; Enter picks it")
            return
        where = values["location"]
        question = (
            f"Expected {expected}, found {found}: {expected - found} short.\n"
            f"The {expected - found} not found are given up for this shipment, "
            f"and a recount of {where} is requested."
        )

        def answered(yes: bool | None) -> None:
            if not yes:
                self.say("Short pick not recorded")
                return
            self.busy = True
            self._post({**values, "qty": found, "short": True}, self.app.session.user)

        self.app.push_screen(ConfirmDialog("Short pick", question, "Record short"), answered)
