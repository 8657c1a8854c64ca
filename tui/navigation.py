"""Every place in the TUI, once: the home menu, the key bindings and the command
palette are all built from this list; and the one way a screen opens another.

Screens never import each other (only the base classes they are made from): they ask
for a screen here, by what it shows, and this module imports it when first asked.
That keeps the screens free of import loops (stock -> trace -> recall -> stock) and
the start-up of the CLI free of Textual screens it will not show.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

if TYPE_CHECKING:
    from backroom.models.goods_in.receiving import Counts, PalletView, ReceivingRules
    from backroom.tui.label_target import LabelTarget


def _screen(target: str, *args: Any, **kwargs: Any) -> Screen:
    """A new screen of the "module:Class" TARGET, its module imported when first needed."""
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)(*args, **kwargs)


@dataclass(frozen=True)
class Destination:
    name: str  # action argument and palette id
    title: str
    help: str
    key: str  # letter on the home screen
    fkey: str | None  # function key, anywhere
    target: str  # "module:Class" of the screen
    group: str  # "operate" or "browse"

    def make(self) -> Screen:
        """A new instance of the screen."""
        return _screen(self.target)


DESTINATIONS: tuple[Destination, ...] = (
    # First: on a handheld's home it is the first thing a floor person sees.
    Destination(
        "next-task",
        "Next task",
        "The task to do now, near where you are, prompt by prompt",
        "j",
        None,
        "backroom.tui.screens.tasks.next_task:NextTaskScreen",
        "operate",
    ),
    Destination(
        "receive",
        "Receive",
        "Goods in from a supplier",
        "r",
        "f5",
        "backroom.tui.screens.stock.operate:ReceiveScreen",
        "operate",
    ),
    Destination(
        "move",
        "Move",
        "Stock from one location to another",
        "m",
        "f6",
        "backroom.tui.screens.stock.operate:MoveScreen",
        "operate",
    ),
    Destination(
        "putaway",
        "Put away",
        "From the dock to the suggested bin; another bin is recorded as an override",
        "b",
        None,
        "backroom.tui.screens.stock.operate:PutAwayScreen",
        "operate",
    ),
    Destination(
        "count",
        "Count",
        "Blind count of a location",
        "c",
        "f7",
        "backroom.tui.screens.stock.operate:CountScreen",
        "operate",
    ),
    Destination(
        "adjust",
        "Adjust",
        "Correct stock up or down, with a reason",
        "a",
        "f8",
        "backroom.tui.screens.stock.operate:AdjustScreen",
        "operate",
    ),
    Destination(
        "scrap",
        "Scrap",
        "Write damaged or expired stock off",
        "x",
        "f9",
        "backroom.tui.screens.stock.operate:ScrapScreen",
        "operate",
    ),
    Destination(
        "stock",
        "Stock on hand",
        "What is where: by item, location or lot",
        "s",
        "f3",
        "backroom.tui.screens.stock.on_hand:StockScreen",
        "browse",
    ),
    Destination(
        "ledger",
        "Ledger",
        "Every move, newest first; details and reversal",
        "l",
        "f4",
        "backroom.tui.screens.stock.ledger:LedgerScreen",
        "browse",
    ),
    Destination(
        "items",
        "Items",
        "Item master data",
        "i",
        None,
        "backroom.tui.screens.masterdata.items:ItemsScreen",
        "browse",
    ),
    Destination(
        "locations",
        "Locations",
        "The location tree",
        "o",
        None,
        "backroom.tui.screens.masterdata.locations:LocationsScreen",
        "browse",
    ),
    Destination(
        "lots",
        "Lots",
        "Lots with status and expiry",
        "n",
        None,
        "backroom.tui.screens.masterdata.lots:LotsScreen",
        "browse",
    ),
    Destination(
        "scanner-test",
        "Scanner test",
        "Check this station's scanner and fix its settings",
        "z",
        None,
        "backroom.tui.screens.scanner_test:ScannerTestScreen",
        "setup",
    ),
    Destination(
        "trace",
        "Trace a lot",
        "Where a lot came from and where it went",
        "t",
        None,
        "backroom.tui.screens.trace.lot_trace:TraceScreen",
        "browse",
    ),
    Destination(
        "transform",
        "Transform",
        "Production, repack, kitting: inputs into new lots",
        "f",
        None,
        "backroom.tui.screens.trace.transform:TransformScreen",
        "operate",
    ),
    Destination(
        "recall",
        "Recall",
        "Recall a lot and all made from it; the recall report",
        "e",
        None,
        "backroom.tui.screens.trace.recall:RecallScreen",
        "browse",
    ),
    Destination(
        "pick",
        "Pick",
        "Pick a shipment, stop by stop",
        "p",
        None,
        "backroom.tui.screens.goods_out.picking:PickScreen",
        "operate",
    ),
    Destination(
        "pack",
        "Pack",
        "Picked stock into parcels with SSCCs",
        "k",
        None,
        "backroom.tui.screens.goods_out.packing:PackScreen",
        "operate",
    ),
    Destination(
        "shipments",
        "Shipments",
        "Shipments by status; detail, allocation, history",
        "h",
        None,
        "backroom.tui.screens.goods_out.shipments:ShipmentsScreen",
        "browse",
    ),
    Destination(
        "new-shipment",
        "New shipment",
        "Create a shipment: consignee, carrier, date; then its lines",
        "g",
        None,
        "backroom.tui.screens.goods_out.shipments:NewShipmentScreen",
        "operate",
    ),
    Destination(
        "audit",
        "Audit",
        "Who did what: moves and events by user",
        "u",
        None,
        "backroom.tui.screens.people.audit:AuditScreen",
        "browse",
    ),
    Destination(
        "import",
        "Import data",
        "Items, locations, lots, opening stock, consignees from CSV",
        "d",
        None,
        "backroom.tui.screens.data.import_data:ImportScreen",
        "setup",
    ),
    Destination(
        "export",
        "Export data",
        "CSV, JSON or EPCIS 2.0 to a file",
        "y",
        None,
        "backroom.tui.screens.data.export_data:ExportScreen",
        "setup",
    ),
    Destination(
        "receive-order",
        "Receive against order",
        "Goods in by purchase order, or a whole pallet by its SSCC",
        "w",
        None,
        "backroom.tui.screens.goods_in.receive_order:ReceiveOrderScreen",
        "operate",
    ),
    Destination(
        "task-board",
        "Task board",
        "Open tasks by kind, zone, age, assignee; reassign, reprioritise, cancel",
        "v",
        None,
        "backroom.tui.screens.tasks.board:TaskBoardScreen",
        "browse",
    ),
)


def by_name(name: str) -> Destination:
    """The destination called NAME."""
    for dest in DESTINATIONS:
        if dest.name == name:
            return dest
    raise KeyError(name)


# --- screens opened from other screens, by what they show -----------------------------


def home_screen() -> Screen:
    """The first screen: tasks by letter, and today's figures."""
    return _screen("backroom.tui.screens.home:HomeScreen")


def stock_screen(search: str = "", grouping: str = "item") -> Screen:
    """Stock on hand, searched for SEARCH, by item, location or lot."""
    return _screen(by_name("stock").target, search=search, grouping=grouping)


def ledger_screen(search: str = "") -> Screen:
    """The ledger, searched for SEARCH (item:, loc:, lot:...)."""
    return _screen(by_name("ledger").target, search)


def move_screen(move_id: int, *, reverse_now: bool = False) -> Screen:
    """One move, every field; REVERSE_NOW asks to reverse it straight away."""
    return _screen("backroom.tui.screens.stock.ledger:MoveScreen", move_id, reverse_now=reverse_now)


def trace_screen(lot: str = "", item: str | None = None) -> Screen:
    """The trace of LOT (of ITEM, when several items share the number)."""
    return _screen(by_name("trace").target, lot, item)


def recall_screen(lot: str = "", item: str | None = None) -> Screen:
    """The recall report of LOT, and the recall."""
    return _screen(by_name("recall").target, lot, item)


def shipment_screen(number: str = "", *, sscc: str | None = None) -> Screen:
    """One shipment, by its number or by the SSCC of one of its parcels."""
    return _screen(
        "backroom.tui.screens.goods_out.shipments_detail:ShipmentDetailScreen", number, sscc=sscc
    )


def receive_order_screen(doc: str = "") -> Screen:
    """Receive against order, with DOC (an order number or a pallet's SSCC) entered."""
    return _screen("backroom.tui.screens.goods_in.receive_order:ReceiveOrderScreen", doc)


def discrepancy_screen(doc: str = "") -> Screen:
    """The receipt discrepancy report of DOC (an order or ASN number, or a pallet's SSCC:
    its ASN); with none, the screen asks which."""
    return _screen("backroom.tui.screens.goods_in.discrepancy:DiscrepancyScreen", doc)


def pallet_count_screen(view: PalletView, counts: Counts, rules: ReceivingRules) -> Screen:
    """Counting pallet VIEW line by line before it is received (COUNTS so far); answers
    what was counted, or None when the person backed out."""
    return _screen(
        "backroom.tui.screens.goods_in.pallet_count:PalletCountScreen", view, counts, rules
    )


def pick_screen(number: str | None = None) -> Screen:
    """Picking shipment NUMBER (or the one scanned first)."""
    return _screen(by_name("pick").target, number)


def pack_screen(number: str | None = None) -> Screen:
    """Packing shipment NUMBER (or the one scanned first)."""
    return _screen(by_name("pack").target, number)


def shipment_action(kind: str, *args: Any) -> Screen:
    """The small form of one action on a shipment ("new_shipment", "add_lines", "weigh",
    "deliver", "cancel"); it checks the role and reads its lists, so make it in a worker."""
    module = importlib.import_module("backroom.tui.screens.goods_out.shipment_forms")
    return getattr(module, f"{kind}_form")(*args)


def item_form(sku: str | None = None) -> Screen:
    """The form of item SKU, or of a new item; dismissed with the SKU saved."""
    return _screen("backroom.tui.screens.masterdata.forms:ItemForm", sku)


def location_form(code: str | None = None, *, parent: str = "") -> Screen:
    """The form of location CODE, or of a new one under PARENT."""
    return _screen("backroom.tui.screens.masterdata.forms:LocationForm", code, parent=parent)


def lot_form(item: str | None = None, number: str | None = None, *, item_hint: str = "") -> Screen:
    """The form of lot NUMBER of ITEM, or of a new lot (of ITEM_HINT, if given)."""
    return _screen(
        "backroom.tui.screens.masterdata.forms:LotForm", item, number, item_hint=item_hint
    )


def print_screen(target: LabelTarget) -> Screen:
    """Preview and print the label of TARGET; dismissed with where it was printed."""
    return _screen("backroom.tui.screens.print_label:PrintScreen", target)


def help_screen(screen: Screen) -> Screen:
    """The keys of SCREEN."""
    return _screen("backroom.tui.screens.help:HelpScreen", screen)
