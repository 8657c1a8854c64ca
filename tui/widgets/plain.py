"""Stored text on screen as it is, never as instructions: a name such as
`[red]X[/red] [@click=app.quit]q[/]` is not Rich markup to Textual, and a terminal
escape in it is shown as \\u001b, not sent. Every widget that shows names, codes,
reasons or refusals (which quote them) goes through here."""

from __future__ import annotations

from rich.text import Text
from textual.app import App

from backroom.models.rules.text import printable


def plain(value: object) -> Text:
    """VALUE as a cell or a line of text that Textual shows literally."""
    return Text("" if value is None else printable(str(value), lines=True))


def tell(app: App, message: str, **options: object) -> None:
    """A notification (toast) of MESSAGE, shown literally."""
    app.notify(printable(message, lines=True), markup=False, **options)  # type: ignore[arg-type]
