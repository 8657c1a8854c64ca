"""One line under the search: what the list shows, or what went wrong (with the bell)."""

from __future__ import annotations

from textual.widgets import Static


class StatusLine(Static):
    """A line of text; `error` shows it in the error colour and rings the bell."""

    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    StatusLine.-error {
        color: $text-error;
        background: $error-muted;
    }
    StatusLine.-done {
        color: $text-success;
    }
    """

    def __init__(self, text: str = "", **kwargs) -> None:
        # Names and codes are shown as typed: never read as markup.
        super().__init__(text, markup=False, **kwargs)

    def say(self, text: str) -> None:
        """Show TEXT as information."""
        self.remove_class("-error", "-done")
        self.update(text)

    def done(self, text: str) -> None:
        """Show TEXT as something that worked."""
        self.remove_class("-error")
        self.add_class("-done")
        self.update(text)

    def error(self, text: str) -> None:
        """Show TEXT as an error, with the terminal bell."""
        self.remove_class("-done")
        self.add_class("-error")
        self.update(text)
        self.app.bell()
