"""Who may read the files Backroom writes: the database with its WAL and shared-memory
files, the copies kept before a migration, backups and exports. They are the owner's
alone (0600), or also readable by one group the site names (0640, `[files] group`);
never by everyone on the machine."""

from __future__ import annotations

import grp
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from backroom.models.config import Config, ProcessSetting
from backroom.models.errors import DomainError

# Files SQLite keeps next to a database while it is open (WAL, its index, a rollback journal).
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class FileModes:
    """The mode and group a site gives the files Backroom writes."""

    mode: int = 0o600
    group: str | None = None

    @classmethod
    def from_config(cls, config: Config) -> FileModes:
        """The modes in CONFIG ([files] group, mode)."""
        return cls(config.file_mode, config.file_group)

    @property
    def umask(self) -> int:
        """The umask under which a new file gets no more than `mode` (and a new folder
        the same, with the right to enter it)."""
        allowed = self.mode | (self.mode & 0o444) >> 2
        return 0o777 & ~allowed

    @property
    def folder_mode(self) -> int:
        """A folder made for such files: the owner's, or the group's too (setgid, so
        that what SQLite creates in it later belongs to the group as well)."""
        return 0o2750 if self.group else 0o700

    def gid(self) -> int:
        """The id of the site's group (-1 when none is set: chown leaves it)."""
        if self.group is None:
            return -1
        try:
            return grp.getgrnam(self.group).gr_gid
        except KeyError:
            message = f"[files] group {self.group!r} is not a group on this machine"
            raise DomainError(message) from None


_umask_lock = threading.RLock()


_site = ProcessSetting(FileModes.from_config, FileModes)


def configure(config: Config) -> FileModes:
    """Use CONFIG's file modes in this process (the command line calls this)."""
    return _site.configure(config)


def site_modes() -> FileModes:
    """This process's file modes: as configured, else from the standard config files."""
    return _site.get()


@contextmanager
def private_umask(modes: FileModes | None = None) -> Iterator[FileModes]:
    """Inside, every file this process creates is born with at most the site's mode.

    The umask belongs to the whole process: a lock keeps two threads from restoring each
    other's, and other threads only ever get a stricter one meanwhile.
    """
    modes = modes or site_modes()
    with _umask_lock:
        old = os.umask(modes.umask)
        try:
            yield modes
        finally:
            os.umask(old)


def make_private(path: Path | str, modes: FileModes | None = None) -> None:
    """Give the file (or folder) at PATH the site's mode and group."""
    modes = modes or site_modes()
    path = Path(path)
    is_dir = path.is_dir()
    gid = modes.gid()
    if gid != -1 and path.stat().st_gid != gid:
        try:
            os.chown(path, -1, gid)
        except PermissionError:
            raise DomainError(
                f"Cannot give {path} to group {modes.group}: this account is not in that group"
            ) from None
    os.chmod(path, modes.folder_mode if is_dir else modes.mode)


def create_private(path: Path | str, modes: FileModes | None = None) -> int:
    """Create the new file PATH (refused if it exists) with the site's mode and group; the
    open file descriptor, for writing. For backups, exports and kept copies."""
    modes = modes or site_modes()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, modes.mode)
    try:
        make_private(path, modes)
    except BaseException:
        os.close(fd)
        raise
    return fd


def make_private_folder(path: Path, modes: FileModes | None = None) -> None:
    """Make the folder PATH (and missing parents); the ones made here get the site's mode."""
    modes = modes or site_modes()
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for folder in reversed(missing):
        make_private(folder, modes)


def create_database_file(path: Path, modes: FileModes | None = None) -> None:
    """Create the empty file of a new SQLite database with the site's mode and group,
    before SQLite does so with 0644; its WAL and index files then take the same mode."""
    modes = modes or site_modes()
    modes.gid()  # an unknown group is refused before anything is made
    if not path.parent.exists():
        make_private_folder(path.parent, modes)
    os.close(create_private(path, modes))


def database_files(path: Path) -> list[Path]:
    """The database file at PATH and those SQLite keeps next to it, as far as they exist."""
    found = [path] if path.exists() else []
    return found + [p for s in SQLITE_SIDECARS if (p := path.with_name(path.name + s)).exists()]


def make_database_private(path: Path, modes: FileModes | None = None) -> None:
    """Give a database file and its WAL and shared-memory files the site's mode and group."""
    for file in database_files(path):
        make_private(file, modes)


def too_open(path: Path, modes: FileModes | None = None) -> str | None:
    """What is wrong with who may read PATH ("readable by everyone", ...), or None."""
    modes = modes or site_modes()
    info = path.stat()
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o007:
        return f"readable by everyone (mode {mode:04o})"
    if mode & 0o070:
        allowed = modes.gid() if modes.group else None
        if info.st_gid != allowed:
            return f"open to group {_group_name(info.st_gid)} (mode {mode:04o})"
        if mode & 0o020:
            return f"writable by group {modes.group} (mode {mode:04o})"
    return None


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
