"""`backroom doctor` names each open door: database files others may read, PINs shorter
than the site asks, badge tokens kept as themselves, and settings that let people in."""

from __future__ import annotations

from pathlib import Path

import pytest

from backroom.models import file_modes
from backroom.models.config import Config
from backroom.models.doctor import examine
from backroom.models.masterdata.adding import add_user, get_user
from backroom.models.people.users import assign_badge, set_pin
from backroom.models.schema import User
from tests.models.support import USER

SAFE = Config({"access": {"unknown_users": "refuse"}})


@pytest.fixture
def site(sqlite_database, tmp_path, monkeypatch) -> tuple[str, Path]:
    """A new database and a signing key readable by its owner only: nothing to fix."""
    monkeypatch.setattr(file_modes._site, "_value", None)
    key = tmp_path / "signing.key"
    key.write_bytes(b"k" * 32)
    key.chmod(0o600)
    return sqlite_database, key


def problems(config: Config, site, **kwargs) -> list[str]:
    url, key = site
    report = examine(config, url, signing_key=key, **kwargs)
    assert report.ok == (not [f for f in report.findings if not f.ok])
    return [f.message for f in report.findings if not f.ok]


def test_a_new_database_with_a_private_key_has_nothing_to_fix(site):
    url, key = site
    report = examine(SAFE, url, signing_key=key)
    assert report.ok and report.text.endswith("Nothing to fix")
    assert f"ok   Site signing key {key}: mode 0600" in report.text.splitlines()


def test_a_database_wal_and_backup_others_can_read_are_each_named(site):
    url, _ = site
    path = Path(url.removeprefix("sqlite:///"))
    path.chmod(0o644)
    path.with_name(path.name + "-wal").chmod(0o604)
    backup = path.with_name("before-stocktake.bak")
    backup.write_bytes(b"SQLite format 3\x00")
    backup.chmod(0o644)
    kept = path.with_name(path.name + ".schema-v5.bak")
    kept.write_bytes(b"SQLite format 3\x00")
    kept.chmod(0o600)
    assert problems(SAFE, site) == [
        f"Database {path} is readable by everyone (mode 0644)",
        f"WAL {path}-wal is readable by everyone (mode 0604)",
        f"Backup or copy {backup} is readable by everyone (mode 0644)",
    ]


def test_pins_shorter_than_the_site_minimum_are_counted_and_named_for_an_admin(site):
    admin = get_user(USER)
    for name in ("ann", "bob", "cy"):
        add_user(name, "operator", by=admin)
    set_pin("ann", "2580", by=admin, minimum=4)
    set_pin("bob", "13579", by=admin, minimum=4)
    set_pin("cy", "246813", by=admin)
    expected = "2 PINs (ann, bob) shorter than the site's 6 digits: set new ones"
    assert problems(SAFE, site, viewer=admin) == [expected]
    hidden = problems(SAFE, site, viewer=get_user("cy"))
    assert hidden == [
        "2 PINs (an admin sees the names) shorter than the site's 6 digits: set new ones"
    ]
    eight = Config({"access": {"pin_min_length": 8}})
    assert problems(eight, site)[0].startswith("3 PINs (ann, bob, cy) shorter than the site's 8")


def test_a_badge_token_kept_as_itself_is_found(site):
    admin = get_user(USER)
    add_user("ann", "operator", by=admin)
    assign_badge("ann", by=admin)
    assert problems(SAFE, site) == []
    User.update(badge="1185250676").where(User.name == "ann").execute()
    assert problems(SAFE, site) == ["1 badge (ann) kept as themselves, not hashed: renew them"]


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"access": {"unknown_users": "read-write"}}, "[access] unknown_users is 'read-write'"),
        ({"serve": {"ssh": {"password_auth": True}}}, "SSH logins by password (PIN) are on"),
        ({"access": {"pin_min_length": 4}}, "New PINs need 4 digits or more"),
        ({"access": {"pin_min_length": 2}}, "[access] pin_min_length is a whole number from 4"),
    ],
)
def test_weak_settings_are_named(site, settings, problem):
    assert [p for p in problems(Config(settings), site) if p.startswith(problem)] != []


def test_a_missing_or_readable_signing_key_is_named(site, tmp_path):
    url, key = site
    key.chmod(0o640)
    assert problems(SAFE, site) == [f"The signing key {key} is open to others (mode 0640)"]
    missing = tmp_path / "none.key"
    assert problems(SAFE, (url, missing)) == [
        f"No site signing key at {missing}: the chain is unsigned"
    ]


def test_a_config_file_others_may_change_is_named(site, tmp_path):
    config_file = tmp_path / "config.toml"
    config_file.write_text("")
    config_file.chmod(0o666)
    config = Config({}, files=[config_file])
    assert problems(config, site) == [f"Config file {config_file} is writable by others (0666)"]
