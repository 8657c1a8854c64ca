"""Stock on hand, paged from the database."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from models.stock import stock
from tui.widgets.paged_table import PagedTable

COLUMNS = ("Item", "Name", "Lot", "Expiry", "Location", "Qty", "Unit")


def stock_page(offset: int, limit: int) -> list[tuple[object, ...]]:
    """One page of stock rows, keyed item|lot|location."""
    rows = stock(limit=limit, offset=offset)
    return [
        (
            f"{r.item}|{r.lot or ''}|{r.location}",
            r.item,
            r.item_name,
            r.lot or "",
            r.expiry.isoformat() if r.expiry else "",
            r.location,
            r.qty,
            r.unit,
        )
        for r in rows
    ]


class StockScreen(Screen):
    """What is on the shelves."""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static("Stock on hand", classes="title")
        yield PagedTable(COLUMNS, stock_page, id="stock")
        yield Footer()
