"""The part of `verify` that needs the site's key: the signed checkpoints, and the heads
recorded off the box, each compared with the chains as they stand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from backroom.models.schema import Checkpoint
from backroom.models.stock.signing import (
    Head,
    OffBoxHead,
    SigningSettings,
    load_public,
    read_off_box,
    signature_is_right,
)

if TYPE_CHECKING:
    from backroom.models.stock.verify import VerifyReport


@dataclass
class Signed:
    """Checkpoints and off-box records read before the walk; the ids whose hashes the
    walk keeps for them."""

    checkpoints: list[Checkpoint]
    offbox: list[OffBoxHead]
    wanted_moves: set[int] = field(default_factory=set)
    wanted_events: set[int] = field(default_factory=set)

    def compare(self, report: VerifyReport, moves: dict[int, str], events: dict[int, str]) -> None:
        """Each checkpoint's and each off-box record's head against the chains."""
        good = Head(0, "", 0, "")  # the last head that still matches, to bound a rewrite
        for cp in self.checkpoints:
            found = _disagreements(f"checkpoint {cp.id}", _head_of(cp), good, moves, events)
            report.problems.extend(found)
            if not found:
                good = _head_of(cp)
        by_number = {cp.id: cp for cp in self.checkpoints}
        for record in self.offbox:
            said = f"checkpoint {record.checkpoint} as recorded in {record.where}"
            report.problems.extend(_disagreements(said, record.head, None, moves, events))
            stored = by_number.get(record.checkpoint)
            if stored is None:
                report.problems.append(f"{said}: missing from the database (deleted)")
            elif _head_of(stored) != record.head:
                report.problems.append(f"{said}: differs from the database's checkpoint")


def _disagreements(
    said: str, head: Head, good: Head | None, moves: dict[int, str], events: dict[int, str]
) -> list[str]:
    """How the chains disagree with HEAD, as SAID by a checkpoint or an off-box record;
    GOOD is the last signed head that still matches, so a rewrite is bounded."""
    found = []
    for what, number, recorded, chain, since in (
        ("move", head.move_id, head.move_hash, moves, good.move_id if good else None),
        ("event", head.event_id, head.event_hash, events, good.event_id if good else None),
    ):
        now = chain.get(number)
        if now is None:
            found.append(f"{said}: names {what} {number}, which is gone from the chain")
        elif now != recorded:
            where = f"{what}s {since + 1} to {number}" if since is not None else "history"
            found.append(
                f"{said}: {what} {number} was signed as {recorded[:12]}…, the chain now "
                f"has {now[:12]}… ({where} rewritten)"
            )
    return found


def check_signed(
    report: VerifyReport, settings: SigningSettings, checkpoints: list[Checkpoint]
) -> Signed:
    """Check every checkpoint's signature and link; read the off-box records."""
    keys = load_public(settings)
    report.keys = sorted(keys)
    report.checkpoints = len(checkpoints)
    report.last_checkpoint = checkpoints[-1] if checkpoints else None
    if checkpoints and not keys:
        report.problems.append(
            f"{len(checkpoints)} signed checkpoint(s), but no public key at "
            f"{settings.public_key} to check them with"
        )
    prev_signature = None
    for number, cp in enumerate(checkpoints, start=1):
        if cp.id != number:
            report.problems.append(f"checkpoint {number}: missing (deleted) before {cp.id}")
        if cp.prev_signature != prev_signature:
            report.problems.append(f"checkpoint {cp.id}: does not follow the checkpoint before it")
        key = keys.get(cp.key_id)
        if keys and key is None:
            report.problems.append(
                f"checkpoint {cp.id}: signed with key {cp.key_id}, which is not this site's"
            )
        elif key is not None and not signature_is_right(key, cp):
            report.problems.append(
                f"checkpoint {cp.id}: signature does not match (the checkpoint was changed "
                "or made without the site's key)"
            )
        prev_signature = cp.signature
    offbox, unreadable = read_off_box(settings)
    if unreadable:
        report.problems.append(unreadable)
    report.offbox = len(offbox)
    signed = Signed(checkpoints, offbox)
    for head in [*(_head_of(cp) for cp in checkpoints), *(r.head for r in offbox)]:
        signed.wanted_moves.add(head.move_id)
        signed.wanted_events.add(head.event_id)
    return signed


def _head_of(cp: Checkpoint) -> Head:
    return Head(cp.move_id, cp.move_hash, cp.event_id, cp.event_hash)
