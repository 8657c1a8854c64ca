"""How `backroom session` reaches a running server: a Unix socket of the server's.

Each `serve ssh` listens on `<control dir>/ssh-<pid>.sock`, in a directory of the
server's account only (mode 0700; the socket 0600), and it checks the peer's account
(SO_PEERCRED): only its own account, or root, is answered. Nothing else on the machine
can list, watch or end sessions; over the network, nothing can at all. A request is
one JSON line, the answer one JSON line; after a "watch" answer the socket carries the
session's screen, and whatever the watcher sends is read and dropped, never typed.

    {"op": "list"}                         -> {"server": ..., "sessions": [...]}
    {"op": "end", "id": PID, "by": NAME}   -> {"ended": {...}} or {"error": "..."}
    {"op": "watch", "id": PID, "by": NAME} -> {"watching": {...}}, then the screen
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import struct
import tempfile
from pathlib import Path
from typing import Any, Protocol

from backroom.tui.serve.session_list import LEAVE_MODES, Sessions

RUN_DIR_ENV = "BACKROOM_RUN_DIR"
REQUEST_MOST = 4096
ANSWER_SECONDS = 5.0
WATCHER_BUFFER_MOST = 4 * 1024 * 1024  # a watcher this far behind is let go
PEERCRED = struct.Struct("3i")  # pid, uid, gid


class Served(Protocol):
    """What the control socket needs of a server's settings."""

    db_url: str
    control_dir: Path | None

    def log(self, text: str) -> None: ...


def control_dir(given: Path | None = None) -> Path:
    """The directory of the servers' sockets: GIVEN, $BACKROOM_RUN_DIR, or
    backroom/ under $XDG_RUNTIME_DIR, or backroom-UID in the temporary directory."""
    if given is not None:
        return Path(given)
    if os.environ.get(RUN_DIR_ENV):
        return Path(os.environ[RUN_DIR_ENV])
    if os.environ.get("XDG_RUNTIME_DIR"):
        return Path(os.environ["XDG_RUNTIME_DIR"]) / "backroom"
    return Path(tempfile.gettempdir()) / f"backroom-{os.getuid()}"


def private_dir(path: Path) -> Path:
    """PATH made (mode 0700) if missing; refused if another account owns it or
    others may enter it (a socket there would be theirs to reach)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(
            f"{path} must belong to this account and be closed to others (chmod 700)"
        )
    return path


# --- the server's side --------------------------------------------------------------------


class StreamWatcher:
    """A `backroom session attach` on the socket: shown the screen, never heard."""

    def __init__(self, writer: asyncio.StreamWriter, name: str) -> None:
        self.writer = writer
        self.name = name
        self.peer = "this machine"
        self.gone = asyncio.Event()

    def write(self, data: bytes) -> None:
        if self.writer.is_closing():
            self.gone.set()
        elif self.writer.transport.get_write_buffer_size() > WATCHER_BUFFER_MOST:
            self.close("too far behind the screen")
        else:
            self.writer.write(data)

    def close(self, message: str) -> None:
        with contextlib.suppress(OSError, RuntimeError):
            self.writer.write(LEAVE_MODES + f"\r\nBackroom: {message}.\r\n".encode())
            self.writer.close()
        self.gone.set()


async def start_control(sessions: Sessions, settings: Served) -> asyncio.Server:
    """Listen on this server's control socket (removed again when closed)."""
    path = private_dir(control_dir(settings.control_dir)) / f"ssh-{os.getpid()}.sock"
    with contextlib.suppress(FileNotFoundError):
        path.unlink()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await _serve_one(sessions, settings, reader, writer)
        except (OSError, ValueError, TimeoutError, asyncio.IncompleteReadError) as exc:
            settings.log(f"ssh: control request refused: {exc}")
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()

    server = await asyncio.start_unix_server(handle, path=str(path), limit=REQUEST_MOST)
    path.chmod(0o600)
    original_close = server.close

    def close() -> None:
        original_close()
        path.unlink(missing_ok=True)

    server.close = close  # type: ignore[method-assign]
    return server


def _same_account(writer: asyncio.StreamWriter) -> bool:
    sock = writer.get_extra_info("socket")
    if sock is None:
        return False
    _, uid, _ = PEERCRED.unpack(
        sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, PEERCRED.size)
    )
    return uid in (os.getuid(), 0)


async def _serve_one(
    sessions: Sessions,
    settings: Served,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    if not _same_account(writer):
        raise PermissionError("another account asked")
    request = json.loads(await asyncio.wait_for(reader.readline(), ANSWER_SECONDS))
    op, by = request.get("op"), str(request.get("by") or "an admin")[:64]
    if op == "list":
        answer: dict[str, Any] = {
            "server": "ssh",
            "pid": os.getpid(),
            "database": settings.db_url,
            "sessions": sessions.describe(),
        }
        return await _answer(writer, answer)
    session = sessions.by_id(int(request.get("id", 0)))
    if session is None:
        return await _answer(writer, {"error": f"No session {request.get('id')} here"})
    if op == "end":
        about = session.describe_now()
        session.end(f"ended by {by}", farewell=f"your session was ended by {by}.")
        return await _answer(writer, {"ended": about})
    if op != "watch":
        return await _answer(writer, {"error": f"Unknown request {op!r}"})
    if session.held_since is not None:
        return await _answer(writer, {"error": f"Session {request['id']} is held: nobody is at it"})
    await _answer(writer, {"watching": session.describe_now()})
    watcher = StreamWatcher(writer, by)
    session.watch(watcher)
    try:
        await _drop_all_it_sends(reader, watcher)
    finally:
        session.unwatch(watcher)


async def _drop_all_it_sends(reader: asyncio.StreamReader, watcher: StreamWatcher) -> None:
    """Read what the watcher sends, and drop it (a watcher's keys never reach the
    session), until it goes or is let go."""
    gone = asyncio.ensure_future(watcher.gone.wait())
    try:
        while not watcher.gone.is_set():
            read = asyncio.ensure_future(reader.read(4096))
            done, _ = await asyncio.wait({read, gone}, return_when=asyncio.FIRST_COMPLETED)
            if read not in done:
                read.cancel()
                return
            if not read.result():
                return
    finally:
        gone.cancel()


async def _answer(writer: asyncio.StreamWriter, answer: dict[str, Any]) -> None:
    writer.write((json.dumps(answer, default=str) + "\n").encode())
    await writer.drain()


# --- the command's side ----------------------------------------------------------------


def sockets(directory: Path | None = None) -> list[Path]:
    """The control sockets of the servers running now (a dead server's is removed)."""
    folder = control_dir(directory)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.sock"))


def ask(path: Path, request: dict[str, Any], timeout: float = ANSWER_SECONDS) -> dict[str, Any]:
    """One REQUEST to the server at PATH, and its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall((json.dumps(request) + "\n").encode())
        return json.loads(_line(sock))


def _line(sock: socket.socket) -> bytes:
    got = b""
    while not got.endswith(b"\n"):
        part = sock.recv(65536)
        if not part:
            raise ConnectionError("the server closed the connection")
        got += part
    return got


def ask_all(directory: Path | None = None) -> list[dict[str, Any]]:
    """Every running server's list; a socket nobody listens on (its server was
    killed) is removed."""
    answers = []
    for path in sockets(directory):
        try:
            answers.append(ask(path, {"op": "list"}))
        except ConnectionRefusedError:
            path.unlink(missing_ok=True)
        except (OSError, ValueError):
            continue
    return answers


def open_watch(path: Path, session_id: int, by: str) -> tuple[socket.socket, dict[str, Any]]:
    """Start watching SESSION_ID on the server at PATH: the socket (the screen comes
    on it) and the server's answer."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(ANSWER_SECONDS)
    sock.connect(str(path))
    sock.sendall((json.dumps({"op": "watch", "id": session_id, "by": by}) + "\n").encode())
    first = _line_keeping_rest(sock)
    sock.settimeout(None)
    return sock, first


def _line_keeping_rest(sock: socket.socket) -> dict[str, Any]:
    """The answer line, read a byte at a time so the screen after it stays unread."""
    got = b""
    while not got.endswith(b"\n"):
        part = sock.recv(1)
        if not part:
            raise ConnectionError("the server closed the connection")
        got += part
    return json.loads(got)
