"""Items: the item master, searched as you type; new and edit open the item form."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding

from backroom.models.browse import ItemLine, Query, items_page
from backroom.tui import navigation
from backroom.tui.label_target import LabelTarget
from backroom.tui.widgets.browse_screen import BrowseScreen
from backroom.tui.widgets.line_table import LineTable
from backroom.tui.widgets.paged_table import Column, Fetch, TableRow

COLUMNS = (
    Column("SKU"),
    Column("Name", width=28, compact_width=16),
    Column("GTIN", "normal"),
    Column("Unit", "wide"),
    Column("Tracking", "normal"),
    Column("Shelf life", "wide"),
    Column("On hand", compact_label="Qty"),
    Column("Active", "wide"),
)


def item_row(line: ItemLine) -> TableRow:
    """A table row for one item; an inactive one is dimmed."""
    style = "dim" if not line.active else ""
    cells = (
        Text(line.sku, style=style),
        Text(line.name, style=style),
        line.gtin or "",
        line.unit,
        line.tracking,
        f"{line.shelf_life_days} d" if line.shelf_life_days else "",
        line.on_hand,
        "yes" if line.active else Text("no", style="dim"),
    )
    return TableRow(line.key, cells, line)


class ItemsScreen(BrowseScreen):
    """Every item by SKU; Enter edits, n adds, s shows its stock, m its moves."""

    CSS_PATH = "items.tcss"
    TITLE = "Items"
    TABLE_ID = "items"
    SEARCH_HINT = "Search SKU, name or GTIN"
    OPEN_LABEL = "Edit"
    NOUN = "items"
    NOUN_ONE = "item"
    BINDINGS: ClassVar = [
        Binding("n", "new", "New item", id="items.new"),
        Binding("s", "stock", "Stock", id="items.stock"),
        Binding("m", "moves", "Moves", id="items.moves"),
    ]

    def parse(self, text: str) -> Query:
        return Query(text=text.strip())

    def columns(self) -> list[Column]:
        return list(COLUMNS)

    def fetcher(self) -> Fetch:
        text = self.query_filter.text

        def fetch(after: object | None, limit: int) -> tuple[list[TableRow], object | None]:
            page = items_page(text, after, limit)
            return [item_row(line) for line in page.rows], page.after

        return fetch

    def heading(self) -> str:
        return "By SKU"

    def _current_sku(self) -> str | None:
        row = self.table.current
        return row.key if row is not None else None

    def label_target(self) -> LabelTarget | None:
        """F10: the label of the item under the cursor."""
        sku = self._current_sku()
        return LabelTarget("item", sku) if sku else None

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        sku = self._current_sku()
        if sku is not None:
            self.app.push_screen(navigation.item_form(sku), self._saved)

    def action_new(self) -> None:
        """Open an empty item form."""
        self.app.push_screen(navigation.item_form(), self._saved)

    def _saved(self, sku: str | None) -> None:
        if sku:
            self.tell(f"Item {sku} saved")
            self.table.refresh_rows()

    def action_stock(self) -> None:
        """Stock on hand of this item."""
        sku = self._current_sku()
        if sku is not None:
            self.app.push_screen(navigation.stock_screen(f"item:{sku}"))

    def action_moves(self) -> None:
        """The ledger of this item."""
        sku = self._current_sku()
        if sku is not None:
            self.app.push_screen(navigation.ledger_screen(f"item:{sku}"))
