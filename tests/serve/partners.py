"""An SSH server in the test's own event loop whose sessions run a stand-in TUI (a
few lines of Python: fast to start), and asyncssh clients on pseudo-terminals; for
the session list, watchers, shared sessions and the cap on held sessions."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from backroom.tui.serve.control import start_control
from backroom.tui.serve.ssh import Door, SSHSettings, start_server
from tests.serve.conftest import free_port

# The stand-in TUI: says READY, echoes every key it is given as "got:KEYS" and keeps
# them in its log file, prints its server's notices as "NOTICE {...}"; a hang-up ends it.
STAND_IN = r"""
import os, sys, threading, tty
tty.setraw(0)
log = open(sys.argv[1], "ab", buffering=0)
def notices(fd):
    with os.fdopen(fd, "rb") as pipe:
        for line in pipe:
            os.write(1, b"NOTICE " + line.strip() + b"\r\n")
fd = os.environ.get("BACKROOM_NOTICES")
if fd:
    threading.Thread(target=notices, args=(int(fd),), daemon=True).start()
os.write(1, b"READY\r\n")
while True:
    data = os.read(0, 1024)
    if not data:
        break
    log.write(data)
    os.write(1, b"got:" + data + b"\r\n")
"""
WAIT = 15.0


@dataclass
class Served:
    """The running server: its settings, its door (the sessions), its log lines."""

    settings: SSHSettings
    door: Door
    lines: list[str] = field(default_factory=list)

    async def line(self, pattern: str) -> re.Match[str]:
        """The first log line matching PATTERN, waiting for it."""
        for _ in range(int(WAIT / 0.05)):
            for text in self.lines:
                if found := re.search(pattern, text):
                    return found
            await asyncio.sleep(0.05)
        raise TimeoutError(f"no line like {pattern!r} in {self.lines!r}")


@contextlib.asynccontextmanager
async def serving(url: str, folder: Path, **options: object) -> AsyncIterator[Served]:
    """The server, until the block ends; then every session is ended and reaped."""
    lines: list[str] = []
    keys = folder / "keys.log"
    settings = SSHSettings(
        db_url=url,
        port=free_port(),
        host_key_path=folder / "host" / "ssh_host_ed25519_key",
        command=lambda user: [sys.executable, "-c", STAND_IN, str(keys)],
        control_dir=folder / "run",
        log=lines.append,
        **options,  # type: ignore[arg-type]
    )
    door = Door(settings)
    acceptor = await start_server(settings, door)
    control = await start_control(door.sessions, settings)
    try:
        yield Served(settings, door, lines)
    finally:
        acceptor.close()
        await acceptor.wait_closed()
        control.close()
        await door.end_all()


class Screen:
    """One SSH client with a terminal: what it was shown, and its keys."""

    def __init__(self, conn: asyncssh.SSHClientConnection, proc: asyncssh.SSHClientProcess):
        self.conn, self.proc, self.seen = conn, proc, b""

    async def shows(self, *words: str) -> str:
        """Read until every one of WORDS has been shown."""
        async with asyncio.timeout(WAIT):
            while not all(w.encode() in self.seen for w in words):
                part = await self.proc.stdout.read(65536)
                if not part:
                    break
                self.seen += part
        text = self.seen.decode("utf-8", "replace")
        if not all(w in text for w in words):
            raise AssertionError(f"never shown {words!r}; shown {text[-1500:]!r}")
        return text

    def type(self, keys: str) -> None:
        self.proc.stdin.write(keys.encode())

    def drop(self) -> None:
        """The Wi-Fi is gone: the connection ends without a word."""
        self.conn.abort()


async def screen(
    served: Served,
    key: Path,
    size: tuple[int, int] = (80, 24),
    *,
    user: str = "ann",
    command: str | None = None,
) -> Screen:
    conn = await asyncssh.connect(
        "127.0.0.1",
        served.settings.port,
        username=user,
        client_keys=[str(key)],
        known_hosts=None,
        agent_path=None,
        connect_timeout=WAIT,
    )
    proc = await conn.create_process(command, term_type="xterm", term_size=size, encoding=None)
    return Screen(conn, proc)
