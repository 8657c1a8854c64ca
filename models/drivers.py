"""The PostgreSQL driver, loaded only for a postgresql:// database.

peewee looks for psycopg2 (and psycopg 3) once, while it is imported, and importing
psycopg2 is ~74 M instructions (~20 ms here) of every command's start-up, SQLite's too.
So while peewee loads, Backroom answers that no driver is there
(`hold_back_while_peewee_loads`, from models/__init__.py), and when a PostgreSQL
database is opened it imports psycopg2 and hands peewee what peewee's own import would
have set (`give_peewee_psycopg2`). Anything else that imports psycopg2, at any time,
gets it as usual.

This module imports nothing beyond sys: models/__init__.py runs it for every command.
"""

from __future__ import annotations

import sys

# What peewee tries at import and Backroom loads later (psycopg2) or never (psycopg 3).
HELD_BACK = ("psycopg2", "psycopg")


def _peewee_loading() -> bool:
    """True while peewee's module body runs (the import system marks its spec)."""
    module = sys.modules.get("peewee")
    return module is not None and getattr(module.__spec__, "_initializing", False)


class HoldBackDrivers:
    """A finder that makes `import psycopg2` fail inside peewee's own import, and only
    there; it takes itself off sys.meta_path once peewee is loaded."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in HELD_BACK and _peewee_loading():
            raise ModuleNotFoundError(f"{name} is loaded when PostgreSQL is opened", name=name)
        if "peewee" in sys.modules and not _peewee_loading():
            self.stand_down()

    def stand_down(self) -> None:
        # A new list: the import system may be iterating the old one right now.
        sys.meta_path = [finder for finder in sys.meta_path if finder is not self]


def hold_back_while_peewee_loads() -> None:
    """Before anything imports peewee: keep the PostgreSQL drivers out of its import."""
    if "peewee" in sys.modules or any(isinstance(f, HoldBackDrivers) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, HoldBackDrivers())


def give_peewee_psycopg2() -> None:
    """Import psycopg2 and set in peewee what its import sets when psycopg2 is there
    (peewee 4's module globals and Psycopg2Adapter's transaction states)."""
    import peewee

    if peewee.psycopg2 is not None:
        return  # peewee was imported before Backroom held the driver back
    import psycopg2
    from psycopg2 import extensions
    from psycopg2.extras import Json, register_uuid

    register_uuid()
    peewee.psycopg2 = psycopg2
    peewee.pg_extensions = extensions
    peewee.Json_pg2 = Json
    adapter = peewee.Psycopg2Adapter
    adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
    adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
    adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN
