"""Sub-commands for traces (filled in by the trace work)."""

from __future__ import annotations


def register(sub) -> None:
    """No sub-commands yet."""
