"""Browsing: stock, the ledger, items, lots, locations and users, a page at a time.

The one read model of the screens and the command line: both list through these
functions, so that the same filter gives the same rows.
"""

from backroom.models.browse.items import ItemLine, item_line, items_page, list_items
from backroom.models.browse.ledger import (
    POSTED_MOVE_COLUMNS,
    LedgerLine,
    LocationFrom,
    LocationTo,
    MoveDetail,
    first_move_since,
    ledger_head,
    ledger_page,
    list_moves,
    move_detail,
    moves_with_places,
)
from backroom.models.browse.locations import (
    LocationLine,
    LocationNode,
    list_locations,
    location_ancestors,
    location_children,
    location_line,
    location_node,
    locations_page,
)
from backroom.models.browse.lots import LOT_ORDERS, LotLine, list_lots, lot_line, lots_page
from backroom.models.browse.query import (
    PAGE,
    Page,
    Query,
    expiry_state,
    parse_query,
    query_of,
    walk,
)
from backroom.models.browse.stock import (
    STOCK_GROUPINGS,
    StockLine,
    list_stock,
    on_hand,
    stock_page,
)
from backroom.models.browse.users import UserLine, list_users, users_page

# The words the lists' columns and filters hold: the command line offers them as choices.
from backroom.models.schema import LOCATION_KINDS, LOT_STATUSES, MOVE_KINDS, ROLES, TRACKING

__all__ = [
    "LOCATION_KINDS",
    "LOT_ORDERS",
    "LOT_STATUSES",
    "MOVE_KINDS",
    "PAGE",
    "POSTED_MOVE_COLUMNS",
    "ROLES",
    "STOCK_GROUPINGS",
    "TRACKING",
    "ItemLine",
    "LedgerLine",
    "LocationFrom",
    "LocationLine",
    "LocationNode",
    "LocationTo",
    "LotLine",
    "MoveDetail",
    "Page",
    "Query",
    "StockLine",
    "UserLine",
    "expiry_state",
    "first_move_since",
    "item_line",
    "items_page",
    "ledger_head",
    "ledger_page",
    "list_items",
    "list_locations",
    "list_lots",
    "list_moves",
    "list_stock",
    "list_users",
    "location_ancestors",
    "location_children",
    "location_line",
    "location_node",
    "locations_page",
    "lot_line",
    "lots_page",
    "move_detail",
    "moves_with_places",
    "on_hand",
    "parse_query",
    "query_of",
    "stock_page",
    "users_page",
    "walk",
]
