"""Undoing a receipt against an order: one line's move, or a whole pallet's receipt,
every move of it in one transaction, after which the pallet waits to be received again
(models/goods_in/reversal.py keeps the order's and the pallet's records true)."""

from __future__ import annotations

from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.people.roles import acting
from backroom.models.rules.identifiers import parse_sscc, spaced_sscc
from backroom.models.schema import Move
from backroom.models.schema.goods_in import AsnPallet, Receipt
from backroom.models.stock.ledger import PostedMove, lock_head
from backroom.models.stock.operations import reversal_of


def _standing(pallet: AsnPallet) -> list[int]:
    """The moves of PALLET's receipts that no reversal has undone, oldest first."""
    reversed_ = Move.select(Move.reverses).where(Move.reverses.is_null(False))
    query = (
        Receipt.select(Receipt.move)
        .where((Receipt.pallet == pallet) & Receipt.move.not_in(reversed_))
        .order_by(Receipt.move)
    )
    return [move_id for (move_id,) in query.tuples()]


def reverse_pallet(sscc: str, *, user: str, reason: str | None = None) -> list[PostedMove]:
    """Reverse every standing receipt move of pallet SSCC in one transaction (all or
    none); the order no longer counts them and the pallet can be received again."""

    def _reverse() -> list[PostedMove]:
        lock_head()
        who = acting(user, "reverse.own")
        code = parse_sscc(sscc)
        pallet = AsnPallet.get_or_none(AsnPallet.sscc == code)
        if pallet is None:
            raise NotFound(f"Pallet {spaced_sscc(code)} was not announced by any ASN")
        moves = _standing(pallet) if pallet.received_at is not None else []
        if not moves:
            raise Refused(f"Pallet {spaced_sscc(code)} is not received: nothing to undo")
        return [reversal_of(move_id, who, reason) for move_id in moves]

    return run_write(_reverse)


def undo_receipt(move_id: int, *, user: str, reason: str | None = None) -> list[PostedMove]:
    """Reverse receipt move MOVE_ID: if it came on a pallet, the pallet's whole receipt
    (a pallet is received whole, and is undone whole); else that one move."""

    def _undo() -> list[PostedMove]:
        lock_head()
        who = acting(user, "reverse.own")
        receipt = Receipt.get_or_none(Receipt.move == move_id)
        if receipt is None or receipt.pallet_id is None:
            return [reversal_of(move_id, who, reason)]
        pallet = receipt.pallet
        moves = _standing(pallet)
        if move_id not in moves:
            raise Refused(f"Move {move_id} was already reversed")
        return [reversal_of(m, who, reason) for m in moves]

    return run_write(_undo)
