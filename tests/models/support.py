"""What a refused operation must leave behind: exactly what was there before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from backroom.models.browse import list_stock as stock
from backroom.models.errors import DomainError
from backroom.models.schema import Event, LedgerHead, Lot, Move, Quant
from backroom.models.stock.verify import verify

USER = "tester"


@dataclass(frozen=True)
class LedgerState:
    """Everything a stock operation may write, in a comparable form."""

    moves: int
    head: tuple[int, str]
    quants: frozenset[tuple[int, int, int, int]]
    events: int
    lots: frozenset[tuple[int, str, str]]


def ledger_state() -> LedgerState:
    """A snapshot of the ledger, the quants, the event log and the lots."""
    head = LedgerHead.get_by_id(1)
    return LedgerState(
        moves=Move.select().count(),
        head=(head.last_id, head.last_hash),
        quants=frozenset(
            Quant.select(Quant.item, Quant.lot_key, Quant.location, Quant.qty).tuples()
        ),
        events=Event.select().count(),
        lots=frozenset(Lot.select(Lot.item, Lot.number, Lot.status).tuples()),
    )


@contextmanager
def refused(match: str) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """Expect a DomainError whose message matches MATCH, and that nothing was written."""
    before = ledger_state()
    with pytest.raises(DomainError, match=match) as info:
        yield info
    assert ledger_state() == before, "a refused operation wrote something"


def on_shelf() -> dict[tuple[str, str | None, str], int]:
    """Stock on hand in internal locations as {(item, lot, location): qty}."""
    return {(r.item, r.lot, r.location): r.qty for r in stock()}


def assert_clean() -> None:
    """`backroom verify` finds nothing wrong."""
    report = verify()
    assert report.problems == []
