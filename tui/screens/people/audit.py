"""Audit: who did what. Moves and events together, newest first, narrowed by user
(`user:ann`) and date (`from:2025-01-01`); `m` shows only this session's user. Pages
are read in a thread as the cursor nears the end."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual.binding import Binding

from backroom.models.browse import Query, parse_query
from backroom.models.errors import Refused
from backroom.models.people.audit import AuditLine, audit_page
from backroom.tui import navigation
from backroom.tui.widgets.browse_screen import BrowseScreen
from backroom.tui.widgets.line_table import LineTable
from backroom.tui.widgets.paged_table import Column, Fetch, TableRow
from backroom.tui.widgets.search_bar import SearchBar


def parse_filter(text: str) -> Query:
    """The filter typed in the search line: user:NAME and from:YYYY-MM-DD only."""
    query = parse_query(text)
    if query.text or query.item or query.location or query.lot or query.kind:
        raise Refused("The audit filters by user:NAME and from:YYYY-MM-DD only")
    return query


def _time(value: object, layout: str) -> str:
    """Hours and minutes on a handheld, the whole time elsewhere."""
    assert isinstance(value, dt.datetime)
    return f"{value:%H:%M}" if layout == "compact" else f"{value:%Y-%m-%d %H:%M:%S}"


def _what(value: object, layout: str) -> str:
    """What was done; a handheld has no kind column, so an event says its kind here."""
    assert isinstance(value, AuditLine)
    if layout == "compact" and value.source == "event":
        return f"{value.kind} {value.what}"
    return value.what


COLUMNS = (
    Column("Time", width=19, compact_width=5, format=_time),  # kept whole: others give way
    Column("User"),
    Column("Kind", "normal"),
    Column("What", format=_what),
    Column("Detail", "normal"),
)


def audit_row(line: AuditLine) -> TableRow:
    """A table row for one entry of the audit trail."""
    cells = (line.time, line.user or "-", line.kind, line, line.detail)
    return TableRow(f"{line.source}:{line.id}", cells, line)


class AuditScreen(BrowseScreen):
    """The audit trail; `/` to filter, `m` for mine, Esc back."""

    TITLE = "Audit"
    TABLE_ID = "audit"
    SEARCH_HINT = "user:NAME from:YYYY-MM-DD"
    OPEN_LABEL = "Details"
    NOUN = "entries"
    NOUN_ONE = "entry"
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="audit.back"),
        Binding("slash", "search", "Filter", id="audit.search"),
        Binding("m", "mine", "Mine", id="audit.mine"),
    ]

    def columns(self) -> list[Column]:
        return list(COLUMNS)

    def parse(self, text: str) -> Query:
        return parse_filter(text)

    def fetcher(self) -> Fetch:
        q = self.query_filter
        viewer = self.app.session.user

        def fetch(after: object | None, limit: int) -> tuple[list[TableRow], object | None]:
            page = audit_page(q.user, q.since, after, limit, viewer=viewer)  # type: ignore[arg-type]
            return [audit_row(line) for line in page.lines], page.after

        return fetch

    def describe(self, count: int, more: bool) -> str:
        shown = super().describe(count, more)
        described = self.query_filter.describe()
        return f"{shown} · {described}" if described and count else shown

    def on_line_table_row_selected(self, _event: LineTable.RowSelected) -> None:
        """Enter on a move shows its details (and its reversal); on an event, the whole
        of it in the status line (the table cuts long details)."""
        row = self.table.current
        if row is None:
            return
        line: AuditLine = row.data  # type: ignore[assignment]
        if line.source == "move":
            self.app.push_screen(navigation.move_screen(line.id))
        else:
            self.status.say(f"{line.kind} {line.what}: {line.detail or '–'}")

    def action_mine(self) -> None:
        """Only what the person at this keyboard did."""
        text = f"user:{self.app.session.user}"  # type: ignore[attr-defined]
        self.query_one(SearchBar).value = text
        self.apply_search(text)

    def action_back(self) -> None:
        """Back to the screen before."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
