"""A full disk, said so: one refusal that names the disk and the room left on it, whether
SQLite, PostgreSQL or a plain file write (an export, a label, a backup) ran out of room.

    except OSError as exc:
        raise refusal_for(exc, [target], "nothing was written") or exc
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from backroom.models.errors import DiskFull

SQLITE_FULL = 13
SQLITE_IOERR = 10
PG_DISK_FULL = "53100"  # SQLSTATE disk_full
# SQLite's "disk I/O error" does not say why a write failed; with less room than this
# left where the file lives, a full disk is the likeliest reason (a page is 4 kB, a WAL
# frame a little more), and saying so beats "disk I/O error".
NEARLY_FULL_BYTES = 1 << 20
NO_SPACE_TEXT = ("no space left on device", "database or disk is full", "disk quota exceeded")

FULL, QUOTA, MAYBE = "full", "quota", "maybe"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """EXC and what it wraps: peewee's .orig, the cause and the context, a few deep."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 8:
        one = todo.pop(0)
        if one is None or any(one is s for s in seen):
            continue
        seen.append(one)
        yield one
        todo += [getattr(one, "orig", None), one.__cause__, one.__context__]


def _kind(one: BaseException) -> str | None:
    """FULL, QUOTA or MAYBE (an I/O error that a full disk may explain) for one error."""
    if isinstance(one, OSError) and one.errno in (errno.ENOSPC, errno.EDQUOT):
        return QUOTA if one.errno == errno.EDQUOT else FULL
    if isinstance(one, sqlite3.Error):
        code = getattr(one, "sqlite_errorcode", None)
        if code is not None and code & 0xFF == SQLITE_FULL:
            return FULL
        if (code is not None and code & 0xFF == SQLITE_IOERR) or "disk i/o error" in str(one):
            return MAYBE
    if getattr(one, "pgcode", None) == PG_DISK_FULL:
        return FULL
    text = str(one).lower()
    if "disk quota exceeded" in text:
        return QUOTA
    if any(words in text for words in NO_SPACE_TEXT):
        return FULL
    return None


def out_of_room(exc: BaseException) -> str | None:
    """FULL, QUOTA or MAYBE when EXC (or what it wraps) is a write that found no room."""
    kinds = [k for k in (_kind(one) for one in _chain(exc)) if k]
    for kind in (QUOTA, FULL, MAYBE):
        if kind in kinds:
            return kind
    return None


def free_bytes(path: Path | str) -> int | None:
    """Room left for this user on the disk holding PATH (or its nearest existing folder)."""
    import shutil  # here: its import (bz2, lzma) is start-up time for every command

    place = Path(path).absolute()
    while not place.exists() and place != place.parent:
        place = place.parent
    try:
        return shutil.disk_usage(place).free
    except OSError:
        return None


def megabytes(count: int) -> str:
    """COUNT bytes for a person: '0.3 MB', '12 MB'."""
    mb = count / 1_000_000
    return f"{mb:.1f} MB" if mb < 10 else f"{mb:,.0f} MB"


def disk_full(path: Path | str, what: str, *, quota: bool = False) -> DiskFull:
    """The refusal: 'The disk holding PATH is full (N MB free); WHAT'."""
    free = free_bytes(path)
    room = f"{megabytes(free)} free" if free is not None else "no room left"
    if quota:
        room += ", and your disk quota there is used up"
    return DiskFull(f"The disk holding {path} is full ({room}); {what}")


def _fullest(paths: Iterable[Path | str]) -> Path | str | None:
    """Of the places a write may have gone, the one with the least room left."""
    rooms = [(free, str(p), p) for p in paths if (free := free_bytes(p)) is not None]
    return min(rooms)[2] if rooms else None


def refusal_for(
    exc: BaseException, paths: Iterable[Path | str | None], what: str
) -> DiskFull | None:
    """A DiskFull for EXC when it is a write that found no room, else None.

    PATHS are where the write may have gone; the file named by the error itself comes
    first. An I/O error counts only where the disk is (nearly) full indeed.
    """
    kind = out_of_room(exc)
    if kind is None:
        return None
    named = [Path(one.filename) for one in _chain(exc) if isinstance(one, OSError) and one.filename]
    candidates = named + [Path(p) for p in paths if p]
    path = (named[0] if named else None) or _fullest(candidates)
    if kind == MAYBE:
        free = free_bytes(path) if path is not None else None
        if free is None or free >= NEARLY_FULL_BYTES:
            return None
    if path is None:
        return DiskFull(f"A disk is full (no space left on device); {what}")
    return disk_full(path, what, quota=kind == QUOTA)
