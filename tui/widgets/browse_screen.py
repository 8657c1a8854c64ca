"""The frame of every list screen: a search line, a status line, a paged table and
the footer; the table follows the ledger as other sessions post moves."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header
from textual.worker import Worker, get_current_worker

from backroom.models.browse import Query, ledger_head, parse_query
from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.paged_table import Column, Fetch, PagedTable
from backroom.tui.widgets.search_bar import SearchBar
from backroom.tui.widgets.status_line import StatusLine
from backroom.tui.worker_errors import PassesWorkerFailuresOn


class BrowseScreen(PassesWorkerFailuresOn, Screen):
    """A searchable list. Subclasses give the columns, the fetch and the words."""

    TITLE: ClassVar[str | None] = "List"
    TABLE_ID: ClassVar[str] = "list"
    SEARCH_HINT: ClassVar[str] = "Search"
    OPEN_LABEL: ClassVar[str] = "Open"
    NOUN: ClassVar[str] = "rows"
    NOUN_ONE: ClassVar[str] = "row"
    # Follow the ledger: re-read the rows shown when a move is posted anywhere.
    LIVE: ClassVar[bool] = False
    POLL_SECONDS: ClassVar[float] = 3.0

    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="back"),
        Binding("slash", "search", "Search", id="search"),
    ]
    DEFAULT_CSS = """
    BrowseScreen {
        layout: vertical;
    }
    BrowseScreen.-narrow Header {
        display: none;
    }
    """

    def __init__(self, search: str = "") -> None:
        super().__init__()
        self._search = search
        self._head: int | None = None
        self._notice = ""
        self._poll_failing = False
        self.query_filter = Query()

    # --- for subclasses -------------------------------------------------------------

    def columns(self) -> list[Column]:
        """The table's columns for the current order."""
        raise NotImplementedError

    def fetcher(self) -> Fetch:
        """The function that reads one page of rows for the current filter and order."""
        raise NotImplementedError

    def parse(self, text: str) -> Query:
        """The filter typed in the search line (item:, loc:, lot:... and loose text)."""
        return parse_query(text)

    def heading(self) -> str:
        """The order of the list, first in the status line."""
        return ""

    def describe(self, count: int, more: bool) -> str:
        """The status line once rows have arrived (the filter is in the search line)."""
        if count == 0 and not more:
            filtered = bool(self.query_filter.describe())
            return f"No {self.NOUN} match" if filtered else f"No {self.NOUN} yet"
        noun = self.NOUN_ONE if count == 1 and not more else self.NOUN
        shown = f"{count:,}{'+' if more else ''} {noun}"
        return f"{self.heading()} · {shown}" if self.heading() else shown

    # --- the frame ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield SearchBar(self._search, placeholder=self.SEARCH_HINT, id="search")
        yield StatusLine("Reading…", id="status")
        yield PagedTable(self.columns(), id=self.TABLE_ID, open_label=self.OPEN_LABEL)
        yield KeyFooter()

    @property
    def table(self) -> PagedTable:
        """The list."""
        return self.query_one(PagedTable)

    @property
    def status(self) -> StatusLine:
        """The line under the search."""
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        self.table.focus()
        self.apply_search(self._search)
        if self.LIVE:
            self.set_interval(self.POLL_SECONDS, self.poll)
            self.poll()

    def apply_search(self, text: str) -> None:
        """Filter the list by TEXT, as typed in the search line."""
        try:
            self.query_filter = self.parse(text)
        except DomainError as exc:
            self.status.error(str(exc))
            return
        self.reload()

    def reload(self) -> None:
        """Read the list again from the top, in the current order."""
        self._notice = ""
        self.status.say("Reading…")
        self.table.show(self.fetcher(), self.columns())

    def tell(self, text: str) -> None:
        """Say that something was done; it stays in the status line until the next search."""
        self._notice = text
        self.status.done(text)

    def worker_failed(self, message: str, worker: Worker) -> None:
        """A failed worker (the database gone away under the live poll) in the status line."""
        if worker.group == "poll":
            if self._poll_failing:
                return  # said once; not a bell every few seconds
            self._poll_failing = True
        self.status.error(message)

    def on_search_bar_search(self, event: SearchBar.Search) -> None:
        self.apply_search(event.text)

    def on_paged_table_loaded(self, event: PagedTable.Loaded) -> None:
        text = self.describe(event.count, event.more)
        if self._notice:
            self.status.done(f"{self._notice} · {text}")
        else:
            self.status.say(text)

    def on_paged_table_failed(self, event: PagedTable.Failed) -> None:
        self.status.error(event.reason)

    def action_search(self) -> None:
        """Put the cursor in the search line."""
        self.query_one(SearchBar).focus()

    def action_back(self) -> None:
        """Back to the screen before."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    # --- live -----------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        if self.LIVE and self._head is not None:
            self.poll()

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def poll(self) -> None:
        """Read the ledger head; a new move means the rows shown may have changed."""
        with db.connection_context():
            head = ledger_head()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._seen_head, head)

    def _seen_head(self, head: int) -> None:
        self._poll_failing = False
        if not self.is_current:
            return  # looked at again on resume
        if self._head is not None and head != self._head:
            self.table.refresh_rows()
        self._head = head
