"""Small modal questions that answer through dismiss: a yes/no confirmation, which item
a lot number belongs to when several items carry it, one answer from a short list (a
reason, a person), and a line of text checked before the dialog closes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from backroom.models.browse.lots import LotLine
from backroom.tui.widgets.scan_input import ScanInput


class ConfirmDialog(ModalScreen[bool]):
    """Ask a question; Y or Enter on Yes answers True, N or Esc answers False."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar = [
        Binding("y", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "No", id="dialog.no"),
        Binding("left,right", "app.focus_previous", show=False, id="dialog.switch"),
    ]

    def __init__(self, title: str, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self._title = title
        self._question = question
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self._title, id="dialog-title", markup=False)
            yield Static(self._question, id="dialog-question", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self._yes} (y)", id="yes", variant="error")
                yield Button(f"{self._no} (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        # The safe answer has the focus: Enter alone changes nothing.
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """Close the dialog with ANSWER."""
        self.dismiss(answer)


class LotPicker(ModalScreen[str | None]):
    """Lot NUMBER is carried by several items: pick one (arrows, Enter); answers its SKU,
    or None on Esc."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar = [Binding("escape", "dismiss(None)", "None of these", id="picker.none")]

    def __init__(self, lots: Sequence[LotLine]) -> None:
        super().__init__()
        self._lots = list(lots)

    def compose(self) -> ComposeResult:
        number = self._lots[0].number if self._lots else ""
        with Vertical(id="picker"):
            yield Static(f"Lot {number} is on several items: which one?", id="picker-title")
            yield OptionList(*(self._option(lot) for lot in self._lots), id="picker-lots")
            yield Static("Enter takes it, Esc: none of these", id="picker-hint")

    @staticmethod
    def _option(lot: LotLine) -> Option:
        line = Text.assemble((lot.item, "bold"), "  ", lot.item_name, f"  (on hand {lot.on_hand})")
        return Option(line, id=lot.item)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of CHOICES ((id, words) pairs) with the arrows and Enter, or by its
    number; answers its id, or None on Esc."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar = [Binding("escape", "dismiss(None)", "None of these", id="choice.none")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self._title = title
        self._choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="choice", classes="task-dialog"):
            yield Static(self._title, id="choice-title", markup=False)
            yield OptionList(
                *(
                    Option(f"{n} {words}", id=key)
                    for n, (key, words) in enumerate(self._choices, start=1)
                ),
                id="choice-list",
            )
            yield Static("Enter or its number takes it, Esc: none", id="choice-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit():
            n = int(event.character)
            if 1 <= n <= len(self._choices):
                event.stop()
                self.dismiss(self._choices[n - 1][0])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class AskDialog(ModalScreen[str | None]):
    """Ask for one line; CHECK (if given) says what is wrong with it, or None. Answers
    the text, or None on Esc."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar = [Binding("escape", "dismiss(None)", "Cancel", id="ask.cancel")]

    def __init__(
        self,
        title: str,
        hint: str,
        check: Callable[[str], str | None] | None = None,
        value: str = "",
    ) -> None:
        super().__init__()
        self._title = title
        self._hint = hint
        self._check = check
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="ask", classes="task-dialog"):
            yield Static(self._title, id="ask-title", markup=False)
            yield ScanInput(self._value, placeholder=self._hint, id="ask-input")
            yield Static("Enter takes it, Esc cancels", id="ask-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _taken(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        wrong = self._check(text) if self._check else None
        if wrong:
            self.query_one("#ask-hint", Static).update(f"✗ {wrong}")
            self.app.bell()
            return
        self.dismiss(text)
