"""What the import and export screens share: a summary line and a progress bar, and a
refusal or failure of their worker said on that line, with the bell."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import ProgressBar, Static
from textual.worker import Worker

from backroom.tui.widgets.plain import plain
from backroom.tui.worker_errors import PassesWorkerFailuresOn


class DataJobScreen(PassesWorkerFailuresOn, Screen):
    """A screen that runs one file job at a time (#summary, #progress); `busy` while it runs."""

    busy = False

    def worker_failed(self, message: str, worker: Worker) -> None:
        """A refusal or a failure of the job: said like any other problem here."""
        self._failed(message)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.query_one("#progress", ProgressBar).display = False
        self.app.bell()
        self._say(message)

    def _say(self, text: str) -> None:
        self.query_one("#summary", Static).update(plain(text))
