"""TUI test helpers: a frozen header clock, so that screenshots are repeatable."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.widgets._header import HeaderClock


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """The header clock always shows 12:00:00."""
    monkeypatch.setattr(HeaderClock, "render", lambda self: Text("12:00:00"))
