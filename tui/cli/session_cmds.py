"""session list | attach | end: the sessions of the servers running on this machine.

They reach each `serve ssh` through its control socket (tui/serve/control.py), which
only the servers' own account (or root) may use; the Backroom user acting is checked
too: an admin lists and ends, a lead may watch.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import termios
import tty
from pathlib import Path
from select import select as wait_for_input
from typing import Any

from backroom.tui.cli.context import Context, add_output, fail, positive_number, table

DETACH = b"\x1d"  # Ctrl+]: the watcher leaves


def register(sub) -> None:
    session = sub.add_parser(
        "session", help="the sessions of the running servers: list, attach (read-only), end"
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    p = session.add_parser(
        "list",
        help="every live and held session of the servers running here",
        epilog="backroom session list\nbackroom session list --format json",
    )
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_list)
    p = session.add_parser(
        "attach",
        help="watch a live session, read-only (Ctrl+] leaves); the person is shown your name",
        epilog="backroom --user lena session attach 4242",
    )
    p.add_argument("id", type=positive_number, metavar="SESSION", help="its id (session list)")
    p.set_defaults(func=cmd_attach)
    p = session.add_parser(
        "end",
        help="end a session: its unposted form is dropped, the person told, the connection closed",
        epilog="backroom session end 4242",
    )
    p.add_argument("id", type=positive_number, metavar="SESSION", help="its id (session list)")
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_end)


def _control_dir(ctx: Context) -> Path | None:
    given = ctx.config.get("serve.control_dir")
    return Path(given) if given else None


def _ours(ctx: Context) -> list[dict[str, Any]]:
    """The running servers' lists, of this command's database only."""
    from backroom.tui.serve.control import ask_all

    mine = _same_database(ctx.db_url)
    return [a for a in ask_all(_control_dir(ctx)) if _same_database(a.get("database", "")) == mine]


def _same_database(url: str) -> str:
    from backroom.models.db import sqlite_path

    path = sqlite_path(url)
    return str(path.resolve()) if path is not None else url


def _when(stamp: float | None) -> str:
    if not stamp:
        return ""
    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M:%S")


def _idle(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}"


def _partners(session: dict[str, Any]) -> str:
    return ", ".join(f"{p['user']} ({p['mode']}, {p['from']})" for p in session["partners"])


def _as_json(session: dict[str, Any]) -> dict[str, Any]:
    """SESSION with its times as ISO 8601 (UTC), as other commands print times."""
    shown = dict(session)
    for key in ("since", "held_since"):
        if shown.get(key):
            shown[key] = dt.datetime.fromtimestamp(shown[key], dt.UTC).isoformat()
    return shown


def cmd_list(ctx: Context) -> int:
    """Print every session of the running servers of this database."""
    sessions = [s for answer in _ours(ctx) for s in answer["sessions"]]
    rows = [
        (
            s["id"],
            s["server"],
            s["user"],
            s["from"],
            _when(s["since"]),
            _idle(s["idle_seconds"]),
            s["state"],
            _partners(s),
        )
        for s in sessions
    ]
    headers = ("ID", "SERVER", "USER", "FROM", "SINCE", "IDLE", "STATE", "PARTNERS")
    ctx.emit({"sessions": [_as_json(s) for s in sessions]}, lambda: table(headers, rows))
    return 0


def _server_of(ctx: Context, session_id: int) -> Path | None:
    from backroom.tui.serve.control import sockets

    for answer in _ours(ctx):
        if any(s["id"] == session_id for s in answer["sessions"]):
            folder = sockets(_control_dir(ctx))
            return next((p for p in folder if p.name == f"ssh-{answer['pid']}.sock"), None)
    return None


def cmd_end(ctx: Context) -> int:
    """End a session of a running server, cleanly, and log it."""
    from backroom.tui.serve.control import ask

    path = _server_of(ctx, ctx.args.id)
    if path is None:
        return fail(f"No session {ctx.args.id} runs here: see 'backroom session list'")
    answer = ask(path, {"op": "end", "id": ctx.args.id, "by": ctx.user})
    if "error" in answer:
        return fail(answer["error"])
    ended = answer["ended"]
    _log_end(ctx, ended)
    ctx.emit(
        {"ended": _as_json(ended)},
        f"Ended session {ended['id']} of {ended['user']} (from {ended['from']})",
    )
    return 0


def _log_end(ctx: Context, ended: dict[str, Any]) -> None:
    from backroom.models.masterdata.adding import get_user, log_event

    log_event(
        "session.ended",
        f"{ended['server']}:{ended['user']}",
        get_user(ctx.user),
        pid=ended["id"],
        reason=f"ended by {ctx.user}",
        person=ended["user"],
    )


def cmd_attach(ctx: Context) -> int:
    """Show a live session's screen here, read-only, until Ctrl+] or its end."""
    from backroom.tui.serve.control import open_watch
    from backroom.tui.serve.session_list import LEAVE_MODES

    if not (os.isatty(0) and os.isatty(1)):
        return fail("session attach shows a screen: run it in a terminal")
    path = _server_of(ctx, ctx.args.id)
    if path is None:
        return fail(f"No session {ctx.args.id} runs here: see 'backroom session list'")
    sock, answer = open_watch(path, ctx.args.id, ctx.user)
    with sock:
        if "error" in answer:
            return fail(answer["error"])
        who = answer["watching"]
        print(f"Watching {who['user']} (read-only); Ctrl+] leaves", file=sys.stderr)
        saved = termios.tcgetattr(0)
        try:
            tty.setraw(0)
            _copy_screen(sock.fileno())
        finally:
            termios.tcsetattr(0, termios.TCSADRAIN, saved)
            os.write(1, LEAVE_MODES + b"\r\n")
    print(f"Stopped watching {who['user']}", file=sys.stderr)
    return 0


def _copy_screen(screen: int) -> None:
    """The session's screen to this terminal; of the keys typed here only Ctrl+] counts
    (it leaves); none is sent."""
    while True:
        ready, _, _ = wait_for_input([screen, 0], [], [])
        if screen in ready:
            data = os.read(screen, 65536)
            if not data:
                return
            os.write(1, data)
        if 0 in ready and DETACH in os.read(0, 1024):
            return
