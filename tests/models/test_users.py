"""People: PINs kept as slow salted hashes, logins by PIN and badge with a lockout,
SSH keys per user, deactivation, and the audit trail by user."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models.config import Config
from backroom.models.errors import DomainError, NotFound, Refused
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, add_user, get_user
from backroom.models.people import users
from backroom.models.people.audit import audit_page
from backroom.models.people.users import (
    add_key,
    assign_badge,
    badge_login,
    check_pin,
    deactivate,
    keys_for,
    pin_matches,
    set_pin,
)
from backroom.models.schema import Event, User
from backroom.models.stock.operations import receive, transfer
from tests.models.support import USER
from tests.models.test_roles import public_key


@pytest.fixture
def people(sqlite_database) -> str:
    """Ann, an operator with PIN 471147, and Lee, a lead without a PIN."""
    admin = get_user(USER)
    add_user("ann", "operator", by=admin)
    add_user("lee", "lead", by=admin)
    set_pin("ann", "471147", by=admin)
    return sqlite_database


def events(kind: str) -> list[Event]:
    return list(Event.select().where(Event.kind == kind).order_by(Event.id))


def test_a_pin_is_kept_as_a_salted_scrypt_hash_never_as_itself(people):
    stored = User.get(User.name == "ann").pin_hash
    assert stored.startswith("scrypt$65536$8$1$") and "471147" not in stored
    assert pin_matches(stored, "471147") and not pin_matches(stored, "471148")
    assert users.hash_pin("471147") != users.hash_pin("471147")  # a new salt each time
    assert "471147" not in " ".join(e.detail for e in Event.select())


@pytest.mark.parametrize("pin", ["12345", "1234567890123", "12a456", "", "١٢٣٤٥٦"])
def test_a_new_pin_must_be_six_to_twelve_digits_by_default(people, pin):
    with pytest.raises(Refused, match="A PIN is 6 to 12 digits"):
        set_pin("ann", pin, by=get_user(USER))


def test_a_site_may_ask_for_longer_pins_or_allow_four_digits_but_never_fewer(people):
    with pytest.raises(Refused, match="A PIN is 8 to 12 digits"):
        set_pin("ann", "1234567", by=get_user(USER), minimum=8)
    set_pin("ann", "2580", by=get_user(USER), minimum=4)
    assert check_pin("ann", "2580").name == "ann"
    with pytest.raises(Refused, match="A PIN is 4 to 12 digits"):
        set_pin("ann", "258", by=get_user(USER), minimum=2)


def test_a_short_pin_from_an_older_release_still_logs_in_and_is_hashed_anew(people):
    # What an older release stored: four digits, scrypt at n=2**14, no length kept.
    salt = b"0123456789abcdef"
    digest = users._b64(users._scrypt("1357", salt, 2**14, 8, 1))
    stored = f"scrypt$16384$8$1${users._b64(salt)}${digest}"
    User.update(pin_hash=stored, pin_digits=None).where(User.name == "ann").execute()
    assert check_pin("ann", "1357").name == "ann"
    ann = User.get(User.name == "ann")
    assert ann.pin_digits == 4 and ann.pin_hash.startswith("scrypt$65536$8$1$")
    assert pin_matches(ann.pin_hash, "1357")
    assert check_pin("ann", "1357").name == "ann"


def test_logging_in_with_name_and_pin_is_logged(people):
    assert check_pin("ann", "471147").name == "ann"
    (login,) = events("user.login")
    assert (login.subject, login.user.name, '"pin"' in login.detail) == ("ann", "ann", True)


def test_a_wrong_pin_or_unknown_name_gets_the_same_answer(people):
    with pytest.raises(Refused, match=r"^Wrong name or PIN$"):
        check_pin("ann", "000000")
    with pytest.raises(Refused, match=r"^Wrong name or PIN$"):
        check_pin("nobody", "471147")
    assert [e.subject for e in events("user.pin_failed")] == ["ann", "nobody"]


def test_a_user_without_a_pin_is_told_to_ask_an_admin(people):
    with pytest.raises(Refused, match="User lee has no PIN yet"):
        check_pin("lee", "123456")


def test_five_wrong_pins_lock_the_name_for_a_while(people, monkeypatch):
    for _ in range(users.MAX_PIN_FAILURES):
        with pytest.raises(Refused, match="Wrong name or PIN"):
            check_pin("ann", "999999")
    with pytest.raises(Refused, match="Too many wrong PINs for ann: try again in 5 minutes"):
        check_pin("ann", "471147")  # even the right PIN, while locked
    later = users.utcnow() + dt.timedelta(minutes=users.LOCKOUT_MINUTES, seconds=1)
    monkeypatch.setattr(users, "utcnow", lambda: later)
    assert check_pin("ann", "471147").name == "ann"


def test_a_good_login_between_wrong_pins_does_not_buy_more_guesses(people):
    for _ in range(users.MAX_PIN_FAILURES - 1):
        with pytest.raises(Refused, match="Wrong name or PIN"):
            check_pin("ann", "999999")
    assert check_pin("ann", "471147").name == "ann"
    with pytest.raises(Refused, match="Wrong name or PIN"):
        check_pin("ann", "999999")  # the fifth wrong PIN in the window
    with pytest.raises(Refused, match="Too many wrong PINs for ann"):
        check_pin("ann", "471147")
    assert len(events("user.pin_failed")) == users.MAX_PIN_FAILURES


def test_wrong_pins_are_forgotten_once_the_window_has_passed(people, monkeypatch):
    for _ in range(users.MAX_PIN_FAILURES - 1):
        with pytest.raises(Refused, match="Wrong name or PIN"):
            check_pin("ann", "999999")
    later = users.utcnow() + dt.timedelta(minutes=users.LOCKOUT_MINUTES, seconds=1)
    monkeypatch.setattr(users, "utcnow", lambda: later)
    for _ in range(users.MAX_PIN_FAILURES - 1):
        with pytest.raises(Refused, match="Wrong name or PIN"):
            check_pin("ann", "999999")
    assert check_pin("ann", "471147").name == "ann"


def test_a_new_pin_from_an_admin_lifts_a_lockout(people):
    for _ in range(users.MAX_PIN_FAILURES):
        with pytest.raises(Refused, match="Wrong name or PIN"):
            check_pin("ann", "999999")
    set_pin("ann", "864209", by=get_user(USER))
    assert check_pin("ann", "864209").name == "ann"


def test_a_deactivated_user_cannot_log_in(people):
    deactivate("ann", by=get_user(USER))
    with pytest.raises(Refused, match="User 'ann' is deactivated"):
        check_pin("ann", "471147")
    assert keys_for("ann") == []


def test_a_badge_logs_its_holder_in_and_a_renewed_one_voids_the_old(people):
    admin = get_user(USER)
    old = assign_badge("ann", by=admin)
    assert old.isdigit() and len(old) == users.BADGE_TOKEN_DIGITS
    with pytest.raises(Refused, match="ann has a badge already, and its code is shown only"):
        assign_badge("ann", by=admin)  # shown once: the database cannot say it again
    assert badge_login(old).name == "ann"
    new = assign_badge("ann", by=admin, renew=True)
    with pytest.raises(Refused, match="Unknown badge: no user has it"):
        badge_login(old)
    assert badge_login(new).name == "ann"
    assert len(events("user.badge")) == 2
    assert old not in " ".join(e.detail for e in Event.select())


def test_the_database_keeps_only_a_hash_of_a_badge_token(people):
    token = assign_badge("ann", by=get_user(USER))
    stored = User.get(User.name == "ann").badge
    assert token not in stored and stored == users.badge_hash(token)
    assert stored.startswith("scrypt1$16$") and len(stored) <= 64
    assert users.badge_holder(token[:-1] + str((int(token[-1]) + 1) % 10)) is None


def test_an_operator_cannot_print_someone_elses_badge(people):
    with pytest.raises(Refused, match="User ann is an operator: issuing badges needs an admin"):
        assign_badge("lee", by=get_user("ann"))


def test_ssh_keys_are_kept_per_user_with_their_fingerprint(people):
    line = public_key("ann@handheld")
    (added,) = add_key("ann", line + "\n# a comment\n", by=get_user(USER))
    assert added.fingerprint.startswith("SHA256:") and added.comment == "ann@handheld"
    assert [k.line for k in keys_for("ann")] == [line]
    assert keys_for("lee") == [] and keys_for("nobody") == []
    with pytest.raises(Refused, match="already registered for user ann"):
        add_key("lee", line, by=get_user(USER))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n", "This is a private key"),
        ("hello world", "Line 1 is not an OpenSSH public key"),
        ("ssh-ed25519 !!!notbase64", "Line 1: the key data is damaged"),
        ("", "No public key found"),
    ],
)
def test_a_key_file_that_is_not_a_public_key_is_refused(people, text, message):
    with pytest.raises(Refused, match=message):
        add_key("ann", text, by=get_user(USER))


def test_a_key_whose_inside_names_another_algorithm_is_refused(people):
    rsa_named = public_key("x").replace("ssh-ed25519", "ssh-rsa", 1)
    with pytest.raises(Refused, match="the key says 'ssh-ed25519' inside but 'ssh-rsa'"):
        add_key("ann", rsa_named, by=get_user(USER))


def test_the_audit_trail_shows_moves_and_events_by_user_newest_first(people):
    admin = get_user(USER)
    add_item(ItemSpec("FLOUR", "Wheat flour"), by=admin)
    add_location("A1", by=admin)
    add_location("A2", by=admin)
    receive("FLOUR", 10, "A1", user="ann")
    check_pin("ann", "471147")
    transfer("FLOUR", 4, "A1", "A2", user="ann")
    transfer("FLOUR", 1, "A1", "A2", user=USER)
    page = audit_page("ann")
    assert [(line.source, line.kind) for line in page.lines] == [
        ("move", "transfer"),
        ("event", "user.login"),
        ("move", "receipt"),
    ]
    assert page.lines[0].what == "4 FLOUR A1 → A2" and page.after is None
    everyone = audit_page()
    assert everyone.lines[0].user == USER and len(everyone.lines) > 3


def test_the_audit_trail_pages_without_losing_or_repeating_a_line(people):
    admin = get_user(USER)
    add_item(ItemSpec("FLOUR", "Wheat flour"), by=admin)
    add_location("A1", by=admin)
    for n in range(7):
        receive("FLOUR", n + 1, "A1", user="ann")
        check_pin("ann", "471147")
    seen, after = [], None
    for _ in range(20):
        page = audit_page("ann", after=after, limit=3)
        seen += [(line.source, line.id) for line in page.lines]
        after = page.after
        if after is None:
            break
    assert len(seen) == len(set(seen)) == 14
    assert audit_page("ann", since=dt.date.today() + dt.timedelta(days=1)).lines == []
    with pytest.raises(NotFound, match="Unknown user 'nobody'"):
        audit_page("nobody")


def test_the_site_minimum_comes_from_the_config_and_is_never_below_four(people, monkeypatch):
    monkeypatch.setattr(users._pin_minimum, "_value", None)
    users.configure(Config({"access": {"pin_min_length": 8}}))
    with pytest.raises(Refused, match="A PIN is 8 to 12 digits"):
        set_pin("ann", "1234567", by=get_user(USER))
    set_pin("ann", "12345678", by=get_user(USER))
    for low in (3, "6", True):
        with pytest.raises(DomainError, match=r"\[access\] pin_min_length is a whole number"):
            users.configure(Config({"access": {"pin_min_length": low}}))
