"""`backroom doctor`: what a security reviewer would look at first. Files others may read
(the database, its WAL, the kept schema copies and backups next to it), PINs shorter than
the site asks for, badge tokens kept as themselves, and settings that open doors."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

from backroom.models.config import Config
from backroom.models.db import sqlite_path
from backroom.models.errors import DomainError
from backroom.models.file_modes import FileModes, database_files, too_open
from backroom.models.people import users
from backroom.models.people.roles import allowed
from backroom.models.schema import User

SIGNING_KEY = Path("/etc/backroom/signing.key")  # the site key that signs the chain head
SAFE_PIN_LENGTH = 6
BACKUP_SUFFIXES = (".bak", ".backup", ".part", ".dump", ".sqlite", ".db")
FILE_HEADS = (b"SQLite format 3\x00", b"PGDMP")


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was looked at, whether it is right, and why not."""

    check: str  # files, pins, badges, settings
    ok: bool
    message: str
    names: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        """The finding as one line for a person."""
        return f"{'ok ' if self.ok else 'FIX'}  {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        data: dict[str, object] = {"check": self.check, "ok": self.ok, "message": self.message}
        if self.names:
            data["names"] = list(self.names)
        return data


@dataclass
class Report:
    """Everything `doctor` found; it is fine only if every finding is."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def text(self) -> str:
        wrong = sum(not f.ok for f in self.findings)
        last = "Nothing to fix" if not wrong else f"{wrong} thing{'s' * (wrong != 1)} to fix"
        return "\n".join([*(f.line for f in self.findings), last])

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "findings": [f.as_dict() for f in self.findings]}


def examine(
    config: Config, url: str, *, viewer: User | None = None, signing_key: Path | None = None
) -> Report:
    """Look at the files behind URL, the people in the open database and CONFIG's
    settings. Names of people with weak PINs are given to an admin (VIEWER None: Backroom)."""
    report = Report()
    report.findings += file_findings(config, url)
    names = viewer is None or allowed(viewer, "user.manage")
    report.findings += pin_findings(config, names=names)
    report.findings += badge_findings(names=names)
    report.findings += setting_findings(config, signing_key or SIGNING_KEY)
    return report


# --- files --------------------------------------------------------------------------------


def file_findings(config: Config, url: str) -> list[Finding]:
    """Who may read the SQLite database, its WAL and index, and the copies next to it."""
    path = sqlite_path(url)
    if path is None:
        return [Finding("files", True, "Database on PostgreSQL: its files are the server's")]
    try:
        modes = FileModes.from_config(config)
        modes.gid()
    except DomainError as exc:
        return [Finding("files", False, str(exc))]
    files = database_files(path) + copies_next_to(path)
    found = [_file_finding(p, modes, _what_file(p, path)) for p in files]
    folder = path.parent
    if folder.exists() and stat.S_IMODE(folder.stat().st_mode) & 0o002:
        found.append(Finding("files", False, f"Folder {folder} lets everyone replace the database"))
    return found


def copies_next_to(path: Path) -> list[Path]:
    """Schema copies kept before migrating, and backups lying in the database's folder."""
    if not path.parent.is_dir():
        return []
    own = {p.name for p in database_files(path)}
    copies = []
    for other in sorted(path.parent.iterdir()):
        if other.name in own or not other.is_file():
            continue
        kept = other.name.startswith(path.name + ".schema-v")
        if kept or other.suffix in BACKUP_SUFFIXES or _looks_like_a_database(other):
            copies.append(other)
    return copies


def _looks_like_a_database(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return head.startswith(FILE_HEADS)


def _file_finding(path: Path, modes: FileModes, what: str) -> Finding:
    wrong = too_open(path, modes)
    if wrong:
        return Finding("files", False, f"{what} {path} is {wrong}")
    mode = stat.S_IMODE(path.stat().st_mode)
    return Finding("files", True, f"{what} {path}: mode {mode:04o}")


def _what_file(path: Path, database: Path) -> str:
    if path == database:
        return "Database"
    for suffix, what in (("-wal", "WAL"), ("-shm", "WAL index"), ("-journal", "Journal")):
        if path.name == database.name + suffix:
            return what
    if path.name.startswith(database.name + ".schema-v"):
        return "Copy kept before a migration"
    return "Backup or copy"


# --- people -------------------------------------------------------------------------------


def pin_findings(config: Config, *, names: bool) -> list[Finding]:
    """PINs shorter than the site's minimum, of a length not known yet, or hashed with
    weaker parameters than today's."""
    try:
        minimum = config.pin_min_length
    except DomainError:  # said among the settings; measured against the safe length here
        minimum = SAFE_PIN_LENGTH
    with_pin = User.select(User.name, User.pin_digits, User.pin_hash).where(
        User.pin_hash.is_null(False)
    )
    rows = list(with_pin.order_by(User.name).tuples())
    short = tuple(n for n, digits, _ in rows if digits is not None and digits < minimum)
    unknown = tuple(n for n, digits, _ in rows if digits is None)
    weak = tuple(n for n, _, stored in rows if users.weaker_than_now(stored))
    found = [
        _people(
            "pins",
            short,
            names,
            f"shorter than the site's {minimum} digits: set new ones",
            f"Every PIN has at least {minimum} digits",
        )
    ]
    if unknown and minimum > users.PIN_LENGTHS[0]:
        found.append(
            _people(
                "pins",
                unknown,
                names,
                f"set by an older release, perhaps shorter than {minimum} digits "
                "(known at the next login)",
                "",
            )
        )
    if weak:
        found.append(
            _people(
                "pins",
                weak,
                names,
                "hashed with the faster scrypt of an older release (hashed anew at the next login)",
                "",
            )
        )
    return found


def badge_findings(*, names: bool) -> list[Finding]:
    """Badge tokens kept as themselves, and the short ones older releases issued."""
    rows = list(User.select(User.name, User.badge).where(User.badge.is_null(False)).tuples())
    scheme = users.BADGE_SCHEME + "$"
    plain = tuple(sorted(n for n, badge in rows if not badge.startswith(scheme)))
    short = tuple(sorted(n for n, badge in rows if _token_length(badge) < users.BADGE_TOKEN_DIGITS))
    digits = users.BADGE_TOKEN_DIGITS
    return [
        _people(
            "badges",
            plain,
            names,
            "kept as themselves, not hashed: renew them",
            "Every badge token is kept as a hash",
        ),
        _people(
            "badges",
            short,
            names,
            f"shorter than {digits} digits (issued by an older release): renew them",
            f"Every badge token has {digits} digits",
        ),
    ]


def _token_length(stored: str) -> int:
    """The length of the token behind a hashed badge (see users.badge_hash); unhashed
    ones count as long enough here, being named already."""
    scheme, _, rest = stored.partition("$")
    length = rest.partition("$")[0]
    if scheme != users.BADGE_SCHEME:
        return users.BADGE_TOKEN_DIGITS
    return int(length) if length.isdigit() else 0


def _people(check: str, who: tuple[str, ...], names: bool, wrong: str, right: str) -> Finding:
    if not who:
        return Finding(check, True, right)
    count = len(who)
    noun = {"pins": "PIN", "badges": "badge"}[check]
    of = f" ({', '.join(who)})" if names else " (an admin sees the names)"
    message = f"{count} {noun}{'s' * (count != 1)}{of} {wrong}"
    return Finding(check, False, message, who if names else ())


# --- settings -----------------------------------------------------------------------------


def setting_findings(config: Config, signing_key: Path = SIGNING_KEY) -> list[Finding]:
    """Settings that open doors: unknown users let in, SSH passwords, short PINs, no key."""
    found = []
    unknown = config.get("access.unknown_users", "refuse")
    if unknown == "refuse":
        found.append(Finding("settings", True, "Unknown users are refused"))
    elif unknown == "read-only":
        found.append(Finding("settings", True, "Unknown users may look, read-only"))
    else:
        found.append(Finding("settings", False, f"[access] unknown_users is {unknown!r}"))
    if config.get("serve.ssh.password_auth", False):
        found.append(Finding("settings", False, "SSH logins by password (PIN) are on: use keys"))
    else:
        found.append(Finding("settings", True, "SSH logins need a key"))
    try:
        minimum = config.pin_min_length
        found.append(
            Finding(
                "settings", minimum >= SAFE_PIN_LENGTH, f"New PINs need {minimum} digits or more"
            )
        )
    except DomainError as exc:
        found.append(Finding("settings", False, str(exc)))
    found.append(_signing_key_finding(signing_key))
    found += [_config_file_finding(path) for path in config.files]
    return found


def _signing_key_finding(path: Path) -> Finding:
    try:
        info = path.stat()
    except FileNotFoundError:
        return Finding("settings", False, f"No site signing key at {path}: the chain is unsigned")
    except OSError as exc:
        return Finding("settings", False, f"Cannot look at the signing key {path}: {exc.strerror}")
    mode = stat.S_IMODE(info.st_mode)
    if not stat.S_ISREG(info.st_mode):
        return Finding("settings", False, f"The signing key {path} is not a file")
    if mode & 0o077:
        return Finding(
            "settings", False, f"The signing key {path} is open to others (mode {mode:04o})"
        )
    return Finding("settings", True, f"Site signing key {path}: mode {mode:04o}")


def _config_file_finding(path: Path) -> Finding:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o022:
        return Finding("settings", False, f"Config file {path} is writable by others ({mode:04o})")
    return Finding("settings", True, f"Config file {path}: mode {mode:04o}")
