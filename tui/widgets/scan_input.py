"""An Input that keeps what a barcode scanner sends, the GS1 separator included.

Textual's Input drops Ctrl+] (ASCII 29, the GS1 group separator: not printable)
and splits a paste at it (str.splitlines treats it as a line break). Here it is
kept, shown as ␝, and handed back as ASCII 29 in `scan_text`.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

GS = "\x1d"
GS_SHOWN = "\u241d"  # SYMBOL FOR GROUP SEPARATOR


def shown(text: str) -> str:
    """Text as displayed in the field: GS as ␝, other control characters dropped."""
    text = text.replace(GS, GS_SHOWN)
    return "".join(c for c in text if c.isprintable())


class ScanInput(Input):
    """A text field for scans and typing alike."""

    DEFAULT_CSS = """
    ScanInput {
        width: 1fr;
    }
    """

    @property
    def scan_text(self) -> str:
        """The value as the scanner sent it: ␝ back to ASCII 29."""
        return self.value.replace(GS_SHOWN, GS)

    # Textual calls the handler of each class in the MRO until one prevents the
    # default: so only the separator is handled here, the rest falls to Input.
    async def _on_key(self, event: events.Key) -> None:
        if event.character == GS or event.key == "ctrl+right_square_bracket":
            event.stop()
            event.prevent_default()
            self.insert_text_at_cursor(GS_SHOWN)

    def _on_paste(self, event: events.Paste) -> None:
        # A paste is one scan: keep everything up to the first real line break.
        first = event.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[0]
        if first:
            self.insert_text_at_cursor(shown(first))
        event.stop()
        event.prevent_default()
