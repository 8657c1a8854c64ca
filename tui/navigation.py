"""Every place in the TUI, once: the home menu, the key bindings and the command
palette are all built from this list."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from textual.screen import Screen


@dataclass(frozen=True)
class Destination:
    name: str  # action argument and palette id
    title: str
    help: str
    key: str  # letter on the home screen
    fkey: str | None  # function key, anywhere
    target: str  # "module:Class" of the screen
    group: str  # "operate" or "browse"

    def make(self) -> Screen:
        """A new instance of the screen."""
        module, cls = self.target.split(":")
        return getattr(importlib.import_module(module), cls)()


DESTINATIONS: tuple[Destination, ...] = (
    Destination(
        "stock",
        "Stock on hand",
        "What is where: by item, location or lot",
        "s",
        "f3",
        "tui.screens.stock:StockScreen",
        "browse",
    ),
)


def by_name(name: str) -> Destination:
    """The destination called NAME."""
    for dest in DESTINATIONS:
        if dest.name == name:
            return dest
    raise KeyError(name)
