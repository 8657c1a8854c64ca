"""One shipment: consignee and carrier, lines, allocations, parcels and history.
A allocates what is not yet allocated; P and K pick and pack it."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from backroom.models.db import db
from backroom.models.goods_out.allocation import allocate
from backroom.models.goods_out.dispatch import dispatch_code
from backroom.models.goods_out.orders import ShipmentDetail, shipment_detail
from backroom.models.goods_out.packing import get_parcel
from backroom.tui import navigation
from backroom.tui.label_target import LabelTarget
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.plain import plain
from backroom.tui.worker_errors import PassesWorkerFailuresOn


def _table(*headers: str, numeric: tuple[int, ...] = ()) -> Table:
    table = Table(box=None, padding=(0, 1, 0, 0), show_edge=False, header_style="bold")
    for i, header in enumerate(headers):
        table.add_column(header, justify="right" if i in numeric else "left")
    return table


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
    parts: list[RenderableType] = [head, Text("\nLines", style="bold underline"), lines]
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
        Binding("a", "allocate", "Allocate", id="shipment.allocate"),
        Binding("p", "pick", "Pick", id="shipment.pick"),
        Binding("k", "pack", "Pack", id="shipment.pack"),
        Binding("r", "reload", "Refresh", id="shipment.reload"),
        Binding("escape", "app.pop_screen", "Back", id="shipment.back"),
    ]

    def __init__(self, number: str = "", *, sscc: str | None = None) -> None:
        super().__init__()
        self.number = number
        self.sscc = sscc  # a scanned parcel: its shipment is looked up when loading
        self.detail: ShipmentDetail | None = None

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
        """Pick this shipment."""
        self.app.push_screen(navigation.pick_screen(self.number))

    def action_pack(self) -> None:
        """Pack this shipment."""
        self.app.push_screen(navigation.pack_screen(self.number))
