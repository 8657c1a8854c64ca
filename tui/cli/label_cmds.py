"""Sub-commands for labels (filled in by the label work)."""

from __future__ import annotations


def register(sub) -> None:
    """No sub-commands yet."""
