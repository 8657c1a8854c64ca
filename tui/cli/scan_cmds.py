"""Sub-commands for scans (filled in by the scan work)."""

from __future__ import annotations


def register(sub) -> None:
    """No sub-commands yet."""
