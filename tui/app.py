"""The Backroom application shell: header, screens, and nothing else."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding

from tui.screens.home import HomeScreen
from tui.session import Session


class BackroomApp(App[None]):
    """Backroom in a terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "Backroom"
    BINDINGS: ClassVar = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.title = session.site
        self.sub_title = f"{session.user} · {session.db_label}"

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
