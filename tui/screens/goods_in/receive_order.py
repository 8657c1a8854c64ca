"""Receive against an order: scan the purchase order, then item (a GS1 scan fills lot,
expiry and count), quantity and bin, counted against what the order expects; or scan
an announced pallet's SSCC, see what it holds (and count the lines that differ, in
tui/screens/goods_in/pallet_count.py), scan the bin and confirm once: every line is
posted in one transaction, as counted.

More than the site's tolerance asks for a lead's name and PIN on the spot; Ctrl+T
marks the goods damaged (they go to quarantine and count as received and damaged).
Ctrl+Z undoes this screen's last receipt: one line, or a whole pallet, which can then
be received again.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from backroom.models.db import db
from backroom.models.errors import Refused, Unlikely
from backroom.models.goods_in.orders import RECEIVABLE, order_detail
from backroom.models.goods_in.receiving import (
    Counts,
    LeadApproval,
    NeedsLead,
    PalletView,
    ReceivingRules,
    lead_approval,
    pallet_view,
    receive_on_order,
    receive_pallet,
)
from backroom.models.goods_in.unreceiving import undo_receipt
from backroom.models.rules.identifiers import parse_sscc
from backroom.tui import navigation
from backroom.tui.screens.dialogs import ConfirmDialog
from backroom.tui.screens.stock.operation_form import Field, OperationScreen, Values
from backroom.tui.widgets.scan_input import KeyHold, ScanInput

GOODS_FIELDS = ("item", "lot", "expiry", "qty")
SHOWN_LINES = 6  # pallet lines shown before "and N more"


def is_pallet(text: object) -> bool:
    """True when TEXT reads as an SSCC (a pallet), not an order number."""
    try:
        parse_sscc(str(text or ""))
    except Refused:
        return False
    return True


def pallet_text(view: PalletView, counts: Counts | None = None) -> str:
    """A pallet's contents in a few short lines, for a handheld too; the lines counted
    otherwise than announced after them."""
    lines = [f"Pallet {view.sscc} of {view.order}, {view.supplier}:"]
    for x in view.lines[:SHOWN_LINES]:
        lot = f" {x.lot}" if x.lot else ""
        expiry = f" exp {x.expiry.isoformat()}" if x.expiry else ""
        lines.append(f"{x.qty} {x.unit} {x.item}{lot}{expiry}")
    if len(view.lines) > SHOWN_LINES:
        lines.append(f"… and {len(view.lines) - SHOWN_LINES} more lines")
    counted = view.differences(counts or {})
    if counted:
        lines += ["Counted otherwise:", *counted]
    return "\n".join(lines)


class LeadPinDialog(ModalScreen[tuple[str, str] | None]):
    """Why a lead is needed, then the lead's name and PIN; answers (name, PIN), or None
    on Esc. The PIN is checked by the caller, in a worker (scrypt is slow on purpose).
    Keys after the name's Enter wait for the PIN field, as on the login screen: typed
    fast ("boss⏎482913⏎"), the PIN went, in clear, into the name field."""

    CSS_PATH = "lead_pin.tcss"
    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", id="lead.cancel")]

    def __init__(self, why: str) -> None:
        super().__init__()
        self._why = why
        self.hold = KeyHold()

    def compose(self) -> ComposeResult:
        with Vertical(id="lead-dialog"):
            yield Static("A lead must approve", id="lead-title")
            yield Static(self._why, id="lead-why", markup=False)
            yield ScanInput(
                placeholder="lead's name", id="lead-name", max_length=64, hold=self.hold
            )
            yield ScanInput(
                placeholder="PIN", password=True, id="lead-pin", max_length=12, hold=self.hold
            )

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#lead-name", Input))

    def _to(self, field: ScanInput) -> None:
        """The cursor to FIELD at once, and the keys held since the Enter typed there."""
        self.set_focus(field)
        self.call_later(self.hold.replay, field)

    @on(Input.Submitted, "#lead-name")
    def _name_given(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#lead-name", ScanInput)
        self._to(self.query_one("#lead-pin", ScanInput) if event.value.strip() else name)

    @on(Input.Submitted, "#lead-pin")
    def _pin_given(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#lead-name", Input).value.strip()
        if name and event.value:
            self.hold.release(self.app)  # what was typed after: for the form
            self.dismiss((name, event.value))
        else:
            self._to(self.query_one("#lead-name" if not name else "#lead-pin", ScanInput))

    def action_cancel(self) -> None:
        """Esc: nobody approves."""
        self.dismiss(None)


class ReceiveOrderScreen(OperationScreen):
    """Goods in against a purchase order, or a whole announced pallet by its SSCC."""

    TITLE = "Receive against order"
    OPERATION = "receive"
    CSS_PATH: ClassVar = [OperationScreen.CSS_PATH, Path(__file__).with_name("receive_order.tcss")]
    VERTICAL_BREAKPOINTS: ClassVar = [(0, "-short"), (32, "-tall")]
    FIELDS: ClassVar = (
        Field("doc", "Order/pallet", "text"),
        Field("item", "Item", "item"),
        Field("lot", "Lot", "lot", new_lot_ok=True),
        Field("expiry", "Expiry", "date", optional=True),
        Field("qty", "Quantity", "qty"),
        Field("to", "To location", "location"),
    )
    BINDINGS: ClassVar = [
        Binding("ctrl+t", "damaged", "Damaged", id="receive_order.damaged"),
        Binding("ctrl+r", "report", "Report", id="receive_order.report"),
        Binding("ctrl+l", "count", "Count", id="receive_order.count"),
    ]
    HINTS: ClassVar = {"doc": "scan order or pallet SSCC"}

    def __init__(self, doc: str = "") -> None:
        super().__init__()
        self.doc = doc  # a pallet scanned elsewhere, or an order chosen: entered at once
        self.damaged = False
        self.approval: LeadApproval | None = None
        self.confirmed = False  # the pallet's contents were shown and confirmed
        # The pallet scanned, as its ASN announced it (read in the worker that took the
        # scan), and its lines counted otherwise.
        self.pallet: PalletView | None = None
        self.counts: Counts = {}
        self.counts_for: str | None = None  # the pallet they were counted on

    @property
    def rules(self) -> ReceivingRules:
        return ReceivingRules.from_config(self.app.session.config)

    def on_mount(self) -> None:
        super().on_mount()
        if self.doc:
            self.field_input("doc").value = self.doc
            self.busy = True
            scanner = self.app.session.scanner
            self._interpret(self._field("doc"), self.doc, {}, scanner, self.generation)

    def _pallet_mode(self) -> bool:
        return is_pallet(self.values.get("doc"))

    def _skipped(self, f: Field) -> bool:
        if f.name in GOODS_FIELDS and self._pallet_mode():
            return True
        return super()._skipped(f)

    # --- what the order or the pallet expects (in the worker) -----------------------

    def check_entry(self, planned: Values, tracking: str | None) -> None:
        doc = planned.get("doc")
        if not doc:
            return
        if is_pallet(doc):
            view = pallet_view(doc)
            if view.received_at:
                raise Refused(
                    f"Pallet {view.sscc} was received already, "
                    f"{view.received_at:%Y-%m-%d %H:%M} by {view.received_by}"
                )
            return
        detail = order_detail(doc)
        if detail.summary.status not in RECEIVABLE:
            raise Refused(f"Purchase order {detail.summary.number} is {detail.summary.status}")
        item = planned.get("item")
        on_order = {line.item for line in detail.lines}
        if item and item not in on_order and self.rules.unexpected == "refuse":
            raise Refused(f"Item {item} is not on purchase order {detail.summary.number}")

    def ask_entry(self, planned: Values, filled: set[str], limits) -> None:
        """A quantity that would take the line past what the order allows without a
        lead is asked at the field, before the lead's PIN is asked at posting."""
        super().ask_entry(planned, filled, limits)
        doc, item, qty = planned.get("doc"), planned.get("item"), planned.get("qty")
        if "qty" not in filled or not doc or not item or not qty or is_pallet(doc):
            return
        detail = order_detail(doc)
        line = next((x for x in detail.lines if x.item == item), None)
        most = self.rules.most_for(line.ordered) if line else 0
        if line and line.received + qty > most:
            raise Unlikely(
                f"{qty} makes {line.received + qty} of {line.ordered} ordered, over "
                f"{most}: a lead approves at posting"
            )

    def context_of(self, planned: Values, tracking: str | None) -> str | None:
        doc = planned.get("doc")
        if not doc:
            return None
        if is_pallet(doc):
            self.pallet = pallet_view(doc)
            return pallet_text(self.pallet, self.counts)
        detail = order_detail(doc)
        s = detail.summary
        head = f"{s.number} {s.supplier_name}: {s.status}"
        lines = [x for x in detail.lines if x.item == planned.get("item")]
        if not planned.get("item"):
            waiting = sum(1 for x in detail.lines if x.open)
            return f"{head}, {waiting} line(s) to come"
        if not lines:
            return f"{head}; {planned['item']} is not on the order"
        x = lines[0]
        return f"{head}\nLine {x.number} {x.item}: {x.received} of {x.ordered} {x.unit} in"

    def action_report(self) -> None:
        """Ctrl+R: the discrepancy report of the order or pallet being received."""
        doc = self.values.get("doc") or self.field_input("doc").value.strip() or self.doc
        self.app.push_screen(navigation.discrepancy_screen(str(doc)))

    # --- counting a pallet --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "count":  # only for a pallet: the handheld's footer has no room
            return bool(self._pallet_mode() and self.pallet)
        return super().check_action(action, parameters)

    def _advance(self, name: str) -> None:
        if name == "doc" and self._pallet_mode() and self.pallet is not None:
            if self.counts_for != self.pallet.sscc:  # another pallet: counted afresh
                self.counts, self.counts_for = {}, self.pallet.sscc
            self._count()
            return
        super()._advance(name)

    def action_count(self) -> None:
        """Ctrl+L: count the pallet's lines again (the counts so far kept)."""
        if not (self._pallet_mode() and self.pallet):
            self.error("Scan a pallet's SSCC first: its lines are counted here")
            return
        self._count()

    def _count(self) -> None:
        assert self.pallet is not None
        view = self.pallet
        self.refresh_bindings()

        def done(counted) -> None:  # tui/screens/goods_in/pallet_count.py: CountDone
            if counted is None:
                self.action_clear_or_back()
                self.say("Backed out: nothing received")
                return
            self.counts = counted.counts
            self.query_one("#context", Static).update(pallet_text(view, self.counts))
            if counted.bin:
                self.values["to"] = counted.bin
                self.field_input("to").value = counted.bin
            super(ReceiveOrderScreen, self)._advance("doc")

        self.app.push_screen(navigation.pallet_count_screen(view, self.counts, self.rules), done)

    # --- posting ----------------------------------------------------------------------

    def action_damaged(self) -> None:
        """Ctrl+T: these goods are damaged (to quarantine); again to undo."""
        self.damaged = not self.damaged
        self.say("Damaged: goes to quarantine" if self.damaged else "Not damaged")

    def action_confirm(self) -> None:
        if self._pallet_mode() and "to" in self.values and not self.confirmed:
            self._ask_pallet()
            return
        super().action_confirm()

    def _ask_pallet(self) -> None:
        shown = str(self.query_one("#context").render())
        counted = self.pallet.differences(self.counts) if self.pallet else []
        if counted and self.pallet:  # the differences, on a handheld's screen too
            v = self.pallet
            rest = f"{len(v.lines)} lines, as announced but:"
            shown = "\n".join([f"Pallet {v.sscc} of {v.order}, {v.supplier}:", rest, *counted])

        def answered(yes: bool | None) -> None:
            if yes:
                self.confirmed = True
                super(ReceiveOrderScreen, self).action_confirm()
            else:
                self.say("Not received")

        what = "as counted" if counted else "all of it"
        question = f"{shown}\n\nReceive {what} into {self.values['to']}?"
        self.app.push_screen(ConfirmDialog("Receive pallet", question, "Receive"), answered)

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _post(self, values: Values, user: str) -> None:
        with db.connection_context():
            try:
                text = self.perform(values, user)
            except NeedsLead as exc:
                self.app.call_from_thread(self._ask_lead, str(exc))
                return
        self.app.call_from_thread(self._posted, text)

    def _ask_lead(self, why: str) -> None:
        self.busy = False
        self.error(why)

        def answered(given: tuple[str, str] | None) -> None:
            if given is None:
                self.say("Not received: no lead approved")
                return
            self.busy = True
            self._approve(given[0], given[1])

        self.app.push_screen(LeadPinDialog(why), answered)

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _approve(self, name: str, pin: str) -> None:
        with db.connection_context():
            approval = lead_approval(name, pin)
        self.app.call_from_thread(self._post_approved, approval)

    def _post_approved(self, approval: LeadApproval) -> None:
        self.approval = approval
        self.busy = False
        super().action_confirm()

    def perform(self, v: Values, user: str) -> str:
        if is_pallet(v["doc"]):
            return self._receive_pallet(v, user)
        booked = receive_on_order(
            v["doc"],
            v["item"],
            v["qty"],
            v["to"],
            user=user,
            lot=v.get("lot") or None,
            expiry=v.get("expiry"),
            damaged=self.damaged,
            approval=self.approval,
            rules=self.rules,
        )
        by = f", approved by {booked.approved_by}" if booked.approved_by else ""
        self.remember(booked.move, f"{booked.move.sentence()} on {booked.order}")
        return f"{booked.move.sentence()} on {booked.order}{by}"

    def _receive_pallet(self, v: Values, user: str) -> str:
        counts = dict(self.counts)
        booked = receive_pallet(
            v["doc"], v["to"], user=user, approval=self.approval, rules=self.rules, counted=counts
        )
        what = ", ".join(
            f"{b.move.qty} {b.move.item}" + (f" {b.move.lot}" if b.move.lot else "") for b in booked
        )
        sscc = booked[0].move.reference
        moves = ", ".join(str(b.move.id) for b in booked)
        self.remember(booked[0].move, f"Pallet {sscc} into {v['to']}: {what} (moves {moves})")
        counted = self.pallet.differences(counts) if self.pallet else []
        told = f"\nCounted: {'; '.join(counted)}" if counted else ""
        return f"Received pallet {sscc}: {what} into {v['to']}{told}"

    # --- Ctrl+Z -----------------------------------------------------------------------

    def undo_question(self, move_id: int, sentence: str) -> tuple[str, str]:
        if sentence.startswith("Pallet "):  # as _receive_pallet remembered it
            return "Undo pallet receipt", (
                f"{sentence}\n\nReverse all of it? The order counts none of it, and the "
                "pallet can be received again."
            )
        title, question = super().undo_question(move_id, sentence)
        return title, f"{question} The order then counts it no more."

    def reverse_posted(self, move_id: int, user: str) -> str:
        undone = undo_receipt(move_id, user=user, reason="undo in the TUI")
        if len(undone) == 1 and not is_pallet(undone[0].reference):
            return f"Undone: move {move_id} reversed by move {undone[0].id}"
        ids = ", ".join(str(m.reverses) for m in undone)
        return (
            f"Undone: pallet {undone[0].reference}, moves {ids} reversed; it can be received again"
        )

    def _posted(self, text: str) -> None:
        # The next receipt is most likely against the same order: keep it; a pallet is
        # one scan each.
        if self._pallet_mode():
            self.keeping.discard("doc")
        else:
            self.keeping.add("doc")
        super()._posted(text)

    def action_clear_or_back(self) -> None:
        """Esc: as on every form; on one that holds nothing but the order kept from the
        last receipt, the order goes too (so that a pallet can be scanned next)."""
        typed = any(self.field_input(f.name).value for f in self.FIELDS if f.name != "doc")
        if "doc" in self.keeping and set(self.values) == {"doc"} and not typed:
            self.keeping.discard("doc")
        super().action_clear_or_back()

    def _reset(self) -> None:
        self.damaged, self.approval, self.confirmed = False, None, False
        self.pallet, self.counts, self.counts_for = None, {}, None
        super()._reset()
        self.refresh_bindings()
