"""Opening databases: old ones are migrated in place, foreign or newer ones refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import peewee
import pytest

from backroom.models.browse import list_moves as moves
from backroom.models.db import check_url, db, make_database, run_write
from backroom.models.errors import DatabaseUnavailable
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    get_item,
    get_location,
    get_user,
    init_database,
)
from backroom.models.migrations import CURRENT_VERSION, migrate, open_database, stored_version
from backroom.models.stock.ledger import MoveSpec, post
from backroom.models.stock.operations import transfer
from tests.models.support import USER, assert_clean, on_shelf


def build_version_1(url: str) -> None:
    """A database as the first release left it, with a little stock in it."""
    db.initialize(make_database(url))
    db.connect()
    assert migrate(upto=1) == 1
    init_database(USER)
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"))
    add_location("A1")
    add_location("A2")
    # The receipt and the transfer as version 1 posted them: straight to the ledger
    # (today's also keep their request ids, and a transfer looks at shipment
    # reservations: tables of later versions).
    flour, a1, a2 = get_item("FLOUR"), get_location("A1"), get_location("A2")
    supplier = get_location("SUPPLIER")
    run_write(lambda: post([MoveSpec("receipt", flour, 500, supplier, a1)], get_user(USER)))
    run_write(lambda: post([MoveSpec("transfer", flour, 200, a1, a2)], get_user(USER)))
    # version 1 had no append-only triggers: this harmless update goes through
    db.execute_sql('UPDATE "move" SET "note" = "note"')
    db.close()


def test_a_version_1_database_opens_migrated_with_its_stock_intact(db_url):
    build_version_1(db_url)
    assert open_database(db_url) == CURRENT_VERSION
    assert stored_version() == CURRENT_VERSION
    assert on_shelf() == {("FLOUR", None, "A1"): 300, ("FLOUR", None, "A2"): 200}
    assert [m.kind for m in moves()] == ["transfer", "receipt"]
    assert_clean()
    # the triggers of version 2 are in force now
    with pytest.raises(peewee.DatabaseError, match="append-only"), db.atomic():
        db.execute_sql('UPDATE "move" SET "note" = "note"')
    # and the migrated database keeps working
    transfer("FLOUR", 300, "A1", "A2", user=USER)
    assert on_shelf() == {("FLOUR", None, "A2"): 500}
    assert_clean()
    db.close()


def test_opening_a_current_database_again_changes_nothing(sqlite_database):
    assert open_database(sqlite_database) == CURRENT_VERSION
    assert open_database(sqlite_database) == CURRENT_VERSION
    assert stored_version() == CURRENT_VERSION


def test_a_database_from_a_newer_backroom_is_refused(sqlite_database):
    db.execute_sql(f'UPDATE "schema_version" SET "version" = {CURRENT_VERSION + 1}')
    db.close()
    with pytest.raises(DatabaseUnavailable) as info:
        open_database(sqlite_database)
    assert str(info.value) == (
        f"This database has schema version {CURRENT_VERSION + 1}, made by a newer Backroom "
        f"(this one knows up to {CURRENT_VERSION}); upgrade Backroom to open it."
    )


def test_someone_elses_sqlite_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "accounts.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY, total INTEGER)")
    other.commit()
    other.close()
    url = f"sqlite:///{path}"
    for create in (False, True):
        with pytest.raises(DatabaseUnavailable, match=r"is not a Backroom database$"):
            open_database(url, create=create)
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("invoice",)]


def test_a_file_that_is_not_a_database_at_all_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping list: flour, milk\n" * 200)
    with pytest.raises(DatabaseUnavailable, match=r"notes.db is not a Backroom database$"):
        open_database(f"sqlite:///{path}")
    assert path.read_text().startswith("shopping list")


def test_a_missing_database_file_is_refused_not_created(tmp_path):
    path = tmp_path / "nowhere" / "backroom.db"
    with pytest.raises(DatabaseUnavailable, match=r"No Backroom database at .*backroom init"):
        open_database(f"sqlite:///{path}")
    assert not path.parent.exists()


def test_a_folder_is_not_a_database(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="is a folder, not a database file"):
        open_database(f"sqlite:///{tmp_path}")


def test_an_empty_sqlite_file_needs_init(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(
        DatabaseUnavailable, match="has no Backroom schema yet: run 'backroom init'"
    ):
        open_database(f"sqlite:///{path}")


@pytest.mark.postgres
def test_an_empty_postgresql_database_needs_init(pg_url):
    with pytest.raises(DatabaseUnavailable, match="has no Backroom schema yet"):
        open_database(pg_url)


@pytest.mark.parametrize(
    "url",
    [
        "foo://x",
        "sqlite:/x.db",
        "sqlite:x.db",
        "sqlite://server/x.db",
        "sqlite:///",
        "mysql://root@localhost/backroom",
    ],
)
def test_a_malformed_database_url_is_refused(url):
    with pytest.raises(DatabaseUnavailable, match="Malformed database URL"):
        check_url(url)


def test_a_postgresql_url_without_a_database_name_is_refused():
    with pytest.raises(DatabaseUnavailable, match="names no database"):
        check_url("postgresql://postgres@127.0.0.1:5432")


@pytest.mark.parametrize(
    "url",
    ["sqlite:///backroom.db", "sqlite:////var/lib/backroom/b.db", "postgresql://u@h:5432/b"],
)
def test_well_formed_database_urls_are_accepted(url):
    assert check_url(url) == url


def _sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _version_and_moves(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        (version,) = conn.execute('SELECT "version" FROM "schema_version"').fetchone()
        (count,) = conn.execute('SELECT COUNT(*) FROM "move"').fetchone()
    finally:
        conn.close()
    return version, count


def test_an_old_database_is_kept_next_to_it_before_it_is_migrated(sqlite_url):
    build_version_1(sqlite_url)
    path = _sqlite_file(sqlite_url)
    open_database(sqlite_url)
    kept = path.with_name(path.name + ".schema-v1.bak")
    assert _version_and_moves(kept) == (1, 2)
    assert kept.stat().st_mode & 0o777 == 0o600
    assert _version_and_moves(path) == (CURRENT_VERSION, 2)
    db.close()
    # A current database is opened as it is: no copy is made.
    open_database(sqlite_url)
    assert sorted(p.name for p in path.parent.glob("*.bak")) == [kept.name]


def test_a_second_old_copy_does_not_overwrite_the_first(sqlite_url, tmp_path):
    path = _sqlite_file(sqlite_url)
    first = path.with_name(path.name + ".schema-v1.bak")
    first.write_bytes(b"kept by hand")
    build_version_1(sqlite_url)
    open_database(sqlite_url)
    assert first.read_bytes() == b"kept by hand"
    assert _version_and_moves(path.with_name(path.name + ".schema-v1.2.bak")) == (1, 2)
