"""Sub-commands for shipments (filled in by the shipment work)."""

from __future__ import annotations


def register(sub) -> None:
    """No sub-commands yet."""
