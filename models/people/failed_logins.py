"""Failed logins at the servers' doors, counted rather than logged one by one.

A password guesser sends thousands of tries with made-up names; one event row each
would fill the log with noise and let a stranger write to the database at will. The
servers count them in memory instead: one `login.failed` event per client address
per window, with how many tries, how many of them the rate limit turned away unread,
and the first few names tried. A name that exists still goes through `check_pin`,
which keeps its own record of wrong PINs for that name (the lockout needs it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from backroom.models.db import run_write
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import log_event
from backroom.models.people.users import check_pin, hash_pin
from backroom.models.schema import User, utcnow

NAMES_KEPT = 10  # distinct names listed per address and window; the count has the rest
NAME_CHARS = 64  # a name tried is cut to this many characters
ADDRESSES_KEPT = 10_000  # tallies held at once; beyond that the oldest is written early


def check_password(name: str, pin: str) -> User:
    """The user NAME if PIN is theirs (as `check_pin`). A name nobody has is refused
    with the same words after the same work, and leaves no event row of its own."""
    if User.get_or_none(User.name == name.strip()) is None:
        hash_pin(pin)  # one scrypt, as a real check costs: the answer's time tells nothing
        raise Refused("Wrong name or PIN")
    return check_pin(name, pin)


def shown_name(name: str) -> str:
    """NAME as kept in the log: printable characters only, at most NAME_CHARS."""
    return "".join(c if c.isprintable() else "?" for c in name[:NAME_CHARS])


@dataclass
class Tally:
    """The failed logins from one address since `first`."""

    first: dt.datetime
    last: dt.datetime
    tries: int = 0
    turned_away: int = 0
    names: list[str] = field(default_factory=list)

    def add(self, name: str, now: dt.datetime, turned_away: bool) -> None:
        self.last = now
        self.tries += 1
        self.turned_away += turned_away
        name = shown_name(name)
        if name not in self.names and len(self.names) < NAMES_KEPT:
            self.names.append(name)


@dataclass
class FailedLogins:
    """Failed logins by client address, written as one event per address when flushed."""

    method: str  # how they tried: "ssh", "web"
    tallies: dict[str, Tally] = field(default_factory=dict)

    def record(self, address: str, name: str, *, turned_away: bool = False) -> None:
        """One failed try from ADDRESS as NAME (TURNED_AWAY: by the rate limit, unchecked)."""
        now = utcnow()
        tally = self.tallies.get(address)
        if tally is None:
            if len(self.tallies) >= ADDRESSES_KEPT:
                oldest = next(iter(self.tallies))
                run_write(self._log, {oldest: self.tallies.pop(oldest)})
            tally = self.tallies[address] = Tally(first=now, last=now)
        tally.add(name, now, turned_away)

    def flush(self) -> int:
        """Write one event per address counted so far and start again; how many."""
        tallies = self.take()
        try:
            return self.write(tallies)
        except Exception:
            self.put_back(tallies)
            raise

    def take(self) -> dict[str, Tally]:
        """The tallies so far, counting starting again (then `write` them, in a thread)."""
        tallies, self.tallies = self.tallies, {}
        return tallies

    def write(self, tallies: dict[str, Tally]) -> int:
        """One event per address in TALLIES (in one transaction); how many."""
        if tallies:
            run_write(self._log, tallies)
        return len(tallies)

    def put_back(self, tallies: dict[str, Tally]) -> None:
        """TALLIES could not be written: keep them for the next flush."""
        for address, tally in tallies.items():
            self.tallies.setdefault(address, tally)

    def _log(self, tallies: dict[str, Tally]) -> None:
        for address, tally in tallies.items():
            log_event(
                "login.failed",
                address,
                None,
                method=self.method,
                tries=tally.tries,
                turned_away=tally.turned_away,
                names=tally.names,
                first=tally.first.isoformat(timespec="seconds"),
                last=tally.last.isoformat(timespec="seconds"),
            )
