"""Entry point: global options, then a sub-command from one of the command modules."""

from __future__ import annotations

import argparse
import importlib
import itertools
import os
import re
import sys
from collections.abc import Sequence

from backroom.models.errors import DatabaseUnavailable, DiskFull, DomainError, NotFound, Refused
from backroom.tui.cli import completion
from backroom.tui.cli.commands import COMMANDS
from backroom.tui.cli.context import (
    ERRORS_AS_JSON,
    Context,
    errors_as_json,
    fail,
    has_terminal,
    say_error,
)
from backroom.tui.cli.help_texts import HelpFormatter, apply_help
from backroom.tui.cli.safe_output import not_utf8, safe_stdout

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of --help)
if TYPE_CHECKING:
    import logging

INTERNAL_ERROR = 3  # 1 is a refusal, 2 a usage error
# The stable codes of errors under --json, by the domain's exception.
ERROR_CODES: dict[type[DomainError], str] = {
    NotFound: "not_found",
    Refused: "refused",
    DatabaseUnavailable: "database_unavailable",
    DiskFull: "disk_full",
}

# The TUI (tui.run, and Textual behind it) is imported where used: start-up time of
# every command that does not open it. So is logging (~8 ms), which `--help` never
# needs: `log()` is the "backroom" logger once a command runs.


def log() -> logging.Logger:
    import logging

    return logging.getLogger("backroom")


# Each command module has register(subparsers); its parsers set `func(ctx) -> int`.
# Which module defines which top-level command is tui/cli/commands.py's table.
COMMAND_MODULES = tuple(dict.fromkeys(m for _, mods in COMMANDS.values() for m in mods))


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line and exits 2, and formats help
    with help_texts.HelpFormatter from the start (argparse's own imports shutil)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        if ERRORS_AS_JSON["on"]:
            say_error(f"{message} (see '{self.prog} --help')", "usage")
        else:
            print(f"{self.prog}: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(2)


def _version() -> str:
    """The installed distribution's version (pyproject's), or "unknown" from a bare tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("backroom")
    except PackageNotFoundError:
        return "unknown"


class VersionAction(argparse.Action):
    """--version, read from the installed metadata only when asked (it costs ~10 ms)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)  # type: ignore[arg-type]

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(f"backroom {_version()}")
        parser.exit()


def build_parser(words: Sequence[str] | None = None) -> Parser:
    """The whole command line; given the WORDS of one run, only the command they name
    is built in full (its modules imported), the others listed by name and help."""
    parser = Parser(
        prog="backroom",
        description="The back office of a warehouse, in a terminal. Without a command, "
        "opens the terminal interface.",
    )
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    named = None if words is None else _command_named(parser, words)
    modules = COMMAND_MODULES if words is None else COMMANDS.get(named, ("", ()))[1]
    for module in modules:
        importlib.import_module(f"backroom.tui.cli.{module}").register(sub)
    if not modules:  # --help, no command or a misspelt one: the commands listed only
        for name, (about, _) in COMMANDS.items():
            sub.add_parser(name, help=about, add_help=False)
    apply_help(parser)  # the standard help of recurring arguments, defaults, examples
    for path, leaf in command_parsers(parser):
        leaf.set_defaults(command_path=path)
    return parser


def _global_options(parser: Parser) -> None:
    parser.add_argument("--version", action=VersionAction, help="print the version and exit")
    parser.add_argument("--db", metavar="URL", help="sqlite:///file.db or postgresql://...")
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="act as NAME, with NAME's PIN (asked, or BACKROOM_PIN); default: your OS account",
    )
    parser.add_argument("--config", metavar="FILE", help="extra TOML config file, read last")
    parser.add_argument("--login", action="store_true", help="a shared terminal: badge or PIN")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="say more on stderr (-vv: everything); the log file has it anyway",
    )


def _command_named(parser: Parser, words: Sequence[str]) -> str | None:
    """The command WORDS run: the first word that is not a global option or its value."""
    takes_value = {
        option for option, action in parser._option_string_actions.items() if action.nargs != 0
    }
    rest = iter(words)
    for word in rest:
        if word in takes_value:
            next(rest, None)
        elif not word.startswith("-"):
            return word
    return None


def command_parsers(parser: argparse.ArgumentParser, above: str = ""):
    """(path, parser) of every sub-command that runs: "receive", "item add", ..."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs and above:
        yield above, parser
    for action in subs:
        for name, child in action.choices.items():
            yield from command_parsers(child, f"{above} {name}".strip())


def main(argv: Sequence[str] | None = None) -> int:
    """Run `backroom` with ARGV; returns the exit status."""
    words = sys.argv[1:] if argv is None else list(argv)
    if completion.asked():  # the shell's Tab, not a person's command: answer and end
        completion.complete(build_parser)
    parser = build_parser(words)
    errors_as_json("--json" in words or "--format=json" in words or _format_json(words))
    if not_utf8(words):
        parser.error(not_utf8(words))
    args = parser.parse_args(words)  # --help and usage errors end here: imports below
    from backroom.tui.cli.logs import start_logging

    log_path = start_logging(args.verbose)
    log().info("backroom %s", _without_passwords(words))
    try:
        return _run(args)
    except DomainError as exc:
        exc = _disk_full(exc, args) or exc
        log().info("refused: %s", exc)
        return fail(str(exc), ERROR_CODES.get(type(exc), "refused"))
    except KeyboardInterrupt:
        return fail("interrupted; nothing more was written", "interrupted")
    except BrokenPipeError:
        return _reader_went_away()
    except Exception as exc:
        if (full := _disk_full(exc, args)) is not None:
            log().info("refused: %s", full, exc_info=exc)
            return fail(str(full), "disk_full")
        log().exception("internal error")
        where = f"; the details are in {log_path}" if log_path else ""
        say_error(f"internal error: {type(exc).__name__}: {exc}{where}", "internal")
        return INTERNAL_ERROR


def _disk_full(exc: BaseException, args: argparse.Namespace) -> DiskFull | None:
    """A write that found the disk full (an export, a label, a backup), said as such:
    naming the file the command writes, or where standard output goes."""
    if isinstance(exc, DiskFull):
        return None
    import contextlib

    from backroom.models.disk import refusal_for

    named = [getattr(args, name, None) for name in ("out", "file")]
    paths = [getattr(p, "name", p) for p in named if p and p != "-"]
    with contextlib.suppress(OSError):
        stdout = os.readlink("/proc/self/fd/1")
        if os.path.isfile(stdout):  # `> file`: the file, not a terminal or a pipe
            paths.append(stdout)
    return refusal_for(exc, [p for p in paths if isinstance(p, str)], "nothing was written")


def _format_json(words: list[str]) -> bool:
    return any(a == "--format" and b == "json" for a, b in itertools.pairwise(words))


def _without_passwords(argv: Sequence[str]) -> str:
    """The command line as the log keeps it: a database URL's password left out."""
    return " ".join(re.sub(r"(://[^:/@\s]+):[^@\s]*@", r"\1:***@", arg) for arg in argv)


def _run(args: argparse.Namespace) -> int:
    from backroom.models.config import load_config
    from backroom.tui.cli.logs import quiet_console
    from backroom.tui.cli.permissions import admit_command, admit_terminal

    ctx = Context(args, load_config(args.config))
    if args.command is None:
        from backroom.tui.run import run_tui

        if not has_terminal():
            print(
                "backroom: the terminal interface needs a terminal; in a script or a pipe, "
                "give a command (see 'backroom --help')",
                file=sys.stderr,
            )
            return 2
        admit_terminal(ctx)
        quiet_console()
        return run_tui(ctx)
    # Who acts, proven, and allowed to: checked here once, before the command runs.
    path = getattr(args, "command_path", args.command)
    admission = admit_command(ctx, path)
    log().info("%s as %s (%s)", path, admission.acting, admission.permission or "no data")
    with safe_stdout():  # stored text cannot drive the terminal (safe_output.py)
        return int(args.func(ctx) or 0)


def _reader_went_away() -> int:
    """`backroom ... | head`: the reader closed the pipe. Say nothing, as cat does."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the exit's flush of stdout fails no more
    except OSError:
        pass
    return 141  # 128 + SIGPIPE, what a shell reports for a program ended by it


if __name__ == "__main__":
    raise SystemExit(main())
