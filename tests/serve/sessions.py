"""One session of the many-sessions test, run as its own process:

    python -m tests.serve.sessions cli URL USER N   # N `backroom receive` commands
    python -m tests.serve.sessions tui URL USER N   # N receipts through the TUI's form

Each receives 1 TAPE-48 into A-01 N times and exits 1, printing what was shown, if
anyone was shown an error."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from tests.serve.conftest import backroom_argv


def cli(url: str, user: str, n: int) -> int:
    """N receipts as N separate `backroom` commands, as a script at a dock would."""
    for _ in range(n):
        run = subprocess.run(
            backroom_argv(url, "--user", user, "receive", "TAPE-48", "1", "--to", "A-01"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        if run.returncode != 0 or run.stderr.strip():
            print(f"{user}: {run.stderr.strip()}")
            return 1
    return 0


async def tui(url: str, user: str, n: int) -> int:
    """N receipts typed into the receive form of a headless TUI."""
    from textual.pilot import Pilot

    from backroom.models.migrations import open_database
    from backroom.tui.app import BackroomApp
    from backroom.tui.session import Session
    from tests.tui.conftest import settle, shortcut, typed

    Pilot.press = typed  # type: ignore[method-assign]

    open_database(url)
    app = BackroomApp(Session(user, url))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "r")
        for _ in range(n):
            for text in ("TAPE-48", "1", "A-01"):
                await pilot.press(*text, "enter")
                await settle(pilot)
            result = str(app.screen.query_one("#result").render())
            if "Posted move" not in result:
                await pilot.press("enter")
                await settle(pilot)
            error = str(app.screen.query_one("#message").render())
            result = str(app.screen.query_one("#result").render())
            if "✗" in error or "Posted move" not in result:
                print(f"{user}: {error} {result}")
                return 1
    return 0


def main(argv: list[str]) -> int:
    kind, url, user, n = argv[0], argv[1], argv[2], int(argv[3])
    if kind == "cli":
        return cli(url, user, n)
    return asyncio.run(tui(url, user, n))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
