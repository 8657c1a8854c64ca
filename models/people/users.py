"""People: PINs, badges, SSH keys, logging in and deactivating. Every change is an
admin's (models/people/roles.py) and goes to the event log; secrets never do."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass

from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import get_user, log_event
from backroom.models.people.roles import require
from backroom.models.rules.dates import stored_time
from backroom.models.schema import Event, User, utcnow
from backroom.models.schema.people import UserKey

PIN_LENGTHS = (4, 12)
# scrypt at n=2**14, r=8: about 16 MiB and a few dozen milliseconds per try; the
# parameters are stored with each hash, so they can be raised later.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SCRYPT_MAX_N = 2**20  # a stored hash asking for more is refused, not computed
# After this many wrong PINs within LOCKOUT_MINUTES, the name is locked that long.
MAX_PIN_FAILURES = 5
LOCKOUT_MINUTES = 5
BADGE_TOKEN_DIGITS = 10  # digits pack two to a Code 128 symbol: fits a 50 mm label


# --- PINs ---------------------------------------------------------------------------------


def hash_pin(pin: str) -> str:
    """PIN as 'scrypt$N$r$p$salt$hash' (base64), with a new random salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(
        ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)]
    )


def pin_matches(stored: str, pin: str) -> bool:
    """True when PIN is the one STORED was made from (compared in constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        n_, r_, p_ = int(n), int(r), int(p)
        if scheme != "scrypt" or not 1 < n_ <= SCRYPT_MAX_N or r_ > 32 or p_ > 16:
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(pin, base64.b64decode(salt), n_, r_, p_, len(expected))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, size: int = 32) -> bytes:
    return hashlib.scrypt(
        pin.encode(), salt=salt, n=n, r=r, p=p, dklen=size, maxmem=256 * r * n + 2**20
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def check_pin_format(pin: str) -> str:
    """PIN if it is 4 to 12 digits; a Refused saying so otherwise."""
    low, high = PIN_LENGTHS
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise Refused(f"A PIN is {low} to {high} digits")
    return pin


def set_pin(name: str, pin: str, *, by: User | None) -> None:
    """Give user NAME a new PIN (an admin's job); the old one stops working."""
    require(by, "user.pin")
    check_pin_format(pin)
    stored = hash_pin(pin)  # slow on purpose: outside the write transaction

    def _set() -> None:
        user = get_user(name)
        User.update(pin_hash=stored).where(User.id == user.id).execute()
        log_event("user.pin", user.name, by, renewed=bool(user.pin_hash))

    run_write(_set)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when there is none, so that the answer takes as long."""
    return hash_pin("0000")


def check_pin(name: str, pin: str) -> User:
    """The user NAME if PIN is theirs, logged as a login. Wrong PINs are logged too,
    and after MAX_PIN_FAILURES of them the name is locked for LOCKOUT_MINUTES."""
    name = name.strip()
    user = User.get_or_none(User.name == name)
    locked_until = _locked_until(name)
    if locked_until is not None:
        minutes = max(1, round((locked_until - utcnow()).total_seconds() / 60))
        raise Refused(
            f"Too many wrong PINs for {name}: try again in {minutes} minute"
            + ("s" if minutes != 1 else "")
        )
    stored = user.pin_hash if user is not None and user.pin_hash else _dummy_hash()
    if user is not None and user.pin_hash is None:
        pin_matches(stored, pin)
        raise Refused(f"User {name} has no PIN yet: an admin sets one with 'backroom user set-pin'")
    if user is None or not pin_matches(stored, pin):
        run_write(log_event, "user.pin_failed", name, user)
        raise Refused("Wrong name or PIN")
    if not user.active:
        raise Refused(f"User {name!r} is deactivated")
    record_login(user, "pin")
    return user


def _locked_until(name: str) -> dt.datetime | None:
    """When the lockout of NAME ends, or None if it is not locked."""
    now = utcnow()
    window = dt.timedelta(minutes=LOCKOUT_MINUTES)
    since = now - window
    last_login = (
        Event.select(Event.time)
        .where(Event.kind == "user.login", Event.subject == name, Event.time > since)
        .order_by(Event.time.desc())
        .scalar()
    )
    failures = (
        Event.select(Event.time)
        .where(Event.kind == "user.pin_failed", Event.subject == name, Event.time > since)
        .order_by(Event.time.desc())
        .limit(MAX_PIN_FAILURES)
    )
    times = [stored_time(t) for (t,) in failures.tuples()]
    if last_login is not None:
        times = [t for t in times if t > stored_time(last_login)]
    if len(times) < MAX_PIN_FAILURES:
        return None
    return times[-1] + window


# --- badges and logins --------------------------------------------------------------------


def record_login(user: User, method: str) -> None:
    """Log that USER came to a keyboard (method: badge, pin, ssh)."""
    run_write(log_event, "user.login", user.name, user, method=method)


def badge_login(token: str) -> User:
    """The active user whose badge holds TOKEN, logged as a login."""
    token = token.strip()
    user = User.get_or_none(User.badge == token) if token else None
    if user is None:
        raise Refused("Unknown badge: no user has it")
    if not user.active:
        raise Refused(f"User {user.name} is deactivated")
    record_login(user, "badge")
    return user


def assign_badge(name: str, *, by: User | None, renew: bool = False) -> str:
    """The badge token of user NAME, made (random digits) and logged if the user has none
    yet, or replaced with renew=True, which makes the old badge useless. An admin's job,
    since a badge opens a shared terminal as its holder."""
    require(by, "user.badge")
    user = get_user(name)
    if user.badge and not renew:
        return user.badge

    def _assign() -> str:
        while True:
            token = f"{secrets.randbelow(10**BADGE_TOKEN_DIGITS):0{BADGE_TOKEN_DIGITS}d}"
            if not User.select().where(User.badge == token).exists():
                break
        User.update(badge=token).where(User.id == user.id).execute()
        # Never the token itself: the event log is readable by more people than badges.
        log_event("user.badge", user.name, by, renewed=bool(user.badge))
        return token

    return run_write(_assign)


def deactivate(name: str, *, by: User | None) -> User:
    """Switch user NAME off: no login, no posting. Their history stays."""
    require(by, "user.manage")

    def _deactivate() -> User:
        user = User.get_or_none(User.name == name)
        if user is None:
            raise NotFound(f"Unknown user {name!r}")
        if not user.active:
            return user
        admins = User.select().where(User.role == "admin", User.active, User.id != user.id)
        if user.role == "admin" and not admins.exists():
            raise Refused(f"User {name} is the last active admin and cannot be deactivated")
        User.update(active=False).where(User.id == user.id).execute()
        log_event("user.deactivate", user.name, by)
        user.active = False
        return user

    return run_write(_deactivate)


# --- SSH keys -----------------------------------------------------------------------------

KEY_ALGORITHMS = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)


@dataclass(frozen=True)
class KeyInfo:
    """One public key as an authorized_keys line has it, and its fingerprint."""

    user: str
    algorithm: str
    key: str
    fingerprint: str
    comment: str = ""

    @property
    def line(self) -> str:
        """The key as one authorized_keys line."""
        return f"{self.algorithm} {self.key} {self.comment}".rstrip()

    def as_dict(self) -> dict[str, str]:
        """The JSON form."""
        return {
            "user": self.user,
            "algorithm": self.algorithm,
            "fingerprint": self.fingerprint,
            "comment": self.comment,
        }


def parse_public_keys(text: str) -> list[tuple[str, str, str]]:
    """(algorithm, base64 key, comment) for each key line of an OpenSSH .pub or
    authorized_keys text; anything else is refused with the reason."""
    if "PRIVATE KEY" in text:
        raise Refused("This is a private key: give the public key (the .pub file)")
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 2 or parts[0] not in KEY_ALGORITHMS:
            raise Refused(f"Line {number} is not an OpenSSH public key (such as ssh-ed25519 AAAA…)")
        algorithm, blob = parts[0], parts[1]
        try:
            data = base64.b64decode(blob, validate=True)
            (size,) = struct.unpack(">I", data[:4])
            named = data[4 : 4 + size].decode("ascii")
        except (binascii.Error, struct.error, UnicodeDecodeError):
            raise Refused(f"Line {number}: the key data is damaged") from None
        if named != algorithm:
            raise Refused(f"Line {number}: the key says {named!r} inside but {algorithm!r} before")
        found.append((algorithm, blob, parts[2].strip() if len(parts) > 2 else ""))
    if not found:
        raise Refused("No public key found: give an OpenSSH .pub file")
    return found


def fingerprint(blob: str) -> str:
    """The SHA256 fingerprint of a base64 key, as `ssh-keygen -l` prints it."""
    digest = hashlib.sha256(base64.b64decode(blob)).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def add_key(name: str, keyfile_text: str, *, by: User | None) -> list[KeyInfo]:
    """Register the public keys in KEYFILE_TEXT for user NAME (for `serve ssh`)."""
    require(by, "user.key")
    keys = parse_public_keys(keyfile_text)

    def _add() -> list[KeyInfo]:
        user = get_user(name)
        added = []
        for algorithm, blob, comment in keys:
            print_ = fingerprint(blob)
            held = UserKey.get_or_none(UserKey.fingerprint == print_)
            if held is not None:
                owner = held.user.name
                raise Refused(f"Key {print_} is already registered for user {owner}")
            UserKey.create(
                user=user, algorithm=algorithm, key=blob, fingerprint=print_, comment=comment[:200]
            )
            log_event("user.key", user.name, by, fingerprint=print_, comment=comment)
            added.append(KeyInfo(user.name, algorithm, blob, print_, comment))
        return added

    return run_write(_add)


def keys_for(name: str) -> list[KeyInfo]:
    """The public keys of user NAME; none for an unknown or deactivated user."""
    user = User.get_or_none(User.name == name)
    if user is None or not user.active:
        return []
    rows = UserKey.select().where(UserKey.user == user).order_by(UserKey.id)
    return [KeyInfo(name, k.algorithm, k.key, k.fingerprint, k.comment) for k in rows]
