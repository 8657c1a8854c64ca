"""What the command line prints goes through here: stored text may hold an item name
made of terminal escapes (an older database, a row written past Backroom), and a
terminal would act on them: retitle the window, clear the screen, turn a line around.
main() puts standard output behind SafeOutput for every sub-command, so no command can
forget it; errors are made printable where they are said (context.say_error)."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator, Sequence

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of --help)
if TYPE_CHECKING:
    from typing import TextIO


class SafeOutput(io.TextIOBase):
    """A text stream that shows control characters instead of sending them: ESC is
    written as \\u001b (valid in JSON too). Line breaks and tabs pass; bytes written to
    .buffer (a PNG label, a PDF) pass untouched."""

    def __init__(self, stream: TextIO) -> None:
        from backroom.models.rules.text import printable  # here: not for `--help`

        super().__init__()
        self.stream = stream
        self.printable = printable

    def write(self, text: str) -> int:
        self.stream.write(self.printable(text, lines=True))
        return len(text)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")

    @property
    def buffer(self) -> object:
        return self.stream.buffer  # type: ignore[attr-defined]


@contextlib.contextmanager
def safe_stdout() -> Iterator[None]:
    """Standard output shown safely until the block ends (then as it was)."""
    original = sys.stdout
    sys.stdout = SafeOutput(original)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout = original


def not_utf8(words: Sequence[str]) -> str:
    """What is wrong with a command line holding bytes that are not UTF-8 (Python hands
    them over as lone surrogates, which can be neither stored nor printed); "" if none."""
    for position, word in enumerate(words, start=1):
        if any("\ud800" <= char <= "\udfff" for char in word):
            return f"word {position} of the command line is not UTF-8 text"
    return ""
