"""Lot tracking: which items take a lot (or serial number) and which take none, worded
the same wherever a move, a pick, a pack or a return names one."""

from __future__ import annotations

from typing import Protocol

from backroom.models.errors import Refused


class Tracked(Protocol):
    """What the rule reads of an item: its SKU and how it is tracked."""

    sku: str
    tracking: str  # "none", "lot" or "serial"


def _given(lot: object) -> bool:
    return lot is not None and lot != ""


def lot_word(item: Tracked) -> str:
    """What an item's lots are called at the dock: 'serial number' or 'lot'."""
    return "serial number" if item.tracking == "serial" else "lot"


def check_lot_given(item: Tracked, lot: object, *, missing: str | None = None) -> None:
    """Refuse a lot for an item that is not lot-tracked, and no lot for one that is.

    LOT is a Lot, a lot number as typed, or None/"" for none. MISSING replaces the
    advice after a tracked item's missing lot ("give the lot" by default)."""
    if item.tracking == "none":
        if _given(lot):
            raise Refused(f"Item {item.sku} is not lot-tracked: give no lot")
    elif not _given(lot):
        advice = missing or f"give the {lot_word(item)}"
        raise Refused(f"Item {item.sku} is {item.tracking}-tracked: {advice}")


def check_takes_lots(item: Tracked) -> None:
    """Refuse to make a lot for an item that is not lot-tracked."""
    if item.tracking == "none":
        raise Refused(f"Item {item.sku} is not lot-tracked; it has no lots")
