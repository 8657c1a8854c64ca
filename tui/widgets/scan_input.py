"""An Input that keeps what a barcode scanner sends, the GS1 separator included, and
that never lets one scan run into the next.

Textual's Input drops Ctrl+] (ASCII 29, the GS1 group separator: not printable)
and splits a paste at it (str.splitlines treats it as a line break). Here it is
kept, shown as ␝, and handed back as ASCII 29 in `scan_text`.

A form's fields share one KeyHold. From the Enter that ends an entry until the form
has taken it (checked it in the database, moved the cursor on), every key that
arrives is held, not typed: a scanner's next code, sent 0 ms later in the same SSH
batch, would otherwise be glued to the code before it. The form then hands the held
keys to the field that is next (`KeyHold.replay`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import events
from textual.widgets import Input

GS = "\x1d"
GS_SHOWN = "\u241d"  # SYMBOL FOR GROUP SEPARATOR
ENTER = "\r"
BACKSPACE = "\b"
GS_KEY = "ctrl+right_square_bracket"


def shown(text: str) -> str:
    """Text as displayed in the field: GS as ␝, other control characters dropped."""
    text = text.replace(GS, GS_SHOWN)
    return "".join(c for c in text if c.isprintable())


def key_char(event: events.Key) -> str | None:
    """The character a key stands for in a scan (Enter, backspace, GS included)."""
    if event.key == "enter":
        return ENTER
    if event.key == "backspace":
        return BACKSPACE
    if event.key == GS_KEY or event.character == GS:
        return GS
    if event.is_printable and event.character:
        return event.character
    return None


@dataclass
class KeyHold:
    """Keys that arrived while the form was still taking the entry before them."""

    on: bool = False
    keys: list[str] = field(default_factory=list)

    def drop(self) -> None:
        """Forget held keys (Esc: the person starts again)."""
        self.keys.clear()

    def replay(self, into: ScanInput) -> None:
        """Type the held keys into INTO, up to and including the next Enter, which
        submits it and holds the rest again."""
        self.on = False
        keys, self.keys = self.keys, []
        for n, char in enumerate(keys):
            if char == ENTER:
                self.on = True
                self.keys = keys[n + 1 :]
                into.post_message(Input.Submitted(into, into.value))
                return
            into.type_key(char)


class ScanInput(Input):
    """A text field for scans and typing alike."""

    DEFAULT_CSS = """
    ScanInput {
        width: 1fr;
    }
    """

    def __init__(self, *args: object, hold: KeyHold | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.hold = hold

    @property
    def scan_text(self) -> str:
        """The value as the scanner sent it: ␝ back to ASCII 29."""
        return self.value.replace(GS_SHOWN, GS)

    def type_key(self, char: str) -> None:
        """CHAR as if typed here: it replaces a selection (a refused entry is selected)."""
        if char == BACKSPACE:
            self.action_delete_left()
            return
        text = shown(char)
        if not self.selection.is_empty:
            self.replace(text, *self.selection)
        elif text:
            self.insert_text_at_cursor(text)

    # Textual calls the handler of each class in the MRO until one prevents the
    # default: so only the separator (and, in a form, Enter and held keys) is handled
    # here, the rest falls to Input.
    async def _on_key(self, event: events.Key) -> None:
        char = key_char(event)
        if self.hold is not None and char is not None:
            if self.hold.on:
                self.hold.keys.append(char)
            elif char == ENTER:
                self.hold.on = True  # at once: the next key may already be queued
                self.post_message(self.Submitted(self, self.value))
            else:
                self.type_key(char)
            event.stop()
            event.prevent_default()
        elif char == GS:
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
