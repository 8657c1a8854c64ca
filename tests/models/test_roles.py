"""The role matrix: every operation in models/ called as a viewer (an unknown login), an
operator, a lead and an admin; refused below the role it needs, with the reason."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import struct
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from backroom.models.browse import on_hand
from backroom.models.config import Config
from backroom.models.errors import DomainError, Refused
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_lot,
    add_user,
    find_lot,
    get_item,
    get_user,
    set_lot_status,
)
from backroom.models.masterdata.editing import update_item, update_location, update_lot
from backroom.models.people import roles
from backroom.models.people.users import add_key, assign_badge, deactivate, set_pin
from backroom.models.schema import Move, User
from backroom.models.stock.operations import adjust, count, receive, reverse, scrap, transfer
from tests.models.support import USER, ledger_state

PEOPLE = {"viewer": "visitor", "operator": "ann", "lead": "lee", "admin": "ada"}


@dataclass
class Floor:
    """Who is at the keyboard, and a counter for names that must be new each call."""

    name: str
    others_move: int = 0  # a move by someone else, to reverse
    n: int = 0

    @property
    def user(self) -> User:
        """The acting User: a stored one, or an unsaved viewer for the unknown login."""
        found = User.get_or_none(User.name == self.name)
        return found if found is not None else roles.visitor(self.name)

    def fresh(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"


def _own_move(f: Floor) -> int:
    # An old move of one's own: only the undo of a fresh one is an operator's.
    return receive("FLOUR", 1, "A1", user=f.name, at=dt.datetime(2020, 1, 1)).id


def public_key(comment: str) -> str:
    """A new OpenSSH ed25519 public key line (random bytes: never used to sign)."""
    name = b"ssh-ed25519"
    blob = struct.pack(">I", len(name)) + name + struct.pack(">I", 32) + secrets.token_bytes(32)
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


# Each operation with the least role it needs, as a person would call it.
MATRIX: list[tuple[str, str, Callable[[Floor], object]]] = [
    ("receiving", "operator", lambda f: receive("FLOUR", 5, "A1", user=f.name)),
    ("receiving a new lot", "operator", lambda f: receive("MILK", 2, "A1", user=f.name, lot="L9")),
    ("moving", "operator", lambda f: transfer("FLOUR", 1, "A1", "A2", user=f.name)),
    (
        "counting with a small difference",
        "operator",
        lambda f: count("FLOUR", on_hand("FLOUR", location="A1") - 2, "A1", user=f.name),
    ),
    (
        "counting with a large difference",
        "lead",
        lambda f: count("FLOUR", on_hand("FLOUR", location="A1") + 50, "A1", user=f.name),
    ),
    ("adjusting", "lead", lambda f: adjust("FLOUR", -1, "A1", user=f.name, reason="torn")),
    ("scrapping", "lead", lambda f: scrap("FLOUR", 1, "A1", user=f.name, reason="wet")),
    ("reversing another's move", "lead", lambda f: reverse(f.others_move, user=f.name)),
    ("adding an item", "lead", lambda f: add_item(ItemSpec(f.fresh("S"), "Salt"), by=f.user)),
    ("adding a location", "lead", lambda f: add_location(f.fresh("B"), by=f.user)),
    (
        "adding a lot",
        "operator",
        lambda f: add_lot(get_item("MILK"), f.fresh("LOT"), by=f.user),
    ),
    (
        "changing a lot's status",
        "lead",
        lambda f: set_lot_status(find_lot("L1"), "quarantine", "smells", by=f.user),
    ),
    ("changing an item", "lead", lambda f: update_item("FLOUR", by=f.user, name="Flour")),
    ("changing a location", "lead", lambda f: update_location("A2", by=f.user, name="Two")),
    (
        "changing a lot",
        "lead",
        lambda f: update_lot("MILK", "L1", by=f.user, supplier_lot="X1"),
    ),
    ("adding a user", "admin", lambda f: add_user(f.fresh("u"), "operator", by=f.user)),
    ("setting a PIN", "admin", lambda f: set_pin("ann", "471147", by=f.user)),
    ("issuing a badge", "admin", lambda f: assign_badge("ann", by=f.user, renew=True)),
    ("registering an SSH key", "admin", lambda f: add_key("ann", public_key(f.name), by=f.user)),
    ("deactivating a user", "admin", lambda f: deactivate("olga", by=f.user)),
]


@pytest.fixture
def floor(sqlite_database) -> int:
    """FLOUR (untracked) and MILK (lot L1) on shelves A1 and A2; one user of each role."""
    admin = get_user(USER)
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"), by=admin)
    add_item(ItemSpec("MILK", "Milk 1 l", tracking="lot"), by=admin)
    add_location("A1", by=admin)
    add_location("A2", by=admin)
    first = receive("FLOUR", 500, "A1", user=USER)
    receive("MILK", 20, "A1", user=USER, lot="L1")
    for role, name in PEOPLE.items():
        if role != "viewer":
            add_user(name, role, by=admin)
    add_user("olga", "operator", by=admin)
    roles.configure(Config({"roles": {"count_threshold": 10}}))
    return first.id


@pytest.mark.parametrize("role", list(PEOPLE))
def test_each_operation_as_each_role(floor, role):
    f = Floor(PEOPLE[role], others_move=floor)
    for doing, least, operation in MATRIX:
        if roles.rank(role) >= roles.rank(least):
            operation(f)
            continue
        before = ledger_state()
        with pytest.raises(Refused) as refusal:
            operation(f)
        message = str(refusal.value)
        if role == "viewer":
            assert message.startswith("Unknown user 'visitor':"), (doing, message)
            assert " needs a" in message, (doing, message)
        else:
            assert message.startswith(f"User {f.name} is {roles.ARTICLES[role]}:"), doing
            assert message.endswith(f"needs {roles.ARTICLES[least]}"), (doing, message)
        assert ledger_state() == before, f"refused {doing} wrote something"


def test_an_operator_adjusting_is_told_a_lead_is_needed(floor):
    with pytest.raises(Refused, match=r"^User ann is an operator: adjusting stock needs a lead$"):
        adjust("FLOUR", -1, "A1", user="ann", reason="torn")


def test_a_large_count_difference_by_an_operator_is_refused_and_nothing_is_posted(floor):
    before = ledger_state()
    with pytest.raises(Refused) as refusal:
        count("FLOUR", 488, "A1", user="ann")
    assert str(refusal.value) == (
        "User ann is an operator: posting a count difference of -12 (more than 10) needs a lead"
    )
    assert ledger_state() == before
    result = count("FLOUR", 488, "A1", user="lee")
    assert result.difference == -12 and result.move is not None


def test_the_count_threshold_comes_from_the_configuration(floor):
    roles.configure(Config({"roles": {"count_threshold": 100}}))
    try:
        assert count("FLOUR", 450, "A1", user="ann").difference == -50
    finally:
        roles.configure(Config({}))
    with pytest.raises(DomainError, match="count_threshold must be a whole number"):
        roles.configure(Config({"roles": {"count_threshold": "ten"}}))


def test_an_operator_may_undo_a_move_just_posted_but_not_an_old_one(floor):
    fresh = transfer("FLOUR", 2, "A1", "A2", user="ann")
    assert reverse(fresh.id, user="ann").reverses == fresh.id
    old = _own_move(Floor("ann"))
    with pytest.raises(Refused, match="User ann is an operator: reversing a move needs a lead"):
        reverse(old, user="ann")
    with pytest.raises(Refused, match="reversing a move needs a lead"):
        reverse(transfer("FLOUR", 1, "A1", "A2", user="lee").id, user="ann")


def test_a_deactivated_user_posts_nothing(floor):
    deactivate("ann", by=get_user(USER))
    with pytest.raises(Refused, match="User 'ann' is deactivated"):
        receive("FLOUR", 1, "A1", user="ann")


def test_the_last_active_admin_cannot_be_deactivated(floor):
    deactivate("ada", by=get_user(USER))
    with pytest.raises(Refused, match="tester is the last active admin"):
        deactivate(USER, by=get_user(USER))


def test_every_move_carries_the_user_who_posted_it(floor):
    move = transfer("FLOUR", 1, "A1", "A2", user="ann")
    assert Move.get_by_id(move.id).user.name == "ann"


def test_every_operation_name_used_is_in_the_permission_table():
    assert all(least in roles.RANKS for _, least, _ in MATRIX)
    with pytest.raises(KeyError):
        roles.require(None, "juggling")
