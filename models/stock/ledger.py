"""The ledger: posting moves, keeping quants in step, chaining hashes.

Every change of stock passes through `post`, inside one write transaction. It
locks the ledger head first, so postings are serialised on SQLite and PostgreSQL
alike: no lost update, no negative stock, no fork in the hash chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from backroom.models.data.restored import check_posting
from backroom.models.db import db, is_postgres
from backroom.models.errors import Refused
from backroom.models.rules.dates import as_utc
from backroom.models.rules.text import REASON_MOST, REFERENCE_MOST, check_optional_text
from backroom.models.rules.tracking import check_lot_given
from backroom.models.schema import GENESIS_HASH, MOVE_KINDS, Item, Location, Lot, User, utcnow
from backroom.models.schema.shipping import Allocation, Shipment, ShipmentLine
from backroom.models.stock.move_row import INSERT_MOVE, MoveNames, MoveRow, time_text


@dataclass(frozen=True)
class MoveSpec:
    """One move to post: QTY of ITEM (and LOT) from one location to another."""

    kind: str
    item: Item
    qty: int
    from_location: Location
    to_location: Location
    lot: Lot | None = None
    reference: str | None = None
    note: str | None = None
    reverses: int | None = None
    # A move a person chose (a transfer, a scrap) leaves alone the stock reserved for
    # shipments; picks take it, and counts and adjustments say what is really there.
    spare_reserved: bool = False


@dataclass(frozen=True)
class PostedMove:
    """A move as it stands in the ledger, with codes instead of ids."""

    id: int
    time: dt.datetime
    kind: str
    item: str
    lot: str | None
    qty: int
    from_location: str
    to_location: str
    user: str
    reference: str | None
    note: str | None
    reverses: int | None
    hash: str

    def sentence(self) -> str:
        """What was posted, in the one line the CLI prints and the TUI shows."""
        lot = f" lot {self.lot}" if self.lot else ""
        return (
            f"Posted move {self.id}: {self.kind} {self.qty} {self.item}{lot} "
            f"{self.from_location} → {self.to_location}"
        )

    def as_dict(self) -> dict[str, object]:
        """The JSON form scripts rely on."""
        return {
            "id": self.id,
            "time": self.time.isoformat(timespec="microseconds") + "Z",
            "kind": self.kind,
            "item": self.item,
            "lot": self.lot,
            "qty": self.qty,
            "from": self.from_location,
            "to": self.to_location,
            "user": self.user,
            "reference": self.reference,
            "note": self.note,
            "reverses": self.reverses,
        }


def sql(text: str) -> str:
    """Our raw SQL is written with '?' placeholders; PostgreSQL's driver wants '%s'."""
    return text.replace("?", "%s") if is_postgres() else text


def lock_head() -> tuple[int, str]:
    """The last move's id and hash, locked until the transaction ends."""
    query = 'SELECT "last_id", "last_hash" FROM "ledger_head" WHERE "id" = 1'
    if is_postgres():
        query += " FOR UPDATE"
    row = db.execute_sql(query).fetchone()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


QuantKey = tuple[int, int, int]  # item id, lot id or 0, location id
# Keys per prefetch query. A chunk is padded (repeating its last key) to one of these
# sizes, so the database compiles a handful of statements and reuses them.
PREFETCH_SIZES = (1, 4, 16, 64, 256)


def _chunks(keys: list, size: int = PREFETCH_SIZES[-1]) -> Iterator[list]:
    """KEYS in chunks of at most SIZE, each padded to one of PREFETCH_SIZES."""
    for start in range(0, len(keys), size):
        chunk = keys[start : start + size]
        padded = next(n for n in PREFETCH_SIZES if n >= len(chunk))
        yield chunk + [chunk[-1]] * (padded - len(chunk))


class _Quants:
    """Quantities touched by one posting: each read at most once, all changes kept
    as deltas until the posting writes them."""

    def __init__(self) -> None:
        self.stored: dict[QuantKey, int] = {}
        self.delta: dict[QuantKey, int] = {}
        self.serial_in_stock: dict[int, int] = {}

    def prefetch(self, keys: Iterable[QuantKey]) -> None:
        """Read the stored quantities of KEYS in a few queries instead of one each."""
        missing = [key for key in dict.fromkeys(keys) if key not in self.stored]
        for chunk in _chunks(missing):
            values = ", ".join(["(?, ?, ?)"] * len(chunk))
            rows = db.execute_sql(
                sql(
                    f'WITH "k" ("i", "l", "c") AS (VALUES {values}) '
                    'SELECT q."item_id", q."lot_key", q."location_id", q."qty" FROM "k" '
                    'JOIN "quant" q ON q."item_id" = "k"."i" AND q."lot_key" = "k"."l" '
                    'AND q."location_id" = "k"."c"'
                ),
                [part for key in chunk for part in key],
            )
            self.stored.update(dict.fromkeys(chunk, 0))
            for item, lot_key, location, qty in rows:
                self.stored[(item, lot_key, location)] = qty

    def get(self, key: QuantKey) -> int:
        if key not in self.stored:
            row = db.execute_sql(
                sql(
                    'SELECT "qty" FROM "quant" WHERE "item_id" = ? AND "lot_key" = ? '
                    'AND "location_id" = ?'
                ),
                key,
            ).fetchone()
            self.stored[key] = row[0] if row else 0
        return self.stored[key] + self.delta.get(key, 0)

    def add(self, key: QuantKey, delta: int) -> None:
        self.delta[key] = self.delta.get(key, 0) + delta

    def prefetch_serials(self, lot_ids: Iterable[int]) -> None:
        """Read how many of each serial number are in internal locations, in a few queries."""
        missing = [lot for lot in dict.fromkeys(lot_ids) if lot not in self.serial_in_stock]
        for chunk in _chunks(missing):
            rows = db.execute_sql(
                sql(
                    'SELECT q."lot_key", COALESCE(SUM(q."qty"), 0) FROM "quant" q '
                    'JOIN "location" l ON l."id" = q."location_id" '
                    f'WHERE q."lot_key" IN ({", ".join(["?"] * len(chunk))}) '
                    'AND l."kind" = ? GROUP BY q."lot_key"'
                ),
                [*chunk, "internal"],
            )
            self.serial_in_stock.update(dict.fromkeys(chunk, 0))
            for lot, total in rows:
                self.serial_in_stock[lot] = int(total)

    def serial_total(self, lot_id: int) -> int:
        if lot_id not in self.serial_in_stock:
            self.prefetch_serials([lot_id])
        return self.serial_in_stock[lot_id]

    def prefetch_for(self, specs: Sequence[MoveSpec]) -> None:
        """Read every quantity the rules will look at up front, a few queries per posting
        rather than one per move; the rules see exactly the same figures."""
        self.prefetch(
            (spec.item.id, spec.lot.id if spec.lot else 0, spec.from_location.id)
            for spec in specs
            if spec.from_location.is_internal
        )
        self.prefetch_serials(
            spec.lot.id for spec in specs if spec.lot is not None and spec.item.tracking == "serial"
        )

    def take(self, spec: MoveSpec) -> None:
        """Move SPEC's quantity in these figures; refuse it if the stock is not there."""
        item, lot, src_loc, dst_loc, qty = (
            spec.item,
            spec.lot,
            spec.from_location,
            spec.to_location,
            spec.qty,
        )
        lot_key = lot.id if lot else 0
        src = (item.id, lot_key, src_loc.id)
        dst = (item.id, lot_key, dst_loc.id)
        if src_loc.is_internal:
            have = self.get(src)
            if have < qty:
                raise Refused(
                    f"Only {have} {item.unit} of {_describe(item, lot)} "
                    f"at {src_loc.code}; cannot take {qty}"
                )
            if spec.spare_reserved:
                _spare_reserved(spec, have)
        if item.tracking == "serial":
            change = int(dst_loc.is_internal) - int(src_loc.is_internal)
            total = self.serial_total(lot_key) + change
            if total > 1:
                raise Refused(f"Serial {lot.number} of {item.sku} is already in stock")
            self.serial_in_stock[lot_key] = total
        self.add(src, -qty)
        self.add(dst, qty)


def _spare_reserved(spec: MoveSpec, have: int) -> None:
    """Refuse SPEC if it would take units reserved for shipments (read under the ledger
    lock, which allocation takes too)."""
    held = (
        Allocation.select(Shipment.number, Allocation.qty - Allocation.picked)
        .join(ShipmentLine)
        .join(Shipment)
        .where(
            (Allocation.item == spec.item.id)
            & (Allocation.location == spec.from_location.id)
            & (Allocation.qty > Allocation.picked)
            & (Allocation.lot.is_null() if spec.lot is None else Allocation.lot == spec.lot.id)
        )
        .tuples()
    )
    by_shipment: dict[str, int] = {}
    for number, units in held:
        by_shipment[number] = by_shipment.get(number, 0) + units
    reserved = sum(by_shipment.values())
    free = have - reserved
    if spec.qty <= free:
        return
    unit = spec.item.unit
    numbers = sorted(by_shipment)
    named = ", ".join(numbers[:3]) + (f" and {len(numbers) - 3} more" if len(numbers) > 3 else "")
    raise Refused(
        f"Only {max(free, 0)} {unit} of {_describe(spec.item, spec.lot)} at "
        f"{spec.from_location.code} are free; {reserved} are reserved for {named}. "
        f"Cannot take {spec.qty}: take fewer, or pick (or cancel) the shipment first"
    )


def _describe(item: Item, lot: Lot | None) -> str:
    return f"{item.sku} lot {lot.number}" if lot else item.sku


def check_spec(spec: MoveSpec) -> None:
    """Refuse a move that breaks a rule that needs no stock figures."""
    item, lot = spec.item, spec.lot
    if spec.kind not in MOVE_KINDS:
        raise Refused(f"Unknown move kind {spec.kind!r}")
    if isinstance(spec.qty, bool) or not isinstance(spec.qty, int) or spec.qty <= 0:
        raise Refused(f"Quantity must be a positive whole number, not {spec.qty!r}")
    check_optional_text(spec.reference, "The reference", max_length=REFERENCE_MOST)
    check_optional_text(spec.note, "The note", max_length=REASON_MOST)
    if not item.active:
        raise Refused(f"Item {item.sku} is inactive and cannot be moved")
    for loc in (spec.from_location, spec.to_location):
        if not loc.active:
            raise Refused(f"Location {loc.code} is inactive and refuses moves")
    if spec.from_location.id == spec.to_location.id:
        raise Refused(f"From and to are both {spec.from_location.code}")
    check_lot_given(item, lot)
    if lot is not None and lot.item_id != item.id:
        raise Refused(f"Lot {lot.number} belongs to another item, not {item.sku}")
    if item.tracking == "serial" and spec.qty != 1:
        raise Refused(f"{item.sku} is serial-tracked: each serial number moves one at a time")
    if lot is not None and lot.status in ("blocked", "recalled") and spec.kind != "reversal":
        to = spec.to_location
        # Quarantine, scrap, or written off as missing (a count or adjustment down).
        if not (to.quarantine or to.kind in ("scrap", "adjustment")):
            raise Refused(
                f"Lot {lot.number} is {lot.status} and can only go to quarantine or scrap"
            )


def _refresh_lot_statuses(specs: Sequence[MoveSpec]) -> None:
    """Read the lots' status again now that the ledger is locked: a lot recalled by another
    session after the caller loaded it must not move (recall takes the same lock)."""
    lots = {spec.lot.id: spec.lot for spec in specs if spec.lot is not None}
    if not lots:
        return
    marks = ", ".join("?" for _ in lots)
    rows = db.execute_sql(
        sql(f'SELECT "id", "status" FROM "lot" WHERE "id" IN ({marks})'), list(lots)
    )
    for lot_id, status in rows.fetchall():
        lots[lot_id].status = status


def post(specs: Sequence[MoveSpec], user: User, at: dt.datetime | None = None) -> list[PostedMove]:
    """Post moves in the current write transaction; refuse all of them if one breaks a rule."""
    if db.transaction_depth() == 0:
        raise RuntimeError("post() must run inside models.db.write()")
    if not user.active:
        raise Refused(f"User {user.name} is deactivated")
    last_id, last_hash = lock_head()
    _refresh_lot_statuses(specs)
    moment = as_utc(at) if at is not None else utcnow()
    time = time_text(moment)
    quants = _Quants()
    quants.prefetch_for(specs)
    rows: list[MoveRow] = []
    posted: list[PostedMove] = []
    for spec in specs:
        check_spec(spec)
        quants.take(spec)
        last_id += 1
        row = _row(spec, last_id, time, user, last_hash)
        rows.append(row)
        posted.append(_posted(spec, row, moment, user.name))
        last_hash = row.hash
    if not rows:
        return []
    check_posting(rows[0].id, last_id, last_hash)  # refused if a restore discarded ours
    _write(rows, quants.delta, last_id, last_hash)
    # Here, not at the top: replenishment reads the schema of goods out and put-away,
    # which a reader of the ledger (scan, stock) never needs.
    from backroom.models.replenishment import on_moves_posted

    on_moves_posted(specs, user)  # pick faces the moves took below their minimum
    return posted


def _row(spec: MoveSpec, move_id: int, time: str, user: User, prev_hash: str) -> MoveRow:
    """SPEC as the move table's row MOVE_ID, chained to PREV_HASH; its hash covers the
    names a person reads on it too."""
    lot = spec.lot
    names = MoveNames(
        spec.item.sku,
        lot.number if lot else None,
        spec.from_location.code,
        spec.to_location.code,
        user.name,
    )
    return MoveRow.sealed_with(
        names,
        move_id,
        time,
        spec.kind,
        spec.item.id,
        spec.lot.id if spec.lot else None,
        spec.qty,
        spec.from_location.id,
        spec.to_location.id,
        user.id,
        spec.reference,
        spec.note,
        spec.reverses,
        prev_hash,
    )


def _posted(spec: MoveSpec, row: MoveRow, moment: dt.datetime, user_name: str) -> PostedMove:
    """The posted ROW of SPEC as callers see it, with codes instead of ids."""
    return PostedMove(
        row.id,
        moment,
        row.kind,
        spec.item.sku,
        spec.lot.number if spec.lot else None,
        row.qty,
        spec.from_location.code,
        spec.to_location.code,
        user_name,
        row.reference,
        row.note,
        row.reverses_id,
        row.hash,
    )


UPSERT_QUANT = (
    'INSERT INTO "quant" ("item_id", "lot_id", "lot_key", "location_id", "qty") '
    "VALUES (?, ?, ?, ?, ?) "
    'ON CONFLICT ("item_id", "lot_key", "location_id") '
    'DO UPDATE SET "qty" = "quant"."qty" + excluded."qty"'
)


# Statements per round trip to PostgreSQL when posting many moves at once.
PG_PAGE_SIZE = 500


def _executemany(cursor: Any, query: str, rows: Sequence[tuple]) -> None:
    """One statement for each row. psycopg2's executemany makes a round trip per row;
    execute_batch sends them in pages, with the same statements and the same effect."""
    if is_postgres():
        from psycopg2.extras import execute_batch

        execute_batch(cursor, sql(query), rows, page_size=PG_PAGE_SIZE)
    else:
        cursor.executemany(query, rows)


def _write(
    rows: list[MoveRow], deltas: dict[tuple[int, int, int], int], last_id: int, last_hash: str
) -> None:
    cursor = db.cursor()
    _executemany(cursor, INSERT_MOVE, rows)
    quant_rows = [
        (item, lot or None, lot, loc, delta) for (item, lot, loc), delta in deltas.items() if delta
    ]
    if quant_rows:
        _executemany(cursor, UPSERT_QUANT, quant_rows)
    db.execute_sql(
        sql('UPDATE "ledger_head" SET "last_id" = ?, "last_hash" = ? WHERE "id" = 1'),
        (last_id, last_hash),
    )
