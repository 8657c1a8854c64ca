"""A full disk says so: posting, exporting, backing up and writing labels on a disk
with no room left give one clear refusal naming the disk and its free space, and leave
nothing half-written behind.

The disk is real: a 2 MB tmpfs mounted for the test (as root; skipped otherwise),
filled to the last block, unmounted at the end."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backroom.labels.printers import write_to_folder
from backroom.models.db import db
from backroom.models.errors import DiskFull
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, init_database
from backroom.models.migrations import open_database
from backroom.models.stock.operations import receive
from backroom.tui.worker_errors import failure_text
from tests.models.support import assert_clean, on_shelf, refused
from tests.tui.test_cli import Backroom

FULL = r"The disk holding {} is full \(0\.0 MB free\); nothing was {}"


@dataclass
class SmallDisk:
    """A mounted 2 MB disk; `fill()` takes its last block, `make_room()` gives it back."""

    root: Path

    def fill(self) -> None:
        fd = os.open(self.root / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)

    def make_room(self) -> None:
        (self.root / "filler").unlink()

    def files(self) -> set[str]:
        return {p.name for p in self.root.iterdir()} - {"filler"}


@pytest.fixture
def small_disk(tmp_path) -> Iterator[SmallDisk]:
    """A 2 MB tmpfs under tmp_path, unmounted however the test ends."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root")
    root = tmp_path / "disk"
    root.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(root)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield SmallDisk(root)
    finally:
        if db.obj is not None:
            db.close()
        subprocess.run(["umount", "-l", str(root)], check=True)


@pytest.fixture
def shop_on_small_disk(small_disk) -> Iterator[SmallDisk]:
    """A Backroom database on the small disk: FLOUR, shelf A1 with 5 g on it."""
    open_database(f"sqlite:///{small_disk.root / 'backroom.db'}", create=True)
    init_database("tester")
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"))
    add_location("A1")
    receive("FLOUR", 5, "A1", user="tester")
    yield small_disk
    db.close()


def test_posting_on_a_full_disk_says_the_disk_is_full_and_posts_nothing(shop_on_small_disk):
    disk = shop_on_small_disk
    disk.fill()
    database = disk.root / "backroom.db"
    with refused(FULL.format(database, "posted")) as info:
        receive("FLOUR", 7, "A1", user="tester")
    assert isinstance(info.value, DiskFull)
    # What failed is the write, not the ROLLBACK after SQLite had rolled back itself.
    assert "disk is full" in str(info.value.__cause__)
    # The TUI says the same where the person posted.
    assert failure_text(info.value) == str(info.value)
    disk.make_room()
    assert_clean()
    receive("FLOUR", 7, "A1", user="tester")
    assert on_shelf() == {("FLOUR", None, "A1"): 12}


def test_opening_a_database_on_a_full_disk_says_the_disk_is_full(shop_on_small_disk, capsys):
    # Closed, the database has no -wal or -shm file; opening it needs room for them, and
    # SQLite says only "disk I/O error".
    disk = shop_on_small_disk
    db.close()
    disk.fill()
    database = disk.root / "backroom.db"
    run = Backroom(f"sqlite:///{database}", capsys)("receive", "FLOUR", "7", "--to", "A1")
    assert run.code == 1
    assert run.err == (
        f"backroom: The disk holding {database} is full (0.0 MB free); nothing was posted\n"
    )
    disk.make_room()
    open_database(f"sqlite:///{database}")
    assert on_shelf() == {("FLOUR", None, "A1"): 5}
    assert_clean()


@pytest.fixture
def cli(sqlite_database, capsys) -> Backroom:
    """The command line on a database on a roomy disk, with a little stock."""
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"))
    add_location("A1")
    receive("FLOUR", 1200, "A1", user="tester")
    db.close()
    return Backroom(sqlite_database, capsys)


def test_an_export_to_a_full_disk_says_so_and_leaves_no_file(cli, small_disk):
    small_disk.fill()
    out = small_disk.root / "stock.csv"
    run = cli("export", "moves", "--out", str(out))
    assert run.code == 1 and run.out == ""
    assert run.err.splitlines() == [
        f"backroom: The disk holding {out} is full (0.0 MB free); nothing was written"
    ]
    assert small_disk.files() == set()


def test_a_backup_to_a_full_disk_says_so_and_leaves_no_file(cli, small_disk):
    small_disk.fill()
    target = small_disk.root / "backup.db"
    run = cli("backup", str(target), "--json")
    assert run.code == 1
    assert '"code": "disk_full"' in run.err
    assert f"The disk holding {target} is full (0.0 MB free); nothing was written" in run.err
    assert small_disk.files() == set()


def test_a_label_to_a_full_folder_says_so_and_leaves_no_half_file(small_disk):
    small_disk.fill()
    with pytest.raises(DiskFull, match=FULL.format(small_disk.root, "written")):
        write_to_folder(small_disk.root, b"^XA^FDA-01^FS^XZ" * 2000, "location A-01.zpl")
    assert small_disk.files() == set()


def test_the_tui_says_a_file_write_ran_into_a_full_disk(small_disk):
    small_disk.fill()
    target = small_disk.root / "moves.csv"
    with pytest.raises(OSError) as info, target.open("w") as out:
        out.write("id,item\n" * 1000)
    # A write to an open file does not say which file: the disk is named when it does.
    assert (
        failure_text(info.value) == "A disk is full (no space left on device); nothing was written"
    )
    named = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
    assert failure_text(named) == (
        f"The disk holding {target} is full (0.0 MB free); nothing was written"
    )
