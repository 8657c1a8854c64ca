"""The servers' door rules on their own, with a clock the test moves: who is dropped for
whom, when an address is turned away, how failed logins are counted and written."""

from __future__ import annotations

import json

import pytest

from backroom.models.errors import Refused
from backroom.models.masterdata.adding import get_user
from backroom.models.people.failed_logins import NAMES_KEPT, FailedLogins, check_password
from backroom.models.people.users import set_pin
from backroom.models.schema import Event
from backroom.tui.serve.limits import Doorway, RateLimit, SessionCount, address_of
from tests.conftest import TEST_USER


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_idle_connection_is_dropped_for_a_new_one_but_a_fresh_one_is_not():
    clock = Clock()
    door = Doorway(max_connections=4, max_waiting=2, max_waiting_per_address=2, clock=clock)
    assert door.arrive("idle-1", "10.0.0.9").admitted
    assert door.arrive("idle-2", "10.0.0.9").admitted
    # A third from the same address a moment later: the idle ones are still young.
    refused = door.arrive("eager", "10.0.0.9")
    assert not refused.admitted and "2 not logged in from 10.0.0.9" in refused.reason
    clock.now += 1.5
    person = door.arrive("ann", "10.0.0.5")  # the door is full: the oldest idle one goes
    assert person.admitted and person.dropped == ["idle-1"]
    door.naming("ann")
    door.logged_in("ann")
    assert door.inside == 1 and list(door.waiting) == ["idle-2"]


def test_someone_typing_a_pin_has_longer_than_an_idle_socket():
    clock = Clock()
    door = Doorway(max_connections=4, max_waiting=1, max_waiting_per_address=3, clock=clock)
    door.arrive("typing", "10.0.0.5")
    door.naming("typing")
    clock.now += 5
    assert not door.arrive("other", "10.0.0.6").admitted
    clock.now += 6
    assert door.arrive("other", "10.0.0.6").dropped == ["typing"]


def test_people_inside_keep_their_places_and_a_full_server_refuses():
    door = Doorway(max_connections=2, max_waiting=1, max_waiting_per_address=3, young=0)
    for who in ("ann", "bob"):
        assert door.arrive(who, "10.0.0.5").admitted
        door.logged_in(who)
    full = door.arrive("carl", "10.0.0.7")
    assert not full.admitted and full.reason == "2 connections"
    door.left("ann", was_inside=True)
    assert door.arrive("carl", "10.0.0.7").admitted


def test_an_address_is_turned_away_after_its_failures_until_the_minute_has_passed():
    clock = Clock()
    limit = RateLimit(per_window=3, window=60, clock=clock)
    for _ in range(3):
        assert not limit.blocked("10.0.0.9")
        limit.failed("10.0.0.9")
    assert limit.blocked("10.0.0.9") and not limit.blocked("10.0.0.5")
    clock.now += 61
    assert not limit.blocked("10.0.0.9")


@pytest.mark.parametrize(
    ("peer", "address"),
    [
        (("192.0.2.7", 50000), "192.0.2.7"),
        (("2001:db8:1:2:aaaa::1", 50000, 0, 0), "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
    ],
)
def test_limits_count_ipv6_clients_by_their_64(peer, address):
    assert address_of(peer) == address


def test_a_web_session_is_counted_until_given_back():
    count = SessionCount(max_total=2, max_per_address=1)
    assert count.take("10.0.0.5") is None
    assert "from 10.0.0.5" in (count.take("10.0.0.5") or "")
    assert count.take("10.0.0.6") is None
    assert "2 sessions are open" in (count.take("10.0.0.7") or "")
    count.give_back("10.0.0.5")
    assert count.take("10.0.0.7") is None and count.total == 2


def test_failed_logins_become_one_event_per_address_with_the_names_bounded(sqlite_database):
    failures = FailedLogins("ssh")
    for n in range(25):
        failures.record("10.0.0.9", f"name-{n}", turned_away=n >= 10)
    failures.record("10.0.0.9", "\x1b]0;PWNED\x07root\u202e")
    failures.record("10.0.0.5", "ann")
    assert failures.flush() == 2 and failures.flush() == 0
    events = {
        e.subject: json.loads(e.detail) for e in Event.select().where(Event.kind == "login.failed")
    }
    assert set(events) == {"10.0.0.9", "10.0.0.5"}
    nine = events["10.0.0.9"]
    assert nine["tries"] == 26 and nine["turned_away"] == 15 and nine["method"] == "ssh"
    assert nine["names"] == [f"name-{n}" for n in range(NAMES_KEPT)]
    assert events["10.0.0.5"]["names"] == ["ann"]
    failures.record("10.0.0.5", "\x1b]0;PWNED\x07root\u202e")
    failures.flush()
    last = Event.select().where(Event.kind == "login.failed").order_by(Event.id.desc()).get()
    assert json.loads(last.detail)["names"] == ["?]0;PWNED?root?"]  # no escapes kept


def test_a_made_up_name_is_refused_like_a_wrong_pin_and_writes_nothing(sqlite_database):
    set_pin("tester", "482913", by=get_user(TEST_USER))
    before = Event.select().count()
    with pytest.raises(Refused, match="Wrong name or PIN"):
        check_password("nobody-here", "482913")
    assert Event.select().count() == before
    with pytest.raises(Refused, match="Wrong name or PIN"):
        check_password("tester", "000000")
    assert check_password("tester", "482913").name == "tester"


@pytest.mark.parametrize(
    ("peer", "forwarded", "counted_as"),
    [
        ("10.0.0.2", "203.0.113.9", "203.0.113.9"),  # the proxy says who is behind it
        ("10.0.0.2", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own part ignored
        ("10.0.0.2", "not an address", "10.0.0.2"),
        ("10.0.0.7", "203.0.113.9", "10.0.0.7"),  # not the proxy: its header is nothing
    ],
)
def test_behind_the_trusted_proxy_sessions_count_by_the_address_it_forwards(
    peer, forwarded, counted_as
):
    from aiohttp.test_utils import make_mocked_request

    from backroom.tui.serve.web import WebSettings, client_address

    class Transport:
        def get_extra_info(self, name: str, default=None):
            return (peer, 40000) if name == "peername" else default

    request = make_mocked_request(
        "GET", "/ws", headers={"X-Forwarded-For": forwarded}, transport=Transport()
    )
    settings = WebSettings("sqlite:///w.db", trusted_proxies=("10.0.0.2/32",))
    assert client_address(settings, request) == counted_as
