"""A small warehouse, built once per test module and backend, for tests that only read.

Resolving a scan never writes, so the read-only tests share one database per module
(a new PostgreSQL database takes half a second); tests that change data build their
own with `build_warehouse` on the `database` fixture.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

import pytest

from backroom.models.db import db
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_lot,
    add_user,
    init_database,
)
from backroom.models.migrations import open_database
from backroom.models.people.users import badge_hash
from backroom.models.schema import User
from tests.conftest import PG_URL, TEST_USER, _pg_admin

WIDGET_GTIN = "09521101530001"


def build_warehouse() -> None:
    """Items, locations, lots and badges as a small warehouse has them."""
    widget = add_item(ItemSpec("WIDGET", "Widget 500 g", WIDGET_GTIN, tracking="lot"))
    tablet = add_item(ItemSpec("TAB", "Tablets x30", "09506000134352", tracking="lot"))
    add_item(ItemSpec("BOLT", "Bolt M6", "5901234123457"))
    add_item(ItemSpec("CAP", "Cap (UPC-A)", "614141123452"))
    add_item(ItemSpec("CASE", "Case of 12 tablets", "19506000134359"))
    pump = add_item(ItemSpec("PUMP", "Pump", "96385074", tracking="serial"))
    add_item(ItemSpec("A-09", "Item whose SKU is also a location code"))
    for code in ("A-01-02", "A-09", "0614141000005"):
        add_location(code, name=f"Place {code}")
    add_lot(widget, "ABC123", expiry=dt.date(2021, 6, 30))
    add_lot(widget, "SHARED")
    add_lot(tablet, "SHARED")
    add_lot(pump, "SN0001")
    add_user("anna")
    add_user("olaf")
    # Badges are kept as hashes of their tokens (models/people/users.py).
    User.update(badge=badge_hash("T0K3N")).where(User.name == "anna").execute()
    User.update(badge=badge_hash("OLD"), active=False).where(User.name == "olaf").execute()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def warehouse_url(request, tmp_path_factory) -> Iterator[str]:
    """The URL of a database holding the small warehouse, shared by a module's tests."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('warehouse') / 'backroom.db'}"
        _build(url)
        yield url
        return
    if not PG_URL:
        pytest.skip("BACKROOM_TEST_PG_URL is not set: no PostgreSQL to test against")
    name = "backroom_w_" + uuid.uuid4().hex[:12]
    admin = _pg_admin()
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = urlunparse(urlparse(PG_URL)._replace(path="/" + name))
    try:
        _build(url)
        yield url
    finally:
        if db.obj is not None:
            db.close()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def warehouse(warehouse_url) -> Iterator[str]:
    """The shared warehouse, opened for one test that only reads."""
    open_database(warehouse_url)
    yield warehouse_url
    db.close()


def _build(url: str) -> None:
    open_database(url, create=True)
    init_database(TEST_USER)
    build_warehouse()
    db.close()
