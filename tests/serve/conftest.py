"""A real OpenSSH client on a pseudo-terminal, driven from tests with timeouts, and a
database with a user who has an SSH key. Loopback only; every wait is bounded."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backroom.models.db import db
from backroom.models.masterdata.adding import add_user, get_user
from backroom.models.people.users import add_key
from tests.conftest import TEST_USER

ANSI = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-B]|[=>78])"
)
SSH_OPTIONS = [
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "ConnectTimeout=10",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15) -> None:
    """Until something accepts connections on 127.0.0.1:PORT."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def keypair(folder: Path, name: str) -> Path:
    """A new ed25519 key pair without a passphrase; returns the private key's path."""
    key = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
        check=True,
        timeout=30,
    )
    return key


class Terminal:
    """A program on a pseudo-terminal of the given size: type into it, read its screen."""

    def __init__(self, argv: list[str], size: tuple[int, int] = (80, 24)) -> None:
        self.master, slave = os.openpty()
        self.resize(*size)
        # A terminal says what it is; the server passes TERM on to the TUI.
        env = dict(os.environ, TERM="xterm-256color")
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, preexec_fn=_take_terminal
        )
        os.close(slave)
        self.seen = b""
        # Drain the screen all the time: a terminal nobody reads stops its program.
        self._open = True
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while self._open:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.seen += data

    def resize(self, width: int, height: int) -> None:
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        if getattr(self, "proc", None) is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGWINCH)

    def text(self) -> str:
        """Everything shown so far, escape sequences removed."""
        return ANSI.sub(b"", self.seen).decode("utf-8", "replace")

    def read(self, timeout: float) -> None:
        """Give the program TIMEOUT seconds (the screen is read all along)."""
        time.sleep(timeout)

    def wait_for(self, *words: str, timeout: float = 20) -> str:
        """Read until every one of WORDS has been shown; the text, or TimeoutError."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read(0.1)
            shown = self.text()
            if all(w in shown for w in words):
                return shown
            if self.proc.poll() is not None:
                self.read(0.1)
                break
        raise TimeoutError(f"never saw {words!r}; saw: {self.text()[-2000:]!r}")

    def type(self, data: bytes) -> None:
        os.write(self.master, data)

    def wait_exit(self, timeout: float = 15) -> int:
        """The program's exit status, reading its output meanwhile."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read(0.1)
            if self.proc.poll() is not None:
                return self.proc.returncode
        raise TimeoutError("the program did not end")

    def close(self) -> None:
        self._open = False
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.master)


def _ignore_hangups() -> None:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def _take_terminal() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Server:
    """A `backroom` server process, its stderr collected line by line."""

    def __init__(
        self,
        argv: list[str],
        port: int,
        env: dict[str, str] | None = None,
        *,
        nohup: bool = False,
    ) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
            # Started as `nohup backroom serve ...` would be: hang-ups ignored, and that
            # passed on to every child unless the server undoes it.
            preexec_fn=_ignore_hangups if nohup else None,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._collect, daemon=True).start()
        wait_for_port(port)

    def _collect(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, pattern: str, timeout: float = 15, nth: int = 0) -> re.Match[str]:
        """The first (or NTH, from 0) stderr line matching PATTERN, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in (re.search(pattern, line) for line in list(self.lines)) if m]
            if len(found) > nth:
                return found[nth]
            time.sleep(0.05)
        raise TimeoutError(f"no line like {pattern!r} in {self.lines!r}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def backroom_argv(url: str, *args: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import sys; from backroom.tui.cli import main; sys.exit(main())",
        "--db",
        url,
        *args,
    ]


@pytest.fixture
def keyed(sqlite_database, tmp_path) -> Iterator[tuple[str, Path]]:
    """The database (ann, an operator, has an SSH key) and ann's private key."""
    if shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
        pytest.skip("no OpenSSH client here (apt-get install openssh-client)")
    key = keypair(tmp_path, "ann")
    add_user("ann", "operator", by=get_user(TEST_USER))
    add_key("ann", (tmp_path / "ann.pub").read_text(), by=get_user(TEST_USER))
    db.close()
    yield sqlite_database, key
