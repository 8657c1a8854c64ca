"""`backroom serve ssh`: an SSH server that gives each connection its own Backroom TUI.

The SSH user name is the Backroom user; a client gets in with one of the public keys
registered for that user (`backroom user add-key`). Each session runs
`backroom --db URL --user NAME` (with the same Python) on a pseudo-terminal of its own, with the
client's terminal type and size (and every resize); bytes are copied both ways. When
the client drops, the TUI is held for the user to take up again on reconnecting (for
`hold_seconds`, then ended: tui/serve/tui_session.py); when the TUI ends, the channel
closes with its exit status.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.people.failed_logins import FailedLogins, Tally, check_password
from backroom.models.people.users import keys_for, record_login
from backroom.tui.serve.control import start_control
from backroom.tui.serve.limits import Doorway, RateLimit, address_of
from backroom.tui.serve.session_list import (
    DEFAULT_MAX_HELD,
    DEFAULT_MAX_HELD_PER_USER,
    Sessions,
)
from backroom.tui.serve.tui_session import TUISession

DEFAULT_PORT = 2222
DEFAULT_MAX_CONNECTIONS = 20
DEFAULT_WAITING_PER_ADDRESS = 3  # connections not yet logged in, per client address
DEFAULT_LOGIN_GRACE = 30  # seconds from connecting to logged in
DEFAULT_HOLD_SECONDS = 15 * 60  # a dropped session's TUI waits this long for its user
DEFAULT_KEEPALIVE_SECONDS = 10  # an SSH keepalive this often; 3 unanswered: dropped
KEEPALIVES_MISSED = 3
DEFAULT_FAILURES_PER_MINUTE = 10  # wrong passwords per address; then turned away unread
PASSWORD_TRIES_PER_CONNECTION = 3
FAILED_LOGIN_WINDOW = 60  # seconds: one failed-login event per address per window
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
    # How long the TUI of a connection that dropped is held for its user (0: not held).
    hold_seconds: float = DEFAULT_HOLD_SECONDS
    # Held sessions kept at most, per user and in all; past that the oldest held ends.
    max_held_per_user: int = DEFAULT_MAX_HELD_PER_USER
    max_held: int = DEFAULT_MAX_HELD
    # Where `backroom session` reaches this server (tui/serve/control.py); None: the default.
    control_dir: Path | None = None
    keepalive_seconds: float = DEFAULT_KEEPALIVE_SECONDS
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
    # The TUIs running and held, so that a server that stops ends and reaps them all.
    sessions: Sessions = field(default_factory=Sessions)

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
        """End and reap every TUI this server started."""
        await self.sessions.end_all(self.settings.log)


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
        return TUISession(self.settings, self.user, self.door.sessions, self.peer)


def _password_is_right(name: str, password: str) -> bool:
    """True when PASSWORD is NAME's PIN (run in a thread: scrypt takes a while)."""
    try:
        with db.connection_context():
            check_password(name, password)
    except DomainError:
        return False
    return True


def _prune_requests(log: Callable[[str], None]) -> None:
    """Request ids past their retention, pruned as the server starts."""
    from backroom.models.stock.requests import prune_requests

    try:
        with db.connection_context():
            gone = prune_requests()
    except DomainError as exc:
        log(f"ssh: old request ids not pruned: {exc}")
        return
    if gone:
        log(f"ssh: pruned {gone} request ids past their retention")


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
        # A connection that stopped answering is dead within 3 keepalives, and its
        # session held (tui/serve/tui_session.py).
        keepalive_interval=settings.keepalive_seconds,
        keepalive_count_max=KEEPALIVES_MISSED,
        login_timeout=settings.login_grace,
        allow_scp=False,
        agent_forwarding=False,
        x11_forwarding=False,
    )


def serve(settings: SSHSettings) -> int:
    """Run the SSH server until interrupted (SIGINT or SIGTERM)."""

    async def _main() -> None:
        door = Door(settings)
        await asyncio.to_thread(_prune_requests, settings.log)
        server = await start_server(settings, door)
        control = await start_control(door.sessions, settings)
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
            control.close()
            await door.end_all()
            flusher.cancel()
            door.flush()  # what the last window counted
            settings.log("ssh: stopped; failed logins written")

    asyncio.run(_main())
    return 0
