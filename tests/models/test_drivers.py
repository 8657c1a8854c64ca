"""psycopg2 is loaded for a PostgreSQL database only (models/drivers.py): peewee is
imported without it, and is given it, as its own import would have, when a
postgresql:// database is opened (that SQLite never loads it, test_house checks on
`backroom stock --json`). Each check runs in a fresh interpreter, since this test
process has long imported both."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PG_URL = os.environ.get("BACKROOM_TEST_PG_URL")


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_peewee_is_imported_without_psycopg2_and_anyone_may_import_it_later():
    out = _run(
        "import sys\n"
        "import backroom.models.db, peewee\n"
        "print('psycopg2' in sys.modules, peewee.psycopg2)\n"
        "import psycopg2.extras\n"  # held back from peewee's import only
        "finders = [type(f).__name__ for f in sys.meta_path]\n"
        "print(psycopg2.__name__, finders.count('HoldBackDrivers'))"
    )
    assert out.splitlines() == ["False None", "psycopg2 0"]


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="BACKROOM_TEST_PG_URL is not set")
def test_a_postgresql_database_gets_the_driver_peewee_was_imported_without():
    out = _run(
        "import sys, uuid\n"
        "from backroom.models.db import db, make_database\n"
        "import peewee\n"
        "print('psycopg2' in sys.modules)\n"
        f"db.initialize(make_database({PG_URL!r})); db.connect()\n"
        "known = uuid.UUID(int=7)\n"
        "back = db.execute_sql('select %s::uuid', (known,)).fetchone()[0]\n"  # register_uuid
        "adapter = db.obj._adapter\n"
        "print(type(adapter).__name__, back == known, adapter.txn_status(db.connection())"
        " == adapter.txn_idle, peewee.Json_pg2 is not None)"
    )
    assert out.splitlines() == ["False", "Psycopg2Adapter True True True"]
