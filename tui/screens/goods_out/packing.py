"""Pack: scan the shipment (or a parcel of it), then the picked item or lot and the
quantity. The first pack opens a new parcel with its own SSCC; the following ones go
into the same parcel until Ctrl+N starts a new one, or a parcel's SSCC is scanned into
the parcel field. Ctrl+G weighs the current parcel.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.binding import Binding
from textual.widgets import Static

from backroom.models.db import db
from backroom.models.goods_out.orders import get_shipment
from backroom.models.goods_out.packing import pack, set_weight
from backroom.models.goods_out.status import unpacked
from backroom.models.rules.identifiers import parse_sscc
from backroom.tui.screens.goods_out.shipments_form import ShipmentForm, kilograms
from backroom.tui.screens.stock.operation_form import Field, Values
from backroom.tui.widgets.plain import plain


def left_to_pack(number: str) -> str:
    """How much picked stock of NUMBER waits for a parcel, in words."""
    shipment = get_shipment(number)
    units = sum(unpacked(shipment).values())
    if not units:
        return f"{shipment.number} is {shipment.status}: nothing waits to be packed"
    return f"{units} picked units wait to be packed"


class PackScreen(ShipmentForm):
    """Packing picked stock into parcels."""

    TITLE = "Pack"
    OPERATION = "pack"
    KEEP: ClassVar = ("shipment", "parcel")
    HINTS: ClassVar = {
        "shipment": "scan shipment or parcel",
        "parcel": "SSCC, or Enter for a new one",
        "weight": "kg, then Enter",
    }
    FIELDS: ClassVar = (
        Field("shipment", "Shipment", "text"),
        Field("parcel", "Parcel", "text", optional=True),
        Field("item", "Item", "item"),
        Field("lot", "Lot", "lot"),
        Field("qty", "Quantity", "qty"),
        Field("weight", "Weight kg", "text", optional=True),
    )
    BINDINGS: ClassVar = [
        Binding("ctrl+n", "new_parcel", "New parcel", id="pack.new"),
        Binding("ctrl+g", "weigh", "Weigh", id="pack.weigh"),
    ]

    def on_mount(self) -> None:
        # The weight row shows only when asked for (Ctrl+G): on a handheld the form
        # and its result then still fit on the screen.
        self.query_one("#row-weight").display = False
        super().on_mount()

    def shipment_status(self, number: str) -> str:
        return left_to_pack(number)

    def parcel_scanned(self, sscc: str | None) -> None:
        if sscc:
            self.values["parcel"] = sscc
            self.field_input("parcel").value = sscc

    def perform(self, v: Values, user: str) -> str:
        parcel = parse_sscc(v["parcel"]) if v.get("parcel") else None
        config = self._config()
        result = pack(
            v["shipment"],
            item=v["item"],
            lot=v.get("lot") or None,
            qty=v["qty"],
            parcel=parcel,
            company_prefix=config.gs1_company_prefix,
            user=user,
        )
        self.app.call_from_thread(self._keep_parcel, result.parcel.sscc)
        return result.text

    def _keep_parcel(self, sscc: str) -> None:
        self.values["parcel"] = sscc
        self.field_input("parcel").value = sscc

    def _advance(self, name: str) -> None:
        if name == "weight" and "weight" in self.values:
            self._weigh(str(self.values.pop("weight")))
            return
        if name == "parcel" and self.values.get("parcel") == "":
            self.values.pop("parcel")
        super()._advance(name)

    def _reset(self) -> None:
        super()._reset()
        self.query_one("#row-weight").display = False

    def action_new_parcel(self) -> None:
        """The next pack goes into a new parcel."""
        self.values.pop("parcel", None)
        self.field_input("parcel").value = ""
        self.say("The next pack opens a new parcel")
        self._focus_next()

    def action_weigh(self) -> None:
        """Go to the weight field for the current parcel."""
        if not self.values.get("parcel"):
            self.error("No parcel yet: pack something first, or scan a parcel")
            return
        self.asking.add("weight")
        self.query_one("#row-weight").display = True
        self._put_cursor("weight")

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _weigh(self, text: str) -> None:
        grams = kilograms(text)
        with db.connection_context():
            parcel = set_weight(self.values["parcel"], grams, user=self.app.session.user)
        self.app.call_from_thread(
            self._weighed, f"Parcel {parcel.sscc} weighs {parcel.weight_text}"
        )

    def _weighed(self, text: str) -> None:
        self.asking.discard("weight")
        self.field_input("weight").value = ""
        self.query_one("#row-weight").display = False
        self.query_one("#result", Static).update(plain(text))
        self.say("")
        self._focus_next()
