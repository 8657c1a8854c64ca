"""A receipt posted against an order, reversed: the order stops counting it.

`backroom reverse` (and Undo) post the reversing move through models/stock; this keeps
the order's own record true in the same transaction: the line's received (and damaged)
quantity goes back down, the order's status follows, and the order's history says so.
A pallet whose every receipt is reversed waits to be received again, as announced.
"""

from __future__ import annotations

from backroom.models.errors import Refused
from backroom.models.goods_in.orders import sync_status
from backroom.models.masterdata.adding import log_event
from backroom.models.schema import Move, User
from backroom.models.schema.goods_in import Asn, AsnPallet, OrderLine, Receipt


def receipt_reversed(move_id: int, reversal_id: int, who: User) -> None:
    """Move MOVE_ID, reversed by REVERSAL_ID: if it was received against an order, the
    order no longer counts it. A closed or cancelled order's record is final: refused."""
    receipt = Receipt.get_or_none(Receipt.move == move_id)
    if receipt is None:
        return
    order = receipt.order
    if order.status in ("closed", "cancelled"):
        raise Refused(
            f"Move {move_id} was received against {order.number}, which is {order.status}: "
            "correct the stock with a count or an adjustment instead"
        )
    line = receipt.line
    if line is not None:
        damaged = receipt.qty if receipt.disposition == "damaged" else 0
        OrderLine.update(
            qty_received=OrderLine.qty_received - receipt.qty,
            qty_damaged=OrderLine.qty_damaged - damaged,
        ).where(OrderLine.id == line.id).execute()
    log_event(
        "po.receipt_reversed",
        order.number,
        who,
        move=move_id,
        reversal=reversal_id,
        item=receipt.item.sku,
        qty=receipt.qty,
        line=line.number if line is not None else None,
        sscc=receipt.pallet.sscc if receipt.pallet_id else None,
    )
    if receipt.pallet_id:
        _pallet_back(receipt.pallet)
    sync_status(order, who)


def _pallet_back(pallet: AsnPallet) -> None:
    """PALLET waits to be received again once none of its receipts stands (a line
    reversed alone leaves the rest of it received: the pallet stays received)."""
    reversed_ = Move.select(Move.reverses).where(Move.reverses.is_null(False))
    standing = Receipt.select().where((Receipt.pallet == pallet) & Receipt.move.not_in(reversed_))
    if standing.exists():
        return
    AsnPallet.update(received_at=None, received_by=None).where(AsnPallet.id == pallet.id).execute()
    received = AsnPallet.select().where(
        (AsnPallet.asn == pallet.asn_id) & AsnPallet.received_at.is_null(False)
    )
    status = "partly-received" if received.exists() else "announced"
    Asn.update(status=status).where(Asn.id == pallet.asn_id).execute()
