"""A DataTable that reads its rows from the database a page at a time, in a thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import DataTable

from models.db import db

# fetch(offset, limit) -> rows; each row's first cell is its key, the rest are shown.
Fetch = Callable[[int, int], Sequence[Sequence[object]]]


class PagedTable(DataTable):
    """Rows come from `fetch`, PAGE at a time, as the cursor nears the end."""

    PAGE = 200
    BINDINGS: ClassVar = [Binding("r", "reload", "Refresh", id="table.reload")]

    def __init__(self, columns: Sequence[str], fetch: Fetch, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._columns = list(columns)
        self._fetch = fetch
        self._exhausted = False
        self._loading = False

    def on_mount(self) -> None:
        self.add_columns(*self._columns)
        self.action_reload()

    def action_reload(self) -> None:
        """Start again from the first page."""
        self.clear()
        self._exhausted = False
        self._load(0)

    def _load(self, offset: int) -> None:
        if self._loading:
            return
        self._loading = True
        self._fetch_page(offset)

    @work(thread=True, exclusive=True, group="paged-table", exit_on_error=False)
    def _fetch_page(self, offset: int) -> None:
        with db.connection_context():
            rows = list(self._fetch(offset, self.PAGE))
        self.app.call_from_thread(self._append, offset, rows)

    def _append(self, offset: int, rows: list[Sequence[object]]) -> None:
        self._loading = False
        if offset != self.row_count:
            return  # a reload started meanwhile
        for row in rows:
            self.add_row(*(_cell(v) for v in row[1:]), key=str(row[0]))
        self._exhausted = len(rows) < self.PAGE

    def watch_cursor_coordinate(self, old, new) -> None:
        super().watch_cursor_coordinate(old, new)
        if not self._exhausted and new.row >= self.row_count - 20:
            self._load(self.row_count)


def _cell(value: object) -> object:
    """Numbers right-aligned, as a stock figure should be."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Text(str(value), justify="right")
    return "" if value is None else value
