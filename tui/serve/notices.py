"""What a served TUI is told by its server while it runs: who is watching its screen
and where else it is shown, so that the person in front of it knows.

The server gives each TUI the read end of a pipe (its number in BACKROOM_NOTICES) and
writes one JSON line whenever that changes: {"watching": [names], "sharing": [peers]}.
The TUI reads it in a thread and shows it in its header.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

NOTICES_ENV = "BACKROOM_NOTICES"
LINE_MOST = 64 * 1024


@dataclass(frozen=True)
class Company:
    """Who is with this session besides the person: leads watching, other screens."""

    watching: tuple[str, ...] = ()
    sharing: tuple[str, ...] = ()

    def header(self) -> str:
        """A few words for the header ("" when the person is alone)."""
        parts = []
        if self.watching:
            parts.append("watched by " + ", ".join(self.watching))
        if self.sharing:
            parts.append("shared with " + ", ".join(self.sharing))
        return "; ".join(parts)


def parse(line: bytes) -> Company | None:
    """One notice line as Company; None if it is not one."""
    try:
        news = json.loads(line)
        return Company(
            tuple(str(n) for n in news.get("watching", [])),
            tuple(str(p) for p in news.get("sharing", [])),
        )
    except (ValueError, AttributeError, TypeError):
        return None


def listen(told: Callable[[Company], None]) -> bool:
    """Call TOLD (from a thread) with each notice the server sends; False when this TUI
    was not started by a server that sends any."""
    fd_text = os.environ.pop(NOTICES_ENV, None)
    if not fd_text or not fd_text.isdigit():
        return False
    fd = int(fd_text)
    try:
        os.set_inheritable(fd, False)  # not passed on to what the TUI runs
    except OSError:
        return False
    threading.Thread(target=_read, args=(fd, told), name="notices", daemon=True).start()
    return True


def _read(fd: int, told: Callable[[Company], None]) -> None:
    with contextlib.suppress(OSError), os.fdopen(fd, "rb") as pipe:
        for line in pipe:
            company = parse(line[:LINE_MOST])
            if company is not None:
                told(company)
