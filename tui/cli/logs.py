"""Where the command line writes what went on: a log file in the XDG state folder
(`~/.local/state/backroom/backroom.log`), and with `--verbose` the same on stderr."""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_BYTES = 1_000_000  # then rotated, three old files kept
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def state_dir() -> Path:
    """~/.local/state/backroom, or under XDG_STATE_HOME."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return Path(base) / "backroom"


def log_file() -> Path:
    """The log file every command appends to."""
    return state_dir() / "backroom.log"


def _file_handler(path: Path) -> logging.Handler | None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        handler = RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=3, delay=True)
    except OSError:
        return None  # a read-only home: the command still runs, stderr still speaks
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


def start_logging(verbose: int = 0) -> Path | None:
    """Log to the file (INFO and up) and to stderr (warnings; -v info, -vv debug).

    Returns the log file's path, or None where it cannot be written.
    """
    logger = logging.getLogger("backroom")
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    logger.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    path = log_file()
    handler = _file_handler(path)
    if handler is not None:
        logger.addHandler(handler)
    console = logging.StreamHandler()
    console.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG))
    console.setFormatter(logging.Formatter("backroom: %(message)s"))
    if verbose < 2:  # a traceback is for the log file; main() says the one line
        console.addFilter(lambda record: record.exc_info is None)
    logger.addHandler(console)
    return path if handler is not None else None


def quiet_console() -> None:
    """Before the TUI takes the terminal: the log goes on to the file, not to stderr."""
    logger = logging.getLogger("backroom")
    for handler in list(logger.handlers):
        if type(handler) is logging.StreamHandler:
            logger.removeHandler(handler)
