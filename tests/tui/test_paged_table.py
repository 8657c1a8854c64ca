"""PagedTable reads a page at a time as the cursor nears the end, never the whole table."""

from __future__ import annotations

from textual.app import App, ComposeResult

from backroom.models.stock.operations import receive
from backroom.tui.widgets.paged_table import Column, PagedTable, TableRow
from tests.conftest import TEST_USER
from tests.tui.test_browse_helpers import keys, make_app, settle

ROWS = 10_000


class Source:
    """Rows 0..ROWS-1 by keyset, counting what was asked for."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    def fetch(self, after: object | None, limit: int) -> tuple[list[TableRow], object | None]:
        self.asked.append(limit)
        start = 0 if after is None else int(after) + 1  # type: ignore[call-overload]
        rows = [TableRow(str(i), (i, f"row {i}")) for i in range(start, min(start + limit, ROWS))]
        last = start + len(rows) - 1
        return rows, (last if last < ROWS - 1 else None)


class PagedApp(App[None]):
    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield PagedTable([Column("#"), Column("Text")], self.source.fetch)

    def on_mount(self) -> None:
        self.query_one(PagedTable).focus()


async def _quiet(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()


async def test_paging_down_reads_a_page_ahead_and_never_the_whole_table(sqlite_database):
    source = Source()
    app = PagedApp(source)
    async with app.run_test(size=(60, 24)) as pilot:
        await _quiet(pilot)
        table = app.query_one(PagedTable)
        assert table.row_count == PagedTable.PAGE and table.more
        for _ in range(20):  # 20 screens of 23 rows: 460 rows looked at
            await pilot.press("pagedown")
            await _quiet(pilot)
        assert table.cursor_row == 20 * 23
        assert table.current is not None and table.current.key == str(20 * 23)
        # What is held stays within a page or two of what was looked at.
        assert 20 * 23 < table.row_count <= 20 * 23 + 23 + PagedTable.AHEAD + PagedTable.PAGE
        assert max(source.asked) == PagedTable.PAGE
        keys_held = [r.key for r in table.loaded]
        assert keys_held == [str(i) for i in range(table.row_count)]  # in order, once each


async def test_the_ledger_pages_through_every_move_once_in_order(sqlite_database, monkeypatch):
    app = make_app(sqlite_database, monkeypatch)  # six moves
    for n in range(1, 295):
        receive("TAPE-48", n, "A-01", user=TEST_USER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "l")
        await settle(pilot)
        table = app.screen.table
        assert table.row_count == PagedTable.PAGE
        assert str(app.screen.status.render()) == "Newest first · 100+ moves"
        while table.more or table.cursor_row < table.row_count - 1:
            await pilot.press("end")
            await settle(pilot)
        ids = [int(r.key) for r in table.loaded]
        assert ids == list(range(300, 0, -1))
        assert str(app.screen.status.render()) == "Newest first · 300 moves"
