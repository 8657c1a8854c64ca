"""Session persistence over SSH, with the real OpenSSH client: a handheld that drops
mid-form takes its form up again on reconnecting and posts once; a session nobody takes
up ends when its hold time is over, and says so in the event log; a client that stops
answering is found out by keepalives."""

from __future__ import annotations

import os
import signal
import time

import pytest

from backroom.models.browse import on_hand
from backroom.models.db import db
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.migrations import open_database
from backroom.models.schema import Event, Move
from tests.serve.conftest import Server, Terminal, backroom_argv, free_port
from tests.serve.test_ssh import ssh


def _server(url: str, tmp_path, *options: str) -> Server:
    port = free_port()
    hostkey = tmp_path / "host" / "ssh_host_ed25519_key"
    argv = backroom_argv(url, "--user", "tester", "serve", "ssh", "--port", str(port))
    return Server([*argv, "--host-key", str(hostkey), *options], port)


@pytest.fixture
def stocked(keyed):
    """Ann's database with an item to receive and a shelf to put it on."""
    url, key = keyed
    open_database(url)
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    add_location("A-01")
    db.close()
    return url, key


def _drop(term: Terminal) -> None:
    """The handheld's battery dies: its SSH client is gone without a word."""
    os.killpg(term.proc.pid, signal.SIGKILL)
    term.proc.wait(5)
    term.close()


def test_a_handheld_dropped_mid_form_takes_the_form_up_again_and_posts_once(stocked, tmp_path):
    url, key = stocked
    server = _server(url, tmp_path, "--hold", "120")
    terms: list[Terminal] = []
    try:
        first = Terminal(ssh(key, server.port), size=(40, 16))
        terms.append(first)
        first.wait_for("Receive")
        pid = int(server.wait_line(r"ann session started \(pid (\d+)\)").group(1))
        first.type(b"r")
        first.wait_for("Quantity", "To location")
        for entry in (b"TAPE-48\r", b"5\r"):
            first.type(entry)
            time.sleep(1.0)  # the form checks each entry in a worker before the next
        _drop(first)
        server.wait_line(rf"ann dropped; session held for 120 s \(pid {pid}\)")

        second = Terminal(ssh(key, server.port), size=(40, 16))
        terms.append(second)
        second.wait_for("is held", "Enter  take it up again", "N      start a new one")
        second.type(b"\r")
        second.wait_for("TAPE-48", "To location")  # the form as it was left, redrawn
        server.wait_line(rf"ann took up the held session \(pid {pid}\)")
        second.type(b"A-01\r")
        second.wait_for("Posted move")
        second.type(b"\x11")  # Ctrl+Q twice: the form, then the home screen
        time.sleep(0.5)
        second.type(b"\x11")
        assert second.wait_exit() == 0
        server.wait_line(rf"ann session ended \(pid {pid}, status 0\)")
    finally:
        for term in terms:
            term.close()
        server.stop()
    open_database(url)
    assert Move.select().where(Move.kind == "receipt").count() == 1
    assert on_hand("TAPE-48", location="A-01") == 5


def test_a_held_session_nobody_takes_up_ends_and_is_logged(stocked, tmp_path):
    url, key = stocked
    server = _server(url, tmp_path, "--hold", "2")
    try:
        term = Terminal(ssh(key, server.port))
        term.wait_for("Receive")
        pid = int(server.wait_line(r"ann session started \(pid (\d+)\)").group(1))
        _drop(term)
        server.wait_line(rf"ann dropped; session held for 2 s \(pid {pid}\)")
        server.wait_line(rf"ending pid {pid} \(held 2 s and not taken up\)")
        server.wait_line(rf"ann session ended \(pid {pid},")
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        # reconnecting now, there is nothing to offer: a new session starts
        again = Terminal(ssh(key, server.port))
        again.wait_for("Receive")
        assert "is held" not in again.text()
        again.close()
    finally:
        server.stop()
    open_database(url)
    ended = Event.select().where(Event.kind == "session.expired")
    assert [(e.subject, e.user.name) for e in ended] == [("ssh:ann", "ann")]


def test_a_client_that_stops_answering_is_found_out_by_keepalives(stocked, tmp_path):
    url, key = stocked
    server = _server(url, tmp_path, "--hold", "60", "--keepalive", "1")
    term = Terminal(ssh(key, server.port))
    try:
        term.wait_for("Receive")
        pid = int(server.wait_line(r"ann session started \(pid (\d+)\)").group(1))
        started = time.monotonic()
        os.killpg(term.proc.pid, signal.SIGSTOP)  # out of range: the socket stays, silent
        server.wait_line(rf"ann dropped; session held for 60 s \(pid {pid}\)", timeout=20)
        assert time.monotonic() - started < 10  # 3 keepalives of 1 s unanswered
        os.killpg(term.proc.pid, signal.SIGCONT)
    finally:
        term.close()
        server.stop()


def test_back_before_the_old_connection_is_found_dead_the_session_is_taken_over(stocked, tmp_path):
    url, key = stocked
    server = _server(url, tmp_path, "--hold", "60")
    terms: list[Terminal] = []
    try:
        old = Terminal(ssh(key, server.port))
        terms.append(old)
        old.wait_for("Receive")
        pid = int(server.wait_line(r"ann session started \(pid (\d+)\)").group(1))
        old.type(b"r")
        old.wait_for("Quantity")
        # The handheld roamed to another access point: a new connection, while the old
        # one is not yet known to be dead.
        new = Terminal(ssh(key, server.port))
        terms.append(new)
        new.wait_for("is open on another", "Enter  take it over here")
        new.type(b"\r")
        server.wait_line(rf"ann took up the session from another connection \(pid {pid}\)")
        new.wait_for("Quantity", "To location")  # the receive form it had open
        old.wait_for("taken up elsewhere")
        old.wait_exit()  # the old client is told, and its connection closed
        new.type(b"\x1b")  # Esc: back to the home screen of the same TUI
        new.wait_for("Move")
        started = [line for line in server.lines if "ann session started" in line]
        assert started == [f"ssh: ann session started (pid {pid})"]
    finally:
        for term in terms:
            term.close()
        server.stop()
