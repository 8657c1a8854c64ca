"""Where the command line writes what went on: a log file in the XDG state folder
(`~/.local/state/backroom/backroom.log`), and with `--verbose` the same on stderr."""

from __future__ import annotations

import logging
import os
from pathlib import Path

LOG_BYTES = 1_000_000  # then rotated, three old files kept
OLD_FILES = 3
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def state_dir() -> Path:
    """~/.local/state/backroom, or under XDG_STATE_HOME."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return Path(base) / "backroom"


def log_file() -> Path:
    """The log file every command appends to."""
    return state_dir() / "backroom.log"


class RotatingLog(logging.FileHandler):
    """The log file, opened at its first record; past LOG_BYTES it becomes
    backroom.log.1 (and .1 becomes .2, ...; OLD_FILES are kept) and a new one starts.

    What logging.handlers.RotatingFileHandler does, written here because importing
    logging.handlers (pickle, queue, socket) costs every command ~4 ms of start-up."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, delay=True)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._would_pass_the_limit(record):
                self._rotate()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def _would_pass_the_limit(self, record: logging.LogRecord) -> bool:
        if not os.path.isfile(self.baseFilename):
            return False  # not there yet, or /dev/null and the like: never rotated
        line = f"{self.format(record)}{self.terminator}"
        return os.path.getsize(self.baseFilename) + len(line) >= LOG_BYTES

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        for number in range(OLD_FILES - 1, 0, -1):
            older = f"{self.baseFilename}.{number}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{number + 1}")
        os.replace(self.baseFilename, f"{self.baseFilename}.1")
        _create_private(Path(self.baseFilename))  # the new one 0600 too, as the first was


def _create_private(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))


def _file_handler(path: Path) -> logging.Handler | None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            _create_private(path)
        handler = RotatingLog(path)
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
