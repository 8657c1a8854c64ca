"""A table that reads its rows from the database a page at a time, in a thread.

The rows come from a `fetch(after, limit)` function that pages by keyset: it returns
the rows and where the next page starts (None when there are no more). The table asks
for the next page as the cursor nears the end, and can reload what it shows in place
(after someone else posted a move) without losing the cursor.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import events, work
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.worker import get_current_worker

from backroom.models.db import db, describe_error
from backroom.models.errors import DomainError
from backroom.tui.widgets.line_table import LineTable
from backroom.tui.worker_errors import PassesWorkerFailuresOn

LAYOUTS = ("compact", "normal", "wide")


@dataclass(frozen=True)
class Column:
    """A column: its heading, the narrowest layout that shows it (compact on a handheld,
    normal from 60 columns, wide from 120), the widths it keeps to below wide, and how
    its values read in each layout (`format(value, layout)`)."""

    label: str
    shown_from: str = "compact"
    width: int | None = None
    compact_width: int | None = None
    compact_label: str | None = None
    format: Callable[[object, str], object] | None = None

    def shown(self, layout: str) -> bool:
        """Whether LAYOUT shows this column."""
        return LAYOUTS.index(layout) >= LAYOUTS.index(self.shown_from)

    def width_in(self, layout: str) -> int | None:
        """The fixed width in LAYOUT, or None to fit the content."""
        if layout == "compact":
            return self.compact_width or self.width
        return self.width if layout == "normal" else None

    def cell(self, value: object, layout: str) -> object:
        """VALUE as this column shows it in LAYOUT."""
        return self.format(value, layout) if self.format else value


@dataclass(frozen=True)
class TableRow:
    """One row: a key unique in the table, one cell per column, and what it stands for."""

    key: str
    cells: tuple[object, ...]
    data: object = None


# fetch(after, limit) -> (rows, where the next page starts or None at the end)
Fetch = Callable[[object | None, int], tuple[Sequence[TableRow], object | None]]

# How long one worker keeps paging before it shows what it has (a sparse search).
FETCH_SECONDS = 0.3


class PagedTable(PassesWorkerFailuresOn, LineTable):
    """Rows come from `fetch`, a page at a time, as the cursor nears the end."""

    PAGE = 100
    # Rows kept in hand below the cursor before the next page is asked for.
    AHEAD = 30
    BINDINGS: ClassVar = [
        Binding("r", "reload", "Refresh", show=False, id="table.reload"),
    ]
    DEFAULT_CSS = """
    PagedTable.-compact {
        scrollbar-size-vertical: 1;
    }
    """

    layout: reactive[str] = reactive("normal")

    class Loaded(Message):
        """Rows arrived: how many the table holds and whether more may follow."""

        def __init__(self, table: PagedTable, count: int, more: bool) -> None:
            super().__init__()
            self.table = table
            self.count = count
            self.more = more

        @property
        def control(self) -> PagedTable:
            return self.table

    class Failed(Message):
        """A page could not be read: the reason, in words for a person."""

        def __init__(self, table: PagedTable, reason: str) -> None:
            super().__init__()
            self.table = table
            self.reason = reason

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column | str],
        fetch: Fetch | None = None,
        *,
        open_label: str = "Open",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self._all_columns = [c if isinstance(c, Column) else Column(c) for c in columns]
        self._fetch = fetch
        self._rows: list[TableRow] = []
        self._after: object | None = None
        self._more = False
        self._loading = False
        self._refresh_pending = False
        self._rebuilding = False
        self._generation = 0
        # Enter says what it opens here, in the footer and in the help.
        self._bindings.key_to_bindings["enter"] = [
            Binding("enter", "select_cursor", open_label, id="table.open")
        ]

    # --- what the screen uses ---------------------------------------------------------

    def show(self, fetch: Fetch, columns: Sequence[Column | str] | None = None) -> None:
        """Show rows from a new source (another filter or order), from the top."""
        self._fetch = fetch
        if columns is not None:
            self._all_columns = [c if isinstance(c, Column) else Column(c) for c in columns]
            if self.is_mounted:
                self._rows = []
                self.clear(columns=True)
                self._set_columns()
        self.action_reload()

    def action_reload(self) -> None:
        """Read the rows again from the first page."""
        if self._fetch is None:
            return
        self._generation += 1
        self._loading = True
        self._load(self._generation, None, self.PAGE, replace=True, keep=None)

    def refresh_rows(self) -> None:
        """Read again the rows shown, keeping the cursor on the row it was on."""
        if self._fetch is None:
            return
        if self._loading:
            self._refresh_pending = True
            return
        self._generation += 1
        self._loading = True
        keep = self.current.key if self.current else None
        want = max(len(self._rows), self.PAGE)
        self._load(self._generation, None, want, replace=True, keep=keep)

    @property
    def current(self) -> TableRow | None:
        """The row under the cursor, if any."""
        if not self._rows or not 0 <= self.cursor_row < len(self._rows):
            return None
        return self._rows[self.cursor_row]

    @property
    def loaded(self) -> list[TableRow]:
        """The rows read so far."""
        return list(self._rows)

    @property
    def more(self) -> bool:
        """Whether more rows may follow those read so far."""
        return self._more

    # --- reading ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="paged-table", exit_on_error=False)
    def _load(
        self, generation: int, after: object | None, want: int, *, replace: bool, keep: str | None
    ) -> None:
        worker = get_current_worker()
        rows: list[TableRow] = []
        more = True
        started = time.monotonic()
        try:
            with db.connection_context():
                # Keep reading until the rows wanted are in, or the time is up: a sparse
                # search shows what it found and goes on when asked.
                while more and len(rows) < want and not worker.is_cancelled:
                    page, after = self._fetch(after, min(self.PAGE, want - len(rows)))  # type: ignore[misc]
                    rows.extend(page)
                    more = after is not None
                    if rows and time.monotonic() - started > FETCH_SECONDS:
                        break
        except DomainError as exc:
            self.app.call_from_thread(self._failed, generation, str(exc), replace)
            return
        except Exception as exc:  # a database error: say it, do not crash the screen
            self.app.call_from_thread(self._failed, generation, describe_error(exc), replace)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._arrived, generation, rows, after, replace, keep)

    def _failed(self, generation: int, reason: str, replace: bool) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._refresh_pending = False
        self._more = False
        if replace:
            self._rows = []
            self.clear()
        self.post_message(self.Failed(self, reason))

    def _arrived(
        self,
        generation: int,
        rows: list[TableRow],
        after: object | None,
        replace: bool,
        keep: str | None,
    ) -> None:
        if generation != self._generation:
            return  # a newer reload started meanwhile
        self._after = after
        self._more = after is not None
        # Still "loading" while the rows go in: moving the cursor must not ask for more.
        if replace:
            old_row, old_scroll = self.cursor_row, self.scroll_y
            self._rows = []
            self.clear()
            self._add(rows)
            if keep is not None:
                self._restore(keep, old_row, old_scroll)
        else:
            self._add(rows)
        self._loading = False
        self.post_message(self.Loaded(self, len(self._rows), self._more))
        if self._refresh_pending:
            self._refresh_pending = False
            self.refresh_rows()
        else:
            self._maybe_load_more()

    def _add(self, rows: Sequence[TableRow]) -> None:
        seen: set[str] = set()
        shown = [(i, self._all_columns[i]) for i in self._shown_indexes()]
        layout = self.layout
        fresh: list[tuple[str, list[object]]] = []
        for row in rows:
            if row.key in seen or self.get_row_index(row.key) is not None:
                continue  # the data moved between two pages: show each row once
            seen.add(row.key)
            self._rows.append(row)
            fresh.append((row.key, [c.cell(row.cells[i], layout) for i, c in shown]))
        self.add_rows(fresh)

    def _restore(self, key: str, old_row: int, old_scroll: float) -> None:
        """Cursor back on KEY (or where it was, if that row is gone). A view scrolled
        down stays on the same rows; a view at the top stays at the top, where new
        moves of a newest-first list appear."""
        index = self.get_row_index(key)
        if index is None:
            index = min(old_row, max(len(self._rows) - 1, 0))
        shift = index - old_row if old_scroll > 0 else 0
        self.move_cursor(row=index, scroll=False)

        def settle() -> None:
            self.scroll_to(y=max(old_scroll + shift, 0), animate=False, immediate=True)
            if old_scroll == 0:
                self.scroll_to_cursor()

        self.call_after_refresh(settle)

    def _maybe_load_more(self) -> None:
        if self._loading or self._rebuilding or not self._more or self._fetch is None:
            return
        needed = max(self.size.height, 10) + self.AHEAD
        if len(self._rows) - self.cursor_row < needed:
            self._loading = True
            self._load(self._generation, self._after, self.PAGE, replace=False, keep=None)

    def move_cursor(self, *, row: int, scroll: bool = True) -> None:
        super().move_cursor(row=row, scroll=scroll)
        # Read on once the page is drawn: the reading thread and the drawing would
        # otherwise take turns at the interpreter, and the page would show later.
        self.call_after_refresh(self._maybe_load_more)

    # --- layout -----------------------------------------------------------------------

    def _screen_layout(self) -> str:
        """The layout for the terminal's width, by the app's breakpoints (the screen's
        -narrow/-wide classes can lag behind a resize)."""
        breakpoints = self.screen.HORIZONTAL_BREAKPOINTS or self.app.HORIZONTAL_BREAKPOINTS or []
        width = self.app.size.width
        name = next((n for w, n in sorted(breakpoints, reverse=True) if width >= w), "")
        return {"-narrow": "compact", "-wide": "wide"}.get(name, "normal")

    def on_mount(self) -> None:
        self.set_reactive(PagedTable.layout, self._screen_layout())
        self.set_class(self.layout == "compact", "-compact")
        self._set_columns()
        if self._fetch is not None and not self._rows:
            self.action_reload()

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        self.layout = self._screen_layout()
        self._maybe_load_more()

    def watch_layout(self, _old: str, new: str) -> None:
        self.set_class(new == "compact", "-compact")
        if not self.is_mounted:
            return
        keep = self.current.key if self.current else None
        old_row = self.cursor_row
        rows, self._rows = self._rows, []
        self._rebuilding = True  # the cursor moves while the rows go back in
        try:
            self.clear(columns=True)
            self._set_columns()
            self._add(rows)
            if keep is not None:
                self._restore(keep, old_row, self.scroll_y)
        finally:
            self._rebuilding = False

    def _shown_indexes(self) -> list[int]:
        return [i for i, c in enumerate(self._all_columns) if c.shown(self.layout)]

    def _set_columns(self) -> None:
        for i in self._shown_indexes():
            column = self._all_columns[i]
            label = column.label
            if self.layout == "compact" and column.compact_label:
                label = column.compact_label
            self.add_column(label, width=column.width_in(self.layout))
