"""The site's signing key, and the signed checkpoints of the ledger's and the event log's
heads.

The private key lives outside the database (`/etc/backroom/signing.key`, 0600), the
public key beside it (`signing.key.pub`). A checkpoint records both chains' heads and
is signed with Ed25519, chained to the checkpoint before; it is also sent off the box
(syslog, and a file the database's owner cannot write), so a database writer who
recomputes the chains is caught by the signature, and one who also holds the key is
caught by the copies kept elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from backroom.models.config import Config
from backroom.models.db import run_write
from backroom.models.errors import DomainError, Refused
from backroom.models.schema import Checkpoint, utcnow
from backroom.models.stock.move_row import time_text

DEFAULT_KEY = Path("/etc/backroom/signing.key")
SYSLOG_SOCKET = "/dev/log"
MESSAGE_TAG = "backroom-checkpoint-1"
# How a checkpoint reads off the box. A syslog line carries a prefix (time, host, tag):
# the line is searched, not matched from its start.
OFFBOX_LINE = re.compile(
    r"backroom checkpoint (?P<id>\d+) (?P<time>\S+) move (?P<move_id>\d+) "
    r"(?P<move_hash>[0-9a-f]{64}) event (?P<event_id>\d+) (?P<event_hash>[0-9a-f]{64})"
)


PEM_BLOCK = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----\n?", re.S)


@dataclass(frozen=True)
class SigningSettings:
    """Where the key and the off-box copies are: the config's [signing] section."""

    key: Path = DEFAULT_KEY
    offbox: Path | None = None
    syslog: bool = True

    @property
    def public_key(self) -> Path:
        return self.key.with_name(self.key.name + ".pub")

    @classmethod
    def from_config(cls, config: Config) -> SigningSettings:
        return cls(
            key=config.signing_key,
            offbox=config.signing_offbox,
            syslog=config.signing_syslog,
        )


@dataclass(frozen=True)
class Head:
    """Both chains' heads: the last move and the last event, each by id and hash."""

    move_id: int
    move_hash: str
    event_id: int
    event_hash: str

    def as_dict(self) -> dict[str, object]:
        return {
            "move_id": self.move_id,
            "move_hash": self.move_hash,
            "event_id": self.event_id,
            "event_hash": self.event_hash,
        }


def key_id(public: Ed25519PublicKey) -> str:
    """A short name for a public key: the start of the SHA-256 of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def create_key(settings: SigningSettings, *, force: bool = False) -> str:
    """Write a new key pair (private 0600, public 0644); returns the new key's id.

    With FORCE an existing key is replaced; its public key stays in the .pub file, so
    the checkpoints it signed still verify."""
    path = settings.key
    if path.exists() and not force:
        raise Refused(f"A signing key is already at {path} (--force replaces it)")
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        kept = settings.public_key.read_bytes() if force else b""
    except FileNotFoundError:
        kept = b""
    _write_new(path, pem, 0o600)
    _write_new(settings.public_key, kept + public, 0o644)
    return key_id(private.public_key())


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """DATA into PATH with MODE from the first byte on (a temporary name, then renamed)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(fd, data)
        os.fchmod(fd, mode)  # whatever the umask took away
    finally:
        os.close(fd)
    os.replace(temporary, path)


def load_private(settings: SigningSettings) -> Ed25519PrivateKey:
    """The site's private key; refused when missing, unreadable or readable by others."""
    path = settings.key
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise Refused(
            f"No signing key at {path}: create one with 'backroom signing-key create'"
        ) from None
    except OSError as exc:
        raise Refused(f"Cannot read the signing key {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise Refused(
            f"The signing key {path} may be read by others (mode {stat.S_IMODE(mode):04o}): "
            f"chmod 600 {path}"
        )
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise Refused(f"{path} is not an Ed25519 key")
    return key


def load_public(settings: SigningSettings) -> dict[str, Ed25519PublicKey]:
    """The site's public keys by key id: those in the .pub file beside the private key,
    or the private key's own if that file is missing; empty if neither can be read."""
    try:
        text = settings.public_key.read_bytes()
    except OSError:
        try:
            public = load_private(settings).public_key()
        except Refused:
            return {}
        return {key_id(public): public}
    keys: dict[str, Ed25519PublicKey] = {}
    for block in PEM_BLOCK.findall(text):
        key = serialization.load_pem_public_key(block)
        if not isinstance(key, Ed25519PublicKey):
            raise DomainError(f"{settings.public_key} holds a key that is not Ed25519")
        keys[key_id(key)] = key
    return keys


def message(number: int, time: str, head: Head, signer: str, prev_signature: str | None) -> bytes:
    """The exact bytes a checkpoint's signature covers."""
    content = [
        MESSAGE_TAG,
        number,
        time,
        head.move_id,
        head.move_hash,
        head.event_id,
        head.event_hash,
        signer,
        prev_signature,
    ]
    return json.dumps(content, separators=(",", ":")).encode("utf-8")


def checkpoint_message(cp: Checkpoint) -> bytes:
    """The bytes checkpoint CP's signature covers, read back from its row."""
    head = Head(cp.move_id, cp.move_hash, cp.event_id, cp.event_hash)
    return message(cp.id, cp.time, head, cp.key_id, cp.prev_signature)


def signature_is_right(public: Ed25519PublicKey, cp: Checkpoint) -> bool:
    """True when CP was signed by the holder of PUBLIC's private key, as it stands."""
    try:
        public.verify(bytes.fromhex(cp.signature), checkpoint_message(cp))
    except (InvalidSignature, ValueError):
        return False
    return True


def record_checkpoint(settings: SigningSettings, head: Head) -> Checkpoint:
    """Sign HEAD as the next checkpoint and store it (inside a write transaction)."""
    private = load_private(settings)
    signer = key_id(private.public_key())
    last = Checkpoint.select().order_by(Checkpoint.id.desc()).first()
    number = (last.id if last else 0) + 1
    time = time_text(utcnow())
    prev = last.signature if last else None
    signature = private.sign(message(number, time, head, signer, prev)).hex()
    return Checkpoint.create(
        id=number,
        time=time,
        move_id=head.move_id,
        move_hash=head.move_hash,
        event_id=head.event_id,
        event_hash=head.event_hash,
        key_id=signer,
        prev_signature=prev,
        signature=signature,
    )


def offbox_line(cp: Checkpoint) -> str:
    """Checkpoint CP as one line for syslog or the off-box file."""
    return (
        f"backroom checkpoint {cp.id} {cp.time.replace(' ', 'T')}Z move {cp.move_id} "
        f"{cp.move_hash} event {cp.event_id} {cp.event_hash} key {cp.key_id} sig {cp.signature}"
    )


def send_off_box(settings: SigningSettings, cp: Checkpoint) -> list[str]:
    """Send CP to syslog (when there is one) and append it to the off-box file (when
    configured); returns where it went. A file that cannot be written is refused."""
    line = offbox_line(cp)
    sent: list[str] = []
    if settings.syslog and os.path.exists(SYSLOG_SOCKET):
        import logging.handlers  # pickle, queue, socket: only when there is a syslog

        handler = logging.handlers.SysLogHandler(address=SYSLOG_SOCKET)
        try:
            handler.emit(logging.makeLogRecord({"msg": line, "levelno": logging.INFO}))
            sent.append("syslog")
        finally:
            handler.close()
    if settings.offbox is not None:
        try:
            with settings.offbox.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as exc:
            raise Refused(
                f"Checkpoint {cp.id} is signed and stored, but the off-box file "
                f"{settings.offbox} could not be written: {exc.strerror}"
            ) from None
        sent.append(str(settings.offbox))
    return sent


@dataclass(frozen=True)
class OffBoxHead:
    """One checkpoint as recorded off the box: where it was read, and what it says."""

    where: str
    checkpoint: int
    head: Head


def read_off_box(settings: SigningSettings) -> tuple[list[OffBoxHead], str | None]:
    """Every checkpoint line in the off-box file, and why it could not be read (if so)."""
    path = settings.offbox
    if path is None:
        return [], None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return [], None
    except OSError as exc:
        return [], f"off-box file {path} cannot be read: {exc.strerror}"
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        hit = OFFBOX_LINE.search(line)
        if hit:
            head = Head(
                int(hit["move_id"]), hit["move_hash"], int(hit["event_id"]), hit["event_hash"]
            )
            found.append(OffBoxHead(f"{path} line {number}", int(hit["id"]), head))
    return found, None


def checkpoint(settings: SigningSettings, head: Head) -> tuple[Checkpoint, list[str]]:
    """Sign HEAD (as verify found it) as the next checkpoint, store it, and send it off
    the box; returns the checkpoint and where its copies went."""
    cp = run_write(record_checkpoint, settings, head)
    return cp, send_off_box(settings, cp)
