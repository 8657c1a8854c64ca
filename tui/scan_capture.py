"""App-wide scans: when no text field is waiting, a burst of keys ending in Enter is a
scan, and opens what it names. A key on its own is handed on (after a short hold) to
do what it always does, so letters still work as shortcuts."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from textual import events
from textual.timer import Timer
from textual.widgets import Input

from backroom.scanners.keystream import KeyScan, ScanAssembler
from backroom.scanners.settings import ScannerSettings

GS_KEY = "ctrl+right_square_bracket"
# How long a printable key waits for the next before it counts as a shortcut. Scanners
# (and SSH batches of their keys) deliver the next key well within this.
HOLD_SECONDS = 0.12


class ScanCapture:
    """Feeds keys that reach no text field into a ScanAssembler."""

    def __init__(
        self,
        settings: ScannerSettings,
        on_scan: Callable[[KeyScan], None],
        replay: Callable[[list[events.Key]], Awaitable[None]],
        set_timer: Callable[..., Timer],
    ) -> None:
        self.assembler = ScanAssembler(settings)
        self._on_scan = on_scan
        self._replay = replay
        self._set_timer = set_timer
        self._held: list[events.Key] = []
        self._timer: Timer | None = None
        self.pending: list[events.Key] = []  # keys to hand on now, in their order

    @property
    def idle(self) -> bool:
        """True when no key is being held back to see whether a scan follows."""
        return not self._held

    @staticmethod
    def wanted(focused: object) -> bool:
        """Capture only where no text field (or raw key reader) has the focus."""
        return not isinstance(focused, Input) and not getattr(focused, "takes_raw_keys", False)

    def take(self, event: events.Key) -> bool:
        """Take a key; True when it was held or swallowed (the app must not act on it)."""
        now = time.monotonic()
        if event.key in ("enter", "tab") and self._held:
            char = "\r" if event.key == "enter" else "\t"
            self._stop_timer()
            held, self._held = self._held, []
            scan = self.assembler.feed(char, now)
            if scan is None:
                # Too short to be a scan: the keys were meant as keys, Enter included,
                # and the app hands them on before it reads another key.
                self.pending.extend([*held, event])
                return True
            self._on_scan(scan)
            return True
        char = "\x1d" if event.key == GS_KEY else event.character
        if char is not None and (char.isprintable() or char == "\x1d") and len(char) == 1:
            self.assembler.feed(char, now)
            self._held.append(event)
            self._stop_timer()
            self._timer = self._set_timer(HOLD_SECONDS, self._release)
            return True
        return False

    async def _release(self) -> None:
        held, self._held = self._held, []
        self.assembler.reset()
        await self._replay(held)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def paste(self, text: str) -> None:
        """A bracketed paste where no field waits: one scan per line."""
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if line:
                scans = self.assembler.feed_text(line + "\r", time.monotonic())
                for scan in scans:
                    self._on_scan(scan)
