"""People: PINs, badges, SSH keys, logging in and deactivating. Every change is an
admin's (models/people/roles.py) and goes to the event log; secrets never do."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import math
import secrets
import struct
import threading
from dataclasses import dataclass

import peewee as pw

from backroom.models.config import DEFAULT_PIN_MIN_LENGTH, Config, ProcessSetting
from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.people.roles import require

# masterdata.adding (get_user, log_event: ~4 ms to import) is imported in the functions
# that change a user: every command opens this module to configure PINs, few change one.
from backroom.models.rules.dates import stored_time
from backroom.models.schema import User, utcnow
from backroom.models.schema.people import UserKey

PIN_LENGTHS = (4, 12)  # any PIN; a new one needs at least the site's [access] pin_min_length
# scrypt at n=2**16, r=8: 64 MiB and about 0.2 s per try on one core, which a login affords
# and which makes each guess offline as dear. The parameters are stored with each hash, and
# a PIN hashed with weaker ones is hashed anew at its next good login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**16, 8, 1
SCRYPT_MAX_N = 2**20  # a stored hash asking for more is refused, not computed
# After this many wrong PINs, each less than LOCKOUT_MINUTES after the one before, the name
# is locked until LOCKOUT_MINUTES after the last.
MAX_PIN_FAILURES = 5
LOCKOUT_MINUTES = 5
# Digits pack two to a Code 128 symbol: sixteen still fit a 57 mm badge at 203 dpi.
BADGE_TOKEN_DIGITS = 16
# A badge is found by the hash of its token, so the hash has one salt for all; scrypt (8 MiB,
# about 20 ms) keeps even the ten-digit tokens of older releases costly to guess offline.
BADGE_SCHEME, BADGE_SALT, BADGE_SCRYPT = "scrypt1", b"backroom badge token", (2**13, 8, 1)
BADGE_MAX_LENGTH = 64

_hashing = threading.BoundedSemaphore(4)  # PIN hashes computed at once in this process


# --- PINs ---------------------------------------------------------------------------------


_pin_minimum = ProcessSetting(lambda config: config.pin_min_length, lambda: DEFAULT_PIN_MIN_LENGTH)


def configure(config: Config) -> int:
    """Use CONFIG's PIN minimum ([access] pin_min_length) in this process."""
    return _pin_minimum.configure(config)


def pin_minimum() -> int:
    """The fewest digits a new PIN may have here: as configured, else from the standard
    config files, else DEFAULT_PIN_MIN_LENGTH."""
    return _pin_minimum.get()


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


def weaker_than_now(stored: str) -> bool:
    """True when STORED was hashed with less work than hash_pin does today."""
    try:
        _, n, r, p, _, _ = stored.split("$")
        return int(n) * int(r) * int(p) < SCRYPT_N * SCRYPT_R * SCRYPT_P
    except ValueError:
        return True


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, size: int = 32) -> bytes:
    with _hashing:  # a burst of logins waits its turn rather than taking 64 MiB each
        return hashlib.scrypt(
            pin.encode(), salt=salt, n=n, r=r, p=p, dklen=size, maxmem=256 * r * n + 2**20
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def check_pin_format(pin: str, minimum: int | None = None) -> str:
    """PIN if it has the site's minimum (MINIMUM, else pin_minimum()) to 12 digits; a
    Refused saying so otherwise."""
    low, high = max(PIN_LENGTHS[0], minimum or pin_minimum()), PIN_LENGTHS[1]
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise Refused(f"A PIN is {low} to {high} digits")
    return pin


def set_pin(name: str, pin: str, *, by: User | None, minimum: int | None = None) -> None:
    """Give user NAME a new PIN (an admin's job); the old one stops working, and so does
    a lockout."""
    from backroom.models.masterdata.adding import get_user, log_event

    require(by, "user.pin")
    check_pin_format(pin, minimum)
    stored = hash_pin(pin)  # slow on purpose: outside the write transaction

    def _set() -> None:
        user = get_user(name)
        User.update(
            pin_hash=stored, pin_digits=len(pin), pin_failures=0, pin_failures_until=None
        ).where(User.id == user.id).execute()
        log_event("user.pin", user.name, by, renewed=bool(user.pin_hash))

    run_write(_set)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when there is none, so that the answer takes as long."""
    return hash_pin("000000")


def check_pin(name: str, pin: str) -> User:
    """The user NAME if PIN is theirs, logged as a login. Wrong PINs are logged too, and
    after MAX_PIN_FAILURES of them the name is locked for LOCKOUT_MINUTES.

    Each try is counted in the database before the PIN is checked (one UPDATE that only
    passes under the limit), so however many sessions try at once, no more than
    MAX_PIN_FAILURES wrong PINs are ever checked; a right one gives its try back.
    """
    from backroom.models.masterdata.adding import log_event

    name = name.strip()
    user = User.get_or_none(User.name == name)
    if user is None or not user.pin_hash:
        pin_matches(_dummy_hash(), pin)
        if user is not None:
            raise Refused(
                f"User {name} has no PIN yet: an admin sets one with 'backroom user set-pin'"
            )
        run_write(log_event, "user.pin_failed", name, None)
        raise Refused("Wrong name or PIN")
    if not run_write(_count_try, user.id, utcnow()):
        raise Refused(_locked_message(user))
    if not pin_matches(user.pin_hash, pin):
        run_write(log_event, "user.pin_failed", name, user)
        raise Refused("Wrong name or PIN")
    rehashed = hash_pin(pin) if weaker_than_now(user.pin_hash) else None
    run_write(_right_pin, user, len(pin), rehashed)
    if not user.active:
        raise Refused(f"User {name!r} is deactivated")
    return user


def _count_try(user_id: int, now: dt.datetime) -> bool:
    """Count one PIN try for the user, unless the limit is reached: True if counted.
    Tries older than the lockout window are forgotten."""
    stale = User.pin_failures_until.is_null() | (User.pin_failures_until <= now)
    counted = User.update(
        pin_failures=pw.Case(None, [(stale, 1)], User.pin_failures + 1),
        pin_failures_until=now + dt.timedelta(minutes=LOCKOUT_MINUTES),
    ).where((User.id == user_id) & (stale | (User.pin_failures < MAX_PIN_FAILURES)))
    return counted.execute() == 1


def _right_pin(user: User, digits: int, rehashed: str | None) -> None:
    """A right PIN gives its try back; the PIN's length is kept (for `doctor`) and a hash
    made with weaker parameters is replaced, if the PIN was not changed meanwhile."""
    from backroom.models.masterdata.adding import log_event

    back = pw.Case(None, [(User.pin_failures > 0, User.pin_failures - 1)], 0)
    User.update(pin_failures=back, pin_digits=digits).where(User.id == user.id).execute()
    if rehashed is not None:
        same = (User.id == user.id) & (User.pin_hash == user.pin_hash)
        User.update(pin_hash=rehashed).where(same).execute()
    if user.active:
        log_event("user.login", user.name, user, method="pin")


def _locked_message(user: User) -> str:
    until = User.select(User.pin_failures_until).where(User.id == user.id).scalar()
    left = (stored_time(until) - utcnow()).total_seconds() if until else 60
    minutes = max(1, math.ceil(left / 60))
    plural = "s" if minutes != 1 else ""
    return f"Too many wrong PINs for {user.name}: try again in {minutes} minute{plural}"


# --- badges and logins --------------------------------------------------------------------


def record_login(user: User, method: str) -> None:
    """Log that USER came to a keyboard (method: badge, pin, ssh)."""
    from backroom.models.masterdata.adding import log_event

    run_write(log_event, "user.login", user.name, user, method=method)


def badge_hash(token: str) -> str:
    """What the database keeps of badge TOKEN: 'scrypt1$LENGTH$hash'. The token's length
    is kept so that `doctor` can name the short ones older releases made."""
    n, r, p = BADGE_SCRYPT
    digest = hashlib.scrypt(token.encode(), salt=BADGE_SALT, n=n, r=r, p=p, dklen=32)
    text = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return f"{BADGE_SCHEME}${len(token)}${text}"


def badge_holder(token: str) -> User | None:
    """The user whose badge holds TOKEN (active or not), or None."""
    token = token.strip()
    if not token or len(token) > BADGE_MAX_LENGTH:
        return None
    return User.get_or_none(User.badge == badge_hash(token))


def badge_login(token: str) -> User:
    """The active user whose badge holds TOKEN, logged as a login."""
    user = badge_holder(token)
    if user is None:
        raise Refused("Unknown badge: no user has it")
    if not user.active:
        raise Refused(f"User {user.name} is deactivated")
    record_login(user, "badge")
    return user


def assign_badge(name: str, *, by: User | None, renew: bool = False) -> str:
    """A new badge token for user NAME, made of random digits and logged; renew=True
    replaces a badge the user has, which makes the old one useless. The database keeps
    only its hash, so the token is shown this once. An admin's job, since a badge opens a
    shared terminal as its holder."""
    from backroom.models.masterdata.adding import get_user, log_event

    require(by, "user.badge")
    user = get_user(name)
    if user.badge and not renew:
        raise Refused(
            f"User {user.name} has a badge already, and its code is shown only when it is "
            "issued: renew it for a new one (the old badge stops working)"
        )
    while True:
        token = f"{secrets.randbelow(10**BADGE_TOKEN_DIGITS):0{BADGE_TOKEN_DIGITS}d}"
        stored = badge_hash(token)
        if not User.select().where(User.badge == stored).exists():
            break

    def _assign() -> str:
        User.update(badge=stored).where(User.id == user.id).execute()
        # Never the token itself: the event log is readable by more people than badges.
        log_event("user.badge", user.name, by, renewed=bool(user.badge))
        return token

    return run_write(_assign)


def hash_stored_badges() -> int:
    """Replace every badge token the database still holds as itself by its hash (schema
    v7); how many there were."""
    plain = User.select(User.id, User.badge).where(
        User.badge.is_null(False) & ~User.badge.startswith(BADGE_SCHEME + "$")
    )
    rows = list(plain.tuples())
    for user_id, token in rows:
        User.update(badge=badge_hash(token)).where(User.id == user_id).execute()
    return len(rows)


def deactivate(name: str, *, by: User | None) -> User:
    """Switch user NAME off: no login, no posting. Their history stays."""
    from backroom.models.masterdata.adding import log_event

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
    from backroom.models.masterdata.adding import get_user, log_event

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
