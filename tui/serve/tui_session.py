"""One `serve ssh` session: the TUI on a pseudo-terminal of its own, bytes copied both
ways, and held when its connection drops.

A connection that drops without a logout (Wi-Fi lost, battery dead, client killed)
leaves its TUI running, detached, for the server's hold time: screen and half-filled
form as they were. The same user connecting again (with their key, from any device) is
offered the held session before anything else starts, and takes it up where they left
it. A session held past its time is ended (its TUI hung up, which drops what it had on
screen unposted) and the end is written to the event log.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import functools
import os
import signal
import struct
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import asyncssh

from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.tui.serve.lifeline import child_setup, lifeline

# Environment a client may pass through to the TUI (ssh -o SendEnv=...).
PASSED_ENV = ("NO_COLOR", "COLORTERM", "LANG", "LC_ALL")
KILL_GRACE_SECONDS = 2.0
# What a terminal taken up in the middle of a session must be told again: the TUI set
# these modes on the first terminal (alternate screen, no cursor, mouse, paste, focus).
TAKE_UP_MODES = (
    b"\x1b[?1049h\x1b[?25l\x1b[?1000h\x1b[?1003h\x1b[?1015h\x1b[?1006h\x1b[?2004h\x1b[?1004h\x1b[2J"
)
REDRAW_DELAY = 0.25  # seconds between the two sizes that make the TUI draw it all again
YES = (b"\r", b"\n", b"y", b"Y", b" ")
NO = (b"n", b"N")


class Settings(Protocol):
    """What a session needs of the server's settings (tui/serve/ssh.py: SSHSettings)."""

    hold_seconds: float
    log: Callable[[str], None]

    def command_for(self, user: str) -> Sequence[str]: ...


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

    async def end_all(self, log: Callable[[str], None]) -> None:
        """End every TUI still running, held ones too (hang-up, then SIGKILL after the
        grace), and wait for each, so that none is left behind, not even as a zombie."""
        procs = [proc for proc in self.running if proc.returncode is None]
        for proc in procs:
            _signal_group(proc.pid, signal.SIGHUP)
        await asyncio.gather(*(_reap(proc) for proc in procs))
        if procs:
            log(f"ssh: ended {len(procs)} sessions as the server stopped")


class TUISession(asyncssh.SSHServerSession):
    """A channel's session: runs its own TUI, or carries a held one taken up."""

    def __init__(self, settings: Settings, user: str, sessions: Sessions) -> None:
        self.settings = settings
        self.user = user
        self.sessions = sessions
        self.chan: asyncssh.SSHServerChannel | None = None  # where the TUI's screen goes
        self.term = "xterm-256color"
        self.size = (80, 24)
        self.has_pty = False
        self.master = -1
        self.proc: asyncio.subprocess.Process | None = None
        self.pending = bytearray()  # typed bytes the pty has not taken yet
        self.closing = False
        self.task: asyncio.Task[None] | None = None
        self.carrying: TUISession | None = None  # the held session this channel took up
        self.offered: TUISession | None = None  # the held session offered, not yet answered
        self.held_since: float | None = None
        self.expiry: asyncio.TimerHandle | None = None
        self.own_chan: asyncssh.SSHServerChannel | None = None  # this session's channel
        self.started = 0.0  # when its TUI started (time.time())

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = self.own_chan = chan

    def pty_requested(self, term_type: str, term_size, term_modes) -> bool:
        self.has_pty = True
        self.term = term_type or self.term
        if term_size[0] and term_size[1]:
            self.size = (term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        # Screens only: a command line over SSH would reach past the roles (backup, restore).
        return False

    def session_started(self) -> None:
        assert self.chan is not None
        if not self.has_pty:
            self.chan.write(b"Backroom needs a terminal: connect with ssh -t\r\n")
            self.chan.exit(1)
            return
        other = self.sessions.held_for(self.user) or self.sessions.shown_for(self.user)
        if other is not None and self.settings.hold_seconds > 0:
            self._offer(other)
            return
        self._start()

    def _start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run())

    # --- a held session offered, and taken up -------------------------------------------

    def _offer(self, other: TUISession) -> None:
        assert self.chan is not None
        self.offered = other
        since = time.strftime("%H:%M", time.localtime(other.held_since or other.started))
        # Lines of at most 40 characters: a handheld's screen.
        if other.held_since is not None:
            where, take, new = "is held, as you left it.", "take it up again", "(the held one ends)"
        else:
            where, take, new = "is open on another\r\nconnection.", "take it over here", ""
        self.chan.write(
            f"\r\nBackroom: {self.user}, your session\r\nsince {since} {where}\r\n\r\n"
            f" Enter  {take}\r\n N      start a new one\r\n        {new}\r\n".encode()
        )

    def _answer(self, data: bytes) -> None:
        other, self.offered = self.offered, None
        assert other is not None
        gone = other.proc is None or other.proc.returncode is not None or other.closing
        if gone:  # it ended meanwhile
            self._start()
        elif data[:1] in YES:
            other.take_up(self)
        elif data[:1] in NO:
            if other.held_since is not None:  # held: it ends; open elsewhere: it stays
                other.end("a new session was started instead")
            self._start()
        else:
            self.offered = other
            if self.chan is not None:
                self.chan.write(b"\a")

    def take_up(self, front: TUISession) -> None:
        """Show this TUI (held, or open on another connection) on FRONT's channel, and
        take FRONT's keys and sizes; the other connection, if any, is closed."""
        was_held, old = self.held_since is not None, self.chan
        self._unhold()
        self.chan, self.closing = front.chan, False
        front.carrying = self
        assert self.chan is not None
        what = "the held session" if was_held else "the session from another connection"
        self.settings.log(f"ssh: {self.user} took up {what} (pid {self._pid()})")
        if old is not None:
            with contextlib.suppress(OSError, asyncssh.Error):
                old.write(b"\r\nBackroom: this session was taken up elsewhere.\r\n")
                old.close()
        self.chan.write(TAKE_UP_MODES)
        self.redraw(*front.size)

    def redraw(self, width: int, height: int) -> None:
        """Make the TUI draw its whole screen at WIDTH x HEIGHT: one size it is not, then
        that one (a TUI draws only what changed, and a new terminal shows nothing)."""
        if self.master < 0:
            return
        _set_size(self.master, width, height + 1)
        asyncio.get_running_loop().call_later(
            REDRAW_DELAY, self.terminal_size_changed, width, height, 0, 0
        )

    def _hold(self) -> None:
        """The connection dropped: keep the TUI running, detached, for the hold time."""
        self.chan, self.held_since = None, time.time()
        self.sessions.held.append(self)
        seconds = self.settings.hold_seconds
        self.expiry = asyncio.get_running_loop().call_later(seconds, self._expire)
        self.settings.log(
            f"ssh: {self.user} dropped; session held for {seconds:g} s (pid {self._pid()})"
        )

    def _unhold(self) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None
        with contextlib.suppress(ValueError):
            self.sessions.held.remove(self)
        self.held_since = None

    def _expire(self) -> None:
        seconds = self.settings.hold_seconds
        self.end(f"held {seconds:g} s and not taken up")
        asyncio.get_running_loop().run_in_executor(None, _log_expired, self.user, seconds)

    def end(self, why: str) -> None:
        """End the TUI's process group, gently then firmly."""
        self._unhold()
        self.closing = True
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        self.settings.log(f"ssh: {self.user}: ending pid {proc.pid} ({why})")
        _signal_group(proc.pid, signal.SIGHUP)

        def _kill() -> None:
            if proc.returncode is None:
                _signal_group(proc.pid, signal.SIGKILL)

        asyncio.get_running_loop().call_later(KILL_GRACE_SECONDS, _kill)

    def _pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    # --- the TUI's own process ------------------------------------------------------------

    async def _run(self) -> None:
        assert self.chan is not None
        master, slave = os.openpty()
        self.master = master
        _set_size(master, *self.size)
        os.set_blocking(master, False)
        env = dict(os.environ, TERM=self.term, BACKROOM_USER=self.user, **lifeline().env())
        for name, value in self.chan.get_environment().items():
            if name in PASSED_ENV:
                env[name] = value
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *self.settings.command_for(self.user),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                pass_fds=lifeline().pass_fds,
                preexec_fn=functools.partial(take_terminal, os.getpid()),
            )
        except OSError as exc:
            os.close(slave)
            self.chan.write(f"Cannot start Backroom: {exc}\r\n".encode())
            self.chan.exit(1)
            return
        finally:
            with contextlib.suppress(OSError):
                os.close(slave)
        await self._until_it_ends(master)

    async def _until_it_ends(self, master: int) -> None:
        assert self.proc is not None
        self.settings.log(f"ssh: {self.user} session started (pid {self.proc.pid})")
        asyncio.get_running_loop().add_reader(master, self._pty_readable)
        self.sessions.running.add(self.proc)
        self.sessions.tuis.append(self)
        self.started = time.time()
        try:
            status = await self.proc.wait()
        finally:
            self.sessions.running.discard(self.proc)
            self.sessions.tuis.remove(self)
        self._unhold()
        self._drain()
        self._close_pty()
        self.settings.log(f"ssh: {self.user} session ended (pid {self.proc.pid}, status {status})")
        if not self.closing and self.chan is not None:
            self.closing = True
            with contextlib.suppress(OSError, asyncssh.Error):
                self.chan.exit(status if status >= 0 else 128 - status)

    def _pty_readable(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno == errno.EIO:  # the TUI closed its terminal
                asyncio.get_running_loop().remove_reader(self.master)
                return
            raise
        # Held, nobody sees the screen: what the TUI draws meanwhile is dropped, and it
        # draws everything again when taken up.
        if data and self.chan is not None and not self.closing:
            self.chan.write(data)

    def _drain(self) -> None:
        """What the TUI wrote just before it ended (its terminal reset)."""
        for _ in range(64):
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            if self.chan is not None and not self.closing:
                self.chan.write(data)

    def _close_pty(self) -> None:
        if self.master >= 0:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self.master)
            loop.remove_writer(self.master)
            os.close(self.master)
            self.master = -1

    # --- what the channel sends ----------------------------------------------------------

    def data_received(self, data: bytes, datatype: int | None) -> None:
        if self.carrying is not None:
            self.carrying.data_received(data, datatype)
            return
        if self.offered is not None:
            self._answer(data)
            return
        if self.master < 0:
            return
        self.pending += data
        self._write_pending()

    def _write_pending(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self.pending and self.master >= 0:
                written = os.write(self.master, self.pending)
                del self.pending[:written]
        except BlockingIOError:
            pass
        except OSError:
            self.pending.clear()
        if self.master >= 0:
            if self.pending:
                loop.add_writer(self.master, self._write_pending)
            else:
                loop.remove_writer(self.master)

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self.size = (width, height)
        if self.carrying is not None:
            self.carrying.terminal_size_changed(width, height, pixwidth, pixheight)
        elif self.master >= 0 and width and height:
            # The kernel tells the TUI (its process group) with SIGWINCH.
            _set_size(self.master, width, height)

    def pause_writing(self) -> None:
        target = self.carrying or self
        if target.master >= 0:
            asyncio.get_running_loop().remove_reader(target.master)

    def resume_writing(self) -> None:
        target = self.carrying or self
        if target.master >= 0:
            asyncio.get_running_loop().add_reader(target.master, target._pty_readable)

    def eof_received(self) -> bool:
        return False  # the client closed its input: end the session

    def connection_lost(self, exc: Exception | None) -> None:
        """The client went away: hold its TUI if the server holds sessions, else end it."""
        if self.carrying is not None:
            self.carrying.front_lost(self.own_chan)
        elif self.offered is None:
            self.front_lost(self.own_chan)

    def front_lost(self, chan: asyncssh.SSHServerChannel | None) -> None:
        """The channel CHAN showing this TUI has gone (an older one it left is no news)."""
        if chan is not self.chan or self.proc is None or self.proc.returncode is not None:
            return
        if self.settings.hold_seconds > 0:
            self._hold()
        else:
            self.end("its connection dropped")


def _log_expired(user: str, seconds: float) -> None:
    """The event: USER's session was held SECONDS and ended, not taken up."""
    from backroom.models.masterdata.adding import get_user, log_event

    with contextlib.suppress(DomainError), db.connection_context():
        log_event("session.expired", f"ssh:{user}", get_user(user), held_seconds=seconds)


def take_terminal(server: int | None = None) -> None:
    """In the child: ended with its SERVER (when given), and a session of its own with
    the pseudo-terminal as its terminal."""
    if server is not None:
        child_setup(server)
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _set_size(fd: int, width: int, height: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def _reap(proc: asyncio.subprocess.Process) -> None:
    try:
        await asyncio.wait_for(proc.wait(), KILL_GRACE_SECONDS)
    except TimeoutError:
        _signal_group(proc.pid, signal.SIGKILL)
        await proc.wait()
