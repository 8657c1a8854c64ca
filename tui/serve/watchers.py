"""A lead watching a session over SSH: `ssh -t lead@host -p 2222 watch ID` shows the
session's screen, read-only (tui/serve/tui_session.py drops every key but Ctrl+],
which leaves); only a lead or an admin may."""

from __future__ import annotations

import contextlib

import asyncssh

from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.tui.serve.session_list import LEAVE_MODES


class ChannelWatcher:
    """A lead watching over SSH (`ssh -t lead@host watch ID`): shown, never heard."""

    def __init__(self, chan: asyncssh.SSHServerChannel, name: str, peer: str) -> None:
        self.chan, self.name, self.peer = chan, name, peer

    def write(self, data: bytes) -> None:
        with contextlib.suppress(OSError, asyncssh.Error):
            self.chan.write(data)

    def close(self, message: str) -> None:
        with contextlib.suppress(OSError, asyncssh.Error):
            self.chan.write(LEAVE_MODES + f"\r\nBackroom: {message}.\r\n".encode())
            self.chan.exit(0)


def may_watch(user: str) -> str | None:
    """Why USER may not watch others' sessions (a lead's), or None if they may."""
    from backroom.models.people import roles

    try:
        with db.connection_context():
            roles.permit(user, "session.watch")
    except DomainError as exc:
        return str(exc)
    return None
