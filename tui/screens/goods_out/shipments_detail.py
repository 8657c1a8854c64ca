"""One shipment: consignee and carrier, lines, allocations, parcels and history, with
what can be done next at the top: L adds lines, A allocates, P and K pick and pack,
W weighs a parcel, S ships, D records the delivery, X cancels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from backroom.models.db import db
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.dispatch import dispatch_code, ship
from backroom.models.goods_out.orders import ShipmentDetail, shipment_detail
from backroom.models.goods_out.packing import get_parcel
from backroom.models.stock.requests import new_request_id
from backroom.tui import navigation
from backroom.tui.label_target import LabelTarget
from backroom.tui.screens.dialogs import ConfirmDialog
from backroom.tui.screens.goods_out.shipments_form import offer
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.plain import plain
from backroom.tui.worker_errors import PassesWorkerFailuresOn


def _table(*headers: str, numeric: tuple[int, ...] = ()) -> Table:
    table = Table(box=None, padding=(0, 1, 0, 0), show_edge=False, header_style="bold")
    for i, header in enumerate(headers):
        table.add_column(header, justify="right" if i in numeric else "left")
    return table


# What can be done next, by status: (key, words), in the order a shipment goes.
NEXT: dict[str, tuple[tuple[str, str], ...]] = {
    "draft": (("L", "add lines"), ("A", "allocate"), ("X", "cancel")),
    "allocated": (("P", "pick"), ("L", "add lines"), ("A", "allocate"), ("X", "cancel")),
    "picking": (("P", "pick"), ("K", "pack"), ("A", "allocate"), ("X", "cancel")),
    "packed": (("W", "weigh"), ("S", "ship"), ("K", "pack"), ("X", "cancel")),
    "shipped": (("D", "delivered"),),
}


def next_steps(status: str) -> Text:
    """The keys for what can be done with a shipment in STATUS, wrapping on a handheld."""
    steps = NEXT.get(status)
    if not steps:
        return Text(f"{status.capitalize()}: nothing left to do", style="dim")
    text = Text("Next: ")
    for i, (key, words) in enumerate(steps):
        text.append(key, style="bold reverse")
        text.append(f" {words}" + (" · " if i < len(steps) - 1 else ""))
    return text


def detail_renderable(d: ShipmentDetail) -> RenderableType:
    """The shipment as the screen shows it, top to bottom."""
    s = d.summary
    carrier = d.carrier.name if d.carrier else "no carrier"
    head = Text.assemble(
        (f"{s.number}  ", "bold"),
        (s.status.upper(), "bold reverse"),
        f"\nTo {', '.join(d.consignee.address_block())}",
        f"\n{carrier}{f' ({s.service})' if s.service else ''} · planned {s.planned_date}",
    )
    if s.pod_name and s.delivered_at:
        head.append(f"\nDelivered {s.delivered_at:%Y-%m-%d %H:%M} UTC, signed by {s.pod_name}")
    lines = _table("Item", "Ord", "Alloc", "Pick", "Ship", numeric=(1, 2, 3, 4))
    for x in d.lines:
        lines.add_row(
            plain(x.item), str(x.ordered), str(x.allocated), str(x.picked), str(x.shipped)
        )
    allocs = _table("Location", "Item", "Lot", "Qty", "Picked", numeric=(3, 4))
    for a in d.allocations:
        allocs.add_row(plain(a.location), plain(a.item), plain(a.lot), str(a.qty), str(a.picked))
    # An SSCC is read and compared whole: one line each, never cut to fit a column.
    parcels = Text()
    for p in d.parcels:
        parcels.append(p.sscc, style="bold")
        parcels.append(f" {p.kind} {p.weight_text}")
        parcels.append(f" tracking {p.tracking}\n" if p.tracking else "\n")
        for c in p.contents:
            parcels.append(f"  {c.qty} {c.item}{f' lot {c.lot}' if c.lot else ''}\n")
    history = Text()
    for h in d.history:
        history.append(f"{h.time:%m-%d %H:%M} {h.user or '-'} ", style="dim")
        history.append(h.text + "\n")
    parts: list[RenderableType] = [head, next_steps(s.status)]
    parts += [Text("\nLines", style="bold underline"), lines if d.lines else Text("none")]
    parts += [Text("\nAllocations", style="bold underline")]
    parts += [allocs if d.allocations else Text("none")]
    parts += [Text("\nParcels", style="bold underline")]
    parts += [parcels if d.parcels else Text("none")]
    parts += [Text("\nHistory", style="bold underline"), history]
    return Group(*parts)


class ShipmentDetailScreen(PassesWorkerFailuresOn, Screen):
    """Everything about one shipment."""

    CSS_PATH = "shipments.tcss"
    BINDINGS: ClassVar = [
        Binding("l", "add_lines", "Lines", id="shipment.lines"),
        Binding("a", "allocate", "Allocate", id="shipment.allocate"),
        Binding("p", "pick", "Pick", id="shipment.pick"),
        Binding("k", "pack", "Pack", id="shipment.pack"),
        Binding("w", "weigh", "Weigh", id="shipment.weigh"),
        Binding("s", "ship", "Ship", id="shipment.ship"),
        Binding("d", "deliver", "Delivered", id="shipment.deliver"),
        Binding("x", "cancel", "Cancel", id="shipment.cancel"),
        Binding("r", "reload", "Refresh", id="shipment.reload"),
        Binding("escape", "app.pop_screen", "Back", id="shipment.back"),
    ]

    def __init__(self, number: str = "", *, sscc: str | None = None) -> None:
        super().__init__()
        self.number = number
        self.sscc = sscc  # a scanned parcel: its shipment is looked up when loading
        self.detail: ShipmentDetail | None = None
        # The id made when the person confirmed shipping, kept until it is shipped: the
        # same confirmation again after a failure ships at most once.
        self.ship_request: str | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        with VerticalScroll(id="detail"):
            yield Static("Loading…", id="body")
        yield Static("", id="message", classes="message")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#detail").focus()
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        """Read the shipment again."""
        self._load()

    @work(thread=True, exclusive=True, group="shipment", exit_on_error=False)
    def _load(self) -> None:
        with db.connection_context():
            if self.sscc and not self.number:
                self.number = get_parcel(self.sscc).shipment.number
            detail = shipment_detail(self.number)
        self.app.call_from_thread(self._show, detail)

    def label_target(self) -> LabelTarget | None:
        """F10: the scanned parcel's label, else the labels of every parcel."""
        if self.sscc:
            return LabelTarget("sscc", self.sscc)
        ssccs = tuple(p.sscc for p in self.detail.parcels) if self.detail else ()
        return LabelTarget("sscc", ssccs[0], more=ssccs[1:]) if ssccs else None

    def _show(self, detail: ShipmentDetail) -> None:
        self.detail = detail
        self.number = detail.number
        self.query_one("#body", Static).update(detail_renderable(detail))

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.set_class(error, "error")
        message.update(plain(f"✗ {text}" if error else text))
        if error:
            self.app.bell()

    def error(self, text: str) -> None:
        """What went wrong (a refusal in a worker too), with the bell."""
        self._say(text, True)

    def action_allocate(self) -> None:
        """Reserve stock for what is not allocated yet."""
        self._allocate(self.app.session.user, dispatch_code(self.app.session.config))

    @work(thread=True, exclusive=True, group="shipment", exit_on_error=False)
    def _allocate(self, user: str, dispatch: str) -> None:
        with db.connection_context():
            result = allocate(self.number, user=user, dispatch=dispatch)
            detail = shipment_detail(self.number)
        got = sum(r.qty for r in result.reserved)
        short = ", ".join(f"{s.item} {s.missing} short" for s in result.short)
        text = f"Reserved {got}" + (f"; {short}" if short else "; complete")
        self.app.call_from_thread(self._say, text)
        self.app.call_from_thread(self._show, detail)

    def action_pick(self) -> None:
        """Pick this shipment; what was said here before is out of date once it is."""
        self._say("")
        self.app.push_screen(navigation.pick_screen(self.number))

    def action_pack(self) -> None:
        """Pack this shipment."""
        self._say("")
        self.app.push_screen(navigation.pack_screen(self.number))

    # --- the forms: the role checked and the lists read before they open ---------------

    def _after(self, done: str | None) -> None:
        if done:
            self._say(f"✓ {done}")
        self.action_reload()

    def action_add_lines(self) -> None:
        """L: add lines, item and quantity, one after another."""
        user, number = self.app.session.user, self.number
        offer(self, lambda: navigation.shipment_action("add_lines", user, number), self._after)

    def action_weigh(self) -> None:
        """W: weigh one of the parcels."""
        if self.detail is not None:
            user, detail = self.app.session.user, self.detail
            offer(self, lambda: navigation.shipment_action("weigh", user, detail), self._after)

    def action_deliver(self) -> None:
        """D: record who signed for the delivery."""
        user, number = self.app.session.user, self.number
        offer(self, lambda: navigation.shipment_action("deliver", user, number), self._after)

    def action_cancel(self) -> None:
        """X: cancel, after saying what happens to allocated and picked stock."""
        if self.detail is not None:
            user, detail = self.app.session.user, self.detail
            dispatch = dispatch_code(self.app.session.config)
            offer(
                self,
                lambda: navigation.shipment_action("cancel", user, detail, dispatch),
                self._after,
            )

    def action_ship(self) -> None:
        """S: the parcels leave, after a question that says how many and what weight."""
        d = self.detail
        if d is None:
            return
        if d.status != "packed":
            self.error(f"{d.number} is {d.status}: only a packed shipment ships")
            return
        unweighed = sum(1 for p in d.parcels if p.weight_g is None)
        weight = sum(p.weight_g or 0 for p in d.parcels) / 1000
        question = (
            f"{len(d.parcels)} parcels, {weight:g} kg, leave dispatch for "
            f"{d.consignee.name}." + (f"\n{unweighed} not weighed (W)." if unweighed else "")
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.ship_request = self.ship_request or new_request_id()
                user, config = self.app.session.user, self.app.session.config
                self._ship(user, dispatch_code(config), self.ship_request)

        self.app.push_screen(ConfirmDialog(f"Ship {d.number}?", question, "Ship"), answered)

    # Not in the "shipment" group: the reload as the question closes would cancel it.
    @work(thread=True, group="ship", exit_on_error=False)
    def _ship(self, user: str, dispatch: str, request_id: str) -> None:
        with db.connection_context():
            result = ship(self.number, user=user, dispatch=dispatch, request_id=request_id)
            detail = shipment_detail(self.number)
        self.ship_request = None
        text = f"✓ Shipped: {len(result.parcels)} parcels, {len(result.moves)} moves"
        self.app.call_from_thread(self._say, text)
        self.app.call_from_thread(self._show, detail)

    def palette_commands(self) -> Iterator[SystemCommand]:
        """This shipment's actions, for the command palette (Ctrl+P)."""
        for binding in self.BINDINGS:
            if binding.action in ("reload", "app.pop_screen"):
                continue
            action = getattr(self, f"action_{binding.action}")
            help_text = (action.__doc__ or "").strip().splitlines()[0]
            yield SystemCommand(f"{binding.description}: {self.number}", help_text, action)
