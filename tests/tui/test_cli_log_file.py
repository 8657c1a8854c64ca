"""The command line's log file: appended to by every command, rotated past LOG_BYTES
with three old files kept, each new file private to its owner."""

from __future__ import annotations

import logging
import stat

from backroom.tui.cli import logs


def _write(handler: logging.Handler, text: str) -> None:
    handler.handle(logging.makeLogRecord({"msg": text, "levelno": logging.INFO}))


def test_the_log_rotates_past_its_limit_and_keeps_three_old_files(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "LOG_BYTES", 100)
    path = tmp_path / "state" / "backroom.log"
    handler = logs._file_handler(path)
    assert handler is not None
    handler.setFormatter(logging.Formatter("%(message)s"))
    try:
        for number in range(1, 7):  # 60 bytes each: each after the first starts a new file
            _write(handler, f"{number} " + "x" * 57)
    finally:
        handler.close()
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["backroom.log", "backroom.log.1", "backroom.log.2", "backroom.log.3"]
    assert path.read_text().split() == ["6", "x" * 57]  # the newest alone in the new file
    assert (path.parent / "backroom.log.1").read_text().split()[0] == "5"
    assert (path.parent / "backroom.log.3").read_text().split()[0] == "3"  # 1 and 2 gone
    for kept in path.parent.iterdir():
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600, kept.name


def test_a_log_under_the_limit_is_appended_to(tmp_path):
    path = tmp_path / "backroom.log"
    for text in ("first", "second"):  # two commands, one after the other
        handler = logs._file_handler(path)
        assert handler is not None
        handler.setFormatter(logging.Formatter("%(message)s"))
        _write(handler, text)
        handler.close()
    assert path.read_text() == "first\nsecond\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backroom.log"]
