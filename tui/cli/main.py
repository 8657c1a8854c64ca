"""Entry point: global options, then a sub-command from one of the command modules."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from backroom.models.config import load_config
from backroom.models.errors import DomainError
from backroom.tui.cli.context import Context, fail

# The TUI (tui.run, and Textual behind it) is imported where used: start-up time of
# every command that does not open it.

# Each module has register(subparsers); its parsers set `func(ctx) -> int`.
COMMAND_MODULES = (
    "backroom.tui.cli.setup_cmds",
    "backroom.tui.cli.masterdata_cmds",
    "backroom.tui.cli.stock_cmds",
    "backroom.tui.cli.scan_cmds",
    "backroom.tui.cli.label_cmds",
    "backroom.tui.cli.shipment_cmds",
    "backroom.tui.cli.trace_cmds",
    "backroom.tui.cli.people_cmds",
    "backroom.tui.cli.serve_cmds",
    "backroom.tui.cli.data_cmds",
)


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> Parser:
    parser = Parser(
        prog="backroom",
        description="The back office of a warehouse, in a terminal. Without a command, "
        "opens the terminal interface.",
    )
    parser.add_argument("--db", metavar="URL", help="sqlite:///file.db or postgresql://...")
    parser.add_argument("--user", metavar="NAME", help="Backroom user (default: login name)")
    parser.add_argument("--config", metavar="FILE", help="extra TOML config file, read last")
    parser.add_argument("--login", action="store_true", help="a shared terminal: badge or PIN")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `backroom` with ARGV; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        ctx = Context(args, load_config(args.config))
        if args.command is None:
            from backroom.tui.run import run_tui

            ctx.open()
            return run_tui(ctx)
        return int(args.func(ctx) or 0)
    except DomainError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted; nothing more was written")


if __name__ == "__main__":
    raise SystemExit(main())
