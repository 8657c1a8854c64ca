"""Lots: status and expiry, soonest first or newest first; new and edit open the lot form."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding

from backroom.models.browse import LotLine, expiry_state, lots_page
from backroom.tui import navigation
from backroom.tui.label_target import LabelTarget
from backroom.tui.widgets.browse_screen import BrowseScreen
from backroom.tui.widgets.line_table import LineTable
from backroom.tui.widgets.paged_table import Column, Fetch, TableRow
from backroom.tui.widgets.stock_marks import Marks, short_status

ORDERS = {"expiry": "Soonest expiry first", "newest": "Newest first"}

COLUMNS = (
    Column("Lot"),
    Column("Item", "normal"),
    Column("Name", "wide"),
    Column("Expiry"),
    Column("Status", compact_label="!", format=short_status),
    Column("Made", "wide"),
    Column("Supplier", "wide"),
    Column("Supplier lot", "normal"),
    Column("On hand", compact_label="Qty"),
)


def lot_row(line: LotLine, marks: Marks) -> TableRow:
    """A table row for one lot, its expiry and status coloured."""
    state = expiry_state(line.expiry)
    expiry = line.expiry.isoformat() if line.expiry else ""
    cells = (
        marks.expiry(line.number, state),
        line.item,
        line.item_name,
        marks.expiry(expiry, state),
        marks.status(line.status, False),
        line.production_date.isoformat() if line.production_date else "",
        line.supplier or "",
        line.supplier_lot or "",
        line.on_hand,
    )
    return TableRow(line.key, cells, line)


class LotsScreen(BrowseScreen):
    """Every lot; 1 and 2 change the order; Enter edits, n adds, s stock, m moves."""

    CSS_PATH = "lots.tcss"
    TITLE = "Lots"
    TABLE_ID = "lots"
    SEARCH_HINT = "Search lot number or item; status:recalled item:SKU"
    OPEN_LABEL = "Edit"
    NOUN = "lots"
    NOUN_ONE = "lot"
    BINDINGS: ClassVar = [
        Binding("1", "order('expiry')", "By expiry", id="lots.by-expiry"),
        Binding("2", "order('newest')", "Newest", id="lots.newest"),
        Binding("n", "new", "New lot", id="lots.new"),
        Binding("s", "stock", "Stock", id="lots.stock"),
        Binding("m", "moves", "Moves", id="lots.moves"),
        Binding("t", "trace", "Trace", id="lots.trace"),
    ]

    def __init__(self, search: str = "", order: str = "expiry") -> None:
        super().__init__(search)
        self.order = order

    def columns(self) -> list[Column]:
        return list(COLUMNS)

    def fetcher(self) -> Fetch:
        query, order = self.query_filter, self.order
        marks = Marks(self.app.theme_variables)

        def fetch(after: object | None, limit: int) -> tuple[list[TableRow], object | None]:
            page = lots_page(query, order, after, limit)
            return [lot_row(line, marks) for line in page.rows], page.after

        return fetch

    def heading(self) -> str:
        return ORDERS[self.order]

    def action_order(self, order: str) -> None:
        """List the lots in another order."""
        if order != self.order:
            self.order = order
            self.reload()

    def _current(self) -> LotLine | None:
        row = self.table.current
        return row.data if row is not None and isinstance(row.data, LotLine) else None

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        lot = self._current()
        if lot is not None:
            self.app.push_screen(navigation.lot_form(lot.item, lot.number), self._saved)

    def action_new(self) -> None:
        """Open an empty lot form (for the item of the lot under the cursor)."""
        lot = self._current()
        self.app.push_screen(navigation.lot_form(item_hint=lot.item if lot else ""), self._saved)

    def _saved(self, key: str | None) -> None:
        if key:
            self.tell(f"Lot {key} saved")
            self.table.refresh_rows()

    def action_stock(self) -> None:
        """Stock on hand of this lot."""
        lot = self._current()
        if lot is not None:
            self.app.push_screen(navigation.stock_screen(f"item:{lot.item} lot:{lot.number}"))

    def action_trace(self) -> None:
        """Where this lot came from and where it went."""
        lot = self._current()
        if lot is not None:
            self.app.push_screen(navigation.trace_screen(lot.number, lot.item))

    def label_target(self) -> LabelTarget | None:
        """F10: the label of the lot under the cursor."""
        lot = self._current()
        return LabelTarget("lot", lot.number, item=lot.item) if lot else None

    def action_moves(self) -> None:
        """The ledger of this lot."""
        lot = self._current()
        if lot is not None:
            self.app.push_screen(navigation.ledger_screen(f"item:{lot.item} lot:{lot.number}"))
