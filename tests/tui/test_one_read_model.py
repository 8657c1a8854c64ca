"""One read model: the command line lists what the screens list. For the same filter
text, `stock`, `moves`, `item list` and `lot list` print the rows the browse functions
behind the stock, ledger, items and lots screens return."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from backroom.models import browse
from backroom.models.browse import Query, parse_query
from backroom.models.db import db
from backroom.models.migrations import open_database
from backroom.tui.cli.context import _json_default
from tests.tui.test_browse_helpers import build_warehouse
from tests.tui.test_cli import Backroom, isolate

# Filter text as typed into a screen's search line: an item's SKU, a location subtree,
# a lot, loose text that means an item, text that starts several lots' numbers, and a
# location code typed loosely.
STOCK_AND_MOVE_FILTERS = ["item:MILK", "loc:A", "lot:M-SOON", "tape", "G-", "WH"]
LOT_FILTERS = ["item:GLUE", "status:quarantine", "M-", "GLUE", "lot:G-1"]
ITEM_SEARCHES = ["tape", "MILK", "G", "1 l"]


@pytest.fixture
def office(database, tmp_path, monkeypatch, capsys) -> Backroom:
    """The browse tests' small warehouse, and the `backroom` command on it."""
    isolate(tmp_path, monkeypatch)
    build_warehouse()
    db.close()
    return Backroom(database, capsys)


def as_printed(rows: list) -> list[dict]:
    """Lines as `--json` prints them (dates and times as text)."""
    return json.loads(json.dumps([r.as_dict() for r in rows], default=_json_default))


def screen_rows(office: Backroom, fetch: Callable[[object | None, int], browse.Page]) -> list:
    """Every row of a screen's list, read a small page at a time as the screen scrolls."""
    open_database(office.url)
    try:
        rows: list = []
        after = None
        while True:
            page = fetch(after, 2)
            rows += page.rows
            if page.after is None:
                return rows
            after = page.after
    finally:
        db.close()


@pytest.mark.parametrize("text", STOCK_AND_MOVE_FILTERS)
def test_stock_lists_what_the_stock_screen_shows(office, text):
    query = parse_query(text)  # what the stock screen makes of its search line
    shown = screen_rows(office, lambda after, n: browse.stock_page(query, "item", after, n))
    printed = office.ok("stock", "--search", text, "--json").json
    assert printed, f"{text!r} finds stock"
    assert printed == as_printed(shown)


@pytest.mark.parametrize("text", [*STOCK_AND_MOVE_FILTERS, "kind:transfer", "ref:PO-1"])
def test_moves_lists_what_the_ledger_screen_shows(office, text):
    query = parse_query(text)
    shown = screen_rows(office, lambda before, n: browse.ledger_page(query, before, n))
    printed = office.ok("moves", "--search", text, "--limit", "1000", "--json").json
    assert printed, f"{text!r} finds moves"
    assert printed == as_printed([line.move for line in shown])


@pytest.mark.parametrize("text", ITEM_SEARCHES)
def test_item_list_lists_what_the_items_screen_shows(office, text):
    query = Query(text=text)  # the items screen searches its line as plain text
    shown = screen_rows(office, lambda after, n: browse.items_page(query.text, after, n))
    printed = office.ok("item", "list", "--search", text, "--json").json
    assert printed, f"{text!r} finds items"
    assert printed == as_printed(shown)


@pytest.mark.parametrize("text", LOT_FILTERS)
def test_lot_list_lists_what_the_lots_screen_shows(office, text):
    query = parse_query(text)
    shown = screen_rows(office, lambda after, n: browse.lots_page(query, "expiry", after, n))
    printed = office.ok("lot", "list", "--search", text, "--json").json
    assert printed, f"{text!r} finds lots"
    assert printed == as_printed(shown)


def test_named_options_are_the_search_lines_words(office):
    def stock(*args: str) -> list[dict]:
        return office.ok("stock", *args, "--json").json

    def moves(*args: str) -> list[dict]:
        return office.ok("moves", *args, "--json").json

    assert stock("--location", "A") == stock("--search", "loc:A")
    assert {r["location"] for r in stock("--location", "A")} == {"A-01", "A-02"}
    assert stock("--item", "MILK", "--lot", "M-OLD") == stock("--search", "item:MILK lot:M-OLD")
    assert moves("--location", "A") == moves("--search", "loc:A")
    assert [m["kind"] for m in moves("--kind", "transfer")] == ["transfer"]
    # A named option wins over the same word in the search line.
    assert stock("--search", "item:GLUE", "--item", "TAPE-48") == stock("--item", "TAPE-48")
    listed = office.ok("lot", "list", "--item", "GLUE", "--status", "quarantine", "--json").json
    assert (
        listed == office.ok("lot", "list", "--search", "item:GLUE status:quarantine", "--json").json
    )
    assert [x["lot"] for x in listed] == ["G-NOEXP"]


def test_limit_walks_pages_until_it_is_reached(office, monkeypatch):
    monkeypatch.setattr(browse.query, "WALK_PAGE", 2)  # several pages for a few rows
    everything = office.ok("moves", "--json").json
    assert [m["id"] for m in everything] == [6, 5, 4, 3, 2, 1]
    assert office.ok("moves", "--limit", "5", "--json").json == everything[:5]
    assert len(office.ok("stock", "--limit", "3", "--json").json) == 3
