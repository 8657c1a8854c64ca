"""The site's folders: where a session's files come from and go to.

A session (the TUI, locally or over SSH or the web) never names a server path: imports
are chosen from the files in the imports folder, and exports, labels and documents are
written there under names Backroom makes, each one a new file (nothing is overwritten).
The command line keeps its file arguments, checked by `output_path` and `written`.

    [folders]                      # config.toml; each defaults to the data folder
    imports = "/srv/backroom/imports"
    exports = "/srv/backroom/exports"
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from backroom.models.config import Config
from backroom.models.errors import DomainError, NotFound, Refused

FOLDER_KINDS = ("imports", "exports", "labels", "documents")
FOLDER_MODE = 0o750
FILE_MODE = 0o640
# An import file larger than this is refused before it is read (a CSV of a million
# rows is well under it).
MAX_IMPORT_BYTES = 200 * 1024 * 1024
# New files of one kind in one second before Backroom gives up numbering them.
MAX_COUNTER = 999
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
# O_NOFOLLOW: a link put where a file is expected is refused, not followed.
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


@dataclass(frozen=True)
class SiteFolders:
    """The four folders of a site, made (0750) when missing."""

    imports: Path
    exports: Path
    labels: Path
    documents: Path

    def of(self, kind: str) -> Path:
        """The folder for KIND: imports, exports, labels or documents."""
        if kind not in FOLDER_KINDS:
            raise KeyError(kind)
        return getattr(self, kind)


@dataclass(frozen=True)
class OfferedFile:
    """A file in the imports folder that may be imported."""

    name: str
    size: int
    modified: dt.datetime


def data_home() -> Path:
    """Backroom's data folder: ~/.local/share/backroom, or under XDG_DATA_HOME."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return Path(base) / "backroom"


def safe_part(text: str, fallback: str = "file") -> str:
    """TEXT as part of a file name: letters, digits, '-' and '_' only."""
    return _SAFE.sub("_", text).strip("_-")[:60] or fallback


def site_folders(config: Config, *, create: bool = True) -> SiteFolders:
    """The folders CONFIG names ([folders]), else under the data folder (a sub-folder
    per site when [site] name is set); CREATE makes the missing ones."""
    configured = config.folders
    base = data_home()
    site = config.get("site.name")
    if isinstance(site, str) and site.strip():
        base = base / safe_part(site, "site")
    paths = {}
    for kind in FOLDER_KINDS:
        value = configured.get(kind)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise DomainError(f"[folders] {kind} must be a folder path, not {value!r}")
        path = Path(value).expanduser() if value else base / kind
        if not path.is_absolute():
            raise DomainError(f"[folders] {kind} must be an absolute path, not {value!r}")
        paths[kind] = ensure_folder(path, kind) if create else path
    return SiteFolders(**paths)


def ensure_folder(path: Path, kind: str = "folder") -> Path:
    """PATH, made with its missing parents (each 0750) if it is not there."""
    missing = []
    probe = path
    while not probe.exists() and not probe.is_symlink():
        missing.append(probe)
        probe = probe.parent
    try:
        for folder in reversed(missing):
            folder.mkdir(mode=FOLDER_MODE)
            os.chmod(folder, FOLDER_MODE)  # mkdir's mode passes through the umask
    except FileExistsError:
        pass  # another session made it at the same moment
    except OSError as exc:
        raise DomainError(f"Cannot make the {kind} folder {path}: {exc.strerror}") from exc
    if not path.is_dir():
        raise DomainError(f"The {kind} folder {path} is not a folder")
    return path


# --- files offered for import -------------------------------------------------------------


def import_files(folder: Path) -> list[OfferedFile]:
    """The files in FOLDER that may be imported, by name: regular files only, no
    hidden files, no links that lead out of the folder."""
    offered = []
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        raise DomainError(f"Cannot read the imports folder {folder}: {exc.strerror}") from exc
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            real = _inside(folder, entry.name)
            info = real.stat()
        except (DomainError, OSError):
            continue
        if stat.S_ISREG(info.st_mode):
            when = dt.datetime.fromtimestamp(info.st_mtime, dt.UTC).replace(tzinfo=None)
            offered.append(OfferedFile(entry.name, info.st_size, when))
    return sorted(offered, key=lambda f: f.name.lower())


def check_name(name: str) -> str:
    """NAME if it is a plain file name: no folder part, no '..', not hidden."""
    if not name or name != name.strip() or "\x00" in name:
        raise Refused("Choose a file from the list")
    if "/" in name or "\\" in name or name in (".", "..") or Path(name).is_absolute():
        raise Refused(f"{name!r} is not a file name: choose a file from the list")
    if name.startswith("."):
        raise Refused(f"{name!r} is a hidden file: choose a file from the list")
    return name


def _inside(folder: Path, name: str) -> Path:
    """The real path of FOLDER/NAME, refused if a link leads it out of FOLDER."""
    home = folder.resolve(strict=True)
    try:
        real = (folder / check_name(name)).resolve(strict=True)
    except FileNotFoundError:
        raise NotFound(f"There is no file {name!r} in the imports folder") from None
    except RuntimeError:  # a loop of links
        raise Refused(f"{name!r} is a link that leads nowhere") from None
    if real.parent != home and home not in real.parents:
        raise Refused(f"{name!r} is a link out of the imports folder")
    return real


def read_chosen(folder: Path, name: str) -> bytes:
    """The bytes of the file NAME chosen in FOLDER (the imports folder)."""
    real = _inside(folder, name)
    return read_regular(real, shown=name, within=folder.resolve())


def _opened_path(fd: int) -> Path | None:
    """Where the open file FD really is (Linux: /proc/self/fd), or None if unknown."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return None


def read_regular(path: Path, *, shown: str | None = None, within: Path | None = None) -> bytes:
    """The bytes of PATH, refused unless it is a regular file of at most MAX_IMPORT_BYTES
    (and, given WITHIN, unless the file opened is in that folder: a folder on the way
    swapped for a link after the check is caught)."""
    label = shown or str(path)
    try:
        fd = os.open(path, _READ)
    except IsADirectoryError:
        raise Refused(f"{label} is a folder, not a file") from None
    except OSError as exc:
        raise Refused(f"Cannot read {label}: {exc.strerror}") from exc
    info = os.fstat(fd)
    opened = _opened_path(fd) if within is not None else None
    why = None
    if within is not None and opened is not None and within not in opened.parents:
        why = f"{label} leads out of the imports folder"
    elif stat.S_ISDIR(info.st_mode):
        why = f"{label} is a folder, not a file"
    elif not stat.S_ISREG(info.st_mode):
        why = f"{label} is not a regular file"
    elif info.st_size > MAX_IMPORT_BYTES:
        why = f"{label} is larger than {MAX_IMPORT_BYTES // 2**20} MB"
    if why:
        os.close(fd)
        raise Refused(why)
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(MAX_IMPORT_BYTES + 1)
        except OSError as exc:
            raise Refused(f"Cannot read {label}: {exc.strerror}") from exc
    if len(data) > MAX_IMPORT_BYTES:  # it grew while being read: never import a part
        raise Refused(f"{label} is larger than {MAX_IMPORT_BYTES // 2**20} MB")
    return data


# --- new files under names Backroom makes -------------------------------------------------


def file_stem(kind: str, detail: str = "", now: dt.datetime | None = None) -> str:
    """KIND[-DETAIL]-YYYYMMDD-HHMMSS in safe characters (the counter is added on writing)."""
    moment = now or dt.datetime.now()
    parts = [safe_part(kind, "file")]
    if detail:
        parts.append(safe_part(detail))
    return "-".join([*parts, moment.strftime("%Y%m%d-%H%M%S")])


@dataclass
class NewFile:
    """A file being written: `file` to write to; `path` once it is in place."""

    file: IO
    path: Path | None = None


@contextmanager
def new_file(
    folder: Path, kind: str, ext: str, *, detail: str = "", binary: bool = False
) -> Iterator[NewFile]:
    """A new file in FOLDER named KIND[-DETAIL]-DATE-TIME-NNN.EXT, written aside first and
    put in place only when whole, never over an existing file (nothing is left on failure)."""
    stem, suffix = file_stem(kind, detail), safe_part(ext, "txt")
    fd, part = _exclusive(folder, f".{stem}-{secrets.token_hex(4)}.part")
    try:
        with _wrap(fd, binary) as fh:
            handle = NewFile(fh)
            yield handle
        handle.path = _link_numbered(part, folder, stem, suffix)
    finally:
        part.unlink(missing_ok=True)


def _wrap(fd: int, binary: bool) -> IO:
    if binary:
        return os.fdopen(fd, "wb")
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def _exclusive(folder: Path, name: str) -> tuple[int, Path]:
    """A new, empty file FOLDER/NAME (0640), opened for writing; never an existing one."""
    path = folder / name
    try:
        fd = os.open(path, _NEW, FILE_MODE)
    except FileExistsError:
        raise Refused(f"{path} exists already: nothing was written") from None
    except OSError as exc:
        raise DomainError(f"Cannot write in {folder}: {exc.strerror}") from exc
    os.fchmod(fd, FILE_MODE)  # the mode given to open passes through the umask
    return fd, path


def _link_numbered(part: Path, folder: Path, stem: str, ext: str) -> Path:
    """PART under the first free name STEM-NNN.EXT; a hard link never replaces a file."""
    for counter in range(1, MAX_COUNTER + 1):
        target = folder / f"{stem}-{counter:03d}.{ext}"
        try:
            os.link(part, target, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError as exc:
            raise DomainError(f"Cannot write in {folder}: {exc.strerror}") from exc
        return target
    raise Refused(f"{MAX_COUNTER} files named {stem}-NNN.{ext} already: try again in a second")


# --- the command line's --out -------------------------------------------------------------


def output_path(text: str, *, force: bool = False) -> Path:
    """The file a --out names, checked before anything is made: not a folder, in a
    folder that exists, and not an existing file unless FORCE (then a regular file)."""
    if not text or not text.strip() or "\x00" in text:
        raise Refused("--out needs a file name")
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) or path.is_dir():
        raise Refused(f"{text} is a folder: give --out a file name in it")
    parent = path.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise Refused(f"The folder {parent} of --out {text} {what}")
    if path.is_symlink() or path.exists():
        if not force:
            raise Refused(f"{text} exists: add --force to overwrite it")
        if path.is_symlink() or not path.is_file():
            raise Refused(f"{text} is not a regular file: it is not overwritten even with --force")
    return path


@contextmanager
def written(path: Path, *, force: bool = False, binary: bool = False) -> Iterator[IO]:
    """PATH (checked by output_path) written whole: aside first (0640), then put in place;
    an existing file is replaced only with FORCE, and nothing is left on failure."""
    folder = path.parent
    fd, part = _exclusive(folder, f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with _wrap(fd, binary) as fh:
            yield fh
        _put_in_place(part, path, force)
    finally:
        part.unlink(missing_ok=True)


def _put_in_place(part: Path, path: Path, force: bool) -> None:
    try:
        if force:
            os.replace(part, path)
        else:
            os.link(part, path, follow_symlinks=False)
    except FileExistsError:
        raise Refused(f"{path} exists: add --force to overwrite it") from None
    except OSError as exc:
        raise DomainError(f"Cannot write {path}: {exc.strerror}") from exc


def write_whole(path: Path, data: bytes | str, *, force: bool = False) -> Path:
    """DATA to PATH (checked by output_path) as `written` does; returns PATH."""
    with written(path, force=force, binary=isinstance(data, bytes)) as fh:
        fh.write(data)
    return path
