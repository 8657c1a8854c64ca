"""The queries behind the browse screens: keyset pages that add up to the whole list,
in the order each screen promises, whatever the filter."""

from __future__ import annotations

import datetime as dt

import pytest

from backroom.models import browse
from backroom.models.browse import Query, parse_query
from backroom.models.errors import NotFound, Refused
from backroom.models.stock.operations import reverse
from tests.conftest import TEST_USER
from tests.tui.test_browse_helpers import TODAY, build_warehouse


@pytest.fixture
def warehouse(sqlite_database, monkeypatch):
    monkeypatch.setattr(browse.query, "today", lambda: TODAY)
    build_warehouse()
    return sqlite_database


def all_pages(fetch, limit: int) -> list:
    rows, after = [], None
    while True:
        page = fetch(after, limit)
        rows.extend(page.rows)
        if page.after is None:
            return rows
        after = page.after


def stock_keys(query: Query | None = None, grouping: str = "item", limit: int = 2) -> list[str]:
    lines = all_pages(lambda a, n: browse.stock_page(query, grouping, a, n), limit)
    return [f"{line.item}|{line.lot or ''}|{line.location}={line.qty}" for line in lines]


def test_stock_by_item_pages_add_up_in_sku_order(warehouse):
    expected = [
        "GLUE|G-1|B-01=5",
        "GLUE|G-NOEXP|QC=3",
        "MILK|M-OLD|A-02=12",
        "MILK|M-SOON|A-01=20",
        "TAPE-48||A-01=30",
        "TAPE-48||B-01=6",
    ]
    assert stock_keys(limit=100) == expected
    assert stock_keys(limit=1) == expected
    assert stock_keys(limit=4) == expected


def test_stock_by_location_follows_the_walking_order(warehouse):
    assert stock_keys(grouping="location", limit=1) == [
        "MILK|M-SOON|A-01=20",
        "TAPE-48||A-01=30",
        "MILK|M-OLD|A-02=12",
        "GLUE|G-1|B-01=5",
        "TAPE-48||B-01=6",
        "GLUE|G-NOEXP|QC=3",
    ]


def test_stock_by_lot_is_soonest_expiry_first_and_no_expiry_last(warehouse):
    assert stock_keys(grouping="lot", limit=1) == [
        "MILK|M-OLD|A-02=12",
        "MILK|M-SOON|A-01=20",
        "GLUE|G-1|B-01=5",
        "GLUE|G-NOEXP|QC=3",
    ]


def test_a_location_filter_takes_everything_under_it_and_nothing_beside_it(warehouse):
    assert stock_keys(Query(location="A")) == [
        "MILK|M-OLD|A-02=12",
        "MILK|M-SOON|A-01=20",
        "TAPE-48||A-01=30",
    ]
    assert stock_keys(Query(location="A-01"), "location") == [
        "MILK|M-SOON|A-01=20",
        "TAPE-48||A-01=30",
    ]


def test_item_and_lot_filters(warehouse):
    assert stock_keys(Query(item="TAPE-48")) == ["TAPE-48||A-01=30", "TAPE-48||B-01=6"]
    assert stock_keys(Query(lot="M-OLD"), "lot") == ["MILK|M-OLD|A-02=12"]
    with pytest.raises(NotFound, match="Unknown item"):
        browse.stock_page(Query(item="NOPE"))


def test_loose_text_finds_a_code_exactly_or_names_like_it(warehouse):
    assert stock_keys(Query(text="B-01")) == ["GLUE|G-1|B-01=5", "TAPE-48||B-01=6"]
    assert stock_keys(Query(text="M-SOON")) == ["MILK|M-SOON|A-01=20"]
    assert stock_keys(Query(text="tape")) == ["TAPE-48||A-01=30", "TAPE-48||B-01=6"]
    assert stock_keys(Query(text="G-")) == ["GLUE|G-1|B-01=5", "GLUE|G-NOEXP|QC=3"]
    assert stock_keys(Query(text="nothing like it")) == []


def test_every_narrow_and_wide_plan_gives_the_same_rows(warehouse, monkeypatch):
    narrow = {g: stock_keys(Query(location="WH"), g) for g in browse.STOCK_GROUPINGS}
    monkeypatch.setattr(browse.query, "NARROW", 0)  # every filter now too wide to lead
    for grouping, keys in narrow.items():
        assert stock_keys(Query(location="WH"), grouping) == keys
    assert stock_keys(Query(text="tape")) == ["TAPE-48||A-01=30", "TAPE-48||B-01=6"]


def test_the_search_line_reads_filters_and_loose_words():
    query = parse_query("tape loc:A-01 from:2026-01-01 kind:transfer")
    assert (query.text, query.location, query.since, query.kind) == (
        "tape",
        "A-01",
        dt.date(2026, 1, 1),
        "transfer",
    )
    assert query.describe() == "location A-01, kind transfer, from 2026-01-01, “tape”"
    with pytest.raises(Refused, match="YYYY-MM-DD"):
        parse_query("from:yesterday")
    with pytest.raises(Refused, match="not one of"):
        parse_query("kind:theft")


def test_expiry_states():
    assert browse.expiry_state(dt.date(2026, 1, 9), TODAY) == "expired"
    assert browse.expiry_state(dt.date(2026, 1, 10), TODAY) == "soon"
    assert browse.expiry_state(dt.date(2026, 2, 9), TODAY) == "soon"
    assert browse.expiry_state(dt.date(2026, 2, 10), TODAY) == ""
    assert browse.expiry_state(None, TODAY) == ""


# --- the ledger -------------------------------------------------------------------------


def ledger_ids(query: Query | None = None, limit: int = 2) -> list[int]:
    lines = all_pages(lambda a, n: browse.ledger_page(query, a, n), limit)
    return [line.move.id for line in lines]


def test_the_ledger_is_newest_first_in_pages(warehouse):
    assert ledger_ids(limit=100) == [6, 5, 4, 3, 2, 1]
    assert ledger_ids(limit=4) == [6, 5, 4, 3, 2, 1]


def test_ledger_filters(warehouse):
    assert ledger_ids(Query(item="TAPE-48")) == [6, 1]
    assert ledger_ids(Query(location="B-01")) == [6, 4]
    assert ledger_ids(Query(location="A")) == [6, 3, 2, 1]
    assert ledger_ids(Query(lot="M-SOON")) == [3]
    assert ledger_ids(Query(kind="transfer")) == [6]
    assert ledger_ids(Query(user=TEST_USER)) == [6, 5, 4, 3, 2, 1]
    assert ledger_ids(Query(reference="PO-1")) == [1]
    assert ledger_ids(Query(since=dt.date(2026, 1, 6))) == []
    assert ledger_ids(Query(until=dt.date(2026, 1, 5))) == [6, 5, 4, 3, 2, 1]


def test_a_filter_no_index_serves_is_read_in_windows(warehouse, monkeypatch):
    monkeypatch.setattr(browse.ledger, "SCAN_WINDOW", 2)
    monkeypatch.setattr(browse.ledger, "SCAN_SECONDS", 0)  # hand back after every window
    pages = []
    after = None
    while True:
        page = browse.ledger_page(Query(kind="receipt"), after, 3)
        pages.append([line.move.id for line in page.rows])
        if page.after is None:
            break
        after = page.after
    assert [i for ids in pages for i in ids] == [5, 4, 3, 2, 1]
    assert len(pages) > 2  # the search went on where the last window ended


def test_a_reversed_move_knows_its_reversal(warehouse):
    undo = reverse(6, user=TEST_USER)
    lines = browse.ledger_page(Query(), None, 2).rows
    assert [(line.move.id, line.reversed_by) for line in lines] == [(undo.id, None), (6, undo.id)]
    detail = browse.move_detail(6)
    assert (detail.reversed_by, detail.move.reverses) == (undo.id, None)
    assert browse.move_detail(undo.id).move.reverses == 6
    assert detail.prev_hash and detail.move.hash


# --- items, lots, locations -------------------------------------------------------------


def test_items_by_sku_with_stock_on_hand(warehouse):
    lines = all_pages(lambda a, n: browse.items_page("", a, n), 1)
    assert [(i.sku, i.on_hand) for i in lines] == [("GLUE", 8), ("MILK", 32), ("TAPE-48", 36)]
    assert [i.sku for i in browse.items_page("milk").rows] == ["MILK"]


def test_lots_by_expiry_then_newest(warehouse):
    lines = all_pages(lambda a, n: browse.lots_page(None, "expiry", a, n), 1)
    assert [lot.number for lot in lines] == ["M-OLD", "M-SOON", "G-1", "G-NOEXP"]
    lines = all_pages(lambda a, n: browse.lots_page(None, "newest", a, n), 3)
    assert [lot.number for lot in lines] == ["G-NOEXP", "G-1", "M-SOON", "M-OLD"]
    quarantined = browse.lots_page(Query(status="quarantine")).rows
    assert [(lot.number, lot.on_hand) for lot in quarantined] == [("G-NOEXP", 3)]


def test_location_children_level_by_level(warehouse):
    top = browse.location_children(None)
    assert [n.code for n in top][:2] == ["A-0X", "ADJUSTMENT"]
    wh = next(n for n in top if n.code == "WH")
    assert wh.has_children
    under = browse.location_children("WH")
    assert [(n.code, n.has_children, n.quarantine) for n in under] == [
        ("A", True, False),
        ("B-01", False, False),
        ("QC", False, True),
    ]
    assert browse.location_ancestors("A-02") == ["WH", "A", "A-02"]
