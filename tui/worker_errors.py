"""What happens when a worker fails, once for the whole TUI: the message where the
person is looking (with the bell), the traceback in the log, the screen no longer busy.

Textual posts a worker's state to the node that started it and does not bubble it, so
every node that starts workers mixes in `PassesWorkerFailuresOn`; the app handles the
failures in `worker_failed` (tests/test_house.py checks both).

A screen says failures its own way by defining `worker_failed(message, worker)` (see
`SaysWorkerFailures`); otherwise its `busy` flag is cleared and its `error(text)` says
the message, or, lacking one, a notification does.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from textual.app import App
from textual.dom import DOMNode, NoScreen
from textual.logging import TextualHandler
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from backroom.models.disk import refusal_for
from backroom.models.errors import DomainError
from backroom.tui.widgets.plain import tell

log = logging.getLogger("backroom")


@runtime_checkable
class SaysWorkerFailures(Protocol):
    """A screen that shows a failed worker's message itself and stops being busy."""

    def worker_failed(self, message: str, worker: Worker) -> None: ...


class PassesWorkerFailuresOn:
    """Mixed into every screen and widget that starts workers: a failure goes on to the
    app, which says it (Textual tells only the node that started the worker)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and isinstance(self, DOMNode):
            self.app.post_message(event)


def log_through_textual() -> None:
    """Send the "backroom" log to Textual's (`textual console`, or the file TEXTUAL_LOG
    names): a terminal app has no stderr to write tracebacks to. Unless the log is
    handled already (a test, a server that configured logging)."""
    if not log.handlers:
        log.addHandler(TextualHandler())


def failure_text(error: BaseException) -> str:
    """What to tell the person: a refusal as it is; anything else short, and logged."""
    if isinstance(error, DomainError):
        return str(error)
    full = refusal_for(error, [], "nothing was written")  # an export, a label, a document
    if full is not None:
        return str(full)
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    said = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return f"Something went wrong: {said} (logged)"


def _screen_of(node: DOMNode, app: App) -> Screen | None:
    """The screen the worker belongs to, while it is still open (None once closed)."""
    if node is app:
        return app.screen if app.screen_stack else None
    try:
        screen = node.screen
    except NoScreen:  # the widget was removed before its worker ended
        return None
    return screen if screen in app.screen_stack else None


def worker_failed(app: App, worker: Worker) -> None:
    """Say that WORKER failed on its screen, log why, and let the screen take keys again."""
    error = worker.error
    if error is None:
        return
    if isinstance(error, DomainError) or refusal_for(error, [], "") is not None:
        log.info("%s refused: %s", worker.name, error)
    else:
        log.error("Worker %s (group %s) failed", worker.name, worker.group, exc_info=error)
    message = failure_text(error)
    screen = _screen_of(worker.node, app)
    if isinstance(screen, SaysWorkerFailures):
        screen.worker_failed(message, worker)
        return
    if screen is not None and hasattr(screen, "busy"):
        screen.busy = False
    say = getattr(screen, "error", None)
    if callable(say):
        say(message)
    else:
        app.bell()
        tell(app, message, severity="error")
