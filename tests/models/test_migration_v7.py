"""Upgrading a database an older release made (schema v6): its badge tokens are hashed,
the lockout counter is added, and the people in it still log in as before."""

from __future__ import annotations

import pytest

from backroom.models.db import db, make_database
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import add_user, get_user, init_database
from backroom.models.migrations import STEPS, migrate, open_database
from backroom.models.people import users
from backroom.models.people.users import badge_login, check_pin
from backroom.models.schema import User
from tests.models.support import USER

V7 = STEPS.index(next(s for s in STEPS if s.__name__.startswith("_v7_"))) + 1
OLD_BADGE = "1185250676"  # ten digits, as older releases issued them


def build_version_6(url: str) -> None:
    """A database as release v6 left it: no lockout columns, a badge token as itself, a
    four-digit PIN hashed with n=2**14."""
    db.initialize(make_database(url))
    db.connect()
    migrate(upto=V7 - 1)
    init_database(USER)
    add_user("ann", "operator", by=get_user(USER))
    salt = b"0123456789abcdef"
    digest = users._b64(users._scrypt("1357", salt, 2**14, 8, 1))
    old_pin = f"scrypt$16384$8$1${users._b64(salt)}${digest}"
    User.update(badge=OLD_BADGE, pin_hash=old_pin).where(User.name == "ann").execute()
    for column in ("pin_failures", "pin_failures_until", "pin_digits"):
        db.execute_sql(f'ALTER TABLE "user" DROP COLUMN "{column}"')
    db.close()


def test_a_v6_database_gets_its_badges_hashed_and_its_people_still_log_in(db_url):
    build_version_6(db_url)
    assert open_database(db_url) >= V7
    stored = User.get(User.name == "ann").badge
    assert stored == users.badge_hash(OLD_BADGE) and OLD_BADGE not in stored
    assert badge_login(OLD_BADGE).name == "ann"  # the printed badge still works
    assert check_pin("ann", "1357").name == "ann"  # and so does the short PIN
    for _ in range(users.MAX_PIN_FAILURES):
        with pytest.raises(Refused, match="Wrong name or PIN"):
            check_pin("ann", "9999")
    with pytest.raises(Refused, match="Too many wrong PINs for ann"):
        check_pin("ann", "1357")
    db.close()
    assert open_database(db_url) >= V7  # a second opening changes nothing
    assert User.get(User.name == "ann").badge == stored
