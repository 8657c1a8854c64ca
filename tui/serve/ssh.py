"""`backroom serve ssh`: an SSH server that gives each connection its own Backroom TUI.

The SSH user name is the Backroom user; a client gets in with one of the public keys
registered for that user (`backroom user add-key`). Each session runs
`backroom --db URL --user NAME` (with the same Python) on a pseudo-terminal of its own, with the
client's terminal type and size (and every resize); bytes are copied both ways. When
the client drops, the TUI's process group is ended; when the TUI ends, the channel
closes with its exit status.
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
import sys
import termios
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.people.failed_logins import FailedLogins, Tally, check_password
from backroom.models.people.users import keys_for, record_login
from backroom.tui.serve.lifeline import child_setup, lifeline
from backroom.tui.serve.limits import Doorway, RateLimit, address_of

DEFAULT_PORT = 2222
DEFAULT_MAX_CONNECTIONS = 20
DEFAULT_WAITING_PER_ADDRESS = 3  # connections not yet logged in, per client address
DEFAULT_LOGIN_GRACE = 30  # seconds from connecting to logged in
DEFAULT_FAILURES_PER_MINUTE = 10  # wrong passwords per address; then turned away unread
PASSWORD_TRIES_PER_CONNECTION = 3
FAILED_LOGIN_WINDOW = 60  # seconds: one failed-login event per address per window
# Environment a client may pass through to the TUI (ssh -o SendEnv=...).
PASSED_ENV = ("NO_COLOR", "COLORTERM", "LANG", "LC_ALL")
KILL_GRACE_SECONDS = 2.0
# `backroom` with the server's own Python (`-m backroom.tui.cli.main` warns: tui.cli imports main).
# It watches its server's lifeline first, so that it never outlives the server.
BACKROOM = (
    sys.executable,
    "-c",
    "import sys; from backroom.tui.serve.lifeline import watch; watch(); "
    "from backroom.tui.cli import main; sys.exit(main())",
)


def data_dir() -> Path:
    """Backroom's data directory (~/.local/share/backroom, or under XDG_DATA_HOME)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return Path(base) / "backroom"


def host_key(path: Path | None = None) -> Path:
    """The server's ed25519 host key: made on first run, kept (mode 0600) ever after."""
    path = path or data_dir() / "ssh_host_ed25519_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = asyncssh.generate_private_key("ssh-ed25519")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key.export_private_key())
        (path.parent / (path.name + ".pub")).write_bytes(key.export_public_key())
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path


@dataclass
class SSHSettings:
    """How the server runs: where it listens, who it lets in, what it starts."""

    db_url: str
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    host_key_path: Path | None = None
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    # Of max_connections, how many may be still logging in (None: half), in all and per address.
    max_waiting: int | None = None
    max_waiting_per_address: int = DEFAULT_WAITING_PER_ADDRESS
    login_grace: int = DEFAULT_LOGIN_GRACE
    # A connection idle this long without naming a user may be dropped for a new one.
    drop_idle_after: float = 1.0
    password_auth: bool = False  # the user's Backroom PIN as SSH password, if configured
    failures_per_minute: int = DEFAULT_FAILURES_PER_MINUTE
    failed_login_window: int = FAILED_LOGIN_WINDOW
    config_path: str | None = None
    # The program a session runs, given the user name; the Backroom TUI by default.
    command: Callable[[str], Sequence[str]] | None = None
    log: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr))

    def command_for(self, user: str) -> list[str]:
        """The TUI for USER, with the same Python and database as the server."""
        if self.command is not None:
            return list(self.command(user))
        cmd = [*BACKROOM, "--db", self.db_url, "--user", user]
        if self.config_path:
            cmd += ["--config", self.config_path]
        return cmd


@dataclass
class Door:
    """What one server knows about everyone at its door: who is connected (logging in
    or inside), which addresses got passwords wrong lately, and the failed logins not
    yet written to the event log."""

    settings: SSHSettings
    doorway: Doorway = field(init=False)
    rate_limit: RateLimit = field(init=False)
    failures: FailedLogins = field(default_factory=lambda: FailedLogins("ssh"))
    # The TUIs running, so that a server that stops ends and reaps every one of them.
    running: set[asyncio.subprocess.Process] = field(default_factory=set)

    def __post_init__(self) -> None:
        most = self.settings.max_connections
        waiting = self.settings.max_waiting or max(1, most // 2)
        self.doorway = Doorway(
            most,
            min(waiting, most),
            self.settings.max_waiting_per_address,
            young=self.settings.drop_idle_after,
        )
        self.rate_limit = RateLimit(self.settings.failures_per_minute, 60.0)

    def flush(self) -> None:
        """Write the failed logins counted so far (one event per address)."""
        with db.connection_context():
            self.failures.flush()

    async def flush_every(self, seconds: float) -> None:
        """Flush the failed logins every SECONDS, until cancelled."""
        while True:
            await asyncio.sleep(seconds)
            tallies = self.failures.take()  # here: the counting goes on in this thread
            try:
                await asyncio.to_thread(self._write, tallies)
            except DomainError as exc:  # the database is away: keep counting, say so
                self.failures.put_back(tallies)
                self.settings.log(f"ssh: failed logins not written: {exc}")

    def _write(self, tallies: dict[str, Tally]) -> None:
        with db.connection_context():
            self.failures.write(tallies)

    async def end_all(self) -> None:
        """End every TUI still running (hang-up, then SIGKILL after the grace) and
        wait for each, so that none is left behind, not even as a zombie."""
        procs = [proc for proc in self.running if proc.returncode is None]
        for proc in procs:
            _signal_group(proc.pid, signal.SIGHUP)
        await asyncio.gather(*(_reap(proc) for proc in procs))
        if procs:
            self.settings.log(f"ssh: ended {len(procs)} sessions as the server stopped")


async def _reap(proc: asyncio.subprocess.Process) -> None:
    try:
        await asyncio.wait_for(proc.wait(), KILL_GRACE_SECONDS)
    except TimeoutError:
        _signal_group(proc.pid, signal.SIGKILL)
        await proc.wait()


class BackroomSSHServer(asyncssh.SSHServer):
    """One SSH connection: public-key authentication against the user's stored keys."""

    def __init__(self, settings: SSHSettings, door: Door) -> None:
        self.settings = settings
        self.door = door
        self.conn: asyncssh.SSHServerConnection | None = None
        self.user = ""
        self.peer = ""
        self.address = ""
        self.counted = False  # at the door: waiting or inside
        self.inside = False
        self.password_tries = 0

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.peer, self.address = f"{peer[0]}:{peer[1]}", address_of(peer)
        admission = self.door.doorway.arrive(self, self.address)
        if not admission.admitted:
            self.settings.log(f"ssh: refused {peer}: {admission.reason}")
            conn.disconnect(asyncssh.DISC_TOO_MANY_CONNECTIONS, "Too many Backroom sessions")
            return
        self.counted = True
        for old in admission.dropped:
            assert isinstance(old, BackroomSSHServer)
            old.drop_for(self, admission.reason)

    def drop_for(self, newer: BackroomSSHServer, why: str) -> None:
        """Close this connection, still not logged in, to make room for NEWER."""
        self.counted = False
        self.settings.log(f"ssh: dropped {self.peer}, not logged in, for {newer.peer} ({why})")
        if self.conn is not None:
            self.conn.disconnect(asyncssh.DISC_TOO_MANY_CONNECTIONS, "Log in sooner")

    def connection_lost(self, exc: Exception | None) -> None:
        if self.counted:
            self.door.doorway.left(self, self.inside)
            self.counted = False
            if not self.inside and exc is not None and "Login timeout" in str(exc):
                grace = self.settings.login_grace
                self.settings.log(f"ssh: {self.peer} did not log in within {grace:g} s")

    def begin_auth(self, username: str) -> bool:
        self.user = username
        self.door.doorway.naming(self)
        with db.connection_context():
            keys = keys_for(username)
        if keys and self.conn is not None:
            lines = "\n".join(k.line for k in keys) + "\n"
            self.conn.set_authorized_keys(asyncssh.import_authorized_keys(lines))
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return self.settings.password_auth

    async def validate_password(self, username: str, password: str) -> bool:
        """The user's PIN as password, unless this address got too many wrong lately."""
        door = self.door
        if door.rate_limit.blocked(self.address):
            door.failures.record(self.address, username, turned_away=True)
            self._hang_up("Too many wrong passwords from your address: try again later")
            return False
        if await asyncio.to_thread(_password_is_right, username, password):
            return True
        door.rate_limit.failed(self.address)
        door.failures.record(self.address, username)
        self.password_tries += 1
        if self.password_tries >= PASSWORD_TRIES_PER_CONNECTION:
            self._hang_up("Too many wrong passwords")
        return False

    def _hang_up(self, why: str) -> None:
        conn = self.conn
        if conn is not None:
            code = asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE
            asyncio.get_running_loop().call_soon(conn.disconnect, code, why)

    def auth_completed(self) -> None:
        from backroom.models.masterdata.adding import get_user

        self.door.doorway.logged_in(self)
        self.inside = self.counted
        self.settings.log(f"ssh: {self.user} logged in")
        with contextlib.suppress(DomainError), db.connection_context():
            record_login(get_user(self.user), "ssh")

    def session_requested(self) -> asyncssh.SSHServerSession:
        return TUISession(self.settings, self.user, self.door.running)


class TUISession(asyncssh.SSHServerSession):
    """A session: the TUI on its own pseudo-terminal, bytes copied both ways."""

    def __init__(
        self, settings: SSHSettings, user: str, running: set[asyncio.subprocess.Process]
    ) -> None:
        self.settings = settings
        self.user = user
        self.running = running
        self.chan: asyncssh.SSHServerChannel | None = None
        self.term = "xterm-256color"
        self.size = (80, 24)
        self.has_pty = False
        self.master = -1
        self.proc: asyncio.subprocess.Process | None = None
        self.pending = bytearray()  # typed bytes the pty has not taken yet
        self.closing = False
        self.task: asyncio.Task[None] | None = None

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = chan

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
        self.task = asyncio.get_running_loop().create_task(self._run())

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
                preexec_fn=functools.partial(_take_terminal, os.getpid()),
            )
        except OSError as exc:
            os.close(slave)
            self.chan.write(f"Cannot start Backroom: {exc}\r\n".encode())
            self.chan.exit(1)
            return
        finally:
            with contextlib.suppress(OSError):
                os.close(slave)
        self.settings.log(f"ssh: {self.user} session started (pid {self.proc.pid})")
        loop = asyncio.get_running_loop()
        loop.add_reader(master, self._pty_readable)
        self.running.add(self.proc)
        try:
            status = await self.proc.wait()
        finally:
            self.running.discard(self.proc)
        self._drain()
        self._close_pty()
        self.settings.log(f"ssh: {self.user} session ended (pid {self.proc.pid}, status {status})")
        if not self.closing:
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

    def data_received(self, data: bytes, datatype: int | None) -> None:
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
        if self.master >= 0 and width and height:
            # The kernel tells the TUI (its process group) with SIGWINCH.
            _set_size(self.master, width, height)

    def pause_writing(self) -> None:
        if self.master >= 0:
            asyncio.get_running_loop().remove_reader(self.master)

    def resume_writing(self) -> None:
        if self.master >= 0:
            asyncio.get_running_loop().add_reader(self.master, self._pty_readable)

    def eof_received(self) -> bool:
        return False  # the client closed its input: end the session

    def connection_lost(self, exc: Exception | None) -> None:
        """The client went away: end the TUI's process group, gently then firmly."""
        self.closing = True
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        self.settings.log(f"ssh: {self.user} dropped; ending pid {proc.pid}")
        _signal_group(proc.pid, signal.SIGHUP)

        def _kill() -> None:
            if proc.returncode is None:
                _signal_group(proc.pid, signal.SIGKILL)

        asyncio.get_running_loop().call_later(KILL_GRACE_SECONDS, _kill)


def _password_is_right(name: str, password: str) -> bool:
    """True when PASSWORD is NAME's PIN (run in a thread: scrypt takes a while)."""
    try:
        with db.connection_context():
            check_password(name, password)
    except DomainError:
        return False
    return True


def _take_terminal(server: int) -> None:
    """In the child: ended with its SERVER, and a session of its own with the
    pseudo-terminal as its terminal."""
    child_setup(server)
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _set_size(fd: int, width: int, height: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def start_server(settings: SSHSettings, door: Door | None = None) -> asyncssh.SSHAcceptor:
    """Listen for SSH connections; returns the acceptor (close() it to stop)."""
    key = host_key(settings.host_key_path)
    door = door or Door(settings)
    return await asyncssh.create_server(
        lambda: BackroomSSHServer(settings, door),
        settings.host,
        settings.port,
        server_host_keys=[str(key)],
        encoding=None,
        keepalive_interval=30,
        login_timeout=settings.login_grace,
        allow_scp=False,
        agent_forwarding=False,
        x11_forwarding=False,
    )


def serve(settings: SSHSettings) -> int:
    """Run the SSH server until interrupted (SIGINT or SIGTERM)."""

    async def _main() -> None:
        door = Door(settings)
        server = await start_server(settings, door)
        flusher = asyncio.get_running_loop().create_task(
            door.flush_every(settings.failed_login_window)
        )
        try:
            settings.log(
                f"Backroom SSH server on {settings.host}:{settings.port} "
                f"(host key {host_key(settings.host_key_path)}); Ctrl+C stops it"
            )
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await stop.wait()
        finally:
            server.close()
            await server.wait_closed()
            await door.end_all()
            flusher.cancel()
            door.flush()  # what the last window counted
            settings.log("ssh: stopped; failed logins written")

    asyncio.run(_main())
    return 0
