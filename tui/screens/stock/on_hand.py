"""Stock on hand: by item, location or lot, searched as you type, following the ledger."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding

from backroom.models.browse import StockLine, expiry_state, stock_page
from backroom.tui import navigation
from backroom.tui.label_target import LabelTarget
from backroom.tui.widgets.browse_screen import BrowseScreen
from backroom.tui.widgets.line_table import LineTable
from backroom.tui.widgets.paged_table import Column, Fetch, TableRow
from backroom.tui.widgets.stock_marks import Marks, short_status

GROUPINGS = {"item": "By item", "location": "By location", "lot": "By expiry"}


# The columns of each order; each line's cells are picked by these names.
NAME = Column("Name", "normal", width=16)
UNIT = Column("Unit", "wide")
STATUS = Column("Status", compact_label="!", format=short_status)
LAYOUTS: dict[str, tuple[tuple[str, Column], ...]] = {
    "item": (
        ("item", Column("Item")),
        ("name", NAME),
        ("lot", Column("Lot")),
        ("expiry", Column("Expiry", "normal")),
        ("location", Column("Location", compact_label="Loc", compact_width=9)),
        ("qty", Column("Qty")),
        ("unit", UNIT),
        ("status", STATUS),
    ),
    "location": (
        ("location", Column("Location", compact_label="Loc", compact_width=9)),
        ("item", Column("Item")),
        ("name", NAME),
        ("lot", Column("Lot")),
        ("expiry", Column("Expiry", "normal")),
        ("qty", Column("Qty")),
        ("unit", UNIT),
        ("status", STATUS),
    ),
    "lot": (
        ("expiry", Column("Expiry")),
        ("lot", Column("Lot")),
        ("item", Column("Item", "normal")),
        ("name", NAME),
        ("location", Column("Location", compact_label="Loc", compact_width=9)),
        ("qty", Column("Qty")),
        ("unit", UNIT),
        ("status", STATUS),
    ),
}


def stock_row(line: StockLine, grouping: str, marks: Marks) -> TableRow:
    """A table row for one quantity on hand."""
    state = expiry_state(line.expiry)
    cells = {
        "item": line.item,
        "name": line.item_name,
        "lot": marks.expiry(line.lot or "", state),
        "expiry": marks.expiry(line.expiry.isoformat() if line.expiry else "", state),
        "location": line.location,
        "qty": line.qty,
        "unit": line.unit,
        "status": marks.status(line.lot_status, line.quarantine_area),
    }
    return TableRow(line.key, tuple(cells[name] for name, _ in LAYOUTS[grouping]), line)


class StockScreen(BrowseScreen):
    """What is on the shelves: 1, 2, 3 change the order; Enter shows the moves."""

    CSS_PATH = "on_hand.tcss"
    TITLE = "Stock on hand"
    TABLE_ID = "stock"
    SEARCH_HINT = "Search: item, location or lot; item:SKU loc:CODE lot:NUMBER"
    OPEN_LABEL = "Moves"
    NOUN = "rows"
    LIVE = True
    BINDINGS: ClassVar = [
        Binding("1", "group('item')", "By item", id="stock.by-item"),
        Binding("2", "group('location')", "By location", id="stock.by-location"),
        Binding("3", "group('lot')", "By lot", id="stock.by-lot"),
        Binding("t", "trace", "Trace lot", id="stock.trace"),
    ]

    def __init__(self, search: str = "", grouping: str = "item") -> None:
        super().__init__(search)
        self.grouping = grouping

    def columns(self) -> list[Column]:
        return [column for _, column in LAYOUTS[self.grouping]]

    def fetcher(self) -> Fetch:
        query, grouping = self.query_filter, self.grouping
        marks = Marks(self.app.theme_variables)

        def fetch(after: object | None, limit: int) -> tuple[list[TableRow], object | None]:
            page = stock_page(query, grouping, after, limit)
            return [stock_row(line, grouping, marks) for line in page.rows], page.after

        return fetch

    def heading(self) -> str:
        return GROUPINGS[self.grouping]

    def _filtered(self) -> bool:
        return bool(self.query_filter.describe())

    def action_group(self, grouping: str) -> None:
        """List the stock in another order."""
        if grouping != self.grouping:
            self.grouping = grouping
            self.reload()

    def _line(self) -> StockLine | None:
        row = self.table.current
        return row.data if row is not None and isinstance(row.data, StockLine) else None

    def action_trace(self) -> None:
        """The trace of the lot under the cursor."""
        line = self._line()
        if line is None or not line.lot:
            self.app.bell()
            return
        self.app.push_screen(navigation.trace_screen(line.lot, line.item))

    def label_target(self) -> LabelTarget | None:
        """F10: the bin when listing by location, else the lot (or the item)."""
        line = self._line()
        if line is None:
            return None
        if self.grouping == "location":
            return LabelTarget("location", line.location)
        if line.lot:
            return LabelTarget("lot", line.lot, item=line.item)
        return LabelTarget("item", line.item)

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        row = self.table.current
        if row is None or not isinstance(row.data, StockLine):
            return
        line = row.data
        words = [f"item:{line.item}", f"loc:{line.location}"]
        if line.lot:
            words.insert(1, f"lot:{line.lot}")
        self.app.push_screen(navigation.ledger_screen(" ".join(words)))
