"""How many people may stand at the servers' doors, and how often they may knock.

Counted per client address: an IPv4 address as it is, an IPv6 address by its /64
(one machine is usually given a whole /64, and could otherwise take a new address
for every connection).
"""

from __future__ import annotations

import ipaddress
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

ADDRESSES_KEPT = 10_000  # addresses whose recent failures are remembered at once
WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # listening everywhere: no address to be reached at


def address_of(peer: object) -> str:
    """The client address a limit counts by: PEER's IPv4 address, or its IPv6 /64."""
    host = peer[0] if isinstance(peer, tuple) and peer else peer
    try:
        ip = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return str(host)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass
class Admission:
    """What the door says to a new connection: in or not, and whom it drops for it."""

    admitted: bool
    reason: str = ""
    dropped: list[Hashable] = field(default_factory=list)


@dataclass
class Waiting:
    """A connection not logged in yet: from where, since when, and whether it has
    got as far as naming a user (an idle socket never does)."""

    address: str
    since: float
    naming: bool = False


@dataclass
class Doorway:
    """Connections to the SSH server: those still logging in and those inside.

    Connections not yet logged in may hold at most `max_waiting` of `max_connections`,
    and `max_waiting_per_address` per address, so the rest is room for people who log
    in. When a new connection would pass a bound, an older waiting one of the same
    address (or else of the address with the most waiting) is dropped for it: a socket
    idle for `young` seconds without naming a user, or one naming a user for
    `young_naming` seconds, has had its chance. With none such, the new one is refused.
    """

    max_connections: int
    max_waiting: int
    max_waiting_per_address: int
    young: float = 1.0
    young_naming: float = 10.0  # a person typing a PIN
    clock: Callable[[], float] = time.monotonic
    inside: int = 0
    waiting: dict[Hashable, Waiting] = field(default_factory=dict)  # oldest first

    def arrive(self, who: Hashable, address: str) -> Admission:
        """A new connection WHO from ADDRESS, not logged in yet."""
        room = min(self.max_waiting, self.max_connections - self.inside)
        if room <= 0:
            return Admission(False, f"{self.max_connections} connections")
        same = [w for w, c in self.waiting.items() if c.address == address]
        if len(same) >= self.max_waiting_per_address:
            bound, candidates = f"{len(same)} not logged in from {address}", same
        elif len(self.waiting) >= room:
            bound, candidates = f"{len(self.waiting)} not logged in", self._busiest()
        else:
            bound, candidates = "", []
        dropped = [w for w in candidates if self._had_its_chance(w)][:1]
        if bound and not dropped:
            return Admission(False, bound)
        for old in dropped:
            del self.waiting[old]
        self.waiting[who] = Waiting(address, self.clock())
        return Admission(True, bound, dropped)

    def _busiest(self) -> list[Hashable]:
        """The waiting connections of the address with the most, oldest first."""
        counts: dict[str, int] = {}
        for c in self.waiting.values():
            counts[c.address] = counts.get(c.address, 0) + 1
        order = sorted(counts, key=lambda a: -counts[a])
        return [w for a in order for w, c in self.waiting.items() if c.address == a]

    def _had_its_chance(self, who: Hashable) -> bool:
        c = self.waiting[who]
        return self.clock() - c.since >= (self.young_naming if c.naming else self.young)

    def naming(self, who: Hashable) -> None:
        """WHO has named a user: it is past key exchange, trying to log in."""
        if who in self.waiting:
            self.waiting[who].naming = True

    def logged_in(self, who: Hashable) -> None:
        """WHO has logged in: no longer waiting, inside."""
        if self.waiting.pop(who, None) is not None:
            self.inside += 1

    def left(self, who: Hashable, was_inside: bool) -> None:
        """WHO's connection closed (dropped ones were forgotten when dropped)."""
        if was_inside:
            self.inside -= 1
        else:
            self.waiting.pop(who, None)


@dataclass
class RateLimit:
    """At most `per_window` failures per address within `window` seconds; past that,
    the address is turned away until its oldest failure leaves the window."""

    per_window: int
    window: float = 60.0
    clock: Callable[[], float] = time.monotonic
    failures: dict[str, deque[float]] = field(default_factory=dict)

    def blocked(self, address: str) -> bool:
        """True while ADDRESS has used up its failures for the window."""
        recent = self._recent(address)
        return recent is not None and len(recent) >= self.per_window

    def failed(self, address: str) -> None:
        """One more failure from ADDRESS."""
        recent = self._recent(address)
        if recent is None:
            if len(self.failures) >= ADDRESSES_KEPT:
                del self.failures[next(iter(self.failures))]
            recent = self.failures[address] = deque()
        recent.append(self.clock())

    def _recent(self, address: str) -> deque[float] | None:
        recent = self.failures.get(address)
        if recent is None:
            return None
        since = self.clock() - self.window
        while recent and recent[0] <= since:
            recent.popleft()
        if not recent:
            del self.failures[address]
            return None
        return recent


@dataclass
class SessionCount:
    """Web sessions running now, in total and per address, each a TUI process."""

    max_total: int
    max_per_address: int
    by_address: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_address.values())

    def refusal(self, address: str) -> str | None:
        """Why ADDRESS may not start a session now, or None if it may."""
        if self.total >= self.max_total:
            return f"{self.max_total} sessions are open, as many as this server takes"
        if self.by_address.get(address, 0) >= self.max_per_address:
            return f"{self.max_per_address} sessions are open from {address}, the most per address"
        return None

    def take(self, address: str) -> str | None:
        """Count a session for ADDRESS if there is room; the refusal if not."""
        refusal = self.refusal(address)
        if refusal is None:
            self.by_address[address] = self.by_address.get(address, 0) + 1
        return refusal

    def give_back(self, address: str) -> None:
        """A session of ADDRESS has ended (its process is gone)."""
        left = self.by_address.get(address, 0) - 1
        if left > 0:
            self.by_address[address] = left
        else:
            self.by_address.pop(address, None)
