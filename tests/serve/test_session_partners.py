"""Sessions seen from outside: `backroom session list` finds every live and held one,
`session end` ends one with a word to the person, a lead watching sees the screen and
no key of theirs reaches it, two screens of one person share a session, and held
sessions are capped (the oldest ends, logged)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from types import SimpleNamespace

import pytest

from backroom.models.db import db
from backroom.models.masterdata.adding import add_user, get_user
from backroom.models.migrations import open_database
from backroom.models.people.users import add_key
from backroom.models.schema import Event
from backroom.tui.serve import control
from backroom.tui.serve.session_list import Sessions
from tests.conftest import TEST_USER
from tests.serve.conftest import backroom_argv, keypair
from tests.serve.partners import Screen, Served, screen, serving


async def _two_of_anns(served: Served, key) -> tuple[Screen, Screen]:
    """Ann on two connections, each with a session of its own."""
    first = await screen(served, key)
    await first.shows("READY")
    second = await screen(served, key)
    await second.shows("is open on another", "N      start a new one")
    second.type("n")
    await second.shows("READY")
    return first, second


def _cli(url: str, folder, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BACKROOM_RUN_DIR=str(folder / "run"))
    argv = backroom_argv(url, "--user", "tester", "session", *args)
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=30)


async def test_session_list_shows_live_and_held_and_end_says_so_and_closes(keyed, tmp_path):
    url, key = keyed
    async with serving(url, tmp_path, hold_seconds=60) as served:
        first, second = await _two_of_anns(served, key)
        second.type("abc")
        await second.shows("got:abc")
        first.drop()
        await served.line(r"ann dropped; session held for 60 s")
        run = await asyncio.to_thread(_cli, url, tmp_path, "list", "--format", "json")
        assert run.returncode == 0, run.stderr
        listed = {s["state"]: s for s in json.loads(run.stdout)["sessions"]}
        assert set(listed) == {"live", "held"}
        live = listed["live"]
        assert (live["user"], live["server"], live["partners"]) == ("ann", "ssh", [])
        assert live["from"].startswith("127.0.0.1:")
        assert 0 <= live["idle_seconds"] < 30 and live["since"].endswith("+00:00")

        run = await asyncio.to_thread(_cli, url, tmp_path, "end", str(live["id"]))
        assert run.returncode == 0, run.stderr
        assert f"Ended session {live['id']} of ann" in run.stdout
        await second.shows("Backroom: your session was ended by tester.")
        async with asyncio.timeout(10):
            assert (await second.proc.wait()).exit_status != 0
        with pytest.raises(ProcessLookupError):
            await asyncio.sleep(0.5)
            os.kill(live["id"], 0)
        text = await asyncio.to_thread(_cli, url, tmp_path, "list")
        assert [line.split()[7] for line in text.stdout.splitlines()[2:]] == ["held"]  # STATE
    ended = Event.select().where(Event.kind == "session.ended")
    assert [(e.subject, e.user.name, json.loads(e.detail)["pid"]) for e in ended] == [
        ("ssh:ann", "tester", live["id"])
    ]
    db.close()


async def test_a_watcher_sees_the_screen_is_named_to_the_person_and_cannot_type(keyed, tmp_path):
    url, key = keyed
    async with serving(url, tmp_path) as served:
        ann = await screen(served, key)
        await ann.shows("READY")
        pid = served.door.sessions.tuis[0].proc.pid
        path = control.sockets(tmp_path / "run")[0]
        sock, answer = await asyncio.to_thread(control.open_watch, path, pid, "lena")
        with sock:
            assert answer["watching"]["user"] == "ann"
            await ann.shows('NOTICE {"watching": ["lena"], "sharing": []}')
            await asyncio.to_thread(sock.sendall, b"DELETE\r\x03\x11")  # typed by the lead
            ann.type("A-01")
            await ann.shows("got:A-01")
            seen = b""
            async with asyncio.timeout(10):
                while b"got:A-01" not in seen:
                    seen += await asyncio.to_thread(sock.recv, 65536)
        await ann.shows('NOTICE {"watching": [], "sharing": []}')
        await served.line("lena stopped watching ann")
    assert (tmp_path / "keys.log").read_bytes() == b"A-01"  # nothing of the lead's


@pytest.fixture
def with_a_lead(keyed, tmp_path):
    """Ann's database, and lena, a lead, with an SSH key of her own."""
    url, key = keyed
    lena = keypair(tmp_path, "lena")
    open_database(url)
    add_user("lena", "lead", by=get_user(TEST_USER))
    add_key("lena", (tmp_path / "lena.pub").read_text(), by=get_user(TEST_USER))
    db.close()
    return url, key, lena


async def test_a_lead_watches_over_ssh_read_only_and_an_operator_may_not(with_a_lead, tmp_path):
    url, key, lena_key = with_a_lead
    async with serving(url, tmp_path) as served:
        ann = await screen(served, key)
        await ann.shows("READY")
        pid = served.door.sessions.tuis[0].proc.pid
        lena = await screen(served, lena_key, user="lena", command=f"watch {pid}")
        await lena.shows("Watching ann (read-only); Ctrl+] leaves")
        await ann.shows('NOTICE {"watching": ["lena"], "sharing": []}')
        lena.type("DELETE\r\x11")  # typed by the lead: dropped
        ann.type("A-01")
        await lena.shows("got:A-01")
        lena.type("\x1d")  # Ctrl+]: she leaves
        async with asyncio.timeout(10):
            assert (await lena.proc.wait()).exit_status == 0
        await ann.shows('NOTICE {"watching": [], "sharing": []}')
        nosy = await screen(served, key, command=f"watch {pid}")  # ann is an operator
        await nosy.shows(
            "User ann is an operator: watching a person's session to help needs a lead"
        )
        async with asyncio.timeout(10):
            assert (await nosy.proc.wait()).exit_status == 1
    assert (tmp_path / "keys.log").read_bytes() == b"A-01"


async def test_a_held_session_cannot_be_watched(keyed, tmp_path):
    url, key = keyed
    async with serving(url, tmp_path, hold_seconds=60) as served:
        ann = await screen(served, key)
        await ann.shows("READY")
        pid = served.door.sessions.tuis[0].proc.pid
        ann.drop()
        await served.line("ann dropped")
        path = control.sockets(tmp_path / "run")[0]
        sock, answer = await asyncio.to_thread(control.open_watch, path, pid, "lena")
        sock.close()
        assert answer == {"error": f"Session {pid} is held: nobody is at it"}


async def test_a_vehicle_terminal_and_a_handheld_share_one_session(keyed, tmp_path):
    url, key = keyed
    async with serving(url, tmp_path, hold_seconds=60) as served:
        vehicle = await screen(served, key, (80, 24))
        await vehicle.shows("READY")
        handheld = await screen(served, key, (40, 16))
        await handheld.shows("J      join it (both type)")
        handheld.type("j")
        await vehicle.shows('NOTICE {"watching": [], "sharing": ["127.0.0.1:')
        handheld.type("from the handheld")
        vehicle.type("from the cab")
        # The stand-in echoes each read: both screens' keys may come in one read
        # ("got:from the handheldfrom the cab") or in two; either way both reached it.
        both = ("got:", "from the handheld", "from the cab")
        await vehicle.shows(*both)
        await handheld.shows(*both)
        (session,) = served.door.sessions.tuis
        assert session.fitted() == (40, 16)  # drawn for the smaller screen
        vehicle.drop()  # the forklift drives off: the handheld carries on alone
        handheld.type("still here")
        await handheld.shows("got:still here")
        assert served.door.sessions.held == [] and session.fitted() == (40, 16)
        assert [line for line in served.lines if "started" in line] == [
            f"ssh: ann session started (pid {session.proc.pid})"
        ]


async def test_past_the_cap_the_oldest_held_session_ends_and_is_logged(keyed, tmp_path):
    url, key = keyed
    async with serving(url, tmp_path, hold_seconds=60, max_held_per_user=1) as served:
        first, second = await _two_of_anns(served, key)
        old, new = (s.proc.pid for s in served.door.sessions.tuis)
        first.drop()
        await served.line(rf"ann dropped; session held for 60 s \(pid {old}\)")
        second.drop()
        await served.line(rf"ending pid {old} \(held, over the cap of 1 held per user")
        await served.line(rf"ann session ended \(pid {old},")
        assert [s.proc.pid for s in served.door.sessions.held] == [new]
        for _ in range(100):  # the event is written in a worker thread
            if Event.select().where(Event.kind == "session.ended").exists():
                break
            await asyncio.sleep(0.05)
    (event,) = Event.select().where(Event.kind == "session.ended")
    assert (event.subject, json.loads(event.detail)["pid"]) == ("ssh:ann", old)
    db.close()


def test_the_held_sessions_to_end_are_the_oldest_per_user_then_in_all():
    def held(user: str, since: float) -> SimpleNamespace:
        return SimpleNamespace(user=user, held_since=since)

    a1, a2, a3, b1, c1 = (
        held("ann", 1),
        held("ann", 2),
        held("ann", 5),
        held("bo", 3),
        held("cy", 4),
    )
    sessions = Sessions(held=[a3, b1, a1, c1, a2])
    assert sessions.over_caps(per_user=2, in_all=10) == [a1]
    assert sessions.over_caps(per_user=2, in_all=3) == [a1, a2]
    assert sessions.over_caps(per_user=5, in_all=5) == []
    assert sessions.over_caps(per_user=1, in_all=1) == [a1, a2, b1, c1]


def test_the_control_directory_must_be_closed_to_others(tmp_path):
    open_dir = tmp_path / "run"
    open_dir.mkdir(mode=0o755)
    open_dir.chmod(0o755)
    with pytest.raises(PermissionError, match="closed to others"):
        control.private_dir(open_dir)
    made = control.private_dir(tmp_path / "new")
    assert made.stat().st_mode & 0o777 == 0o700


def test_session_list_with_no_server_running_lists_nothing(sqlite_database, tmp_path):
    started = time.monotonic()
    run = _cli(sqlite_database, tmp_path, "list")
    assert (run.returncode, run.stdout.strip()) == (0, "(nothing)")
    run = _cli(sqlite_database, tmp_path, "end", "4242")
    assert run.returncode == 1 and "No session 4242 runs here" in run.stderr
    assert time.monotonic() - started < 20
