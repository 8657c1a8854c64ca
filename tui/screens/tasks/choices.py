"""The small questions the task screens ask: one answer from a short list (a reason to
skip, the person to give a task to), or a line of text (a priority, a reason to cancel),
checked before the dialog closes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from backroom.tui.widgets.scan_input import ScanInput

CSS = Path(__file__).with_name("choices.tcss")


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of CHOICES ((id, words) pairs) with the arrows and Enter, or by its
    number; answers its id, or None on Esc."""

    CSS_PATH = CSS
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

    CSS_PATH = CSS
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
