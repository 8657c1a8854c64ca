"""Twenty browser tabs guessing one PIN at the same moment: the lockout is counted in the
database before any PIN is checked, so no more than five wrong PINs are ever tried, and
the right one is refused once the name is locked. On SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from backroom.models.db import db
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import add_user, get_user
from backroom.models.people import users
from backroom.models.people.users import MAX_PIN_FAILURES, check_pin, set_pin
from backroom.models.schema import User
from tests.models.support import USER

TABS = 20
RIGHT, WRONG = "471147", "999999"
LOCKED = "Too many wrong PINs for ann: try again in 5 minutes"


@pytest.fixture
def ann(database, monkeypatch) -> Counter:
    """Ann with PIN 471147; the counter says how often a wrong PIN of hers was checked."""
    # The lockout does not depend on how slow a hash is: a quarter of today's work keeps
    # the twenty tries overlapping (each still takes tens of ms) and the test quick.
    monkeypatch.setattr(users, "SCRYPT_N", 2**14)
    add_user("ann", "operator", by=get_user(USER))
    set_pin("ann", RIGHT, by=get_user(USER))
    stored = User.get(User.name == "ann").pin_hash
    checked: Counter = Counter()
    lock = threading.Lock()
    real = users.pin_matches

    def counting(hashed: str, pin: str) -> bool:
        right = real(hashed, pin)
        if hashed == stored:
            with lock:
                checked["right" if right else "wrong"] += 1
        return right

    monkeypatch.setattr(users, "pin_matches", counting)
    return checked


def all_at_once(pins: list[str]) -> list[str]:
    """Try each PIN for ann in its own thread and connection, all released together;
    what each was told ("in" for a login)."""
    start = threading.Barrier(len(pins))
    told: list[str] = ["not run"] * len(pins)

    def tab(n: int, pin: str) -> None:
        try:
            with db.connection_context():
                start.wait(timeout=30)
                told[n] = "in" if check_pin("ann", pin).name == "ann" else "someone else"
        except Refused as exc:
            told[n] = str(exc)
        except Exception as exc:  # anything else is a failure the test shows
            told[n] = repr(exc)

    threads = [threading.Thread(target=tab, args=(n, pin)) for n, pin in enumerate(pins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return told


def test_twenty_tabs_guessing_at_once_get_five_tries_and_then_the_lock(ann):
    told = all_at_once([WRONG] * TABS)
    assert Counter(told) == {"Wrong name or PIN": MAX_PIN_FAILURES, LOCKED: TABS - 5}
    assert ann["wrong"] == MAX_PIN_FAILURES  # PINs really checked, not only answered
    with pytest.raises(Refused, match=LOCKED):
        check_pin("ann", RIGHT)
    assert ann["right"] == 0  # refused without being checked


def test_the_right_pin_among_nineteen_wrong_ones_gets_no_more_guesses_through(ann):
    pins = [WRONG] * (TABS - 1)
    pins.insert(TABS // 2, RIGHT)
    told = all_at_once(pins)
    wrong_told = Counter(t for pin, t in zip(pins, told, strict=True) if pin == WRONG)
    assert ann["wrong"] == wrong_told["Wrong name or PIN"] <= MAX_PIN_FAILURES
    assert wrong_told[LOCKED] == TABS - 1 - ann["wrong"]
    # The right PIN got in only if it was tried before the lock, and gave its try back.
    assert told[TABS // 2] in ("in", LOCKED)
    assert ann["right"] == (1 if told[TABS // 2] == "in" else 0)
    # One more guess is checked only if the burst left a try over; then the name is locked.
    with pytest.raises(Refused, match="Wrong name or PIN|" + LOCKED):
        check_pin("ann", WRONG)
    assert ann["wrong"] == MAX_PIN_FAILURES
    with pytest.raises(Refused, match=LOCKED):
        check_pin("ann", RIGHT)
