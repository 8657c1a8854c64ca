"""Every place in the TUI, once: the home menu, the key bindings and the command
palette are all built from this list."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from textual.screen import Screen


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
        module, cls = self.target.split(":")
        return getattr(importlib.import_module(module), cls)()


DESTINATIONS: tuple[Destination, ...] = (
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
        "Move / put away",
        "Stock from one location to another",
        "m",
        "f6",
        "backroom.tui.screens.stock.operate:MoveScreen",
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
)


def by_name(name: str) -> Destination:
    """The destination called NAME."""
    for dest in DESTINATIONS:
        if dest.name == name:
            return dest
    raise KeyError(name)
