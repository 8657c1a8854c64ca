"""The operation form's request id: made when the person confirms, used again when the
worker failed and the person confirms the same again, new for the next posting."""

from __future__ import annotations

from backroom.models.browse import on_hand
from backroom.models.db import COMMIT_UNKNOWN
from backroom.models.errors import DatabaseUnavailable
from backroom.models.goods_in import putaway
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.schema import Move
from backroom.models.stock import operations
from backroom.models.stock.operations import receive
from backroom.tui.app import BackroomApp
from backroom.tui.session import Session
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut


async def _enter(pilot, *entries: str) -> None:
    for text in entries:
        await pilot.press(*text)
        await pilot.press("enter")
        await settle(pilot)


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_a_move_confirmed_again_after_a_lost_commit_is_posted_once(
    sqlite_database, monkeypatch
):
    add_location("A-01")
    add_location("A-02")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    receive("TAPE-48", 20, "A-01", user=TEST_USER)
    before = Move.select().count()
    failures = ["the commit's answer is lost"]

    def transfer_then_lose_the_answer(*args, **kwargs):
        move = operations.transfer(*args, **kwargs)  # it is in the ledger...
        if failures:
            failures.pop()
            raise DatabaseUnavailable(COMMIT_UNKNOWN)  # ...but the worker never hears so
        return move

    monkeypatch.setattr(putaway, "transfer", transfer_then_lose_the_answer)  # Move puts away
    app = BackroomApp(Session(TEST_USER, sqlite_database))
    async with app.run_test(size=(40, 16)) as pilot:
        await shortcut(pilot, "m")
        await _enter(pilot, "A-01", "TAPE-48", "5", "A-02")
        assert "may or may not have been saved" in _text(app, "#message")
        await pilot.press("ctrl+s")  # the person confirms the same move again
        await settle(pilot)
        assert "Posted move" in _text(app, "#result")
        assert Move.select().count() == before + 1
        # the next move, the same again on purpose, is a posting of its own
        await _enter(pilot, "A-01", "TAPE-48", "5", "A-02")
        assert "Posted move" in _text(app, "#result")
    assert Move.select().count() == before + 2
    assert on_hand("TAPE-48", location="A-02") == 10
