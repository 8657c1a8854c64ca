"""A shared terminal: nobody works until they scan a badge or give name and PIN, and
an idle terminal logs its person out. Unknown logins are refused or only look."""

from __future__ import annotations

import pytest

from backroom.models.config import Config
from backroom.models.errors import NotFound
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, add_user, get_user
from backroom.models.people import roles
from backroom.models.people.users import assign_badge, set_pin
from backroom.models.schema import Event
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.screens.people.login import LoginScreen
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import key_burst, settle, shortcut


@pytest.fixture
def terminal(sqlite_database) -> str:
    """Ann (operator) with PIN 471147 and a badge; a shelf of tape."""
    admin = get_user(TEST_USER)
    add_user("ann", "operator", by=admin)
    set_pin("ann", "471147", by=admin)
    add_location("A-01", by=admin)
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"), by=admin)
    receive("TAPE-48", 20, "A-01", user=TEST_USER)
    return sqlite_database


def shared(url: str, idle: float = 0) -> BackroomApp:
    return BackroomApp(Session("", url, shared=True, idle_logout=idle))


async def type_in(pilot, *entries: str) -> None:
    for text in entries:
        await pilot.press(*text, "enter")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def message(app) -> str:
    return str(app.screen.query_one("#login-message").render())


async def test_a_shared_terminal_opens_at_the_login_screen_and_keys_go_nowhere(terminal):
    app = shared(terminal)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.session.user == ""
        for key in ("f5", "f2", "f3", "ctrl+p"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen), key
        assert "(log in)" in app.sub_title


async def test_name_and_pin_log_in(terminal):
    app = shared(terminal)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "ann", "471147")
        assert app.session.user == "ann" and not isinstance(app.screen, LoginScreen)
        assert app.sub_title.startswith("ann ·")


async def test_name_and_pin_in_one_burst_log_in(terminal):
    # A fast typist over a batching link (SSH, the browser's websocket): every key has
    # arrived before the screen has taken the first Enter. The PIN once went into the
    # name field, in clear ("ann471147"), and the login failed.
    app = shared(terminal)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        key_burst(app, [*"ann", "enter", *"471147", "enter"])
        await settle(pilot)
        assert app.session.user == "ann" and not isinstance(app.screen, LoginScreen)


async def test_a_wrong_pin_says_so_and_stays(terminal):
    app = shared(terminal)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "ann", "111111")
        assert isinstance(app.screen, LoginScreen) and app.session.user == ""
        assert message(app) == "Wrong name or PIN"


async def test_scanning_a_badge_logs_its_holder_in(terminal):
    code = "BADGE:" + assign_badge("ann", by=get_user(TEST_USER))
    app = shared(terminal)
    async with app.run_test(size=(40, 16)) as pilot:
        await type_in(pilot, code)
        assert app.session.user == "ann"
        logins = Event.select().where(Event.kind == "user.login", Event.subject == "ann")
        assert '"badge"' in logins.get().detail


async def test_an_idle_terminal_logs_its_person_out(terminal):
    # Long enough that a loaded machine still reaches the receive screen before it.
    app = shared(terminal, idle=4.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "ann", "471147")
        assert app.session.user == "ann"
        app.posted_moves.append(("MoveScreen", 1, "Posted move 1"))  # ann could undo it
        await shortcut(pilot, "r")  # to the receive screen, then walk away
        assert not isinstance(app.screen, LoginScreen)
        for _ in range(200):
            await pilot.pause(0.05)
            if isinstance(app.screen, LoginScreen):
                break
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.session.user == ""
        assert app.posted_moves == []  # the next person cannot undo ann's moves
        assert "ann was logged out" in message(app)


def test_an_unknown_login_is_refused_unless_the_site_allows_looking(terminal):
    with pytest.raises(NotFound, match="Unknown user 'mallory': an admin adds it"):
        roles.admit("mallory", roles.Policy.from_config(Config()))
    allowed = roles.Policy.from_config(Config({"access": {"unknown_users": "read-only"}}))
    assert roles.admit("mallory", allowed) == ("mallory", True)
    assert roles.admit("ann", allowed) == ("ann", False)


async def test_a_read_only_session_browses_but_posting_is_refused(terminal):
    app = BackroomApp(Session("mallory", terminal, read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        assert "mallory (read-only)" in app.sub_title
        await shortcut(pilot, "r")
        for text in ("TAPE-48", "5", "A-01"):
            await pilot.press(*text, "enter")
            await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        shown = str(app.screen.query_one("#message").render())
        assert "Unknown user 'mallory': receiving stock needs an operator" in shown
