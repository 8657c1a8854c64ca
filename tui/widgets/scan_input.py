"""An Input that keeps what a barcode scanner sends, the GS1 separator included, and
that never lets one scan run into the next.

Textual's Input drops Ctrl+] (ASCII 29, the GS1 group separator: not printable)
and splits a paste at it (str.splitlines treats it as a line break). Here it is
kept, shown as ␝, and handed back as ASCII 29 in `scan_text`.

A form's fields share one KeyHold. From the Enter that ends an entry until the form
has taken it (checked it in the database, moved the cursor on), every key that
arrives is held, not typed: a scanner's next code, sent 0 ms later in the same SSH
batch, would otherwise be glued to the code before it. The form then hands the held
keys to the field that is next (`KeyHold.replay`).

The keys for a form's fields are taken in one queue, the screen's, in the order the
app took them. Textual hands each key to the queue of the field focused when the app
read it: a key given to the quantity field just before the form moved on to the
location, but read by that field only after the hold had been lifted, was typed into
the quantity field (the A of A-01 lost, "-01" refused as an unknown location).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual import events
from textual.keys import _character_to_key
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from backroom.scanners.settings import ScannerSettings

if TYPE_CHECKING:
    from textual.app import App

GS = "\x1d"
GS_SHOWN = "\u241d"  # SYMBOL FOR GROUP SEPARATOR
ENTER = "\r"
BACKSPACE = "\b"
GS_KEY = "ctrl+right_square_bracket"


def shown(text: str) -> str:
    """Text as displayed in the field: GS as ␝, other control characters dropped."""
    text = text.replace(GS, GS_SHOWN)
    return "".join(c for c in text if c.isprintable())


def key_char(event: events.Key) -> str | None:
    """The character a key stands for in a scan (Enter, backspace, GS included)."""
    if event.key == "enter":
        return ENTER
    if event.key == "backspace":
        return BACKSPACE
    if event.key == GS_KEY or event.character == GS:
        return GS
    if event.is_printable and event.character:
        return event.character
    return None


def held_in_turn(event: events.Key) -> bool:
    """A form's own key (Ctrl+O short, Ctrl+S post, ...) that must wait for the keys
    typed before it; Esc and F1 act at once."""
    return event.key.startswith("ctrl+") and event.key != GS_KEY


def as_key_event(key: str) -> events.Key:
    """A held key as the key event it came as: a character, or a key's name."""
    names = {ENTER: ("enter", ENTER), BACKSPACE: ("backspace", BACKSPACE), GS: (GS_KEY, GS)}
    if key in names:
        return events.Key(*names[key])
    if len(key) == 1:
        return events.Key(_character_to_key(key), key)
    return events.Key(key, None)


@dataclass
class KeyHold:
    """Keys that arrived while the form was still taking the entry before them."""

    on: bool = False
    keys: list[str] = field(default_factory=list)
    # An Enter's entry is on its way to the form (posted, not yet taken): the keys after
    # it stay held until the form has taken it. Two replays in that gap (a stale
    # resume) typed the next entry's keys into the same field: TAPE-48 and 1 became
    # TAPE-481, and an Enter went out of turn.
    entering: bool = False

    def drop(self) -> None:
        """Forget held keys (Esc: the person starts again)."""
        self.keys.clear()

    def release(self, app: App) -> None:
        """Send the held keys back to APP as the key events they came as: for a dialog
        that opened meanwhile, or when no field waits for them."""
        self.on = False
        keys, self.keys = self.keys, []
        for key in keys:
            app.post_message(as_key_event(key))

    def replay(self, into: ScanInput) -> str | None:
        """Type the held keys into INTO, up to and including the next Enter, which
        submits it and holds the rest again. A form key held in its place (Ctrl+O,
        Ctrl+S) is returned for the form to run, the keys after it still held: its
        action sees the keys typed before it, and waits for nothing typed after it."""
        self.on = False
        keys, self.keys = self.keys, []
        for n, char in enumerate(keys):
            if len(char) > 1:
                self.on = True
                self.keys = keys[n + 1 :]
                return char
            if char == ENTER:
                self.on = True
                self.entering = True
                self.keys = keys[n + 1 :]
                into.post_message(Input.Submitted(into, into.value))
                return None
            into.type_key(char)
        return None


class ScanInput(Input):
    """A text field for scans and typing alike."""

    DEFAULT_CSS = """
    ScanInput {
        width: 1fr;
    }
    """

    def __init__(
        self,
        *args: object,
        hold: KeyHold | None = None,
        scanner: ScannerSettings | None = None,
        **kwargs: object,
    ) -> None:
        if hold is not None:
            # A form selects a field's text itself, when it means to (a refused entry).
            # Input selects it when its Focus event is read, after keys the form may
            # already have typed there: the held A of A-01, replayed into the field just
            # focused, was selected and replaced by the "-" typed next.
            kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.hold = hold
        # In a form: the station's suffix ends an entry as Enter does (Tab, a character),
        # and a station with none ends a fast burst after its pause.
        self.scanner = scanner or ScannerSettings()
        self._burst: list[float] = []
        self._end_timer: Timer | None = None

    def _entry_key(self, event: events.Key) -> str | None:
        """What a key is to a form's field: its character, ENTER for the station's
        suffix, None for keys left to Textual (arrows, Tab between fields)."""
        suffix = self.scanner.suffix
        if event.key == "tab" and suffix == "\t":
            return ENTER
        char = key_char(event)
        if char is not None and len(suffix) == 1 and char == suffix:
            return ENTER
        return char

    def _enter(self) -> None:
        """The entry ends here: hold what comes next, hand the value on."""
        self._stop_end_timer()
        self._burst.clear()
        self.hold.on = True  # type: ignore[union-attr]
        self.hold.entering = True  # type: ignore[union-attr]
        self.post_message(self.Submitted(self, self.value))

    def _typed(self, char: str) -> None:
        self.type_key(char)
        if self.scanner.suffix == "" and char != BACKSPACE:
            self._burst.append(time.monotonic())
            self._stop_end_timer()
            self._end_timer = self.set_timer(self.scanner.end_after, self._pause_ended)

    def _pause_ended(self) -> None:
        """No suffix: keys that came as a scanner's burst are a whole scan once they stop;
        a person typing slowly still ends with Enter."""
        self._end_timer = None
        times, self._burst = self._burst, []
        gaps = [b - a for a, b in itertools.pairwise(times)]
        fast = bool(gaps) and sum(gaps) / len(gaps) <= self.scanner.burst_interval
        held = self.hold is not None and self.hold.on
        if fast and len(times) >= self.scanner.min_length and not held and self.value:
            self._enter()

    def _stop_end_timer(self) -> None:
        if self._end_timer is not None:
            self._end_timer.stop()
            self._end_timer = None

    @property
    def scan_text(self) -> str:
        """The value as the scanner sent it: ␝ back to ASCII 29."""
        return self.value.replace(GS_SHOWN, GS)

    def type_key(self, char: str) -> None:
        """CHAR as if typed here: it replaces a selection (a refused entry is selected)."""
        if char == BACKSPACE:
            self.action_delete_left()
            return
        text = shown(char)
        if not self.selection.is_empty:
            self.replace(text, *self.selection)
        elif text:
            self.insert_text_at_cursor(text)

    def _forward_event(self, event: events.Event) -> None:
        """The app hands a key to the focused field: a form's field passes it to its
        screen's queue, where the field focused then takes it (`take_in_turn`)."""
        if self.hold is None or not isinstance(event, events.Key):
            super()._forward_event(event)
            return
        event._set_forwarded()
        self.screen.call_later(take_in_turn, self.screen, event)

    def take_key(self, event: events.Key) -> bool:
        """Take a key as a form's field does: hold it while the form takes the entry
        before it, end the entry at Enter, or type it. False for a key left to Textual
        (arrows, Tab between fields, a screen's Ctrl key when nothing is held)."""
        hold = self.hold
        if hold is None:
            return False
        char = self._entry_key(event)
        if char is None:
            if hold.on and held_in_turn(event):
                hold.keys.append(event.key)
                return True
            return False
        if hold.on:
            hold.keys.append(char)
        elif char == ENTER:
            self._enter()  # holds at once: the next key may already be queued
        else:
            self._typed(char)
        return True

    # Textual calls the handler of each class in the MRO until one prevents the
    # default: so only the separator (and, in a form, Enter and held keys) is handled
    # here, the rest falls to Input.
    async def _on_key(self, event: events.Key) -> None:
        if self.take_key(event):
            event.stop()
            event.prevent_default()
        elif self.hold is None and key_char(event) == GS:
            event.stop()
            event.prevent_default()
            self.insert_text_at_cursor(GS_SHOWN)

    def _on_paste(self, event: events.Paste) -> None:
        # A paste is one scan: keep everything up to the first real line break.
        first = event.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[0]
        if first:
            self.insert_text_at_cursor(shown(first))
        event.stop()
        event.prevent_default()


def take_in_turn(screen: Screen, event: events.Key) -> None:
    """A key for SCREEN's fields, in the order the app took it: the field focused now
    takes it; a key it leaves goes on as Textual would send it (bindings, cursor keys)."""
    focused = screen.focused
    if isinstance(focused, ScanInput) and focused.take_key(event):
        return
    (focused or screen).post_message(event)
