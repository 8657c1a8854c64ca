"""Browsing: stock, the ledger, items, lots, locations and users, a page at a time.

The one read model of the screens and the command line: both list through these
functions, so that the same filter gives the same rows.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each name and the module that defines it, imported on first use (PEP 562): a command
# that lists stock does not pay for the items', lots' and users' modules.
_FROM: dict[str, tuple[str, ...]] = {
    "backroom.models.browse.items": ("ItemLine", "item_line", "items_page", "list_items"),
    "backroom.models.browse.ledger": (
        "POSTED_MOVE_COLUMNS",
        "LedgerLine",
        "LocationFrom",
        "LocationTo",
        "MoveDetail",
        "first_move_since",
        "ledger_head",
        "ledger_page",
        "list_moves",
        "move_detail",
        "moves_with_places",
    ),
    "backroom.models.browse.locations": (
        "LocationLine",
        "LocationNode",
        "list_locations",
        "location_ancestors",
        "location_children",
        "location_line",
        "location_node",
        "locations_page",
    ),
    "backroom.models.browse.lots": ("LOT_ORDERS", "LotLine", "list_lots", "lot_line", "lots_page"),
    "backroom.models.browse.query": (
        "PAGE",
        "Page",
        "Query",
        "expiry_state",
        "parse_query",
        "query_of",
        "walk",
    ),
    "backroom.models.browse.stock": (
        "STOCK_GROUPINGS",
        "StockLine",
        "list_stock",
        "on_hand",
        "stock_page",
    ),
    "backroom.models.browse.users": ("UserLine", "list_users", "users_page"),
    "backroom.models.schema": ("LOCATION_KINDS", "LOT_STATUSES", "MOVE_KINDS", "ROLES", "TRACKING"),
}
_MODULE_OF = {name: module for module, names in _FROM.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
