"""A search line that filters as you type: it waits for a pause in the typing."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input


class SearchBar(Input):
    """An Input that posts `SearchBar.Search` once typing pauses (or at once on Enter).

    Enter, Esc and Down hand the keyboard back to the list below.
    """

    DELAY = 0.2
    BINDINGS: ClassVar = [
        Binding("escape", "done", "To the list", id="search.done"),
        Binding("down", "done", "To the list", show=False, id="search.down"),
    ]
    # Not scoped: the compact rule looks at the screen the bar is on.
    SCOPED_CSS = False
    DEFAULT_CSS = """
    Screen.-narrow SearchBar {
        border: none;
        height: 1;
        padding: 0 1;
    }
    """

    class Search(Message):
        """The text to search for, after a pause in typing."""

        def __init__(self, bar: SearchBar, text: str) -> None:
            super().__init__()
            self.bar = bar
            self.text = text

        @property
        def control(self) -> SearchBar:
            return self.bar

    def __init__(self, value: str = "", *, live: bool = True, **kwargs) -> None:
        super().__init__(value=value, **kwargs)
        self._timer: Timer | None = None
        self._sent = value
        self._live = live

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is not self or not self._live:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.DELAY, self._send)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is not self:
            return
        event.stop()
        self._send()
        self.action_done()

    def _send(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.value != self._sent:
            self._sent = self.value
            self.post_message(self.Search(self, self.value))

    def action_done(self) -> None:
        """Back to the list below."""
        self._send()
        self.screen.focus_next()
