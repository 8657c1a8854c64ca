"""Audit: who did what. Moves and events together, newest first, narrowed by user
(`user:ann`) and date (`from:2025-01-01`); `m` shows only this session's user. Pages
are read in a thread as the cursor nears the end."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from models.audit import PAGE, AuditLine, audit_page
from models.browse import Query, parse_query
from models.db import db
from models.errors import DomainError, Refused

# Columns, and the narrowest screen width that shows each (a handheld has 40).
COLUMNS = (("Time", 0), ("User", 0), ("Kind", 60), ("What", 0), ("Detail", 60))


def parse_filter(text: str) -> Query:
    """The filter typed in the search line: user:NAME and from:YYYY-MM-DD only."""
    query = parse_query(text)
    if query.text or query.item or query.location or query.lot or query.kind:
        raise Refused("The audit filters by user:NAME and from:YYYY-MM-DD only")
    return query


def cells(line: AuditLine, width: int) -> tuple[str, ...]:
    """One row as this width shows it: short times and fewer columns on a handheld."""
    time = f"{line.time:%H:%M}" if width < 60 else f"{line.time:%Y-%m-%d %H:%M:%S}"
    what = line.what
    if width < 60 and line.source == "event":
        what = f"{line.kind} {what}"  # no kind column on a handheld: an event needs it
    full = (time, line.user or "-", line.kind, what, line.detail)
    return tuple(v for v, (_, least) in zip(full, COLUMNS, strict=True) if width >= least)


class AuditScreen(Screen):
    """The audit trail; `/` to filter, `m` for mine, Esc back."""

    CSS_PATH = "audit.tcss"
    TITLE = "Audit"
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="audit.back"),
        Binding("slash", "search", "Filter", id="audit.search"),
        Binding("m", "mine", "Mine", id="audit.mine"),
    ]

    def __init__(self, search: str = "") -> None:
        super().__init__()
        self._search = search
        self._query = Query()
        self._after: object | None = None
        self._generation = 0
        self._loading = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(self._search, placeholder="user:NAME from:YYYY-MM-DD", id="audit-filter")
        yield Static("Reading…", id="audit-status")
        yield DataTable(id="audit", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.apply(self._search)

    def apply(self, text: str) -> None:
        """Show the audit trail for the filter TEXT, from the newest entry."""
        status = self.query_one("#audit-status", Static)
        try:
            self._query = parse_filter(text)
        except DomainError as exc:
            status.update(f"✗ {exc}")
            self.app.bell()
            return
        table = self.query_one(DataTable)
        table.clear(columns=True)
        width = self.size.width or self.app.size.width
        table.add_columns(*(name for name, least in COLUMNS if width >= least))
        self._after = None
        self._generation += 1
        status.update("Reading…")
        self._load(self._generation, None)

    @work(thread=True, exclusive=True, group="audit", exit_on_error=False)
    def _load(self, generation: int, after: object | None) -> None:
        q = self._query
        try:
            with db.connection_context():
                page = audit_page(q.user, q.since, after, PAGE)  # type: ignore[arg-type]
        except DomainError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._arrived, generation, page.lines, page.after)

    def _failed(self, reason: str) -> None:
        self.query_one("#audit-status", Static).update(f"✗ {reason}")
        self.app.bell()

    def _arrived(self, generation: int, lines: list[AuditLine], after: object | None) -> None:
        if generation != self._generation:
            return  # a newer filter was applied meanwhile
        table = self.query_one(DataTable)
        width = self.size.width or self.app.size.width
        for line in lines:
            table.add_row(*cells(line, width), key=f"{line.source}:{line.id}")
        self._after = after
        self._loading = False
        more = "+" if after is not None else ""
        described = self._query.describe()
        shown = f"{table.row_count}{more} entries" + (f" · {described}" if described else "")
        self.query_one("#audit-status", Static).update(shown)

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if (
            self._after is not None
            and not self._loading
            and event.cursor_row >= table.row_count - 5
        ):
            self._loading = True
            self._load(self._generation, self._after)

    @on(Input.Submitted, "#audit-filter")
    def _filtered(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply(event.value)
        self.query_one(DataTable).focus()

    def action_search(self) -> None:
        """Put the cursor in the filter line."""
        self.query_one("#audit-filter").focus()

    def action_mine(self) -> None:
        """Only what the person at this keyboard did."""
        text = f"user:{self.app.session.user}"  # type: ignore[attr-defined]
        self.query_one("#audit-filter", Input).value = text
        self.apply(text)

    def action_back(self) -> None:
        """Back to the screen before."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
