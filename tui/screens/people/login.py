"""The login screen of a shared terminal: scan a badge, or type a name and a PIN.

It covers everything until someone logs in, and comes back after
`terminal.idle_logout_seconds` without a key, with the session's user cleared and
this person's undo list forgotten.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Header, Input, Static

from backroom.models.db import db
from backroom.models.masterdata.adding import get_user
from backroom.models.people.users import badge_login, check_pin, record_login
from backroom.models.rules.codes import BADGE_PREFIX
from backroom.scanners.parse import parse
from backroom.scanners.results import Resolution, ResolvedBadge
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.plain import plain, tell
from backroom.tui.widgets.scan_input import KeyHold, ScanInput
from backroom.tui.worker_errors import PassesWorkerFailuresOn

if TYPE_CHECKING:
    from backroom.models.people.roles import Acting
    from backroom.tui.app import BackroomApp

# How often the idle clock is looked at, at most.
IDLE_CHECK_SECONDS = 1.0
# The "Logged in" toast, briefly; below this width a toast covers half the form, and the
# header (the app's sub-title) already says who is logged in.
NARROW_TOAST = 60
LOGIN_TOAST_SECONDS = 2.0


class LoginScreen(PassesWorkerFailuresOn, ModalScreen[str]):
    """Badge or name and PIN; dismissed with the name of who logged in."""

    CSS_PATH = "login.tcss"
    BINDINGS: ClassVar = [Binding("escape", "clear", "Clear", id="login.clear")]

    def __init__(self) -> None:
        super().__init__()
        # Keys that come after an Enter before the screen has taken it (a fast typist,
        # an SSH or browser batch: "ann⏎4711⏎") wait for the field that is next, or the
        # PIN would be typed, in clear, into the name field.
        self.hold = KeyHold()

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="login"):
            yield Static("Scan your badge, or type your name and PIN", id="login-hint")
            yield ScanInput(placeholder="Badge or name", id="login-name", hold=self.hold)
            yield ScanInput(
                placeholder="PIN", password=True, id="login-pin", max_length=12, hold=self.hold
            )
            yield Static("", id="login-message")
        yield KeyFooter()

    @property
    def ready(self) -> bool:
        """True once a field has the keyboard. Until then the app keeps the keys that
        arrive (a badge scanned, a name typed as soon as the screen shows), which read
        by the app would be a scan from nowhere, lost."""
        return self.focused is not None

    def on_mount(self) -> None:
        # Ctrl+P is a priority binding of the app: no palette past this screen.
        self.app.use_command_palette = False
        self.query_one("#login-name").focus()

    def on_unmount(self) -> None:
        self.app.use_command_palette = True

    def say(self, text: str, *, error: bool = False) -> None:
        """A line under the fields; an error rings the bell."""
        message = self.query_one("#login-message", Static)
        message.update(plain(text))
        message.set_class(error, "-error")
        if error:
            self.app.bell()

    def error(self, text: str) -> None:
        """A refusal (a wrong PIN, an unknown badge) under the fields, with the bell."""
        self.say(text, error=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name_field = self.query_one("#login-name", ScanInput)
        pin_field = self.query_one("#login-pin", Input)
        if event.input is name_field:
            text = parse(name_field.scan_text, self.app.session.scanner).data  # type: ignore[attr-defined]
            if text.startswith(BADGE_PREFIX):
                name_field.value = ""
                self.log_in_with_badge(text[len(BADGE_PREFIX) :])
            else:
                self._next_field(pin_field if text.strip() else name_field)
            return
        if not name_field.value.strip():
            self._next_field(name_field)
            return
        self.log_in_with_pin(name_field.value.strip(), pin_field.value)
        pin_field.value = ""

    def _next_field(self, field: ScanInput) -> None:
        """Go to FIELD, and type into it the keys held since the Enter."""
        field.focus()
        # Queued behind the focus change (both on the app), so that keys arriving after
        # the held ones reach FIELD too.
        self.app.call_later(self.hold.replay, field)

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def log_in_with_badge(self, token: str) -> None:
        """Check the badge in a thread; scrypt and the database stay off the screen."""
        self._attempt(lambda: badge_login(token))

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def log_in_with_pin(self, name: str, pin: str) -> None:
        """Check name and PIN in a thread (scrypt is slow on purpose)."""
        self._attempt(lambda: check_pin(name, pin))

    def _attempt(self, check) -> None:
        # A wrong PIN or badge is a refusal, said by `error` through the app. Either way
        # the keys held meanwhile go on, after the dismissal, to what is on screen then.
        try:
            with db.connection_context():
                user: Acting = check()
            self.app.call_from_thread(self.dismiss, user.name)
        finally:
            self.app.call_from_thread(self.hold.release, self.app)

    def action_clear(self) -> None:
        """Empty both fields (and forget keys held for them)."""
        self.hold.drop()
        self.hold.on = False
        for field in self.query(Input):
            field.value = ""
        self.query_one("#login-name").focus()
        self.say("")


# --- the app side: who is logged in, and the idle clock ---------------------------------


def guard(app: BackroomApp) -> None:
    """On a shared terminal: ask who is there now, and log out after idle time."""
    app.last_key = time.monotonic()
    show_login(app)
    idle = app.session.idle_logout
    if idle > 0:
        app.set_interval(min(IDLE_CHECK_SECONDS, idle / 4), lambda: _check_idle(app))


def show_login(app: BackroomApp) -> None:
    """Clear the session's user and cover the screen with the login screen."""
    set_user(app, "")
    while len(app.screen_stack) > 2:
        app.pop_screen()
    app.push_screen(LoginScreen(), lambda name: set_user(app, name or ""))


def set_user(app: BackroomApp, name: str) -> None:
    """NAME works at this terminal now (\"\" for nobody); the last one's undo is gone,
    and the tasks they held go back to the queue."""
    before = app.session.user
    if before and before != name:
        app.run_worker(partial(_release_tasks, before), thread=True, exit_on_error=False)
    app.session = dataclasses.replace(app.session, user=name, read_only=False)
    app.posted_moves.clear()
    app.last_key = time.monotonic()
    app.sub_title = f"{app.session.who} · {app.session.db_label}"
    if name and app.size.width >= NARROW_TOAST:
        tell(app, f"Logged in as {name}", timeout=LOGIN_TOAST_SECONDS)


def _release_tasks(name: str) -> None:
    """NAME logged out: what they held is not theirs to finish any more."""
    from backroom.models.errors import DomainError
    from backroom.models.tasks.queue import release_held  # not at start-up

    # Someone who may not work on tasks holds none: their refusal is no news.
    with db.connection_context(), contextlib.suppress(DomainError):
        release_held(name)


def _check_idle(app: BackroomApp) -> None:
    if not app.session.user or isinstance(app.screen, LoginScreen):
        return
    if time.monotonic() - app.last_key >= app.session.idle_logout:
        who = app.session.user
        show_login(app)
        text = f"{who} was logged out after {app.session.idle_logout:g} s without a key"
        app.call_after_refresh(_say, app, text)


def _say(app: BackroomApp, text: str) -> None:
    if isinstance(app.screen, LoginScreen):
        app.screen.say(text)


def badge_scanned(app: BackroomApp, res: Resolution) -> bool:
    """A scan made where no field waits. On a shared terminal a badge logs its holder
    in (the person before is logged out), and nothing else is opened while nobody is.
    True when the scan was dealt with here."""
    if not app.session.shared:
        if isinstance(res, ResolvedBadge):
            tell(app, f"Scanned the {res.label}")
            return True
        return False
    if isinstance(res, ResolvedBadge):
        switch_by_badge(app, res.user)
        return True
    if not app.session.user:
        app.bell()
        app.notify("Log in first: scan your badge", severity="warning")
        return True
    return False


def switch_by_badge(app: BackroomApp, name: str) -> None:
    """The holder of a scanned badge takes over this terminal."""
    if isinstance(app.screen, LoginScreen):
        app.screen.dismiss(name)
    else:
        set_user(app, name)
    app.run_worker(lambda: _record_login(name), thread=True, group="login", exit_on_error=False)


def _record_login(name: str) -> None:
    with db.connection_context():
        record_login(get_user(name), "badge")
