"""`backroom verify`: the ledger checked against itself and against the quants."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from backroom.models.db import db, is_postgres
from backroom.models.schema import GENESIS_HASH, Move
from backroom.models.stock.ledger import sql
from backroom.models.stock.move_row import COLUMNS, MoveRow

CHAIN_BATCH = 5_000


@dataclass
class VerifyReport:
    """Every difference found; clean when there is none."""

    moves: int = 0
    quants: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


def _quant_differences(report: VerifyReport) -> None:
    ledger: dict[tuple[int, int, int], int] = {}
    query = (
        'SELECT "item_id", COALESCE("lot_id", 0), "loc", SUM("d") FROM ('
        'SELECT "item_id", "lot_id", "to_location_id" AS "loc", "qty" AS "d" FROM "move" '
        "UNION ALL "
        'SELECT "item_id", "lot_id", "from_location_id", -"qty" FROM "move") AS m '
        'GROUP BY "item_id", COALESCE("lot_id", 0), "loc"'
    )
    for item, lot, loc, qty in db.execute_sql(query):
        ledger[(item, lot, loc)] = int(qty)
    cached: dict[tuple[int, int, int], int] = {}
    rows = db.execute_sql(
        'SELECT "item_id", "lot_key", "location_id", "qty", "lot_id" FROM "quant"'
    )
    for item, lot_key, loc, qty, lot_id in rows:
        report.quants += 1
        cached[(item, lot_key, loc)] = qty
        if (lot_id or 0) != lot_key:
            report.problems.append(
                f"quant item {item} location {loc}: lot_key {lot_key} does not match lot {lot_id}"
            )
    codes = dict(db.execute_sql('SELECT "id", "code" FROM "location"').fetchall())
    skus = dict(db.execute_sql('SELECT "id", "sku" FROM "item"').fetchall())
    kinds = dict(db.execute_sql('SELECT "id", "kind" FROM "location"').fetchall())
    lots = dict(db.execute_sql('SELECT "id", "number" FROM "lot"').fetchall())
    for key in sorted(set(ledger) | set(cached)):
        want, have = ledger.get(key, 0), cached.get(key, 0)
        item, lot, loc = key
        lot_text = f" lot {lots.get(lot, f'#{lot}')}" if lot else ""
        where = f"{skus.get(item, item)}{lot_text} at {codes.get(loc, loc)}"
        if want != have:
            report.problems.append(f"quant {where}: ledger says {want}, quant says {have}")
        if want < 0 and kinds.get(loc) == "internal":
            report.problems.append(f"negative stock {where}: {want}")
    totals: dict[int, int] = {}
    # The ledger sums to zero by construction (each move has two ends); the cached
    # quants are what can drift, so they are what is summed.
    for (item, _lot, _loc), qty in cached.items():
        totals[item] = totals.get(item, 0) + qty
    for item, total in totals.items():
        if total != 0:
            report.problems.append(f"item {skus.get(item, item)}: locations sum to {total}, not 0")


def _stored_moves() -> Iterator[MoveRow]:
    """Every move in id order, as rows read CHAIN_BATCH at a time."""
    columns = [getattr(Move, name) for name in COLUMNS]
    last_id = 0
    while True:
        batch = list(
            Move.select(*columns)
            .where(Move.id > last_id)
            .order_by(Move.id)
            .limit(CHAIN_BATCH)
            .tuples()
        )
        if not batch:
            return
        yield from map(MoveRow.stored, batch)
        last_id = batch[-1][0]


def _chain(report: VerifyReport) -> None:
    prev = GENESIS_HASH
    expected_id = 0
    last_id = 0
    for row in _stored_moves():
        report.moves += 1
        expected_id += 1
        if row.id != expected_id:
            report.problems.append(f"move {row.id}: expected id {expected_id} (a gap)")
            expected_id = row.id
        if row.prev_hash != prev:
            report.problems.append(f"move {row.id}: chain broken (prev_hash differs)")
        if not row.hash_is_right():
            report.problems.append(f"move {row.id}: content does not match its hash")
        if row.qty <= 0:
            report.problems.append(f"move {row.id}: quantity {row.qty} is not positive")
        prev = row.hash
        last_id = row.id
    head = db.execute_sql(
        sql('SELECT "last_id", "last_hash" FROM "ledger_head" WHERE "id" = ?'), (1,)
    ).fetchone()
    if head is None or head[0] != last_id or head[1] != prev:
        report.problems.append(f"ledger head {head} does not match the last move ({last_id})")


def verify() -> VerifyReport:
    """Rebuild quants from the ledger, check zero sums and the hash chain."""
    report = VerifyReport()
    with _ReadSnapshot():
        _quant_differences(report)
        _chain(report)
    return report


class _ReadSnapshot:
    """Read in one transaction where the backend gives a consistent snapshot."""

    def __enter__(self) -> None:
        if is_postgres():
            db.execute_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        else:
            db.execute_sql("BEGIN DEFERRED")

    def __exit__(self, *exc: object) -> None:
        db.execute_sql("COMMIT")
