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
import json
import os
import signal
import struct
import termios
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import asyncssh

from backroom.tui.serve.lifeline import child_setup, lifeline
from backroom.tui.serve.notices import NOTICES_ENV
from backroom.tui.serve.session_list import (
    KILL_GRACE_SECONDS,
    LEAVE_MODES,
    Sessions,
    log_ended,
    log_expired,
    signal_group,
)
from backroom.tui.serve.watchers import ChannelWatcher, may_watch

# Environment a client may pass through to the TUI (ssh -o SendEnv=...).
PASSED_ENV = ("NO_COLOR", "COLORTERM", "LANG", "LC_ALL")
# What a terminal taken up in the middle of a session must be told again: the TUI set
# these modes on the first terminal (alternate screen, no cursor, mouse, paste, focus).
TAKE_UP_MODES = (
    b"\x1b[?1049h\x1b[?25l\x1b[?1000h\x1b[?1003h\x1b[?1015h\x1b[?1006h\x1b[?2004h\x1b[?1004h\x1b[2J"
)
REDRAW_DELAY = 0.25  # seconds between the two sizes that make the TUI draw it all again
YES = (b"\r", b"\n", b"y", b"Y", b" ")
NO = (b"n", b"N")
JOIN = (b"j", b"J")
DETACH = b"\x1d"  # Ctrl+]: a watcher leaves


class Settings(Protocol):
    """What a session needs of the server's settings (tui/serve/ssh.py: SSHSettings)."""

    hold_seconds: float
    max_held_per_user: int
    max_held: int
    log: Callable[[str], None]

    def command_for(self, user: str) -> Sequence[str]: ...


class Watcher(Protocol):
    """A read-only partner: shown the screen, never heard (tui/serve/control.py)."""

    name: str
    peer: str

    def write(self, data: bytes) -> None: ...

    def close(self, message: str) -> None: ...


class TUISession(asyncssh.SSHServerSession):
    """A channel's session: runs its own TUI, or carries a held one taken up, or
    shares one of its user's (typing too)."""

    def __init__(self, settings: Settings, user: str, sessions: Sessions, peer: str = "") -> None:
        self.settings = settings
        self.user = user
        self.sessions = sessions
        self.peer = peer  # where the connection comes from (address:port)
        self.chan: asyncssh.SSHServerChannel | None = None  # where the TUI's screen goes
        self.front: TUISession = self  # the session whose channel is self.chan
        self.term = "xterm-256color"
        self.size = (80, 24)
        self.has_pty = False
        self.master = -1
        self.proc: asyncio.subprocess.Process | None = None
        self.pending = bytearray()  # typed bytes the pty has not taken yet
        self.closing = False
        self.farewell = b""  # said to every screen of it when the TUI has ended
        self.task: asyncio.Task[None] | None = None
        self.carrying: TUISession | None = None  # the TUI this channel shows (taken up, shared)
        self.offered: TUISession | None = None  # the held session offered, not yet answered
        self.partners: list[TUISession] = []  # other connections sharing it, typing too
        self.watchers: list[Watcher] = []  # read-only: shown the screen, never heard
        self.notices = -1  # the write end of the pipe telling the TUI who is watching
        self.held_since: float | None = None
        self.expiry: asyncio.TimerHandle | None = None
        self.own_chan: asyncssh.SSHServerChannel | None = None  # this session's channel
        self.started = 0.0  # when its TUI started (time.time())
        self.last_input = time.time()
        self.watch_id: int | None = None  # `ssh -t lead@host watch ID`: the session asked
        self.watched: TUISession | None = None  # the session this channel watches

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
        # The one command: `watch ID`, a lead watching a session read-only.
        words = command.split()
        if len(words) == 2 and words[0] == "watch" and words[1].isdigit():
            self.watch_id = int(words[1])
            return True
        return False

    def session_started(self) -> None:
        assert self.chan is not None
        if self.watch_id is not None:
            self._start_watching(self.watch_id)
            return
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

    def _start_watching(self, session_id: int) -> None:
        """This channel shows session SESSION_ID, read-only, if its user may watch."""
        assert self.chan is not None
        target = self.sessions.by_id(session_id)
        refusal = may_watch(self.user)
        if refusal is None and (target is None or target.closing):
            refusal = f"No session {session_id} runs on this server."
        elif refusal is None and target is not None and target.held_since is not None:
            refusal = f"Session {session_id} is held: nobody is at it."
        if refusal is not None or target is None:
            self.chan.write(f"Backroom: {refusal}\r\n".encode())
            self.chan.exit(1)
            return
        self.chan.write(f"Watching {target.user} (read-only); Ctrl+] leaves\r\n".encode())
        self.watched = target
        target.watch(ChannelWatcher(self.chan, self.user, self.peer))

    # --- a held session offered, taken up or shared ----------------------------------------

    def _offer(self, other: TUISession) -> None:
        assert self.chan is not None
        self.offered = other
        since = time.strftime("%H:%M", time.localtime(other.held_since or other.started))
        # Lines of at most 40 characters: a handheld's screen.
        if other.held_since is not None:
            where, take, new = "is held, as you left it.", "take it up again", "(the held one ends)"
            share = ""
        else:
            where, take, new = "is open on another\r\nconnection.", "take it over here", ""
            share = f" J      join it (both type):\r\n        {other.front.peer[:32]}\r\n"
        self.chan.write(
            f"\r\nBackroom: {self.user}, your session\r\nsince {since} {where}\r\n\r\n"
            f" Enter  {take}\r\n{share} N      start a new one\r\n        {new}\r\n".encode()
        )

    def _answer(self, data: bytes) -> None:
        other, self.offered = self.offered, None
        assert other is not None
        gone = other.proc is None or other.proc.returncode is not None or other.closing
        if gone:  # it ended meanwhile
            self._start()
        elif data[:1] in YES:
            other.take_up(self)
        elif data[:1] in JOIN and other.held_since is None:
            other.share_with(self)
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
        self.chan, self.front, self.closing = front.chan, front, False
        front.carrying = self
        assert self.chan is not None
        what = "the held session" if was_held else "the session from another connection"
        self.settings.log(f"ssh: {self.user} took up {what} (pid {self._pid()})")
        if old is not None:
            with contextlib.suppress(OSError, asyncssh.Error):
                old.write(b"\r\nBackroom: this session was taken up elsewhere.\r\n")
                old.close()
        self.chan.write(TAKE_UP_MODES)
        self.redraw()

    def share_with(self, partner: TUISession) -> None:
        """Show this TUI on PARTNER's channel too, and take its keys as well: a vehicle
        terminal and a handheld of one person working one session."""
        assert partner.chan is not None
        partner.carrying = self
        self.partners.append(partner)
        self.settings.log(f"ssh: {self.user} shares pid {self._pid()} with {partner.peer}")
        partner.chan.write(TAKE_UP_MODES)
        self.redraw()
        self.tell()

    def watch(self, watcher: Watcher) -> None:
        """Show this TUI's screen to WATCHER, read-only; the person is told who watches."""
        self.watchers.append(watcher)
        self.settings.log(f"ssh: {watcher.name} watches {self.user} (pid {self._pid()})")
        watcher.write(TAKE_UP_MODES)
        self.redraw()
        self.tell()

    def unwatch(self, watcher: Watcher) -> None:
        if watcher in self.watchers:
            self.watchers.remove(watcher)
            self.settings.log(f"ssh: {watcher.name} stopped watching {self.user}")
            self.tell()

    def unwatch_channel(self, chan: asyncssh.SSHServerChannel | None) -> None:
        for watcher in [w for w in self.watchers if getattr(w, "chan", None) is chan]:
            self.unwatch(watcher)

    def tell(self) -> None:
        """Tell the TUI who watches it and where else it is shown (its header says so)."""
        if self.notices < 0:
            return
        news = {
            "watching": [w.name for w in self.watchers],
            "sharing": [p.peer for p in self.partners],
        }
        with contextlib.suppress(OSError):
            os.write(self.notices, (json.dumps(news) + "\n").encode())

    def fitted(self) -> tuple[int, int]:
        """The size the TUI is drawn at: the smallest of the screens that type into it."""
        sizes = [self.front.size, *(p.size for p in self.partners)]
        return min(w for w, _ in sizes), min(h for _, h in sizes)

    def fit(self) -> None:
        if self.master >= 0:
            # The kernel tells the TUI (its process group) with SIGWINCH.
            _set_size(self.master, *self.fitted())

    def redraw(self) -> None:
        """Make the TUI draw its whole screen: one size it is not, then the one it is
        (a TUI draws only what changed, and a new terminal shows nothing)."""
        if self.master < 0:
            return
        width, height = self.fitted()
        _set_size(self.master, width, height + 1)
        asyncio.get_running_loop().call_later(REDRAW_DELAY, self.fit)

    def _hold(self) -> None:
        """The connection dropped: keep the TUI running, detached, for the hold time."""
        self.chan, self.front, self.held_since = None, self, time.time()
        self.sessions.held.append(self)
        seconds = self.settings.hold_seconds
        self.expiry = asyncio.get_running_loop().call_later(seconds, self._expire)
        self.settings.log(
            f"ssh: {self.user} dropped; session held for {seconds:g} s (pid {self._pid()})"
        )
        caps = self.settings.max_held_per_user, self.settings.max_held
        for old in self.sessions.over_caps(*caps):
            why = f"over the cap of {caps[0]} held per user and {caps[1]} in all"
            old.end(f"held, {why}")
            asyncio.get_running_loop().run_in_executor(
                None, log_ended, old.user, old._pid(), "", why
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
        asyncio.get_running_loop().run_in_executor(None, log_expired, self.user, seconds)

    def end(self, why: str, farewell: str = "") -> None:
        """End the TUI's process group, gently then firmly; FAREWELL is said to each
        screen of it once it has ended, and their connections closed."""
        self._unhold()
        self.closing = True
        said = f"\r\nBackroom: {farewell}\r\n".encode()
        self.farewell = LEAVE_MODES + said if farewell else b""
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        self.settings.log(f"ssh: {self.user}: ending pid {proc.pid} ({why})")
        signal_group(proc.pid, signal.SIGHUP)

        def _kill() -> None:
            if proc.returncode is None:
                signal_group(proc.pid, signal.SIGKILL)

        asyncio.get_running_loop().call_later(KILL_GRACE_SECONDS, _kill)

    def _pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def describe_now(self) -> dict[str, Any]:
        return self.describe(time.time())

    def describe(self, now: float) -> dict[str, Any]:
        """What `backroom session list` shows of this session."""
        partners = [{"user": self.user, "from": p.peer, "mode": "sharing"} for p in self.partners]
        partners += [{"user": w.name, "from": w.peer, "mode": "watching"} for w in self.watchers]
        return {
            "id": self._pid(),
            "server": "ssh",
            "user": self.user,
            "from": self.front.peer,
            "since": self.started,
            "idle_seconds": round(max(0.0, now - self.last_input), 1),
            "state": "held" if self.held_since is not None else "live",
            "held_since": self.held_since,
            "partners": partners,
        }

    # --- the TUI's own process ------------------------------------------------------------

    async def _run(self) -> None:
        assert self.chan is not None
        master, slave = os.openpty()
        self.master = master
        _set_size(master, *self.size)
        os.set_blocking(master, False)
        heard, self.notices = os.pipe()
        os.set_blocking(self.notices, False)
        env = dict(os.environ, TERM=self.term, BACKROOM_USER=self.user, **lifeline().env())
        env[NOTICES_ENV] = str(heard)
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
                pass_fds=(*lifeline().pass_fds, heard),
                preexec_fn=functools.partial(take_terminal, os.getpid()),
            )
        except OSError as exc:
            self.chan.write(f"Cannot start Backroom: {exc}\r\n".encode())
            self.chan.exit(1)
            return
        finally:
            for fd in (slave, heard):
                with contextlib.suppress(OSError):
                    os.close(fd)
        await self._until_it_ends(master)

    async def _until_it_ends(self, master: int) -> None:
        assert self.proc is not None
        self.settings.log(f"ssh: {self.user} session started (pid {self.proc.pid})")
        asyncio.get_running_loop().add_reader(master, self._pty_readable)
        self.sessions.running.add(self.proc)
        self.sessions.tuis.append(self)
        self.started = self.last_input = time.time()
        try:
            status = await self.proc.wait()
        finally:
            self.sessions.running.discard(self.proc)
            self.sessions.tuis.remove(self)
        self._unhold()
        self._drain()
        self._close_pty()
        self.settings.log(f"ssh: {self.user} session ended (pid {self.proc.pid}, status {status})")
        self._close_screens(status if status >= 0 else 128 - status)

    def _close_screens(self, status: int) -> None:
        """The TUI has ended: its watchers are let go, and every connection showing it
        closed with its exit status (after the farewell, if it was ended)."""
        for watcher in list(self.watchers):
            watcher.close(f"{self.user}'s session has ended")
        self.watchers.clear()
        with contextlib.suppress(OSError):
            os.close(self.notices)
        self.notices = -1
        chans = [p.chan for p in self.partners]
        if self.chan is not None and (not self.closing or self.farewell):
            chans.insert(0, self.chan)
        self.partners.clear()
        self.closing = True
        for chan in chans:
            with contextlib.suppress(OSError, asyncssh.Error):
                if chan is not None:
                    chan.write(self.farewell)
                    chan.exit(status)

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
        if data and not self.closing:
            self._show(data)

    def _show(self, data: bytes) -> None:
        """DATA from the TUI to every screen showing it: its own, partners', watchers'."""
        for chan in (self.chan, *(p.chan for p in self.partners)):
            if chan is not None:
                with contextlib.suppress(OSError, asyncssh.Error):
                    chan.write(data)
        for watcher in self.watchers:
            watcher.write(data)

    def _drain(self) -> None:
        """What the TUI wrote just before it ended (its terminal reset)."""
        for _ in range(64):
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            if not self.closing:
                self._show(data)

    def _close_pty(self) -> None:
        if self.master >= 0:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self.master)
            loop.remove_writer(self.master)
            os.close(self.master)
            self.master = -1

    # --- what the channel sends ----------------------------------------------------------

    def data_received(self, data: bytes, datatype: int | None) -> None:
        if self.watched is not None or self.watch_id is not None:  # read-only: dropped
            if DETACH in data and self.chan is not None:
                self.chan.write(LEAVE_MODES)
                self.chan.exit(0)
            return
        if self.carrying is not None:
            self.carrying.data_received(data, datatype)
            return
        if self.offered is not None:
            self._answer(data)
            return
        if self.master < 0:
            return
        self.last_input = time.time()
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
        if width and height:
            self.size = (width, height)
        (self.carrying or self).fit()

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
        if self.watched is not None:
            self.watched.unwatch_channel(self.own_chan)
        elif self.carrying is not None:
            self.carrying.front_lost(self.own_chan)
        elif self.offered is None:
            self.front_lost(self.own_chan)

    def front_lost(self, chan: asyncssh.SSHServerChannel | None) -> None:
        """The channel CHAN showing this TUI has gone (an older one it left is no news):
        a partner's leaves the others; the last one's holds the TUI, or ends it."""
        sharing = next((p for p in self.partners if p.own_chan is chan), None)
        if sharing is not None:
            self.partners.remove(sharing)
            self.settings.log(f"ssh: {self.user} stopped sharing with {sharing.peer}")
            self.fit()
            self.tell()
            return
        if chan is not self.chan or self.proc is None or self.proc.returncode is not None:
            return
        if self.partners:  # a partner carries on alone
            self.front = self.partners.pop(0)
            self.chan = self.front.chan
            self.fit()
            self.tell()
        elif self.settings.hold_seconds > 0:
            self._hold()
        else:
            self.end("its connection dropped")


def take_terminal(server: int | None = None) -> None:
    """In the child: ended with its SERVER (when given), and a session of its own with
    the pseudo-terminal as its terminal."""
    if server is not None:
        child_setup(server)
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _set_size(fd: int, width: int, height: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
