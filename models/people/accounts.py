"""Who the database itself says is connected. On PostgreSQL that is a role
(`current_user`): the role that owns Backroom's tables (or a member of it, or a
superuser) can rewrite them whatever Backroom says, so it counts as the site's
administrator; any other role is a person, mapped to a Backroom user."""

from __future__ import annotations

from dataclasses import dataclass

from backroom.models.db import db, is_postgres
from backroom.models.schema import Move


@dataclass(frozen=True)
class DatabaseRole:
    """The PostgreSQL role of this connection, and whether it may rewrite the tables."""

    name: str
    owns_database: bool


def database_role() -> DatabaseRole | None:
    """The role the open PostgreSQL database is used as; None on SQLite (no roles)."""
    if not is_postgres():
        return None
    # The ledger's table stands for all of them: one role made them all (init, migrate).
    row = db.execute_sql(
        "SELECT current_user, "
        "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
        "(SELECT pg_has_role(current_user, c.relowner, 'USAGE') "
        " FROM pg_class c WHERE c.oid = to_regclass(%s))",
        (Move._meta.table_name,),
    ).fetchone()
    name, superuser, owner = row
    return DatabaseRole(str(name), bool(superuser) or bool(owner))
