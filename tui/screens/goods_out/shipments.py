"""Shipments: a list filtered by status, newest first, paged from the database in a
worker. Enter opens a shipment; N creates one; P and K go straight to picking or
packing it."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from backroom.models.db import db
from backroom.models.goods_out.orders import ShipmentSummary, list_shipments
from backroom.tui import navigation
from backroom.tui.screens.goods_out.shipments_form import offer
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.plain import plain
from backroom.tui.worker_errors import PassesWorkerFailuresOn

OPEN = ("draft", "allocated", "picking", "packed")
# (name shown, statuses) in the order F steps through them
FILTERS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("open", OPEN),
    ("to pick", ("allocated", "picking")),
    ("packed", ("packed",)),
    ("shipped", ("shipped",)),
    ("delivered", ("delivered",)),
    ("cancelled", ("cancelled",)),
    ("draft", ("draft",)),
    ("all", None),
)
PAGE = 100
AHEAD = 10  # rows left below the cursor when the next page is asked for


def filter_named(name: str) -> int:
    """The index of the status filter called NAME."""
    return next(i for i, (shown, _) in enumerate(FILTERS) if shown == name)


class ShipmentsScreen(PassesWorkerFailuresOn, Screen):
    """Shipments by status."""

    CSS_PATH = "shipments.tcss"
    BINDINGS: ClassVar = [
        Binding("n", "new", "New", id="shipments.new"),
        Binding("f", "next_filter", "Filter", id="shipments.filter"),
        Binding(
            "shift+f", "previous_filter", "Filter back", show=False, id="shipments.filter_back"
        ),
        Binding("r", "reload", "Refresh", id="shipments.reload"),
        Binding("p", "pick", "Pick", id="shipments.pick"),
        Binding("k", "pack", "Pack", id="shipments.pack"),
        Binding("escape", "app.pop_screen", "Back", show=False, id="shipments.back"),
    ]

    def __init__(self, status: str = "open") -> None:
        super().__init__()
        self.filter = filter_named(status)
        self.last: str | None = None  # number of the last row loaded
        self.more = False
        self.loading = False
        self.open_form = False  # the new-shipment form opens with the list
        self.seen = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static("Shipments", id="title", classes="title")
        yield DataTable(id="shipments", cursor_type="row", zebra_stripes=True)
        yield Static("", id="message", classes="message")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Shipment", key="number")
        table.add_column("Status", key="status")
        table.add_column("Consignee", key="consignee")
        table.add_column("Carrier", key="carrier")
        table.add_column("Planned", key="planned")
        table.focus()
        self.action_reload()

    def on_screen_resume(self) -> None:
        # Back from a shipment or a form: read the list again (not when first shown,
        # on_mount reads it then).
        if self.seen:
            self.action_reload()
        self.seen = True

    # --- loading ----------------------------------------------------------------------

    def action_reload(self) -> None:
        """Read the list again from the start."""
        self.query_one(DataTable).clear()
        self.last, self.more = None, False
        self._load_page()

    def _load_page(self) -> None:
        self.loading = True
        name, statuses = FILTERS[self.filter]
        self.query_one("#title", Static).update(f"Shipments · {name} · F to filter")
        self._fetch(statuses, self.last)

    @work(thread=True, exclusive=True, group="shipments", exit_on_error=False)
    def _fetch(self, statuses: tuple[str, ...] | None, after: str | None) -> None:
        with db.connection_context():
            rows = list_shipments(status=statuses, after=after, limit=PAGE)
        self.app.call_from_thread(self._add_rows, rows)

    def _add_rows(self, rows: list[ShipmentSummary]) -> None:
        self.loading = False
        table = self.query_one(DataTable)
        for s in rows:
            if s.number in table.rows:
                continue
            table.add_row(
                s.number, s.status, plain(s.consignee), plain(s.carrier),
                s.planned_date.isoformat(), key=s.number,
            )  # fmt: skip
        if rows:
            self.last = rows[-1].number
        self.more = len(rows) == PAGE
        count = table.row_count
        plus = "+" if self.more else ""
        self.query_one("#message", Static).update(
            f"{count}{plus} shipments" if count else "No shipments with this status"
        )
        if self.open_form:  # after the count, so that a refusal is not written over
            self.open_form = False
            self.action_new()

    def error(self, message: str) -> None:
        """What went wrong reading the list (a worker's failure), with the bell."""
        self.loading = False
        message_box = self.query_one("#message", Static)
        message_box.update(plain(f"✗ {message}"))
        self.app.bell()

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if self.more and not self.loading and event.cursor_row >= table.row_count - AHEAD:
            self._load_page()

    # --- filters and opening ----------------------------------------------------------

    def action_next_filter(self) -> None:
        """Show the shipments of the next status filter."""
        self.filter = (self.filter + 1) % len(FILTERS)
        self.action_reload()

    def action_previous_filter(self) -> None:
        """Show the shipments of the previous status filter."""
        self.filter = (self.filter - 1) % len(FILTERS)
        self.action_reload()

    def _highlighted(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            self.app.bell()
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value)

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(navigation.shipment_screen(str(event.row_key.value)))

    def action_pick(self) -> None:
        """Pick the highlighted shipment."""
        if number := self._highlighted():
            self.app.push_screen(navigation.pick_screen(number))

    def action_pack(self) -> None:
        """Pack the highlighted shipment."""
        if number := self._highlighted():
            self.app.push_screen(navigation.pack_screen(number))

    def action_new(self) -> None:
        """N: a new shipment (consignee, carrier, date); its detail opens next."""
        user = self.app.session.user
        offer(self, lambda: navigation.shipment_action("new_shipment", user), self._created)

    def _created(self, number: str | None) -> None:
        if number:
            self.app.push_screen(navigation.shipment_screen(number))


class NewShipmentScreen(ShipmentsScreen):
    """The open shipments with the new-shipment form over them (home and palette)."""

    def __init__(self) -> None:
        super().__init__()
        self.open_form = True
