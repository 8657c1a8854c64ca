"""Keystrokes -> scans: a keyboard-wedge scanner types its code, then its suffix key.

A scan is known by its terminator and content, by the configured prefix, and by an
AIM identifier; timing is a hint only, because over SSH keys arrive batched or at
fixed intervals (OpenSSH obscures keystroke timing).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

# unframe lives with the settings it reads: `backroom scan` needs it, not the assembler.
from backroom.scanners.settings import ScannerSettings
from backroom.scanners.settings import unframe as unframe
from backroom.scanners.symbology import Symbology, split_aim

ENTER = ("\r", "\n")
BACKSPACE = ("\x7f", "\b")
GS = "\x1d"


@dataclass(frozen=True)
class KeyScan:
    """One complete scan as it came off the keyboard."""

    text: str  # what the scanner sent, without prefix and suffix; GS kept
    started: float  # arrival time of its first key
    ended: float  # arrival time of its terminator
    keys: int  # keys from the first to the terminator, prefix and suffix included
    burst: bool  # keys came faster than a person types (a hint only)
    prefixed: bool  # the configured prefix opened it
    discarded: str = ""  # stray keys dropped before it started

    @property
    def symbology(self) -> Symbology | None:
        """The AIM identifier the scan starts with, if any."""
        return split_aim(self.text)[0]


@dataclass
class ScanAssembler:
    """Feed it every character with its arrival time; it hands back complete scans.

    Characters are what a terminal key event carries: Enter is "\\r", Tab "\\t" and
    Ctrl+] (the GS1 group separator) is "\\x1d".
    """

    settings: ScannerSettings = field(default_factory=ScannerSettings)
    _buffer: list[str] = field(default_factory=list, init=False)
    _times: list[float] = field(default_factory=list, init=False)
    _opened: bool = field(default=False, init=False)
    _discarded: str = field(default="", init=False)

    @property
    def pending(self) -> str:
        """What has arrived since the last scan and is not yet a scan."""
        return "".join(self._buffer)

    def reset(self) -> None:
        """Forget everything pending (for example when a text field takes the focus)."""
        self._buffer.clear()
        self._times.clear()
        self._opened = False
        self._discarded = ""

    def feed(self, char: str, at: float) -> KeyScan | None:
        """Take one character that arrived at time AT (seconds); a scan when it ends one."""
        if len(char) != 1:
            raise ValueError(f"feed() takes one character, not {char!r}")
        if self._ends_scan(char):
            return self._finish(char, at)
        idle = self.settings.idle_reset
        if idle and self._times and at - self._times[-1] > idle:
            # A new key after a long pause: what came before was stray typing, not the
            # start of this scan. (A pause before Enter is only someone checking.)
            self._discard(len(self._buffer))
        if char in BACKSPACE:
            if self._buffer:
                self._buffer.pop()
                self._times.pop()
            return None
        if char == "\t":
            # Tab that is not the suffix: someone moving between fields, not scanning.
            self._discard(len(self._buffer))
            return None
        if char < " " and char != GS:
            return None  # other control keys are never part of a code
        self._buffer.append(char)
        self._times.append(at)
        self._open_at_prefix()
        return None

    def feed_text(self, text: str, at: float) -> list[KeyScan]:
        """Take several characters that arrived together (a paste, an SSH batch)."""
        scans = [self.feed(char, at) for char in text]
        return [scan for scan in scans if scan is not None]

    # --- inside -------------------------------------------------------------------

    def _ends_scan(self, char: str) -> bool:
        suffix = self.settings.suffix
        if char in ENTER:
            return True
        if not suffix:
            return False  # no suffix: only Enter, or the pause the station waits for
        if len(suffix) == 1:
            return char == suffix
        # A suffix of several characters: the scan ends once all of them are in.
        return (self.pending + char).endswith(suffix)

    def _open_at_prefix(self) -> None:
        prefix = self.settings.prefix
        if not prefix or self._opened:
            return
        if self.pending.endswith(prefix):
            self._discard(len(self._buffer) - len(prefix))
            self._opened = True

    def _discard(self, count: int) -> None:
        self._discarded += "".join(self._buffer[:count])
        del self._buffer[:count]
        del self._times[:count]
        if count and not self._buffer:
            self._opened = False

    def _finish(self, char: str, at: float) -> KeyScan | None:
        text = self.pending
        times = [*self._times, at]
        suffix = self.settings.suffix
        if len(suffix) > 1 and (text + char).endswith(suffix):
            text = (text + char)[: -len(suffix)]
        prefixed = self._opened
        if prefixed:
            text = text[len(self.settings.prefix) :]
        discarded = self._discarded
        wanted = prefixed or not self.settings.prefix
        self.reset()
        if not wanted or len(text) < max(self.settings.min_length, 1):
            return None
        intervals = [b - a for a, b in itertools.pairwise(times)]
        burst = bool(intervals) and sum(intervals) / len(intervals) <= (
            self.settings.burst_interval
        )
        return KeyScan(
            text=text,
            started=times[0],
            ended=at,
            keys=len(times),
            burst=burst,
            prefixed=prefixed,
            discarded=discarded,
        )
