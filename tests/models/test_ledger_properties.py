"""Random days in the warehouse, refused operations included: the quants always
equal the ledger, no shelf goes negative, and `verify` stays clean.

The test keeps its own model of what should be on every shelf and which
operations the rules allow, and compares it with Backroom after every step.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    find_lot,
    get_user,
    init_database,
    set_lot_status,
)
from backroom.models.migrations import open_database
from backroom.models.stock.operations import adjust, count, receive, reverse, scrap, transfer
from tests.models.support import USER, assert_clean, ledger_state, on_shelf

TRACKING = {"FLOUR": "none", "MILK": "lot", "PHONE": "serial"}
# (item, lot) pairs; the last two break the lot rules and come up less often
GOOD_KEYS = [("FLOUR", None), ("MILK", "L1"), ("MILK", "L2"), ("PHONE", "S1"), ("PHONE", "S2")]
BAD_KEYS = [("FLOUR", "L1"), ("MILK", None)]
KEYS = st.sampled_from(GOOD_KEYS * 4 + BAD_KEYS)
SHELVES = ["A1", "A2", "QC"]  # QC is a quarantine cage
PLACES = st.sampled_from([*SHELVES, *SHELVES, "CUSTOMER"])
SHELF = st.sampled_from(SHELVES)
# mostly sensible quantities, now and then one that must be refused
QUANTITIES = st.one_of(st.integers(1, 3), st.integers(1, 12), st.sampled_from([0, -1, 1.5, True]))
Key = tuple[str, str | None]


@dataclass(frozen=True)
class ModelMove:
    id: int
    kind: str
    key: Key
    qty: int
    src: str
    dst: str


class WarehouseDay(RuleBasedStateMachine):
    """One SQLite database per example, driven by random operations."""

    base = None  # a folder, set by the test

    def __init__(self) -> None:
        super().__init__()
        open_database(f"sqlite:///{self.base / uuid.uuid4().hex}.db", create=True)
        admin = init_database(USER)
        for sku, tracking in TRACKING.items():
            add_item(ItemSpec(sku, sku.title(), tracking=tracking), by=admin)
        for code in SHELVES:
            add_location(code, quarantine=code == "QC", by=admin)
        self.stock: Counter[tuple[str, str | None, str]] = Counter()
        self.lots: dict[Key, str] = {}  # existing lots and their status
        self.moves: list[ModelMove] = []
        self.reversed: set[int] = set()

    @initialize()
    def first_deliveries(self):
        self.receive(("FLOUR", None), 20, "A1")
        self.receive(("MILK", "L1"), 10, "A1")
        self.receive(("PHONE", "S1"), 1, "A2")

    def teardown(self) -> None:
        db.close()

    # --- the rules, as the test understands them ---------------------------------------

    def have(self, key: Key, place: str) -> int:
        return self.stock[(*key, place)]

    def allowed(self, key: Key, qty: object, src: str, dst: str, *, reversal=False) -> bool:
        item = key[0]
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0 or src == dst:
            return False
        if not self.well_formed(key):
            return False
        status = self.lots.get(key, "released")
        # A held lot may go to quarantine or scrap, or be written off as missing.
        held = status in ("blocked", "recalled")
        if held and not reversal and dst not in ("QC", "SCRAP", "ADJUSTMENT"):
            return False
        if src in SHELVES and self.have(key, src) < qty:
            return False
        if TRACKING[item] == "serial":
            in_stock = sum(self.have(key, s) for s in SHELVES)
            if qty != 1 or in_stock + (dst in SHELVES) - (src in SHELVES) > 1:
                return False
        return True

    def apply(self, posted, key: Key, src: str, dst: str) -> None:
        self.stock[(*key, src)] -= posted.qty
        self.stock[(*key, dst)] += posted.qty
        self.moves.append(ModelMove(posted.id, posted.kind, key, posted.qty, src, dst))

    def attempt(self, expect_ok: bool, action):
        """Run ACTION; it must succeed when the model allows it, else be refused cleanly."""
        before = ledger_state()
        try:
            result = action()
        except DomainError as exc:
            assert not expect_ok, f"refused although allowed: {exc}"
            assert ledger_state() == before, f"refused ({exc}) but wrote something"
            return None
        assert expect_ok, "accepted although the rules forbid it"
        return result

    def well_formed(self, key: Key) -> bool:
        """A lot for lot and serial items, none for untracked ones."""
        return (TRACKING[key[0]] == "none") == (key[1] is None)

    def known(self, key: Key) -> bool:
        return key[1] is None or key in self.lots

    # --- operations ------------------------------------------------------------------

    @rule(key=KEYS, qty=QUANTITIES, to=SHELF)
    def receive(self, key, qty, to):
        ok = self.allowed(key, qty, "SUPPLIER", to)
        posted = self.attempt(ok, lambda: receive(key[0], qty, to, user=USER, lot=key[1]))
        if posted:
            if key[1]:
                self.lots.setdefault(key, "released")
            self.apply(posted, key, "SUPPLIER", to)

    @rule(
        key=KEYS,
        qty=QUANTITIES,
        src=PLACES,
        dst=PLACES,
    )
    def transfer(self, key, qty, src, dst):
        ok = self.known(key) and self.allowed(key, qty, src, dst)
        posted = self.attempt(ok, lambda: transfer(key[0], qty, src, dst, user=USER, lot=key[1]))
        if posted:
            self.apply(posted, key, src, dst)

    @precondition(lambda self: any(q > 0 and k[2] in SHELVES for k, q in self.stock.items()))
    @rule(pick=st.integers(0, 50), share=st.integers(1, 100), dst=PLACES)
    def move_some_of_what_is_there(self, pick, share, dst):
        rows = sorted(k for k, q in self.stock.items() if q > 0 and k[2] in SHELVES)
        item, lot, src = rows[pick % len(rows)]
        self.transfer((item, lot), max(1, self.stock[(item, lot, src)] * share // 100), src, dst)

    @rule(key=KEYS, delta=st.integers(-12, 12), at=SHELF)
    def adjust(self, key, delta, at):
        src, dst = ("ADJUSTMENT", at) if delta > 0 else (at, "ADJUSTMENT")
        ok = delta != 0 and self.known(key) and self.allowed(key, abs(delta), src, dst)
        posted = self.attempt(
            ok, lambda: adjust(key[0], delta, at, user=USER, reason="random", lot=key[1])
        )
        if posted:
            self.apply(posted, key, src, dst)

    @rule(key=KEYS, counted=st.integers(0, 12), at=SHELF)
    def count(self, key, counted, at):
        diff = counted - self.have(key, at)
        src, dst = ("ADJUSTMENT", at) if diff > 0 else (at, "ADJUSTMENT")
        if diff == 0:
            ok = self.known(key) and self.well_formed(key)
        else:
            ok = self.known(key) and self.allowed(key, abs(diff), src, dst)
        result = self.attempt(ok, lambda: count(key[0], counted, at, user=USER, lot=key[1]))
        if result is not None:
            assert result.difference == diff
            assert (result.move is None) == (diff == 0)
            if result.move:
                self.apply(result.move, key, src, dst)

    @rule(key=KEYS, qty=QUANTITIES, at=SHELF)
    def scrap(self, key, qty, at):
        ok = self.known(key) and self.allowed(key, qty, at, "SCRAP")
        posted = self.attempt(
            ok, lambda: scrap(key[0], qty, at, user=USER, reason="random", lot=key[1])
        )
        if posted:
            self.apply(posted, key, at, "SCRAP")

    @precondition(lambda self: self.moves)
    @rule(pick=st.integers(0, 60))
    def reverse(self, pick):
        pick %= len(self.moves) + 1
        if pick == len(self.moves):
            self.attempt(False, lambda: reverse(10_000 + pick, user=USER))
            return
        orig = self.moves[pick]
        blocked = self.lots.get(orig.key, "released") in ("blocked", "recalled")
        ok = (
            orig.kind != "reversal"
            and orig.id not in self.reversed
            and self.allowed(orig.key, orig.qty, orig.dst, orig.src, reversal=True)
            and not (blocked and orig.src in ("A1", "A2"))
        )
        posted = self.attempt(ok, lambda: reverse(orig.id, user=USER))
        if posted:
            assert posted.reverses == orig.id
            self.reversed.add(orig.id)
            self.apply(posted, orig.key, orig.dst, orig.src)

    @rule(
        key=st.sampled_from([("MILK", "L1"), ("PHONE", "S1")]),
        status=st.sampled_from(["released", "blocked", "recalled"]),
    )
    def set_status(self, key, status):
        if key not in self.lots:
            return
        set_lot_status(find_lot(key[1], key[0]), status, "random", by=get_user(USER))
        self.lots[key] = status

    # --- what must always hold -------------------------------------------------------

    @invariant()
    def shelves_match_the_model_and_never_go_negative(self):
        expected = {k: q for k, q in self.stock.items() if q and k[2] in SHELVES}
        assert on_shelf() == expected
        assert all(q >= 0 for q in expected.values())

    @invariant()
    def verify_is_clean(self):
        assert_clean()


def test_random_operations_keep_stock_equal_to_the_ledger(tmp_path_factory):
    WarehouseDay.base = tmp_path_factory.mktemp("days")
    run_state_machine_as_test(
        WarehouseDay,
        settings=settings(
            max_examples=30,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
