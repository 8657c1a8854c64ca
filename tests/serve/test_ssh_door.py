"""`backroom serve ssh` before anyone has logged in: idle sockets cannot keep a person
with a key out, a connection that never logs in is closed after the grace time, and a
password guesser is turned away and counted, not logged one row per guess."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import time
from pathlib import Path

import asyncssh
import pytest

from backroom.models.db import db
from backroom.models.masterdata.adding import get_user
from backroom.models.migrations import open_database
from backroom.models.people.users import set_pin
from backroom.models.schema import Event
from tests.conftest import TEST_USER
from tests.serve.conftest import Server, backroom_argv, free_port

ANN_PIN = "482913"


def start(url: str, folder: Path, config: str, *options: str) -> Server:
    """The SSH server with CONFIG as its [serve.ssh] section."""
    port = free_port()
    (folder / "serve.toml").write_text("[serve.ssh]\n" + config)
    argv = backroom_argv(url, "--config", str(folder / "serve.toml"), "serve", "ssh")
    hostkey = folder / "host" / "ssh_host_ed25519_key"
    return Server([*argv, "--port", str(port), "--host-key", str(hostkey), *options], port)


def idle_socket(port: int, source: str) -> socket.socket | None:
    """A TCP connection from SOURCE that reads the server's greeting and then says
    nothing; None if the server closed it at once."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    try:
        greeting = sock.recv(256)
    except ConnectionResetError:
        greeting = b""
    if not greeting.startswith(b"SSH-2.0-"):
        sock.close()
        return None
    return sock


async def log_in(port: int, source: str, user: str, **auth) -> str:
    """Log in from SOURCE; 'in' when it worked, else the kind of refusal."""
    try:
        conn = await asyncssh.connect(
            "127.0.0.1",
            port,
            username=user,
            known_hosts=None,
            local_addr=(source, 0),
            agent_path=None,
            client_keys=auth.pop("client_keys", None),
            preferred_auth="publickey,password",
            connect_timeout=15,
            **auth,
        )
    except asyncssh.PermissionDenied:
        return "denied"
    except (asyncssh.DisconnectError, ConnectionError) as exc:
        return f"closed: {exc}"
    conn.close()
    await conn.wait_closed()
    return "in"


async def guess(port: int, name: str) -> str:
    """One wrong password as NAME from 127.0.0.1; asked again while the door is full
    (the connections before it not yet closed on the server's side)."""
    for _ in range(50):
        answer = await log_in(port, "127.0.0.1", name, password="123456")
        if "Too many Backroom sessions" not in answer:
            return answer
    raise AssertionError(f"the door stayed full for {name}")


def failed_login_events(url: str) -> list[dict]:
    open_database(url)
    try:
        rows = Event.select().where(Event.kind == "login.failed").order_by(Event.id)
        return [dict(json.loads(e.detail), address=e.subject) for e in rows]
    finally:
        db.close()


def event_kinds(url: str) -> list[str]:
    open_database(url)
    try:
        return [e.kind for e in Event.select(Event.kind)]
    finally:
        db.close()


@pytest.fixture
def with_pin(keyed):
    """Ann (key and PIN) in the database."""
    url, key = keyed
    open_database(url)
    set_pin("ann", ANN_PIN, by=get_user(TEST_USER))
    db.close()
    return url, key


async def test_idle_sockets_that_never_log_in_do_not_keep_a_key_out(keyed, tmp_path):
    url, key = keyed
    config = "drop_idle_after_seconds = 0\nmax_unauthenticated_per_address = 2\n"
    server = start(url, tmp_path, config, "--max-connections", "4")
    idle: list[socket.socket] = []
    try:
        # Six idle sockets from two addresses: more than the server's four places.
        for source in ("127.0.0.2",) * 3 + ("127.0.0.3",) * 3:
            sock = idle_socket(server.port, source)
            if sock is not None:
                idle.append(sock)
        server.wait_line(r"dropped 127\.0\.0\.2:\d+, not logged in")
        # A person with a key, from a new address and from the idle sockets' own.
        assert await log_in(server.port, "127.0.0.4", "ann", client_keys=[str(key)]) == "in"
        assert await log_in(server.port, "127.0.0.2", "ann", client_keys=[str(key)]) == "in"
        server.wait_line(r"ssh: ann logged in")  # the server says so too
    finally:
        for sock in idle:
            sock.close()
        server.stop()


async def test_a_connection_that_does_not_log_in_within_the_grace_is_closed(with_pin, tmp_path):
    url, _ = with_pin
    config = "password_auth = true\nfailed_login_window_seconds = 1\n"
    server = start(url, tmp_path, config, "--login-grace", "2")
    sock = None
    try:
        sock = idle_socket(server.port, "127.0.0.1")
        assert sock is not None
        sock.settimeout(15)
        rest = b""
        while chunk := sock.recv(4096):  # until the server closes it
            rest += chunk
        server.wait_line(r"127\.0\.0\.1:\d+ did not log in within 2 s")
        # A wrong PIN is written as one event within the window, while the server runs.
        assert await log_in(server.port, "127.0.0.1", "ann", password="000000") == "denied"
        deadline = time.monotonic() + 15
        while not failed_login_events(url) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        [event] = failed_login_events(url)
        assert event["tries"] == 1 and event["names"] == ["ann"]
        assert event["address"] == "127.0.0.1" and event["method"] == "ssh"
    finally:
        if sock is not None:
            sock.close()
        server.stop()


async def test_a_hundred_password_guesses_are_turned_away_and_counted_in_a_few_rows(
    with_pin, tmp_path
):
    url, _ = with_pin
    config = "password_auth = true\nfailed_logins_per_minute = 10\n"
    server = start(url, tmp_path, config + "max_unauthenticated_per_address = 10\n")
    names = [f"guess-{secrets.token_hex(4)}" for _ in range(100)]
    try:
        answers = []
        for batch in range(0, 100, 10):
            answers += await asyncio.gather(*(guess(server.port, n) for n in names[batch:][:10]))
        assert "in" not in answers
        # This address has used up its tries: even ann's right PIN is turned away...
        assert await log_in(server.port, "127.0.0.1", "ann", password=ANN_PIN) != "in"
        # ...while from anywhere else it opens the door.
        assert await log_in(server.port, "127.0.0.5", "ann", password=ANN_PIN) == "in"
    finally:
        server.stop()
    assert server.proc.returncode == 0
    events = failed_login_events(url)
    assert 1 <= len(events) <= 3  # one per address per minute; the test may span two
    assert {e["address"] for e in events} == {"127.0.0.1"}
    assert sum(e["tries"] for e in events) == 101  # the guesses and ann's turned-away try
    assert sum(e["turned_away"] for e in events) >= 90  # past ten, none was even checked
    kept = [n for e in events for n in e["names"]]
    assert 10 <= len(kept) <= 30 and set(kept) <= set(names)
    assert "user.pin_failed" not in event_kinds(url)  # no row per made-up name
