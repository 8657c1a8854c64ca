"""One server's sessions: every TUI running (on a connection or held), the caps on
held ones, and what `backroom session list` is told about each.

A session's id is its TUI's process id: unique on the machine across servers, and the
number the server's log already gives ("ann session started (pid 4242)").
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backroom.models.db import db
from backroom.models.errors import DomainError

if TYPE_CHECKING:
    from backroom.tui.serve.tui_session import TUISession

KILL_GRACE_SECONDS = 2.0
# What a terminal is told when the TUI was ended without undoing them itself.
LEAVE_MODES = (
    b"\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?2004l\x1b[?1004l"
)
DEFAULT_MAX_HELD_PER_USER = 2  # a handheld and a vehicle terminal
DEFAULT_MAX_HELD = 20  # in all: each held session is a TUI process


@dataclass
class Sessions:
    """One server's sessions: the TUIs running, and those held for their users."""

    running: set[asyncio.subprocess.Process] = field(default_factory=set)
    held: list[TUISession] = field(default_factory=list)
    tuis: list[TUISession] = field(default_factory=list)  # every TUI running, held or not

    def held_for(self, user: str) -> TUISession | None:
        """USER's most recently held session, if any."""
        mine = [s for s in self.held if s.user == user]
        return max(mine, key=lambda s: s.held_since or 0.0) if mine else None

    def shown_for(self, user: str) -> TUISession | None:
        """USER's newest session on a connection: after a Wi-Fi drop the handheld is
        often back before keepalives have found its old connection dead."""
        mine = [s for s in self.tuis if s.user == user and s.chan is not None]
        return max(mine, key=lambda s: s.started) if mine else None

    def by_id(self, pid: int) -> TUISession | None:
        """The session whose TUI is process PID, if it runs here."""
        return next((s for s in self.tuis if s.proc is not None and s.proc.pid == pid), None)

    def over_caps(self, per_user: int, in_all: int) -> list[TUISession]:
        """The held sessions to end, oldest first, so that no user has more than
        PER_USER held and the server no more than IN_ALL."""
        oldest_first = sorted(self.held, key=lambda s: s.held_since or 0.0)
        ending: list[TUISession] = []
        for user in {s.user for s in oldest_first}:
            mine = [s for s in oldest_first if s.user == user]
            ending += mine[: max(0, len(mine) - per_user)]
        left = [s for s in oldest_first if s not in ending]
        ending += left[: max(0, len(left) - in_all)]
        return sorted(ending, key=lambda s: s.held_since or 0.0)

    def describe(self, now: float | None = None) -> list[dict[str, Any]]:
        """Every session, for `backroom session list`."""
        now = time.time() if now is None else now
        return [s.describe(now) for s in self.tuis if s.proc is not None]

    async def end_all(self, log: Callable[[str], None]) -> None:
        """End every TUI still running, held ones too (hang-up, then SIGKILL after the
        grace), and wait for each, so that none is left behind, not even as a zombie."""
        procs = [proc for proc in self.running if proc.returncode is None]
        for proc in procs:
            signal_group(proc.pid, signal.SIGHUP)
        await asyncio.gather(*(_reap(proc) for proc in procs))
        if procs:
            log(f"ssh: ended {len(procs)} sessions as the server stopped")


def signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def _reap(proc: asyncio.subprocess.Process) -> None:
    try:
        await asyncio.wait_for(proc.wait(), KILL_GRACE_SECONDS)
    except TimeoutError:
        signal_group(proc.pid, signal.SIGKILL)
        await proc.wait()


def log_ended(user: str, pid: int | None, by: str, why: str) -> None:
    """The event: USER's session (TUI PID) was ended, by BY (an admin) or the server."""
    from backroom.models.masterdata.adding import get_user, log_event

    with contextlib.suppress(DomainError), db.connection_context():
        actor = get_user(by or user)
        log_event("session.ended", f"ssh:{user}", actor, pid=pid, reason=why)


def log_expired(user: str, seconds: float) -> None:
    """The event: USER's session was held SECONDS and ended, not taken up."""
    from backroom.models.masterdata.adding import get_user, log_event

    with contextlib.suppress(DomainError), db.connection_context():
        log_event("session.expired", f"ssh:{user}", get_user(user), held_seconds=seconds)
