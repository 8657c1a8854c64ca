"""What the shipment screens share: a scan-first form that works for one shipment at a
time (pick and pack are made from it), a weight read as kg, and how the small forms of
tui/screens/goods_out/shipment_forms.py are opened (`offer`).

The shipment (scanned, typed, or given when the screen opens) stays in the form
between postings; Esc clears the rest, and leaves once only the shipment is left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.screen import Screen
from textual.widgets import Static

from backroom.models.config import Config, load_config
from backroom.models.db import db
from backroom.models.errors import DomainError, Refused
from backroom.models.goods_out.dispatch import dispatch_code
from backroom.models.goods_out.orders import get_shipment
from backroom.scanners.entry import shipment_of
from backroom.tui.screens.stock.operation_form import OperationScreen
from backroom.tui.widgets.plain import plain


def kilograms(text: str) -> int:
    """A weight typed in kg (12.5 or 12,5) as grams."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise Refused(f"Weight {text.strip()!r} is not a number of kg such as 12.5") from None
    if not value > 0:
        raise Refused("Weight must be more than 0 kg")
    return round(value * 1000)


def offer(screen: Screen, prepare: Callable[[], Screen], after: Callable) -> None:
    """Open the form PREPARE makes (in a worker: it checks the role and reads the lists);
    AFTER gets what was done. A refusal goes to SCREEN's error line at once."""

    def work() -> None:
        with db.connection_context():
            form = prepare()
        screen.app.call_from_thread(screen.app.push_screen, form, after)

    screen.run_worker(work, thread=True, group="shipment_form", exit_on_error=False)


def site_config(app: object) -> Config:
    """The configuration the session runs with (the user's and system files)."""
    session = getattr(app, "session", None)
    config = getattr(session, "config", None)
    return config if isinstance(config, Config) else load_config()


class ShipmentForm(OperationScreen):
    """An operation form whose first field is the shipment it works for."""

    KEEP: ClassVar[tuple[str, ...]] = ("shipment",)
    HINTS: ClassVar[dict[str, str]] = {"shipment": "scan shipment or parcel"}

    def __init__(self, number: str | None = None) -> None:
        super().__init__()
        self.number = number
        self.config: Config | None = None

    @property
    def dispatch(self) -> str:
        """The dispatch location's code."""
        return dispatch_code(self._config())

    def _config(self) -> Config:
        if self.config is None:
            self.config = site_config(self.app)
        return self.config

    def on_mount(self) -> None:
        self.config = site_config(self.app)
        if self.number:
            self.values["shipment"] = self.number
            self.field_input("shipment").value = self.number
            self._load_shipment(self.number)
        super().on_mount()

    # --- the shipment ---------------------------------------------------------------------

    def _advance(self, name: str) -> None:
        if name == "shipment":
            self.busy = True
            self._load_shipment(self.values["shipment"])
            return
        super()._advance(name)

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _load_shipment(self, text: str) -> None:
        try:
            with db.connection_context():
                number, sscc = shipment_of(text)
                status = self.shipment_status(number)
        except DomainError as exc:
            self.app.call_from_thread(self._not_a_shipment, str(exc))
            return
        self.app.call_from_thread(self._shipment_loaded, number, sscc, status)

    def _not_a_shipment(self, message: str) -> None:
        self.busy = False
        self.values.pop("shipment", None)
        self.field_input("shipment").value = ""
        self.error(message)
        self._put_cursor("shipment")

    def _shipment_loaded(self, number: str, sscc: str | None, status: str) -> None:
        self.busy = False
        self.number = number
        self.values["shipment"] = number
        self.field_input("shipment").value = number
        self.query_one(".title", Static).update(plain(f"{self.TITLE} {number}"))
        self.parcel_scanned(sscc)
        self.say(status)
        self._focus_next()

    def shipment_status(self, number: str) -> str:
        """What to show once the shipment is known (called in a worker)."""
        return get_shipment(number).status

    def parcel_scanned(self, sscc: str | None) -> None:
        """A parcel's SSCC was scanned to name the shipment; the pack screen keeps it."""

    # --- keeping the shipment between postings ----------------------------------------

    def _reset(self) -> None:
        kept = {name: self.values[name] for name in self.KEEP if name in self.values}
        super()._reset()
        for name, value in kept.items():
            self.values[name] = value
            self.field_input(name).value = str(value)
        self._focus_next()

    def action_undo(self) -> None:
        """Picks and packs belong to their shipment: the ledger's undo would not know."""
        self.error("Not undone here: a lead corrects it on the shipment (or cancels it)")

    def action_clear_or_back(self) -> None:
        """Esc: clear what was entered after the shipment; leave when nothing is."""
        rest = [f.name for f in self.FIELDS if f.name not in self.KEEP]
        if any(n in self.values or self.field_input(n).value for n in rest):
            self._reset()
            self.say("Cleared")
        else:
            self.app.pop_screen()
