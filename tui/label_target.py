"""What a screen offers to print with F10: a label kind and its key (tui/screens/print_label.py
prints it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelTarget:
    """What a screen offers to print: a label kind and its key."""

    kind: str  # location, item, lot, serial, sscc, badge
    key: str
    item: str | None = None  # for a lot number several items share
    more: tuple[str, ...] = ()  # further keys of the same kind: every parcel of a shipment

    @property
    def title(self) -> str:
        """The label as the print dialog names it: 'lot L1', 'sscc 3...(+2)'."""
        extra = f" (+{len(self.more)})" if self.more else ""
        return f"{self.kind} {self.key}{extra}"
