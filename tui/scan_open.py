"""Where a scan made outside any form takes the person: the thing it names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backroom.scanners.results import (
    Resolution,
    ResolvedCommand,
    ResolvedItem,
    ResolvedLocation,
    ResolvedLot,
    ResolvedOrder,
    ResolvedPallet,
    ResolvedParcel,
    ResolvedSerial,
    ResolvedShipment,
    ScanError,
)
from backroom.tui import navigation
from backroom.tui.screens.people.login import badge_scanned
from backroom.tui.widgets.plain import tell

if TYPE_CHECKING:
    from backroom.tui.app import BackroomApp


def open_resolution(app: BackroomApp, res: Resolution) -> None:
    """Open what RES names, or say why nothing can be opened (with the bell)."""
    if isinstance(res, ScanError):
        app.bell()
        tell(app, res.message, title="Scan not understood", severity="error")
        return
    if badge_scanned(app, res):  # a badge, or anything while nobody is logged in
        return
    if isinstance(res, ResolvedCommand):
        if res.command == "BACK" and len(app.screen_stack) > 2:
            app.pop_screen()
        elif res.command == "CANCEL":
            app.action_home()
        else:
            tell(app, f"{res.label}: nothing to confirm here")
        return
    if isinstance(res, ResolvedLocation):
        screen = navigation.stock_screen(search=res.code, grouping="location")
    elif isinstance(res, ResolvedItem):
        screen = navigation.stock_screen(search=res.sku, grouping="item")
    elif isinstance(res, ResolvedLot | ResolvedSerial):
        number = res.number if isinstance(res, ResolvedLot) else res.serial
        screen = navigation.trace_screen(number, res.item.sku)
    elif isinstance(res, ResolvedShipment):
        screen = navigation.shipment_screen(res.number)
    elif isinstance(res, ResolvedParcel):
        screen = navigation.shipment_screen(sscc=res.sscc)
    elif isinstance(res, ResolvedPallet):
        screen = navigation.receive_order_screen(res.sscc)
    elif isinstance(res, ResolvedOrder):
        screen = navigation.receive_order_screen(res.number)
    else:
        app.bell()
        tell(app, f"{res.label}: nothing to open for it yet", severity="warning")
        return
    tell(app, f"Scanned {res.label}")
    for warning in res.warnings:  # a label to check: GS1 companions missing, a status
        tell(app, warning, title="Check the label", severity="warning")
    app.open_screen(screen)
