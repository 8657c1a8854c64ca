"""The audit screen: who did what, moves and events together, narrowed to one user."""

from __future__ import annotations

from backroom.models.masterdata.adding import add_user, get_user
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.screens.people.audit import AuditScreen
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut
from tests.tui.test_login import terminal  # noqa: F401 - the fixture


def rows(app) -> list[tuple[str, ...]]:
    table = app.screen.table
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_the_audit_screen_shows_who_did_what_and_filters_by_user(terminal):  # noqa: F811
    add_user("lee", "lead", by=get_user(TEST_USER))
    receive("TAPE-48", 3, "A-01", user="ann")
    receive("TAPE-48", 4, "A-01", user="lee")
    app = BackroomApp(Session("lee", terminal))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "u")
        assert isinstance(app.screen, AuditScreen)
        await settle(pilot)
        users = [row[1] for row in rows(app)]
        assert users[:2] == ["lee", "ann"] and "tester" in users
        await shortcut(pilot, "slash")
        await pilot.press(*"user", "colon", *"ann", "enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        found = rows(app)
        assert {row[1] for row in found} == {"ann"}
        assert any("3 TAPE-48" in row[-1] for row in found)  # compact: time, user, what


async def test_enter_shows_a_moves_details_or_an_events_whole_text(terminal):  # noqa: F811
    from backroom.tui.screens.stock.ledger import MoveScreen

    receive("TAPE-48", 3, "A-01", user="ann")
    app = BackroomApp(Session(TEST_USER, terminal))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "u")
        await settle(pilot)
        table = app.screen.table
        kinds = [row.data.source for row in table.loaded]
        event_row = kinds.index("event")
        table.move_cursor(row=event_row)
        await pilot.press("enter")
        event = table.loaded[event_row].data
        said = f"{event.kind} {event.what}: {event.detail or '–'}"
        assert str(app.screen.status.render()) == said
        table.move_cursor(row=kinds.index("move"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MoveScreen)


async def test_an_operator_reads_no_one_elses_trail_on_the_audit_screen(terminal):  # noqa: F811
    receive("TAPE-48", 4, "A-01", user=TEST_USER)
    app = BackroomApp(Session("ann", terminal))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "u")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert all(row[1] == "ann" for row in rows(app))  # nothing of tester's
        from textual.widgets import Static

        said = [n.message for n in app._notifications]
        said += [str(w.render()) for w in app.screen.query(Static)]
        assert any("reading the audit trail needs a lead" in text for text in said), said
