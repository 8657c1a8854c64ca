"""No process outlives its session: a server killed outright takes no TUI with it into
the night, and a server stopped reaps every child it started."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import RUN_MARK, _marked_backroom_processes
from tests.serve.conftest import Server, Terminal, backroom_argv, free_port
from tests.serve.test_ssh import ssh
from tests.serve.test_web import Tab, children

ENDED_WITHIN = 10.0  # seconds


def _alive(pid: int) -> bool:
    """True while PID is a process that has not ended (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _gone_within(pids: list[int], seconds: float) -> list[int]:
    """The PIDS still alive after SECONDS (waiting no longer than needed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    return [pid for pid in pids if _alive(pid)]


def _ssh_server(keyed, tmp_path) -> Server:
    url, _ = keyed
    port = free_port()
    hostkey = tmp_path / "host" / "ssh_host_ed25519_key"
    argv = backroom_argv(url, "--user", "tester", "serve", "ssh", "--port", str(port))
    return Server([*argv, "--host-key", str(hostkey)], port, nohup=True)


def _two_sessions(keyed, server: Server) -> tuple[list[Terminal], list[int]]:
    _, key = keyed
    terms, pids = [], []
    for n in range(2):
        term = Terminal(ssh(key, server.port))
        terms.append(term)
        if n:  # offered the first one, open on another connection: a second one instead
            term.wait_for("is open on another", "N      start a new one")
            term.type(b"n")
        term.wait_for("Receive")
        found = server.wait_line(r"ann session started \(pid (\d+)\)", nth=n)
        pids.append(int(found.group(1)))
    return terms, pids


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_server_that_goes_takes_its_sessions_tuis_with_it(keyed, tmp_path, how):
    server = _ssh_server(keyed, tmp_path)
    terms: list[Terminal] = []
    try:
        terms, pids = _two_sessions(keyed, server)
        assert all(_alive(pid) for pid in pids)
        os.kill(server.proc.pid, how)
        server.proc.wait(10)
        assert _gone_within(pids, ENDED_WITHIN) == []
    finally:
        for term in terms:
            term.close()
        with contextlib.suppress(ProcessLookupError):
            server.stop()


def _descendants(pid: int) -> list[int]:
    """PID's children, theirs, and so on."""
    found = []
    for child in children(pid):
        found += [child, *_descendants(child)]
    return found


def _tuis_started(pid: int, tuis: int, seconds: float = 15) -> list[int]:
    """PID's descendants, once TUIS Backroom TUIs are among them."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = _descendants(pid)
        if sum("tui.cli" in _command_line(child) for child in found) >= tuis:
            return found
        time.sleep(0.1)
    raise TimeoutError(f"fewer than {tuis} TUIs under pid {pid}: {_descendants(pid)}")


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmd:
            return cmd.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


# SIGKILL only: it is the case the lifeline is for. SIGTERM ends the tabs through the
# server's own shutdown, which waits out each tab's grace (~25 s of the suite's budget);
# the SSH test above covers SIGTERM.
@pytest.mark.parametrize("how", [signal.SIGKILL])
async def test_a_web_server_that_goes_takes_its_tabs_tuis_with_it(sqlite_database, how):
    port = free_port()
    argv = backroom_argv(sqlite_database, "serve", "web", "--host", "127.0.0.1")
    server = Server([*argv, "--port", str(port)], port, nohup=True)
    mine = f"http://127.0.0.1:{port}"
    tabs = [Tab(port, mine), Tab(port, mine, "127.0.0.2")]
    try:
        for tab in tabs:
            assert await tab.open() == 101
        # Waited for in threads: this loop answers the tabs' websockets meanwhile, as a
        # browser would while the server closes them.
        pids = await asyncio.to_thread(_tuis_started, server.proc.pid, 2)  # and shells
        os.kill(server.proc.pid, how)
        await asyncio.to_thread(server.proc.wait, 30)
        assert await asyncio.to_thread(_gone_within, pids, ENDED_WITHIN) == []
    finally:
        for tab in tabs:
            await tab.close()
        with contextlib.suppress(ProcessLookupError):
            server.stop()


def test_the_end_of_run_check_sees_a_backroom_process_a_test_left_running():
    argv = [sys.executable, "-c", "import time; time.sleep(60)", "backroom", "serve", "ssh"]
    left = subprocess.Popen(argv, start_new_session=True)  # as an orphan would be
    try:
        found = dict(_marked_backroom_processes(os.environ[RUN_MARK]))
        assert "serve ssh" in found[left.pid]
    finally:
        left.kill()
        left.wait(5)
    assert left.pid not in dict(_marked_backroom_processes(os.environ[RUN_MARK]))
