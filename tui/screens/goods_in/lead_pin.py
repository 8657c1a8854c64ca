"""A lead approves on the spot: their name and PIN, asked in a small dialog."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class LeadPinDialog(ModalScreen[tuple[str, str] | None]):
    """Why a lead is needed, then the lead's name and PIN; answers (name, PIN), or None
    on Esc. The PIN is checked by the caller, in a worker (scrypt is slow on purpose)."""

    CSS_PATH = "lead_pin.tcss"
    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", id="lead.cancel")]

    def __init__(self, why: str) -> None:
        super().__init__()
        self._why = why

    def compose(self) -> ComposeResult:
        with Vertical(id="lead-dialog"):
            yield Static("A lead must approve", id="lead-title")
            yield Static(self._why, id="lead-why", markup=False)
            yield Input(placeholder="lead's name", id="lead-name", max_length=64)
            yield Input(placeholder="PIN", password=True, id="lead-pin", max_length=12)

    def on_mount(self) -> None:
        self.query_one("#lead-name", Input).focus()

    @on(Input.Submitted, "#lead-name")
    def _name_given(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.query_one("#lead-pin", Input).focus()

    @on(Input.Submitted, "#lead-pin")
    def _pin_given(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#lead-name", Input).value.strip()
        if name and event.value:
            self.dismiss((name, event.value))

    def action_cancel(self) -> None:
        """Esc: nobody approves."""
        self.dismiss(None)
