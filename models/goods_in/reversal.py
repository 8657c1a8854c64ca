"""A receipt posted against an order, reversed: the order stops counting it.

`backroom reverse` (and Undo) post the reversing move through models/stock; this keeps
the order's own record true in the same transaction: the line's received (and damaged)
quantity goes back down, the order's status follows, and the order's history says so.
"""

from __future__ import annotations

from backroom.models.errors import Refused
from backroom.models.goods_in.orders import sync_status
from backroom.models.masterdata.adding import log_event
from backroom.models.schema import User
from backroom.models.schema.goods_in import OrderLine, Receipt


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
    )
    sync_status(order, who)
