"""Nobody else on the machine reads the database: a new one, its WAL and index, and the
copy kept before a migration are the owner's (0600), or a named group's too (0640)."""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

import pytest

from backroom.models import file_modes
from backroom.models.config import Config
from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.file_modes import FileModes, create_private, private_umask
from backroom.models.migrations import keep_before_migrating, open_database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def a_group_of_ours() -> grp.struct_group:
    """A group this process may give files to (root may give any: take another than its own)."""
    if os.geteuid() == 0:
        others = [g for g in grp.getgrall() if g.gr_gid != os.getgid()]
        if others:
            return others[0]
    mine = [g for g in os.getgroups() if g != os.getgid()] or [os.getgid()]
    return grp.getgrgid(mine[0])


@pytest.fixture
def usual_umask(monkeypatch):
    """The umask most accounts have (022), under which SQLite alone makes files 0644; and
    this process's file modes put back afterwards."""
    monkeypatch.setattr(file_modes._site, "_value", None)
    old = os.umask(0o022)
    yield
    os.umask(old)
    if db.obj is not None:  # a test whose database was refused opened none
        db.close()


def test_a_new_database_and_its_wal_are_the_owners_alone(tmp_path, usual_umask):
    path = tmp_path / "new" / "backroom.db"
    open_database(f"sqlite:///{path}", create=True)
    files = file_modes.database_files(path)
    assert [p.name for p in files] == ["backroom.db", "backroom.db-wal", "backroom.db-shm"]
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert mode(path.parent) == 0o700  # the folder made for it too


def test_with_a_site_group_the_database_is_readable_by_that_group(tmp_path, usual_umask):
    group = a_group_of_ours()
    file_modes.configure(Config({"files": {"group": group.gr_name}}))
    path = tmp_path / "shared" / "backroom.db"
    open_database(f"sqlite:///{path}", create=True)
    for file in file_modes.database_files(path):
        info = file.stat()
        assert (file.name, stat.S_IMODE(info.st_mode), info.st_gid) == (
            file.name,
            0o640,
            group.gr_gid,
        )
    assert (mode(path.parent), path.parent.stat().st_gid) == (0o2750, group.gr_gid)
    kept = keep_before_migrating(path, 7)
    assert (mode(kept), kept.stat().st_gid) == (0o640, group.gr_gid)
    assert file_modes.too_open(path) is None


def test_a_group_that_does_not_exist_is_refused_before_anything_is_made(tmp_path, usual_umask):
    file_modes.configure(Config({"files": {"group": "no-such-group-here"}}))
    path = tmp_path / "never" / "backroom.db"
    with pytest.raises(DomainError, match="'no-such-group-here' is not a group on this machine"):
        open_database(f"sqlite:///{path}", create=True)
    assert not path.parent.exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"mode": "0644"}, r'\[files\] mode is "0600" or "0640"'),
        ({"mode": 420}, r'\[files\] mode is "0600" or "0640"'),
        ({"group": ""}, r"\[files\] group is the name of an OS group"),
    ],
)
def test_a_mode_others_could_read_is_refused_in_the_config(files, message):
    with pytest.raises(DomainError, match=message):
        FileModes.from_config(Config({"files": files}))


def test_backups_and_exports_can_be_written_private_by_other_parts(tmp_path, usual_umask):
    modes = FileModes(0o640, a_group_of_ours().gr_name)
    target = tmp_path / "export.csv"
    fd = create_private(target, modes)
    with os.fdopen(fd, "w") as fh:
        fh.write("sku,qty\n")
    assert (mode(target), target.stat().st_gid) == (0o640, modes.gid())
    with pytest.raises(FileExistsError):
        create_private(target, modes)  # never over a file that is there
    with private_umask(FileModes()):
        (tmp_path / "under-umask.txt").write_text("x")
        (tmp_path / "folder").mkdir()
    assert mode(tmp_path / "under-umask.txt") == 0o600
    assert mode(tmp_path / "folder") == 0o700
    assert os.umask(0o022) == 0o022  # put back as it was


def test_files_others_may_read_are_named(tmp_path):
    target = tmp_path / "backup.db"
    target.write_text("x")
    target.chmod(0o644)
    assert file_modes.too_open(target, FileModes()) == "readable by everyone (mode 0644)"
    target.chmod(0o640)
    assert file_modes.too_open(target, FileModes()).startswith("open to group ")
    target.chmod(0o600)
    assert file_modes.too_open(target, FileModes()) is None
