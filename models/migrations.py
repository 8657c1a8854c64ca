"""Schema versions. A new database replays every step from the first, so a fresh
database and an upgraded one are built by the same code. Steps are idempotent."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import peewee

from backroom.models import file_modes
from backroom.models.db import (
    db,
    describe_error,
    is_postgres,
    is_sqlite,
    make_database,
    sqlite_path,
)
from backroom.models.errors import DatabaseUnavailable
from backroom.models.schema import TABLES, LedgerHead, SchemaVersion

APPEND_ONLY_TABLES = ("move", "event")
log = logging.getLogger("backroom")


def _v1_tables() -> None:
    db.create_tables(TABLES, safe=True)
    if not LedgerHead.select().where(LedgerHead.id == 1).exists():
        LedgerHead.create(id=1)


def _v2_append_only_triggers() -> None:
    for table in APPEND_ONLY_TABLES:
        _append_only(table)


def _v3_shipping_tables() -> None:
    from backroom.models.schema.shipping import SHIPPING_TABLES

    db.create_tables(SHIPPING_TABLES, safe=True)


def _v4_genealogy_tables() -> None:
    from backroom.models.schema.genealogy import GENEALOGY_TABLES

    db.create_tables(GENEALOGY_TABLES, safe=True)
    # A scanned or typed lot number is found without its item (trace, recall): the
    # unique (item, number) index cannot lead that search.
    db.execute_sql('CREATE INDEX IF NOT EXISTS "lot_number" ON "lot" ("number")')


def _v5_people_tables() -> None:
    from backroom.models.schema.people import PEOPLE_TABLES

    db.create_tables(PEOPLE_TABLES, safe=True)


def _v6_browse_indexes() -> None:
    # Most quants are zero (stock passed through); browsing and stock sums only want the
    # rest. Partial indexes (SQLite and PostgreSQL alike) skip the zeros entirely.
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "quant_nonzero_item" '
        'ON "quant" ("item_id", "lot_key", "location_id") WHERE "qty" != 0'
    )
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "quant_nonzero_location" '
        'ON "quant" ("location_id", "item_id") WHERE "qty" != 0'
    )
    db.execute_sql('CREATE INDEX IF NOT EXISTS "move_kind_id" ON "move" ("kind", "id")')


def _v7_pin_lockout_and_badge_hashes() -> None:
    # A wrong-PIN counter on the user row, so that a lockout is one atomic UPDATE; the
    # length of each PIN, for `doctor`; badge tokens kept only as hashes.
    from backroom.models.people.users import hash_stored_badges

    stamp = "TIMESTAMP" if is_postgres() else "DATETIME"
    have = {column.name for column in db.get_columns("user")}
    for name, ddl in (
        ("pin_failures", "INTEGER NOT NULL DEFAULT 0"),
        ("pin_failures_until", f"{stamp} NULL"),
        ("pin_digits", "SMALLINT NULL"),
    ):
        if name not in have:
            db.execute_sql(f'ALTER TABLE "user" ADD COLUMN "{name}" {ddl}')
    hash_stored_badges()


def _v8_chained_history() -> None:
    # Moves posted from here on hash the names a person reads; events get their own
    # chain; checkpoints of both heads are signed with a key outside the database.
    # Old moves keep their hash over ids (re-hashing them would vouch for what nobody
    # checked); the chain's first event records up to which move that holds, and a
    # digest of every older event, so none of them can be changed unseen afterwards.
    from backroom.models.schema import Checkpoint, Event
    from backroom.models.stock.event_row import CHAIN_START, start_chain

    _add_column("ledger_head", "event_last_id", "INTEGER NOT NULL DEFAULT 0")
    _add_column("ledger_head", "event_last_hash", f"VARCHAR(64) NOT NULL DEFAULT '{'0' * 64}'")
    _add_column("event", "prev_hash", "VARCHAR(64)")
    _add_column("event", "hash", "VARCHAR(64)")
    db.create_tables([Checkpoint], safe=True)
    _append_only("checkpoint")
    if not Event.select(Event.id).where(Event.kind == CHAIN_START).exists():
        head = db.execute_sql('SELECT "last_id" FROM "ledger_head" WHERE "id" = 1').fetchone()
        start_chain(head[0] if head else 0)


def _append_only(table: str) -> None:
    """Triggers that refuse updates and deletes of TABLE's rows (and its truncation)."""
    if is_sqlite():
        for action in ("UPDATE", "DELETE"):
            db.execute_sql(
                f'CREATE TRIGGER IF NOT EXISTS "{table}_no_{action.lower()}" '
                f'BEFORE {action} ON "{table}" '
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    elif is_postgres():
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION backroom_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END; "
            "$$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            f'CREATE OR REPLACE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE '
            f'ON "{table}" FOR EACH ROW EXECUTE FUNCTION backroom_append_only()'
        )
        db.execute_sql(
            f'CREATE OR REPLACE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE '
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION backroom_append_only()'
        )


def _add_column(table: str, column: str, definition: str) -> None:
    if column not in {c.name for c in db.get_columns(table)}:
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {definition}')


def _v9_restore_log() -> None:
    # Each restore is recorded in the restored database; its generation tells the
    # sessions that posted before it (models/data/restored.py).
    from backroom.models.data.restored import create_restore_table

    create_restore_table()


def _packaging_levels() -> None:
    # An item's inner packs, cases and pallets, each with its count and its own GTIN;
    # and where received stock goes: put-away rules, item categories, bin capacities.
    from backroom.models.schema.packaging import PACKAGING_TABLES
    from backroom.models.schema.putaway import PUTAWAY_TABLES

    db.create_tables(PACKAGING_TABLES + PUTAWAY_TABLES, safe=True)


def _posting_requests() -> None:
    # Every posting's request id, unique, so a retried confirmation returns the first
    # result instead of posting twice (models/stock/requests.py); never changed.
    from backroom.models.stock.requests import create_request_table

    create_request_table()
    _append_only("posting_request")


def _goods_in_tables() -> None:
    # Purchase orders, advance shipping notices and the receipts posted against them.
    from backroom.models.schema.goods_in import GOODS_IN_TABLES

    db.create_tables(GOODS_IN_TABLES, safe=True)


def _posting_requests_pruned() -> None:
    # Request ids are kept for a retention period, then pruned (models/stock/requests.py):
    # an index on their time, and deletes allowed of old ids only.
    from backroom.models.stock.requests import create_time_index_and_prune_guard

    create_time_index_and_prune_guard()


def _counting_tables() -> None:
    # Cycle counting: count plans, items' ABC classes, the counts done and the counts
    # held for a lead (models/counting/).
    from backroom.models.schema.counting import COUNTING_TABLES

    db.create_tables(COUNTING_TABLES, safe=True)


def _pick_faces() -> None:
    # Pick faces with their least and most stock, for replenishment from reserve
    # (models/replenishment.py).
    from backroom.models.schema.replenishment import REPLENISHMENT_TABLES

    db.create_tables(REPLENISHMENT_TABLES, safe=True)


def _task_tables() -> None:
    # Work the system asks for (put away, replenish, count, pick, move), taken by one
    # person at a time, and what each operator may be given (models/tasks/).
    # Self-contained, so it can sit at any position among the steps.
    from backroom.models.schema.tasks import TASK_TABLES

    db.create_tables(TASK_TABLES, safe=True)


def _pick_batches() -> None:
    # Pick batches: several shipments' allocated lines picked in one walk, each shipment
    # into its tote (models/tasks/batches.py). Needs the task and shipping tables.
    from backroom.models.schema.batches import BATCH_TABLES

    db.create_tables(BATCH_TABLES, safe=True)


STEPS: list[Callable[[], None]] = [
    _v1_tables,
    _v2_append_only_triggers,
    _v3_shipping_tables,
    _v4_genealogy_tables,
    _v5_people_tables,
    _v6_browse_indexes,
    _v7_pin_lockout_and_badge_hashes,
    _v8_chained_history,
    _v9_restore_log,
    _packaging_levels,
    _posting_requests,
    _goods_in_tables,
    _posting_requests_pruned,
    _counting_tables,
    _pick_faces,
    _task_tables,
    _pick_batches,
]
CURRENT_VERSION = len(STEPS)


def stored_version() -> int | None:
    """The schema version in the open database, or None if it has no Backroom schema."""
    if not db.table_exists(SchemaVersion._meta.table_name):
        return None
    row = SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.id.desc()).first()
    return row.version if row else 0


def migrate(upto: int = CURRENT_VERSION) -> int:
    """Bring the open database to schema version `upto`; returns the version reached."""
    from backroom.models.db import write

    with write():
        if is_postgres():
            # Two sessions opening an old database at once: one migrates, one waits.
            db.execute_sql("SELECT pg_advisory_xact_lock(724001)")
        version = stored_version() or 0
        if version > CURRENT_VERSION:
            raise DatabaseUnavailable(
                f"This database has schema version {version}, made by a newer Backroom "
                f"(this one knows up to {CURRENT_VERSION}); upgrade Backroom to open it."
            )
        for number in range(version + 1, upto + 1):
            STEPS[number - 1]()
            SchemaVersion.delete().execute()
            SchemaVersion.create(version=number)
        return max(version, upto)


def keep_before_migrating(path: Path, version: int) -> Path:
    """Copy the SQLite database at PATH, schema VERSION, next to it before it is migrated.

    The copy is named with the version it holds (`warehouse.db.schema-v5.bak`, then
    `.2.bak`, ... if one is there already) and readable by its owner only; it is one
    consistent snapshot (SQLite's backup API), whatever other sessions do meanwhile.
    """
    target = path.with_name(f"{path.name}.schema-v{version}.bak")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.schema-v{version}.{n}.bak")
    os.close(file_modes.create_private(target))
    source, copy = sqlite3.connect(path), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    log.warning("schema v%d of %s kept as %s before migrating it", version, path, target)
    return target


def open_database(url: str, *, create: bool = False) -> int:
    """Open the database at URL as Backroom's, migrating it in place; returns its version.

    Without `create`, a missing SQLite file or a database with no Backroom schema is
    refused rather than silently made.
    """
    database = make_database(url)
    path = sqlite_path(url)
    created = False
    if path is not None:
        if not path.exists():
            if not create:
                raise DatabaseUnavailable(
                    f"No Backroom database at {path}: create one with 'backroom init' "
                    "or 'backroom demo'"
                )
            file_modes.create_database_file(path)  # 0600/0640 before SQLite makes it 0644
            created = True
        elif path.is_dir():
            raise DatabaseUnavailable(f"{path} is a folder, not a database file")
    if db.obj is not None and not db.is_closed():
        db.close()
    db.initialize(database)
    try:
        db.connect(reuse_if_open=True)
        if created:
            file_modes.make_database_private(path)  # the WAL and its index, for the group
        version = stored_version()
        if version is None and db.get_tables():
            # Even with `create`: never add Backroom's tables to someone else's database.
            raise DatabaseUnavailable(f"{url} is not a Backroom database")
        if version is None and not create:
            raise DatabaseUnavailable(
                f"{url} has no Backroom schema yet: run 'backroom init' first"
            )
        if version != CURRENT_VERSION:
            if version and path is not None:
                keep_before_migrating(path, version)
            return migrate()
        return version
    except DatabaseUnavailable:
        db.close()
        raise
    except peewee.DatabaseError as exc:
        db.close()
        if "not a database" in str(exc):
            raise DatabaseUnavailable(f"{url} is not a Backroom database") from exc
        raise DatabaseUnavailable(describe_error(exc)) from exc
