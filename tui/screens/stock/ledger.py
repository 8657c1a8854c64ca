"""The ledger: every move, newest first; a move's details, and its reversal."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from backroom.models.browse import LedgerLine, MoveDetail, ledger_page, move_detail
from backroom.models.db import db
from backroom.models.stock.operations import reverse
from backroom.tui.screens.dialogs import ConfirmDialog
from backroom.tui.widgets.browse_screen import BrowseScreen
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.line_table import LineTable
from backroom.tui.widgets.paged_table import Column, Fetch, TableRow
from backroom.tui.widgets.plain import plain
from backroom.tui.widgets.status_line import StatusLine
from backroom.tui.worker_errors import PassesWorkerFailuresOn


def when(value: object, layout: str) -> str:
    """A move's time: with the year when there is room for it."""
    assert isinstance(value, dt.datetime)
    return value.strftime("%Y-%m-%d %H:%M" if layout == "wide" else "%m-%d %H:%M")


COLUMNS = (
    Column("#"),
    Column("Time (UTC)", "normal", width=11, format=when),  # MM-DD HH:MM, never cut
    Column("Kind", width=8),
    Column("Item", width=9, compact_width=10),
    Column("Lot", "normal", width=9),
    Column("Qty"),
    Column("From", "normal", width=9),
    Column("To", "normal", width=9),
    Column("User", "wide"),
    Column("Ref", "wide"),
)


def ledger_row(line: LedgerLine, dim: Style) -> TableRow:
    """A table row for one move; a reversed move is dimmed, its number marked ↩."""
    move = line.move
    number: object = move.id
    kind: object = move.kind
    if line.reversed_by is not None:
        number = Text(f"{move.id}↩", style=dim, justify="right")
        kind = Text(move.kind, style=dim)
    cells = (
        number,
        move.time,
        kind,
        move.item,
        move.lot or "",
        move.qty,
        move.from_location,
        move.to_location,
        move.user,
        move.reference or "",
    )
    return TableRow(line.key, cells, line)


class LedgerScreen(BrowseScreen):
    """Every move, newest first, filtered as you type; Enter shows one, x reverses it."""

    CSS_PATH = "ledger.tcss"
    TITLE = "Ledger"
    TABLE_ID = "ledger"
    SEARCH_HINT = "Filter: item: lot: loc: user: kind: ref: from:YYYY-MM-DD to: or any code"
    OPEN_LABEL = "Details"
    NOUN = "moves"
    NOUN_ONE = "move"
    LIVE = True
    BINDINGS: ClassVar = [
        Binding("x", "reverse", "Reverse", id="ledger.reverse"),
    ]

    def columns(self) -> list[Column]:
        return list(COLUMNS)

    def fetcher(self) -> Fetch:
        query = self.query_filter
        dim = Style(dim=True, strike=False)

        def fetch(after: object | None, limit: int) -> tuple[list[TableRow], object | None]:
            page = ledger_page(query, after, limit)
            return [ledger_row(line, dim) for line in page.rows], page.after

        return fetch

    def heading(self) -> str:
        return "Newest first"

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        row = self.table.current
        if row is not None:
            self.app.push_screen(MoveScreen(int(row.key)))

    def action_reverse(self) -> None:
        """Reverse the move under the cursor, after a confirmation (on its detail screen)."""
        row = self.table.current
        if row is not None:
            self.app.push_screen(MoveScreen(int(row.key), reverse_now=True))


FIELDS = (
    ("Move", "id"),
    ("Time (UTC)", "time"),
    ("Kind", "kind"),
    ("Item", "item"),
    ("Lot", "lot"),
    ("Quantity", "qty"),
    ("From", "from"),
    ("To", "to"),
    ("User", "user"),
    ("Reference", "reference"),
    ("Note", "note"),
    ("Reverses", "reverses"),
    ("Reversed by", "reversed_by"),
    ("Hash", "hash"),
    ("Previous hash", "prev_hash"),
)


def detail_lines(detail: MoveDetail) -> list[tuple[str, str]]:
    """(label, value) for every field of a move, as the detail screen shows them."""
    move = detail.move
    lot = move.lot or "–"
    if move.lot and detail.lot_expiry:
        lot += f" (expires {detail.lot_expiry.isoformat()})"
    values = {
        "id": str(move.id),
        "time": move.time.isoformat(sep=" ", timespec="seconds"),
        "kind": move.kind,
        "item": f"{move.item} · {detail.item_name}",
        "lot": lot,
        "qty": f"{move.qty} {detail.unit}",
        "from": f"{move.from_location} · {detail.from_name}".rstrip(" ·"),
        "to": f"{move.to_location} · {detail.to_name}".rstrip(" ·"),
        "user": move.user,
        "reference": move.reference or "–",
        "note": move.note or "–",
        "reverses": f"move {move.reverses}" if move.reverses else "–",
        "reversed_by": f"move {detail.reversed_by}" if detail.reversed_by else "–",
        "hash": move.hash,
        "prev_hash": detail.prev_hash,
    }
    return [(label, values[key]) for label, key in FIELDS]


class MoveScreen(PassesWorkerFailuresOn, Screen):
    """One move, every field; x reverses it, g goes to the move it is linked to."""

    CSS_PATH = "ledger.tcss"
    TITLE = "Move"
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="back"),
        Binding("x", "reverse", "Reverse", id="move.reverse"),
        Binding("g", "linked", "Linked move", id="move.linked"),
    ]

    def __init__(self, move_id: int, *, reverse_now: bool = False) -> None:
        super().__init__()
        self.move_id = move_id
        self.detail: MoveDetail | None = None
        self._reverse_now = reverse_now

    def compose(self) -> ComposeResult:
        yield Header()
        yield StatusLine("Reading…", id="status")
        with VerticalScroll(id="move"):
            yield Static("", id="move-fields", markup=False)
        yield KeyFooter()

    @property
    def status(self) -> StatusLine:
        """The message line at the top."""
        return self.query_one(StatusLine)

    def error(self, text: str) -> None:
        """What went wrong (a worker's failure too), in the status line with the bell."""
        self.status.error(text)

    def on_mount(self) -> None:
        self.query_one("#move").focus()
        self.load()

    @work(thread=True, exclusive=True, group="move", exit_on_error=False)
    def load(self) -> None:
        """Read the move."""
        with db.connection_context():
            detail = move_detail(self.move_id)
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail: MoveDetail) -> None:
        self.detail = detail
        self.sub_title = f"move {detail.move.id}"
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in detail_lines(detail):
            grid.add_row(label, plain(value))
        self.query_one("#move-fields", Static).update(grid)
        if self.status.has_class("-done"):
            pass  # keep saying what was just done
        elif detail.reversed_by:
            self.status.say(f"Reversed by move {detail.reversed_by}")
        else:
            self.status.say(f"{detail.move.kind.capitalize()} of {detail.move.item}")
        if self._reverse_now:
            self._reverse_now = False
            self.action_reverse()

    def action_back(self) -> None:
        """Back to the ledger."""
        self.app.pop_screen()

    def action_linked(self) -> None:
        """Open the move this one reverses, or the one that reversed it."""
        if self.detail is None:
            return
        target = self.detail.move.reverses or self.detail.reversed_by
        if target is None:
            self.status.error(f"Move {self.move_id} reverses none and was not reversed")
            return
        self.app.push_screen(MoveScreen(target))

    def action_reverse(self) -> None:
        """Ask, then post the reversing move."""
        detail = self.detail
        if detail is None:
            return
        move = detail.move
        if move.kind == "reversal":
            self.status.error(f"Move {move.id} is itself a reversal; post a new move instead")
            return
        if detail.reversed_by:
            self.status.error(f"Move {move.id} was already reversed by move {detail.reversed_by}")
            return
        question = (
            f"Post a reversal of move {move.id}: {move.qty} {detail.unit} of {move.item}"
            f"{' lot ' + move.lot if move.lot else ''} back from {move.to_location} "
            f"to {move.from_location}?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.status.say("Reversing…")
                self._post_reversal(move.id)

        self.app.push_screen(
            ConfirmDialog(f"Reverse move {move.id}", question, "Reverse"), answered
        )

    @work(thread=True, exclusive=True, group="reverse", exit_on_error=False)
    def _post_reversal(self, move_id: int) -> None:
        with db.connection_context():
            posted = reverse(move_id, user=self.app.session.user)
        self.app.call_from_thread(self._reversed, posted.id)

    def _reversed(self, reversal_id: int) -> None:
        self.status.done(f"Move {self.move_id} reversed by move {reversal_id}")
        self.load()
