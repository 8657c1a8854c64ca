"""The line where a screen tells the person what happened: plain, or an error with
the bell, where they are looking."""

from __future__ import annotations

from textual.widgets import Static

from backroom.tui.widgets.plain import plain


class MessageLine(Static):
    """A Static that says things, and says errors with ✗ and the terminal bell; what it
    says quotes names people typed, so it is never read as markup."""

    def say(self, text: str) -> None:
        """Show TEXT as news."""
        self.remove_class("error")
        self.update(plain(text))

    def error(self, text: str) -> None:
        """Show TEXT as an error and ring the bell."""
        self.add_class("error")
        self.update(plain(f"✗ {text}"))
        self.app.bell()
