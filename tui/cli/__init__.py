"""The `backroom` command line: one module per group of sub-commands."""

from backroom.tui.cli.main import main

__all__ = ["main"]
