"""The demo warehouses: believable, valid by every rule, the same for the same seed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import pytest
from peewee import JOIN

from backroom.models.browse import list_stock as stock
from backroom.models.db import db
from backroom.models.demo.blocks import DemoSummary, gtin13
from backroom.models.demo.build import build_demo
from backroom.models.demo.large import build_large
from backroom.models.errors import Refused
from backroom.models.goods_in.putaway import list_rules, suggest
from backroom.models.masterdata.packaging import levels_of
from backroom.models.migrations import open_database
from backroom.models.rules.identifiers import normalize_gtin
from backroom.models.schema import Item, Location, Lot, Move, User
from backroom.models.stock.verify import verify

TODAY = dt.date(2026, 3, 16)
OWNER = "owner"


def _open(url: str) -> None:
    open_database(url, create=True)


def _history() -> list[tuple]:
    """The ledger without times and hashes: what happened, in which order."""
    query = Move.select(
        Move.kind,
        Item.sku,
        Lot.number,
        Move.qty,
        Move.from_location,
        Move.to_location,
        Move.reference,
        Move.note,
        Move.reverses,
    )
    query = query.join(Item).switch(Move).join(Lot, JOIN.LEFT_OUTER).order_by(Move.id)
    return list(query.tuples())


@pytest.fixture(scope="module")
def built_small_demo(tmp_path_factory) -> tuple[str, DemoSummary, list[tuple[int, int, str]]]:
    """The small demo, built once for the tests that only read it, and its progress reports."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'small.db'}"
    _open(url)
    seen: list[tuple[int, int, str]] = []
    summary = build_demo("small", OWNER, 7, lambda *report: seen.append(report), today=TODAY)
    db.close()
    return url, summary, seen


@pytest.fixture
def small_demo(built_small_demo) -> Iterator[DemoSummary]:
    url, summary, _progress = built_small_demo
    open_database(url)
    yield summary
    db.close()


def test_the_small_demo_verifies_clean(small_demo):
    report = verify()
    assert report.clean, report.problems
    assert report.moves == small_demo.moves


def test_the_small_demo_is_a_believable_warehouse(small_demo):
    assert 180 <= small_demo.bins <= 220
    assert 35 <= small_demo.items <= 45
    assert 50 <= small_demo.lots <= 70
    assert 500 <= small_demo.moves <= 3_000
    roles = Counter(u.role for u in User.select())
    assert roles["admin"] == 1 and roles["lead"] == 1 and roles["operator"] >= 3
    assert User.get(User.name == OWNER).role == "admin"
    assert Location.get(Location.code == "QUARANTINE").quarantine
    assert Location.get(Location.code == "A-01-03").path == "WH1/AMB/A/A-01-03"
    kinds = Counter(kind for kind, *_rest in _history())
    for kind in ("receipt", "transfer", "pick", "ship", "adjust", "count", "scrap"):
        assert kinds[kind] > 0, kind
    assert kinds["reversal"] == 1
    assert {i.tracking for i in Item.select()} == {"none", "lot", "serial"}


def test_every_demo_gtin_is_valid(small_demo):
    gtins = [item.gtin for item in Item.select()]
    assert all(gtins) and len(set(gtins)) == len(gtins)
    for gtin in gtins:
        assert normalize_gtin(gtin) == gtin
        assert gtin.startswith("0952")  # GS1's prefix for demonstrations


def test_lot_expiries_and_statuses_are_spread_like_a_real_warehouse(small_demo):
    expiries = [lot.expiry for lot in Lot.select() if lot.expiry]
    expired = [e for e in expiries if e < TODAY]
    soon = [e for e in expiries if TODAY <= e <= TODAY + dt.timedelta(days=30)]
    assert len(expired) >= 2
    assert len(soon) >= 3
    assert len(expiries) - len(expired) - len(soon) > len(expiries) / 2
    statuses = Counter(lot.status for lot in Lot.select())
    assert statuses["quarantine"] == 1 and statuses["blocked"] == 1
    held = {row.lot for row in stock(location="QUARANTINE")}
    assert held == {lot.number for lot in Lot.select().where(Lot.status != "released")}


def test_picks_and_shipments_share_their_order_reference(small_demo):
    history = _history()
    picked = Counter(
        (sku, lot, ref) for kind, sku, lot, _q, *_l, ref, _n, _r in history if kind == "pick"
    )
    shipped = Counter(
        (sku, lot, ref) for kind, sku, lot, _q, *_l, ref, _n, _r in history if kind == "ship"
    )
    assert shipped and set(shipped) <= set(picked)
    # The history's orders (SO-), and the open shipments the demo leaves to pack (SHP-).
    assert all(ref.startswith(("SO-", "SHP-")) for _s, _l, ref in picked)
    assert any(ref.startswith("SHP-") for _s, _l, ref in picked)


def test_the_small_demo_suggests_a_bin_for_each_kind_of_rule(small_demo):
    waiting = {(row.item, row.lot): row.qty for row in stock(location="RECEIVING")}
    reasons = {
        item: suggest(item, qty, lot, "RECEIVING").reason for (item, lot), qty in waiting.items()
    }
    assert reasons == {
        "FD-1001": "same lot",
        "FD-1011": "rule for chilled",
        "FD-1013": "rule for FD-1013",
        "PH-3003": "rule for secure",
        "PK-5004": "pick face",
    }
    assert suggest("FD-1002", 48).reason == "nearest empty bin"
    held = Lot.select().where(Lot.status != "released").first()
    assert suggest(held.item.sku, 1, held.number).location == "QUARANTINE"
    assert {rule.kind for rule in list_rules()} == {"zone", "pick_face"}


def test_demo_packaging_levels_carry_valid_gtin_14s(small_demo):
    levels = [lv for item in Item.select() for lv in levels_of(item)]
    assert {lv.name for lv in levels} == {"inner", "cs", "pal"}
    for level in levels:
        assert level.gtin and len(level.gtin) == 14 and normalize_gtin(level.gtin) == level.gtin


def test_times_increase_with_the_move_id(small_demo):
    times = [t for (t,) in Move.select(Move.time).order_by(Move.id).tuples()]
    assert times == sorted(times)


def test_the_same_seed_builds_the_same_warehouse(tmp_path, small_demo):
    first = _history()
    stock_first = [r.as_dict() for r in stock()]
    db.close()
    _open(f"sqlite:///{tmp_path / 'again.db'}")
    build_demo("small", OWNER, 7, None, today=TODAY)
    assert _history() == first
    assert [r.as_dict() for r in stock()] == stock_first
    db.close()
    _open(f"sqlite:///{tmp_path / 'other.db'}")
    build_demo("small", OWNER, 8, None, today=TODAY)
    assert _history() != first


def test_a_second_demo_into_the_same_database_is_refused(small_demo):
    moves = Move.select().count()
    with pytest.raises(Refused, match="already has items"):
        build_demo("small", OWNER, 7, None, today=TODAY)
    assert Move.select().count() == moves


def test_progress_is_reported(built_small_demo):
    _url, _summary, seen = built_small_demo
    assert seen and seen[-1][0] == seen[-1][1]


def test_a_scaled_down_large_demo_verifies_clean(sqlite_url):
    _open(sqlite_url)
    seen: list[int] = []
    build_large(
        owner=OWNER,
        seed=5,
        moves=20_000,
        lots=2_000,
        locations=500,
        progress=lambda done, total, what: seen.append(done),
        today=TODAY,
        batch=2_000,
    )
    report = verify()
    assert report.clean, report.problems[:5]
    # 20,000 moves of history, then the picks of the open shipments left to pack.
    open_picks = Move.select().where(Move.reference.startswith("SHP-")).count()
    assert 0 < open_picks < 20 and report.moves == 20_000 + open_picks
    assert Lot.select().count() == 2_000
    assert 450 <= Location.select().where(Location.kind == "internal").count() <= 550
    assert seen[-1] == 20_000
    # One lot went to hundreds of customers, each on its own order: the trace benchmark's.
    busiest = (
        Move.select(Move.lot, Move.reference)
        .where((Move.kind == "ship") & Move.lot.is_null(False))
        .tuples()
    )
    refs: dict[int, set[str]] = {}
    for lot, ref in busiest:
        refs.setdefault(lot, set()).add(ref)
    assert max(len(r) for r in refs.values()) >= 400
    db.close()


def test_demo_gtins_carry_their_check_digit():
    assert gtin13(1) == "9521234000013"
    assert normalize_gtin(gtin13(98_765)) == "0" + gtin13(98_765)
