"""One line under the search: what the list shows, or what went wrong (with the bell)."""

from __future__ import annotations

from rich.cells import cell_len
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

    def _show(self, text: str) -> None:
        """TEXT in the line; the screen is laid out again only when it needs more or
        fewer lines (a page of a long list changes the count, not the height)."""
        shown = str(self.content)
        if text == shown:
            return
        self.update(text, layout=self._lines(text) != self._lines(shown))

    def _lines(self, text: str) -> int:
        room = max(self.content_region.width, 1)
        return max(1, -(-cell_len(text) // room))

    def say(self, text: str) -> None:
        """Show TEXT as information."""
        self.remove_class("-error", "-done")
        self._show(text)

    def done(self, text: str) -> None:
        """Show TEXT as something that worked."""
        self.remove_class("-error")
        self.add_class("-done")
        self._show(text)

    def error(self, text: str) -> None:
        """Show TEXT as an error, marked ✗ (read without colour too), with the bell."""
        self.remove_class("-done")
        self.add_class("-error")
        self._show(f"✗ {text}")
        self.app.bell()
