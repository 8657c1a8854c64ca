"""`backroom serve ssh` with the real OpenSSH client: a registered key opens the home
screen, Ctrl+Q ends it; other keys are refused; a dropped client ends its TUI."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

from tests.serve.conftest import (
    SSH_OPTIONS,
    Server,
    Terminal,
    backroom_argv,
    free_port,
    keypair,
)


@pytest.fixture
def server(keyed, tmp_path):
    url, _ = keyed
    port = free_port()
    hostkey = tmp_path / "host" / "ssh_host_ed25519_key"
    argv = backroom_argv(url, "--user", "tester", "serve", "ssh", "--port", str(port))
    # Sessions not held: a dropped client's TUI ends at once (test_ssh_held.py holds them).
    options = ["--host-key", str(hostkey), "--max-connections", "2", "--hold", "0"]
    running = Server([*argv, *options], port)
    yield running
    running.stop()


def ssh(key: Path, port: int, *extra: str, user: str = "ann") -> list[str]:
    return [
        "ssh",
        "-tt",
        "-i",
        str(key),
        "-p",
        str(port),
        *SSH_OPTIONS,
        *extra,
        f"{user}@127.0.0.1",
    ]


def test_a_registered_key_opens_the_home_screen_and_ctrl_q_ends_the_session(
    keyed, server, tmp_path
):
    _, key = keyed
    term = Terminal(ssh(key, server.port))
    try:
        shown = term.wait_for("Receive", "Moves per day", "ann")
        assert "Backroom" in shown
        term.resize(40, 16)  # a handheld: the server passes the new size on
        term.type(b"\x11")  # Ctrl+Q
        assert term.wait_exit() == 0
    finally:
        term.close()
    server.wait_line(r"ann session ended \(pid \d+, status 0\)")
    hostkey = tmp_path / "host" / "ssh_host_ed25519_key"
    assert stat.S_IMODE(hostkey.stat().st_mode) == 0o600  # made on first run, kept private


def test_a_key_that_is_not_registered_is_refused(keyed, server, tmp_path):
    stranger = keypair(tmp_path, "stranger")
    started = time.monotonic()
    run = subprocess.run(
        ssh(stranger, server.port, "-o", "BatchMode=yes"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 255 and "Permission denied (publickey)" in run.stderr
    assert time.monotonic() - started < 15
    # Ann's key does not open the door for a name it is not registered for either.
    _, key = keyed
    other = subprocess.run(
        ssh(key, server.port, "-o", "BatchMode=yes", user="tester"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
    )
    assert other.returncode == 255


def test_a_dropped_client_ends_its_tui(keyed, server):
    _, key = keyed
    term = Terminal(ssh(key, server.port))
    try:
        term.wait_for("Receive")
        pid = int(server.wait_line(r"ann session started \(pid (\d+)\)").group(1))
        os.killpg(term.proc.pid, 9)  # the handheld's battery dies
        term.proc.wait(5)
    finally:
        term.close()
    server.wait_line(rf"ann session ended \(pid {pid},")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_connections_beyond_the_limit_are_refused(keyed, server):
    _, key = keyed
    # One after the other: two at the same instant would be two not yet logged in, and
    # this server keeps one of its two places for people who have.
    first = Terminal(ssh(key, server.port))
    terms = [first]
    try:
        first.wait_for("Receive")
        second = Terminal(ssh(key, server.port))
        terms.append(second)
        second.wait_for("Receive")
        third = subprocess.run(
            ssh(key, server.port, "-o", "BatchMode=yes"),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
        )
        assert third.returncode == 255
        server.wait_line(r"refused .*: 2 connections")
    finally:
        for term in terms:
            with contextlib.suppress(OSError):
                term.type(b"\x11")
            term.close()
