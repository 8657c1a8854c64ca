"""The operation screens: receive, move, put away, count, adjust, scrap. Scan-first.

Each is a column of fields in scan order. Enter (or a scan, which ends in Enter)
takes what was typed or scanned: a scan fills every field it carries, then the
cursor goes to the next empty field; Enter on a full form posts. Esc clears the
form, or leaves when it is empty. Ctrl+Z undoes this session's last posting.
"""

from __future__ import annotations

from typing import ClassVar

from backroom.models.errors import Unlikely
from backroom.models.goods_in.putaway import Suggestion, put_away, refuse_no_room, suggest
from backroom.models.stock.checks import (
    FloorLimits,
    ask_if_expiring,
    held_at,
    refuse_more_than_here,
    refuse_serial_in_stock,
)
from backroom.models.stock.operations import adjust, count, receive, scrap
from backroom.tui.screens.stock.operation_form import Field, OperationScreen, Values

NO_SUGGESTION = "No rule or empty bin fits: put it in any bin with room"


def _check_take(planned: Values, tracking: str | None, source: str) -> None:
    """Refuse a quantity above what the source location holds, as soon as the item,
    lot (when it has one), source and quantity are all known."""
    needed = ("item", "qty", source)
    lot_known = "lot" in planned or tracking == "none"
    if all(planned.get(name) for name in needed) and lot_known:
        lot = planned.get("lot") or None
        refuse_more_than_here(planned["qty"], planned["item"], planned[source], lot)


def _what_is_there(planned: Values, tracking: str | None, source: str) -> str | None:
    """'A-01 holds 20 pcs of TAPE-48', once the bin and the item (and its lot) are known."""
    lot_known = "lot" in planned or tracking == "none"
    if planned.get(source) and planned.get("item") and lot_known:
        return held_at(planned["item"], planned[source], planned.get("lot") or None)
    return None


def _advice_known(planned: Values, tracking: str | None) -> bool:
    """Item, lot (when it has one) and quantity are known: a suggestion can be asked for."""
    lot_known = "lot" in planned or tracking == "none"
    return bool(planned.get("item") and planned.get("qty")) and lot_known


def _suggestion(planned: Values, source: str | None) -> Suggestion | None:
    """Where the stock should go (models/goods_in/putaway.py); None when nothing fits."""
    lot = planned.get("lot") or None
    return suggest(planned["item"], planned["qty"], lot, planned.get(source) if source else None)


class ReceiveScreen(OperationScreen):
    """Goods in from a supplier."""

    TITLE = "Receive"
    OPERATION = "receive"
    FIELDS: ClassVar = (
        Field("item", "Item", "item"),
        Field("lot", "Lot", "lot", new_lot_ok=True),
        Field("expiry", "Expiry", "date", optional=True),
        Field("qty", "Quantity", "qty"),
        Field("to", "To location", "location"),
    )

    def context_of(self, planned: Values, tracking: str | None) -> str | None:
        """Where the stock received should be put away; only said: the receipt goes to
        the location scanned."""
        if planned.get("to") or not _advice_known(planned, tracking):
            return None
        advice = _suggestion(planned, None)
        return advice.text if advice else NO_SUGGESTION

    def check_entry(self, planned: Values, tracking: str | None) -> None:
        if planned.get("item") and planned.get("lot"):
            refuse_serial_in_stock(planned["item"], planned["lot"])

    def ask_entry(self, planned: Values, filled: set[str], limits: FloorLimits) -> None:
        super().ask_entry(planned, filled, limits)
        if "expiry" in filled:
            ask_if_expiring(planned["expiry"], planned.get("lot") or "", limits)

    def perform(self, v: Values, user: str) -> str:
        return self.kept(
            receive(
                v["item"],
                v["qty"],
                v["to"],
                user=user,
                lot=v.get("lot") or None,
                expiry=v.get("expiry"),
            )
        )


class MoveScreen(OperationScreen):
    """Stock from one location to another (put away, replenish)."""

    TITLE = "Move"
    OPERATION = "transfer"
    FIELDS: ClassVar = (
        Field("from", "From location", "location"),
        Field("item", "Item", "item"),
        Field("lot", "Lot", "lot"),
        Field("qty", "Quantity", "qty"),
        Field("to", "To location", "location"),
    )

    def context_of(self, planned: Values, tracking: str | None) -> str | None:
        """What the bin holds, then where to put it (models/goods_in/putaway.py); a bin
        scanned leaves the line as it is, so a bin refused leaves the suggestion in view."""
        if planned.get("to"):
            return None
        held = _what_is_there(planned, tracking, "from")
        if held is None:
            return None
        lot = planned.get("lot") or None
        advice = suggest(planned["item"], planned.get("qty") or 1, lot, planned["from"])
        return f"{held}\n{advice.text if advice else 'No bin with room suggested'}"

    def check_entry(self, planned: Values, tracking: str | None) -> None:
        _check_take(planned, tracking, "from")
        if planned.get("to") and planned.get("item") and planned.get("qty"):
            refuse_no_room(planned["qty"], planned["item"], planned["to"])

    def perform(self, v: Values, user: str) -> str:
        done = put_away(
            v["item"], v["qty"], v["from"], v["to"], user=user, lot=v.get("lot") or None
        )
        self.remember(done.move)
        return done.sentence()


class PutAwayScreen(OperationScreen):
    """Directed put-away from the dock: the bin suggested shows in the To field; the bin
    scanned is the one used. Another bin is asked about once (scan it again, or Enter):
    the label next to the suggested one is where a mis-scan comes from. The override is
    logged with the move."""

    TITLE = "Put away"
    OPERATION = "transfer"
    KEPT = "from"  # a run of pallets from one dock, each to its own bin
    HINTS: ClassVar = {"from": "scan the dock", "to": "scan the bin used"}

    FIELDS: ClassVar = (
        Field("from", "From", "location"),
        Field("item", "Item", "item"),
        Field("lot", "Lot", "lot"),
        Field("qty", "Quantity", "qty"),
        Field("to", "To", "location"),
    )

    def read_context(
        self, planned: Values, tracking: str | None
    ) -> tuple[str | None, dict[str, str] | None]:
        """What the dock holds, then the suggested bin and why; To expects that bin. A
        bin scanned leaves both as they are: refused, the suggestion stays in view."""
        if planned.get("to"):
            return None, None
        held = _what_is_there(planned, tracking, "from")
        if not _advice_known(planned, tracking):
            return held, None
        advice = _suggestion(planned, "from")
        said = advice.text if advice else NO_SUGGESTION
        expected = f"{advice.location} (suggested)" if advice else "any bin with room"
        return "\n".join(filter(None, (held, said))), {"to": expected}

    def check_entry(self, planned: Values, tracking: str | None) -> None:
        _check_take(planned, tracking, "from")
        if planned.get("to") and planned.get("item") and planned.get("qty"):
            refuse_no_room(planned["qty"], planned["item"], planned["to"])

    def ask_entry(self, planned: Values, filled: set[str], limits: FloorLimits) -> None:
        """Also: a bin other than the suggested one is asked about before it is taken."""
        super().ask_entry(planned, filled, limits)
        if "to" not in filled or not _advice_known(planned, self.tracking):
            return
        advice = _suggestion(planned, "from")
        if advice is not None and advice.location != planned["to"]:
            used = planned["to"]
            raise Unlikely(f"Not the suggested bin {advice.location}: put it in {used} anyway?")

    def perform(self, v: Values, user: str) -> str:
        done = put_away(
            v["item"], v["qty"], v["from"], v["to"], user=user, lot=v.get("lot") or None
        )
        self.remember(done.move)
        return done.sentence()


class CountScreen(OperationScreen):
    """A blind count: the expected quantity shows only after the count is confirmed."""

    TITLE = "Count"
    OPERATION = "count"
    FIELDS: ClassVar = (
        Field("at", "Location", "location"),
        Field("item", "Item", "item"),
        Field("lot", "Lot", "lot"),
        Field("qty", "Counted", "qty", zero_ok=True),
    )

    def perform(self, v: Values, user: str) -> str:
        result = count(v["item"], v["qty"], v["at"], user=user, lot=v.get("lot") or None)
        if result.move:
            self.remember(result.move)
        verdict = "matches" if result.difference == 0 else f"difference {result.difference:+d}"
        return (
            f"Counted {result.counted} {result.item} at {result.location}: expected "
            f"{result.expected}, {verdict}" + (f" (move {result.move.id})" if result.move else "")
        )


class AdjustScreen(OperationScreen):
    """Correct stock up or down, with a reason."""

    TITLE = "Adjust"
    OPERATION = "adjust"
    FIELDS: ClassVar = (
        Field("at", "Location", "location"),
        Field("item", "Item", "item"),
        Field("lot", "Lot", "lot"),
        Field("qty", "Change (+/-)", "delta"),
        Field("reason", "Reason", "text"),
    )

    def perform(self, v: Values, user: str) -> str:
        return self.kept(
            adjust(
                v["item"],
                v["qty"],
                v["at"],
                user=user,
                reason=v["reason"],
                lot=v.get("lot") or None,
            )
        )


class ScrapScreen(OperationScreen):
    """Write damaged or expired stock off."""

    TITLE = "Scrap"
    OPERATION = "scrap"
    FIELDS: ClassVar = (
        Field("at", "Location", "location"),
        Field("item", "Item", "item"),
        Field("lot", "Lot", "lot"),
        Field("qty", "Quantity", "qty"),
        Field("reason", "Reason", "text"),
    )

    def context_of(self, planned: Values, tracking: str | None) -> str | None:
        return _what_is_there(planned, tracking, "at")

    def check_entry(self, planned: Values, tracking: str | None) -> None:
        _check_take(planned, tracking, "at")

    def perform(self, v: Values, user: str) -> str:
        return self.kept(
            scrap(
                v["item"],
                v["qty"],
                v["at"],
                user=user,
                reason=v["reason"],
                lot=v.get("lot") or None,
            )
        )


__all__ = [
    "AdjustScreen",
    "CountScreen",
    "MoveScreen",
    "PutAwayScreen",
    "ReceiveScreen",
    "ScrapScreen",
]
