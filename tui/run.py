"""Open the terminal interface for a command-line context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.masterdata import get_user
from scanners.settings import ScannerSettings
from tui.session import Session

if TYPE_CHECKING:
    from tui.cli.context import Context


def run_tui(ctx: Context) -> int:
    """Run the TUI as the context's user until they quit; returns the exit status."""
    from tui.app import BackroomApp

    user = get_user(ctx.user)
    session = Session(
        user=user.name,
        db_url=ctx.db_url,
        site=ctx.config.site_name,
        scanner=ScannerSettings.from_config(ctx.config),
        config_path=ctx.args.config,
        config=ctx.config,
    )
    BackroomApp(session).run()
    return 0
