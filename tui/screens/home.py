"""Home: the main tasks, and today's figures for a lead."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, OptionList, Sparkline, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from backroom.models.db import db
from backroom.models.goods_in.orders import DueOrders, due_orders
from backroom.models.stock.dashboard import Figures, figures
from backroom.tui.navigation import DESTINATIONS
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.plain import plain
from backroom.tui.worker_errors import PassesWorkerFailuresOn


class HomeScreen(PassesWorkerFailuresOn, Screen):
    """The first screen: tasks by letter, figures beside them."""

    CSS_PATH = "home.tcss"

    def __init__(self) -> None:
        super().__init__()
        for dest in DESTINATIONS:
            self._bindings.bind(dest.key, f"app.goto('{dest.name}')", dest.title, show=False)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        with Horizontal(id="home"):
            yield OptionList(
                *(
                    Option(Text.assemble((d.key.upper(), "bold"), "  ", d.title), id=d.name)
                    for d in DESTINATIONS
                ),
                id="tasks",
            )
            with Vertical(id="figures"):
                yield Static("Today", classes="title")
                yield Static("…", id="figure-text")
                due = Static("", id="orders-due", markup=False)
                due.display = False  # until there are orders due
                yield due
                yield Static("Moves per day, 14 days", id="spark-title")
                yield Sparkline([], id="spark")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_figures()
        self.set_interval(30, self.refresh_figures)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.action_goto(event.option.id)

    @work(thread=True, exclusive=True, group="figures", exit_on_error=False)
    def refresh_figures(self) -> None:
        with db.connection_context():
            data = figures()
            due = due_orders()
        self.app.call_from_thread(self._show, data, due)

    def worker_failed(self, message: str, worker: Worker) -> None:
        """The figures could not be read: say so in their place, the bell only once."""
        text = self.query_one("#figure-text", Static)
        if str(text.content) != f"✗ {message}":
            self.app.bell()
        text.update(plain(f"✗ {message}"))

    def _show(self, data: Figures, due: DueOrders) -> None:
        lines = [
            f"Receipts today      {data.receipts_today:>7}",
            f"Shipments today     {data.shipments_today:>7}",
            f"Open picks          {data.open_picks:>7}",
            f"Lots expiring ≤30 d {data.lots_expiring_30d:>7}",
            f"Qty in quarantine   {data.quarantine_qty:>7}",
        ]
        if due.open:  # a site that orders nothing is not told about orders
            lines += [
                f"Orders due today    {len(due.today):>7}",
                f"Orders late         {len(due.late):>7}",
            ]
        self.query_one("#figure-text", Static).update("\n".join(lines))
        listed = _orders_due(due)
        shown = self.query_one("#orders-due", Static)
        shown.update(listed)
        shown.set_class(not listed, "-none")  # a class: the narrow layout hides it anyway
        self.query_one("#spark", Sparkline).data = data.moves_per_day


ORDERS_LISTED = 3  # of each kind, by expected day: the rest are in `backroom po list`


def _orders_due(due: DueOrders) -> str:
    """The orders expected today and the late ones, a few of each, for the lead."""
    lines = [f"Due {o.number} {o.supplier_name}" for o in due.today[:ORDERS_LISTED]]
    lines += [
        f"Late {o.number} {o.supplier_name} ({o.expected:%m-%d})" for o in due.late[:ORDERS_LISTED]
    ]
    more = len(due.today) + len(due.late) - len(lines)
    if more > 0:
        lines.append(f"… {more} more: backroom po list")
    return "\n".join(lines)
