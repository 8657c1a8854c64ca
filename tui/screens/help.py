"""Help: the keys of the screen underneath, read from its live bindings."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def describe_keys(screen: Screen) -> list[tuple[str, str]]:
    """(key, what it does) for every binding active on SCREEN, app-wide ones included."""
    seen: set[str] = set()
    rows = []
    for active in screen.active_bindings.values():
        binding = active.binding
        text = binding.description or binding.action
        if text in seen and not binding.description:
            continue
        seen.add(text)
        rows.append((screen.app.get_key_display(binding), text))
    return rows


class HelpScreen(ModalScreen[None]):
    """Keys of the current screen; Esc, F1 or ? closes it."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar = [
        Binding("escape,f1,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        rows = describe_keys(self._under)
        width = max((len(k) for k, _ in rows), default=4)
        lines = [f"[b]{key:>{width}}[/b]  {text}" for key, text in rows]
        title = getattr(self._under, "TITLE", None) or type(self._under).__name__
        with VerticalScroll(id="help"):
            yield Static(f"[b]Keys — {title}[/b]\n", markup=True)
            yield Static("\n".join(lines), markup=True, id="help-keys")
            yield Static("\nCtrl+P opens the command palette: every screen and operation.")
