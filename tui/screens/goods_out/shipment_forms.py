"""The small forms of a shipment's life: create it, add lines, weigh a parcel, record the
delivery, cancel it. One form class, given its fields and what to do: Enter goes down
the fields, Enter in the last one does it in a worker, and a refusal keeps the form
with the reason and the bell. Whoever opens a form first checks the role (in a worker,
`prepared`), so a person who may not do it is told before typing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from backroom.models.db import db
from backroom.models.errors import Refused
from backroom.models.goods_out.cancelling import cancel
from backroom.models.goods_out.dispatch import deliver
from backroom.models.goods_out.orders import ShipmentDetail, add_line, create_shipment
from backroom.models.goods_out.packing import set_weight
from backroom.models.goods_out.parties import list_carriers, list_consignees
from backroom.models.people.roles import acting
from backroom.scanners.entry import interpret
from backroom.tui.screens.goods_out.shipments_form import kilograms
from backroom.tui.widgets.form_fields import FormFields
from backroom.tui.widgets.held_entries import HeldEntries
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.scan_input import GS, GS_SHOWN, KeyHold, ScanInput
from backroom.tui.worker_errors import PassesWorkerFailuresOn

Values = dict[str, str]
NO_CARRIER = "-"


@dataclass(frozen=True)
class Ask:
    """One field of a form: an input, or a list to choose from (shown, value)."""

    name: str
    label: str
    hint: str = ""
    value: str = ""
    choices: tuple[tuple[str, str], ...] | None = None
    optional: bool = False
    # Checks an entry as it arrives (in a worker): returns it as it should read, or
    # raises Refused; the form then selects it for the next scan to replace.
    check: Callable[[str], str] | None = None


class ShipmentAction(PassesWorkerFailuresOn, HeldEntries, ModalScreen[str | None]):
    """A form for one action on a shipment; dismissed with what was done. Its fields
    hold the keys that come while an entry is taken (tui/widgets/held_entries.py):
    FD-1005, Enter, 5, Enter sent back to back was one unknown item "FD-10055"."""

    CSS_PATH = "shipment_forms.tcss"
    BINDINGS: ClassVar = [
        Binding("escape", "close", "Close", id="shipment_form.close"),
        Binding("ctrl+s", "submit", "Done", id="shipment_form.submit"),
    ]

    def __init__(
        self,
        title: str,
        explain: str,
        asks: tuple[Ask, ...],
        do: Callable[[Values, str], str],
        *,
        repeat: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.title_text = title
        self.explain = explain
        self.asks = asks
        self.do = do  # runs in a worker with the values and the user; returns the result
        self.repeat = repeat  # fields cleared after each success; the form stays open
        self.hold = KeyHold()
        self.done: list[str] = []

    def held_field(self) -> ScanInput | None:
        focused = self.focused
        return focused if isinstance(focused, ScanInput) else None

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(self.title_text, id="form-title", markup=False)
            with FormFields(id="form-fields"):
                if self.explain:
                    yield Static(self.explain, id="form-explain", markup=False)
                for ask in self.asks:
                    yield Label(ask.label + ("" if not ask.optional else " (optional)"))
                    if ask.choices is not None:
                        yield Select(
                            ask.choices,
                            value=ask.value or ask.choices[0][1] if ask.choices else Select.BLANK,
                            allow_blank=not ask.choices,
                            id=f"ask-{ask.name}",
                            compact=True,
                        )
                    else:
                        yield ScanInput(
                            ask.value,
                            placeholder=ask.hint,
                            id=f"ask-{ask.name}",
                            compact=True,
                            hold=self.hold,
                            scanner=self.app.session.scanner,
                        )
            yield Static("Enter: next; on the last field, done", id="form-message")
        yield KeyFooter()

    def on_mount(self) -> None:
        for ask in self.asks:
            if ask.choices is not None:
                select = self.query_one(f"#ask-{ask.name}", Select)
                self.watch(select, "expanded", partial(self._list_closed, ask.name), init=False)
        self._to_field(self.asks[0].name)

    def _to_field(self, name: str) -> None:
        """The cursor to field NAME at once: a key already on its way goes there."""
        self.set_focus(self.query_one(f"#ask-{name}"))

    def values(self) -> Values:
        """What the form holds now, by field name."""
        out: Values = {}
        for ask in self.asks:
            widget = self.query_one(f"#ask-{ask.name}")
            # An Input's text (a scan's GS1 separators as sent), or a Select's value.
            value = widget.scan_text if isinstance(widget, ScanInput) else widget.value
            out[ask.name] = "" if value is Select.BLANK else str(value).strip()
        return out

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        self.entry_arrived()
        names = [a.name for a in self.asks]
        name = (event.input.id or "").removeprefix("ask-")
        ask = self.asks[names.index(name)]
        if ask.check is not None and event.value.strip():
            self.busy = True
            self._check(ask, event.value.replace(GS_SHOWN, GS))
            return
        self._on_from(name)
        if not self.busy:
            self.busy = False  # the keys held after this Enter go to the next field

    def _on_from(self, name: str) -> None:
        names = [a.name for a in self.asks]
        if name == names[-1]:
            self.action_submit()
        else:
            self._to_field(names[names.index(name) + 1])

    @work(thread=True, exclusive=True, group="shipment_form", exit_on_error=False)
    def _check(self, ask: Ask, text: str) -> None:
        assert ask.check is not None
        try:
            with db.connection_context():
                value = ask.check(text)
        except Refused as exc:
            self.app.call_from_thread(self._refused, ask.name, str(exc))
            return
        self.app.call_from_thread(self._checked, ask.name, value)

    def _checked(self, name: str, value: str) -> None:
        self.busy = False
        self.query_one(f"#ask-{name}", Input).value = value
        self.say("")
        self._on_from(name)

    def _refused(self, name: str, text: str) -> None:
        """A refused entry is selected, so the next scan replaces it and is not glued on."""
        self.error(text)
        self._to_field(name)
        self.query_one(f"#ask-{name}", Input).select_all()

    def _list_closed(self, name: str, expanded: bool) -> None:
        """A list closed on a choice (the same one too): on to the next field."""
        names = [a.name for a in self.asks]
        if not expanded and name in names[:-1]:
            # After the list has given the focus back to itself: Widget.focus() waits.
            self.query_one(f"#ask-{names[names.index(name) + 1]}").focus()

    def action_submit(self) -> None:
        """Do it with what the form holds (refused: the form stays, with the reason)."""
        if self.busy:
            return
        values = self.values()
        for ask in self.asks:
            if not ask.optional and not values[ask.name]:
                self.error(f"{ask.label}: fill it in first")
                self._to_field(ask.name)
                return
        self.busy = True
        self.say("Working…")
        self._do(values, self.app.session.user)

    @work(thread=True, exclusive=True, group="shipment_form", exit_on_error=False)
    def _do(self, values: Values, user: str) -> None:
        with db.connection_context():
            text = self.do(values, user)
        self.app.call_from_thread(self._done, text)

    def _done(self, text: str) -> None:
        if not self.repeat:
            self._busy = False
            self.hold.release(self.app)  # keys typed after the last Enter: for what is next
            self.dismiss(text)
            return
        self.busy = False
        self.done.append(text)
        self.say(f"✓ {text}")
        for name in self.repeat:
            self.query_one(f"#ask-{name}", Input).value = ""
        self._to_field(self.repeat[0])

    def say(self, text: str, error: bool = False) -> None:
        """TEXT under the form; an error with the bell."""
        message = self.query_one("#form-message", Static)
        message.set_class(error, "error")
        message.update(f"✗ {text}" if error else text)
        if error:
            self.app.bell()

    def error(self, text: str) -> None:
        """A refusal (a worker's failure too): said, the form kept."""
        self.busy = False
        self.say(text, True)

    def action_close(self) -> None:
        """Esc: leave the form (with what a repeating form has done so far)."""
        self.dismiss("; ".join(self.done) if self.done else None)


# --- the forms, each prepared in a worker (role checked, choices read) ----------------


def may(user: str, operation: str) -> None:
    """Refuse at once when USER may not do OPERATION (called in a worker)."""
    acting(user, operation)


def planned_date(text: str) -> dt.date | None:
    """A planned date typed as YYYY-MM-DD, or +N days from today; empty is today."""
    text = text.strip()
    if not text:
        return None
    if text.startswith("+") and text[1:].isdigit():
        return dt.date.today() + dt.timedelta(days=int(text[1:]))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Refused(f"Date {text!r} is not YYYY-MM-DD (or +1 for tomorrow)") from None


def new_shipment_form(user: str) -> ShipmentAction:
    """Consignee and carrier chosen from the lists, and the planned date."""
    may(user, "shipment")
    consignees = tuple((c.name, c.name) for c in list_consignees())
    if not consignees:
        raise Refused("No consignees yet: add one with 'backroom consignee add'")
    carriers: list[tuple[str, str]] = [("no carrier", NO_CARRIER)]
    for c in list_carriers():
        carriers.append((c.name, c.code))
        carriers += [(f"{c.name} · {s}", f"{c.code}|{s}") for s in c.services]

    def do(v: Values, user: str) -> str:
        code, _, service = v["carrier"].partition("|")
        return create_shipment(
            v["consignee"],
            user=user,
            carrier=None if code == NO_CARRIER else code,
            service=service or None,
            planned_date=planned_date(v["date"]),
        )

    asks = (
        Ask("consignee", "Ship to", choices=consignees),
        Ask("carrier", "Carrier", choices=tuple(carriers)),
        Ask("date", "Planned date", "YYYY-MM-DD, +1; empty: today", optional=True),
    )
    return ShipmentAction("New shipment", "", asks, do)


def an_item(text: str) -> str:
    """The SKU of the item TEXT scans or types as (a GTIN, a GS1 label, a SKU)."""
    entry = interpret("item", text, {})
    if entry.error:
        raise Refused(entry.error)
    if "item" not in entry.fills:
        raise Refused(f"{text.strip()!r} is not an item: scan the item's barcode or its SKU")
    return str(entry.fills["item"][1])


def a_quantity(text: str) -> str:
    """TEXT as a whole number of one or more (a GTIN typed here is refused)."""
    entry = interpret("qty", text, {})
    if entry.error or "qty" not in entry.fills:
        raise Refused(entry.error or f"{text.strip()!r} is not a quantity")
    return str(entry.fills["qty"][1])


def add_lines_form(user: str, number: str) -> ShipmentAction:
    """Item (scanned or typed) and quantity, line after line until Esc."""
    may(user, "shipment")

    def do(v: Values, user: str) -> str:
        line = add_line(number, an_item(v["item"]), int(a_quantity(v["qty"])), user=user)
        return f"{line.item}: {line.ordered} {line.unit} ordered"

    asks = (
        Ask("item", "Item", "scan or type SKU / GTIN", check=an_item),
        Ask("qty", "Quantity", "how many", check=a_quantity),
    )
    return ShipmentAction(f"Add lines to {number}", "", asks, do, repeat=("item", "qty"))


def weigh_form(user: str, detail: ShipmentDetail) -> ShipmentAction:
    """A parcel of the shipment, chosen from its list, and its weight in kg."""
    may(user, "pack")
    if not detail.parcels:
        raise Refused(f"{detail.number} has no parcels yet: pack first (K)")
    parcels = tuple((f"{p.sscc} {p.weight_text}", p.sscc) for p in detail.parcels)

    def do(v: Values, user: str) -> str:
        parcel = set_weight(v["parcel"], kilograms(v["weight"]), user=user)
        return f"Parcel {parcel.sscc} weighs {parcel.weight_text}"

    asks = (Ask("parcel", "Parcel", choices=parcels), Ask("weight", "Weight kg", "such as 12.5"))
    return ShipmentAction(f"Weigh a parcel of {detail.number}", "", asks, do)


def deliver_form(user: str, number: str) -> ShipmentAction:
    """The proof of delivery: who signed for it."""
    may(user, "ship")

    def do(v: Values, user: str) -> str:
        s = deliver(number, user=user, signed_by=v["signed_by"], note=v["note"])
        return f"{s.number} delivered, signed by {s.pod_name}"

    asks = (
        Ask("signed_by", "Received by", "the name of who signed"),
        Ask("note", "Note", optional=True),
    )
    return ShipmentAction(f"Delivered: {number}", "", asks, do)


def what_cancelling_does(detail: ShipmentDetail) -> tuple[str, int]:
    """What cancelling the shipment will do, in words, and how many picked units wait."""
    picked = sum(a.picked for a in detail.allocations)
    held = sum(a.qty - a.picked for a in detail.allocations)
    said = [f"{detail.number} will be cancelled; this cannot be undone."]
    if held:
        said.append(f"{held} allocated units are released for other orders.")
    if picked:
        said.append(
            f"{picked} picked units wait at dispatch: they are moved back to the "
            "location given below."
        )
    if detail.parcels:
        said.append(f"{len(detail.parcels)} parcels are unpacked and their SSCCs dropped.")
    if not (held or picked):
        said.append("Nothing is allocated or picked: no stock moves.")
    return " ".join(said), picked


def cancel_form(user: str, detail: ShipmentDetail, dispatch: str) -> ShipmentAction:
    """Says what happens to allocated and picked stock, then asks where it goes back."""
    may(user, "shipment")
    if detail.status in ("shipped", "delivered", "cancelled"):
        raise Refused(f"{detail.number} is {detail.status}: it can no longer be cancelled")
    explain, picked = what_cancelling_does(detail)
    number = detail.number
    back = (Ask("return_to", "Picked stock back to", "scan or type a location"),)
    asks = (*(back if picked else ()), Ask("reason", "Reason", optional=True))

    def do(v: Values, user: str) -> str:
        done = cancel(
            number,
            user=user,
            return_to=v.get("return_to") or None,
            reason=v["reason"],
            dispatch=dispatch,
        )
        return "; ".join([f"{number} cancelled", *done])

    return ShipmentAction(f"Cancel {number}?", explain, asks, do)
