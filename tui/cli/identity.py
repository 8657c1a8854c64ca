"""Who runs a command, proven rather than told.

- The caller is the OS account of the process's real uid (`pwd`, never LOGNAME, USER or
  BACKROOM_USER), the Backroom user of the same name unless the site's `[accounts]`
  maps it to another. On PostgreSQL, a connection as a role other than the one that owns
  Backroom's tables is that role's person instead (`[database_roles]`, else the same name).
- The site's administrator is an account that could rewrite the database whatever
  Backroom says: for SQLite uid 0 and the owner of the database file,
  for PostgreSQL a connection as the tables' owner role (or a member of it, or a
  superuser), whatever the OS account.
- `--user OTHER` (or BACKROOM_USER=OTHER) acts as OTHER only with OTHER's PIN, typed on
  the terminal or given in BACKROOM_PIN, unless the caller is the site's administrator
  (the SSH and web servers run as that account: it is how their sessions act as the
  people they let in). A wrong PIN counts toward OTHER's lockout.
"""

from __future__ import annotations

import getpass
import logging
import os
import pwd
import sys
from dataclasses import dataclass

from backroom.models.config import Config
from backroom.models.db import sqlite_path
from backroom.models.errors import Refused

PIN_VARIABLE = "BACKROOM_PIN"
NAME_VARIABLE = "BACKROOM_USER"
log = logging.getLogger("backroom")


@dataclass(frozen=True)
class Caller:
    """The account running this command, as the kernel and the database know it."""

    account: str  # the OS account of the real uid
    name: str  # the Backroom user that account (or its database role) is
    site_admin: bool  # could rewrite the database anyway
    known_by: str  # how: "OS account ann", "database role clerk"


def os_account() -> str:
    """The name of the OS account of this process's real uid ("#1234" if it has none)."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid with no passwd entry, as in some containers
        return f"#{uid}"


def account_name(config: Config) -> str:
    """The Backroom user the OS account is, by the site's [accounts] (else its own name)."""
    account = os_account()
    return config.accounts.get(account, account)


def owns_file(url: str) -> bool:
    """True when this process's uid is 0 or owns the SQLite file at URL: an account that
    could rewrite the database whatever Backroom decides (False for PostgreSQL, where
    the connection's role decides)."""
    path = sqlite_path(url)
    if path is None:
        return False
    uid = os.getuid()
    if uid == 0:
        return True
    # The file's own owner (stat follows a symbolic link to it), never the folder's: a
    # folder of one's own could hold a hard link to someone else's database.
    try:
        return path.stat().st_uid == uid
    except OSError:
        return False


def who_runs(config: Config, url: str) -> Caller:
    """The caller of a command on the open database at URL."""
    from backroom.models.people.accounts import database_role

    account = os_account()
    role = database_role()
    if role is not None and not role.owns_database:
        name = config.database_roles.get(role.name, role.name)
        # The connection is this role's, whoever the OS account: it can change only
        # what the role's grants allow, so it names no one else without their PIN.
        return Caller(account, name, False, f"database role {role.name}")
    site_admin = role.owns_database if role is not None else owns_file(url)
    return Caller(
        account, config.accounts.get(account, account), site_admin, f"OS account {account}"
    )


def named_user(user_option: str | None) -> str | None:
    """The other user a command was asked to act as: --user, else BACKROOM_USER."""
    named = user_option or os.environ.get(NAME_VARIABLE) or ""
    return named.strip() or None


def acting_name(caller: Caller, named: str | None) -> str:
    """Who the command acts as: the caller, or NAMED once proven (PIN or site admin)."""
    if named is None or named == caller.name:
        return caller.name
    if caller.site_admin:
        log.info("%s (the site's administrator) acts as %s", caller.known_by, named)
        return named
    from backroom.models.people.users import check_pin

    user = check_pin(named, _pin_of(named))
    log.info("%s acts as %s with their PIN", caller.known_by, user.name)
    return user.name


def _pin_of(named: str) -> str:
    """NAMED's PIN: from BACKROOM_PIN for scripts, else asked for on the terminal."""
    pin = os.environ.get(PIN_VARIABLE)
    if pin is not None:
        return pin.strip()
    if not sys.stdin.isatty():
        raise Refused(
            f"Acting as {named} needs {named}'s PIN: type it on a terminal, "
            f"or give it in {PIN_VARIABLE}"
        )
    try:
        return getpass.getpass(f"PIN of {named}: ").strip()
    except EOFError:
        raise Refused(f"No PIN was typed for {named}") from None
