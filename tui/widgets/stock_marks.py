"""How stock lists mark a lot: expiry in red or yellow, a status that is not released,
and the one-letter status of a handheld (the stock and lot lists share them)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text


def short_status(value: object, layout: str) -> object:
    """On a handheld a status is one letter: Q(uarantine), B(locked), R(ecalled), q-area."""
    if layout != "compact" or not isinstance(value, Text) or not value.plain:
        return value
    letter = "q" if value.plain == "Q-area" else value.plain[0].upper()
    return Text(letter, style=value.style)


class Marks:
    """The colours of the theme that mark expiry and status, read once on the UI thread."""

    def __init__(self, variables: dict[str, str]) -> None:
        self.bad = Style(color=variables.get("error", "red"), bold=True)
        self.warn = Style(color=variables.get("warning", "yellow"))

    def expiry(self, text: str, state: str) -> Text:
        """TEXT in red if expired, yellow if expiring within 30 days."""
        style = {"expired": self.bad, "soon": self.warn}.get(state)
        return Text(text, style=style or "")

    def status(self, lot_status: str | None, quarantine_area: bool) -> Text:
        """A lot's status when it is not released, or the quarantine area."""
        if lot_status and lot_status != "released":
            return Text(lot_status, style=self.warn if lot_status == "quarantine" else self.bad)
        return Text("Q-area", style=self.warn) if quarantine_area else Text("")
