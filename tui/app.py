"""The Backroom application shell: navigation, help, palette. Screens live in tui/screens."""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from backroom.models.browse.lots import LotLine
from backroom.models.db import db
from backroom.scanners.entry import lot_choices
from backroom.scanners.keystream import KeyScan
from backroom.scanners.parse import parse
from backroom.scanners.resolve import resolve
from backroom.scanners.results import Resolution
from backroom.tui import navigation
from backroom.tui.navigation import DESTINATIONS, by_name
from backroom.tui.scan_capture import ScanCapture
from backroom.tui.scan_open import open_resolution
from backroom.tui.screens.dialogs import LotPicker
from backroom.tui.screens.help import HelpScreen
from backroom.tui.screens.home import HomeScreen
from backroom.tui.screens.people.login import guard
from backroom.tui.serve.notices import Company, listen
from backroom.tui.session import Session
from backroom.tui.widgets.plain import tell
from backroom.tui.worker_errors import log_through_textual, worker_failed

# Keys for a form still opening wait in steps of this, at most this long (seconds).
FORM_WAIT_STEP = 0.02
FORM_WAIT_MAX = 2.0


def begins_entry(focused: object) -> bool:
    """True when a key would begin a new entry in the FOCUSED text field: it is empty, or
    all its text is selected (a refused entry), or the keys after an Enter are held.

    Only there does `?` open help. Inside an entry it is kept: GS1's character set 82,
    which lot (10) and serial (21) numbers are written in, includes `?` (GS1 General
    Specifications, "GS1 AI encodable character set 82"; GS1's own gs1-syntax-dictionary
    lint_cset82.c accepts it), and so does models/rules/identifiers.check_lot_number. A
    binding cannot do this: Textual leaves out of the binding chain, priority ones
    included, every key the focused Input would type."""
    if not isinstance(focused, Input):
        return False
    hold = getattr(focused, "hold", None)
    if hold is not None and hold.on:
        return not hold.keys
    selected = focused.selection
    return not focused.value or abs(selected.end - selected.start) == len(focused.value)


class BackroomApp(App[None]):
    """Backroom in a terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "Backroom"
    # Below 60 columns screens switch to their compact (handheld) layout.
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (60, "-normal"), (120, "-wide")]
    BINDINGS: ClassVar = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1", "help", "Help", id="help"),
        Binding("question_mark", "help", "Help", show=False, id="help.alt"),
        Binding("f2", "home", "Home", id="home"),
        Binding("f10", "print_label", "Print label", id="print"),
        *(
            Binding(d.fkey, f"goto('{d.name}')", d.title, show=False, id=f"goto.{d.name}")
            for d in DESTINATIONS
            if d.fkey
        ),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        log_through_textual()
        self.session = session
        # Moves this session posted, newest last: what Ctrl+Z can undo.
        # (screen, move id, what was posted): Ctrl+Z undoes the screen's last one.
        self.posted_moves: list[tuple[str, int, str]] = []
        self.scans = ScanCapture(session.scanner, self._scanned, self._replay, self.set_timer)
        self._replaying = False
        self.title = session.site
        self.sub_title = f"{session.who} · {session.db_label}"
        self.last_key = time.monotonic()  # for the idle logout of shared terminals
        self._wanted: list[Screen | None] = []  # the screen asked for last, not yet shown
        self._switching = False
        self._early: list[events.Key] = []  # keys for a form that is still opening
        self._company_said = ""  # who watches or shares this screen, as the header says

    def on_mount(self) -> None:
        self._use_theme(self.session.theme)
        self.push_screen(HomeScreen())
        if self.session.shared:
            guard(self)
        listen(lambda company: self.call_from_thread(self.keep_company, company))

    def keep_company(self, company: Company) -> None:
        """The server says who watches this screen (a lead helping) or shares it: the
        header says so all along, and a newcomer is announced."""
        base = f"{self.session.who} · {self.session.db_label}"
        said = company.header()
        if said and said != self._company_said:
            self.notify(said.capitalize(), timeout=6)
        self._company_said = said
        # First, so that a handheld's narrow header still shows it.
        self.sub_title = f"{said} · {base}" if said else base

    def _use_theme(self, name: str | None) -> None:
        """The station's theme from the configuration; an unknown name is said, and the
        default kept (Ctrl+P, Theme, tries them all)."""
        if not name:
            return
        if name in self.available_themes:
            self.theme = name
            return
        known = ", ".join(sorted(self.available_themes))
        self.notify(f"Unknown theme {name!r} in [terminal] theme; known: {known}", timeout=10)
        self.bell()

    def action_goto(self, name: str) -> None:
        """Open a destination on top of home (replacing any other screen)."""
        self.open_screen(by_name(name).make())

    def open_screen(self, screen: Screen | None) -> None:
        """Show SCREEN on top of home (None: home itself), closing whatever else was open.

        Switches run one after another, each screen mounted before the next is asked
        for: keys pressed faster than screens mount (a held F-key, a burst of command
        scans) end on the last screen asked for instead of tripping over a half-built
        one."""
        self._wanted = [screen]
        if not self._switching:
            self._switching = True
            self.run_worker(self._switch(), group="switch", exit_on_error=False)

    async def _switch(self) -> None:
        try:
            while self._wanted:
                (screen,) = self._wanted
                self._wanted = []
                while len(self.screen_stack) > 2:
                    await self.pop_screen()
                if len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
                    await self.pop_screen()
                if screen is not None:
                    await self.push_screen(screen)
        finally:
            self._switching = False

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        # Every worker's failure arrives here, the app's own and those screens pass on.
        if event.state == WorkerState.ERROR:
            worker_failed(self, event.worker)

    @property
    def keys_waiting(self) -> bool:
        """Keys taken but not yet where they belong: held to see whether a scan follows,
        waiting for a form to open, being handed on, or held by a form taking an entry."""
        hold = getattr(self.screen, "hold", None) if self.screen_stack else None
        return (
            not self.scans.idle
            or bool(self._early)
            or self._replaying
            or bool(getattr(self.screen, "busy", False))
            or (hold is not None and bool(hold.keys))
        )

    # --- scans where no field waits for one (tui/scan_capture.py) ----------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_key = time.monotonic()
        if isinstance(event, events.Key) and not self._replaying and self._for_opening_form(event):
            return
        if isinstance(event, events.Key) and event.character == "?" and begins_entry(self.focused):
            self.action_help()  # `?` as the first key of an entry: help, not typed
            return
        capturing = bool(self.screen_stack) and not self._replaying
        if capturing and ScanCapture.wanted(self.focused):
            if isinstance(event, events.Key) and self.scans.take(event):
                if self.scans.pending:
                    keys, self.scans.pending = self.scans.pending, []
                    await self._replay(keys)
                return
            if isinstance(event, events.Paste):
                self.scans.paste(event.text)
                return
        await super().on_event(event)

    def _for_opening_form(self, event: events.Key) -> bool:
        """A key pressed right after the one that opened a form (K, then a scan) waits
        until the form has its first field: read by the app meanwhile, the scan would
        open what it names instead of landing in the form."""
        if not self._early and getattr(self.screen, "ready", True):
            return False
        self._early.append(event)
        if len(self._early) == 1:
            self.set_timer(FORM_WAIT_STEP, self._to_opened_form)
        return True

    async def _to_opened_form(self, waited: float = FORM_WAIT_STEP) -> None:
        if not getattr(self.screen, "ready", True) and waited < FORM_WAIT_MAX:
            self.set_timer(FORM_WAIT_STEP, lambda: self._to_opened_form(waited + FORM_WAIT_STEP))
            return
        keys, self._early = self._early, []
        self._replaying = True
        try:
            for key in keys:  # directly, in order: a key still queued comes after them
                await self.on_event(key)
        finally:
            self._replaying = False

    async def _replay(self, keys: list[events.Key]) -> None:
        self._replaying = True
        try:
            for key in keys:
                await self._hand_on(key)
        finally:
            self._replaying = False

    async def _hand_on(self, key: events.Key) -> None:
        """A held key does what it always does. A shortcut's action runs now, not when
        the key has bubbled up from the focused widget: a key behind it (the scan after
        K, which opens Pack) must find the screen that the shortcut opened."""
        if not isinstance(self.focused, Input):
            active = self.screen.active_bindings.get(key.key)
            if active is not None and active.enabled:
                await active.node.run_action(active.binding.action)
                return
        await super().on_event(key)

    def _scanned(self, scan: KeyScan) -> None:
        self._resolve_scan(scan.text)

    @work(thread=True, exclusive=True, group="scan", exit_on_error=False)
    def _resolve_scan(self, text: str) -> None:
        with db.connection_context():
            scan = parse(text, self.session.scanner)
            result = resolve(scan)
            choices = lot_choices(scan, result)
        self.call_from_thread(self._open_scan, result, choices)

    def _open_scan(self, result: Resolution, choices: tuple[LotLine, ...] = ()) -> None:
        if choices and self.session.user:
            # A lot number several items carry: ask which, then trace that one.
            number = choices[0].number

            def chosen(sku: str | None) -> None:
                if sku:
                    self.open_screen(navigation.trace_screen(number, sku))

            self.bell()
            self.push_screen(LotPicker(choices), chosen)
            return
        open_resolution(self, result)

    def action_home(self) -> None:
        """Back to the home screen."""
        self.open_screen(None)

    def action_print_label(self) -> None:
        """Print a label of what the current screen has selected (its label_target())."""
        target_of = getattr(self.screen, "label_target", None)
        target = target_of() if target_of else None
        if target is None:
            self.bell()
            self.notify(
                "Nothing to print here: select a location, item, lot or parcel", severity="warning"
            )
            return

        def printed(where: str | None) -> None:
            if where:
                tell(self, f"Printed {target.title}: {where}")

        self.push_screen(navigation.print_screen(target), printed)

    def action_help(self) -> None:
        """Show the keys of the current screen."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(navigation.help_screen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for dest in DESTINATIONS:
            yield SystemCommand(dest.title, dest.help, partial(self.action_goto, dest.name))
        yield from getattr(screen, "palette_commands", tuple)()  # the screen's own actions
        yield SystemCommand("Home", "Back to the home screen", self.action_home)
        yield SystemCommand("Help", "The keys of this screen", self.action_help)
        yield SystemCommand("Print label", "A label of what is selected", self.action_print_label)
        yield from super().get_system_commands(screen)
