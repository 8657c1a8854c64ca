"""`backroom verify`: the ledger checked against itself and against the quants, the
event log against its chain, and both chains' heads against the signed checkpoints and
the copies of them kept off the box."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from backroom.models.db import db, is_postgres
from backroom.models.schema import GENESIS_HASH, Checkpoint, Move
from backroom.models.stock.event_row import CHAIN_START, EventRow, LegacyDigest, stored_events
from backroom.models.stock.ledger import sql
from backroom.models.stock.move_row import COLUMNS, MoveNames, MoveRow
from backroom.models.stock.signing import Head, SigningSettings
from backroom.models.stock.verify_signed import check_signed

CHAIN_BATCH = 5_000
Progress = Callable[..., None]  # (done, total, what)


@dataclass
class VerifyReport:
    """Every difference found; clean when there is none."""

    moves: int = 0
    quants: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)
    head: Head | None = None
    # Moves hashed over ids only and events vouched for by a digest (before schema v8).
    legacy_moves: int = 0
    legacy_events: int = 0
    checkpoints: int = 0
    last_checkpoint: Checkpoint | None = None
    keys: list[str] = field(default_factory=list)  # the public keys signatures were checked with
    offbox: int = 0  # off-box records compared with the chains
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems

    @property
    def unsigned_moves(self) -> int:
        """Moves after the last signed checkpoint: what a database writer could still
        rewrite without the key going unnoticed."""
        signed = self.last_checkpoint.move_id if self.last_checkpoint else 0
        return max(0, (self.head.move_id if self.head else 0) - signed)


@dataclass
class _Names:
    """What moves and events are read by: codes, SKUs, lot numbers, user names."""

    codes: dict[int, str]
    kinds: dict[int, str]
    skus: dict[int, str]
    lots: dict[int, str]
    users: dict[int, str]

    @classmethod
    def load(cls) -> _Names:
        def pairs(query: str) -> dict:
            return dict(db.execute_sql(query).fetchall())

        return cls(
            codes=pairs('SELECT "id", "code" FROM "location"'),
            kinds=pairs('SELECT "id", "kind" FROM "location"'),
            skus=pairs('SELECT "id", "sku" FROM "item"'),
            lots=pairs('SELECT "id", "number" FROM "lot"'),
            users=pairs('SELECT "id", "name" FROM "user"'),
        )

    def of(self, row: MoveRow) -> MoveNames:
        """The names move ROW reads by today; its hash says whether they are the posted ones."""
        return MoveNames(
            self.skus.get(row.item_id),  # type: ignore[arg-type]
            self.lots.get(row.lot_id) if row.lot_id is not None else None,
            self.codes.get(row.from_location_id),  # type: ignore[arg-type]
            self.codes.get(row.to_location_id),  # type: ignore[arg-type]
            self.users.get(row.user_id),  # type: ignore[arg-type]
        )


def _quant_differences(report: VerifyReport, names: _Names) -> None:
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
    codes, skus, lots = names.codes, names.skus, names.lots
    for key in sorted(set(ledger) | set(cached)):
        want, have = ledger.get(key, 0), cached.get(key, 0)
        item, lot, loc = key
        lot_text = f" lot {lots.get(lot, f'#{lot}')}" if lot else ""
        where = f"{skus.get(item, item)}{lot_text} at {codes.get(loc, loc)}"
        if want != have:
            report.problems.append(f"quant {where}: ledger says {want}, quant says {have}")
        if want < 0 and names.kinds.get(loc) == "internal":
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


@dataclass
class _Walk:
    """What a walk along the chains keeps: the stored hash of every id a checkpoint or
    an off-box record names, and how far the walk has come (for the progress bar)."""

    names: _Names
    wanted_moves: set[int]
    wanted_events: set[int]
    progress: Progress
    total: int
    move_hashes: dict[int, str] = field(default_factory=lambda: {0: GENESIS_HASH})
    event_hashes: dict[int, str] = field(default_factory=lambda: {0: GENESIS_HASH})
    done: int = 0

    def step(self, what: str) -> None:
        self.done += 1
        if self.done % CHAIN_BATCH == 0:
            self.progress(self.done, self.total, what)


def _chain(report: VerifyReport, walk: _Walk, head: tuple) -> None:
    prev = GENESIS_HASH
    expected_id = 0
    last_id = 0
    for row in _stored_moves():
        report.moves += 1
        walk.step("checking moves")
        expected_id += 1
        if row.id != expected_id:
            report.problems.append(f"move {row.id}: expected id {expected_id} (a gap)")
            expected_id = row.id
        if row.prev_hash != prev:
            report.problems.append(f"move {row.id}: chain broken (prev_hash differs)")
        names = None if row.id <= report.legacy_moves else walk.names.of(row)
        if not row.hash_is_right(names):
            report.problems.append(f"move {row.id}: content does not match its hash")
        if row.qty <= 0:
            report.problems.append(f"move {row.id}: quantity {row.qty} is not positive")
        if row.id in walk.wanted_moves:
            walk.move_hashes[row.id] = row.hash
        prev = row.hash
        last_id = row.id
    if head is None or head[0] != last_id or head[1] != prev:
        shown = (head[0], head[1]) if head else None
        report.problems.append(f"ledger head {shown} does not match the last move ({last_id})")


@dataclass
class _ChainStart:
    """What the first chained event of an older database vouches for."""

    legacy_moves: int = 0
    last_event: int = 0
    events: int = 0
    digest: str = LegacyDigest().hexdigest()


def _chain_start() -> _ChainStart:
    """The first chained event's record of the history before the chain, if it has one."""
    row = db.execute_sql(
        'SELECT "kind", "detail" FROM "event" WHERE "hash" IS NOT NULL ORDER BY "id" LIMIT 1'
    ).fetchone()
    if row is None or row[0] != CHAIN_START:
        return _ChainStart()
    try:
        detail = json.loads(row[1])
        return _ChainStart(
            int(detail["legacy_moves"]),
            int(detail["legacy_last_event"]),
            int(detail["legacy_events"]),
            str(detail["legacy_digest"]),
        )
    except (ValueError, KeyError, TypeError):
        return _ChainStart()  # its own hash check reports the change


class _AsLogged:
    """Each user's role and active flag, and each lot's status, as the event log tells
    them: what the tables must say, or someone changed them outside Backroom (a user
    promoted or a recall undone by SQL, say)."""

    def __init__(self) -> None:
        self.role: dict[str, str] = {}
        self.active: dict[str, bool] = {}
        self.lot_status: dict[str, str] = {}

    def _lot(self, row: EventRow) -> None:
        try:
            new = json.loads(row.detail).get("new")
        except (ValueError, AttributeError):
            return
        if isinstance(new, str):
            self.lot_status[row.subject] = new

    def add(self, row: EventRow) -> None:
        if row.kind == "lot.status":
            self._lot(row)
        if not row.kind.startswith("user."):
            return
        if row.kind in ("user.add", "user.activate", "user.reactivate"):
            self.active[row.subject] = True
        elif row.kind == "user.deactivate":
            self.active[row.subject] = False
        try:
            detail = json.loads(row.detail)
        except ValueError:
            return
        if not isinstance(detail, dict):
            return
        role, active = (_new_value(detail.get(name)) for name in ("role", "active"))
        if isinstance(role, str):
            self.role[row.subject] = role
        if isinstance(active, bool):
            self.active[row.subject] = active

    def compare_lots(self, report: VerifyReport) -> None:
        """Lots are born released; every change of status since is a 'lot.status' event."""
        rows = db.execute_sql(
            'SELECT i."sku", l."number", l."status" FROM "lot" l '
            'JOIN "item" i ON i."id" = l."item_id" WHERE l."status" != \'released\''
        )
        seen = set()
        for sku, number, status in rows:
            subject = f"{sku}/{number}"
            seen.add(subject)
            logged = self.lot_status.get(subject, "released")
            if logged != status:
                report.problems.append(_lot_problem(subject, status, logged))
        for subject, logged in self.lot_status.items():
            if logged != "released" and subject not in seen:
                report.problems.append(_lot_problem(subject, "released", logged))

    def compare(self, report: VerifyReport) -> None:
        self.compare_lots(report)
        for name, role, active in db.execute_sql('SELECT "name", "role", "active" FROM "user"'):
            if name not in self.active:
                report.problems.append(
                    f"user {name}: not in the event log (added outside Backroom)"
                )
                continue
            logged = self.role.get(name)
            if logged != role:
                report.problems.append(
                    f"user {name}: role {role} in the database, but the event log says "
                    f"{logged} (changed outside Backroom)"
                )
            if self.active[name] != bool(active):
                state = "active" if active else "deactivated"
                report.problems.append(
                    f"user {name}: {state} in the database, but not by the event log "
                    "(changed outside Backroom)"
                )


def _lot_problem(subject: str, status: str, logged: str) -> str:
    return (
        f"lot {subject}: {status} in the database, but the event log says {logged} "
        "(changed outside Backroom)"
    )


def _new_value(value: object) -> object:
    """An event's value for a field: the value itself, or the new one of [old, new]."""
    return value[1] if isinstance(value, list) and len(value) == 2 else value


def _events(report: VerifyReport, walk: _Walk, start: _ChainStart, head: tuple) -> None:
    legacy = LegacyDigest()
    users = _AsLogged()
    prev, prev_id, seen = GENESIS_HASH, None, 0
    for row in stored_events(CHAIN_BATCH):
        report.events += 1
        walk.step("checking events")
        gap, seen = row.id != seen + 1, row.id
        if row.hash is None:
            if row.id <= start.last_event:
                legacy.add(row)
                users.add(row)
            else:
                report.problems.append(
                    f"event {row.id} ({row.kind} {row.subject}): not chained, "
                    "so not written by Backroom"
                )
            continue
        if prev_id is not None and gap:
            report.problems.append(f"event {prev_id + 1}: missing (deleted) before event {row.id}")
        if row.prev_hash != prev:
            report.problems.append(f"event {row.id}: chain broken (prev_hash differs)")
        if not row.hash_is_right(walk.names.users.get(row.user_id) if row.user_id else None):
            report.problems.append(
                f"event {row.id} ({row.kind} {row.subject}): content does not match its hash"
            )
        if row.id in walk.wanted_events:
            walk.event_hashes[row.id] = row.hash
        users.add(row)
        prev, prev_id = row.hash, row.id
    if head is None or head[2] != (prev_id or 0) or head[3] != prev:
        report.problems.append(
            f"event head {head[2] if head else None} does not match the last chained event "
            f"({prev_id or 0})"
        )
    if legacy.count != start.events or legacy.hexdigest() != start.digest:
        report.problems.append(
            f"events before the chain began (up to event {start.last_event}) were changed "
            f"or deleted: {legacy.count} there now, {start.events} when the chain began"
        )
    report.legacy_events = legacy.count
    users.compare(report)


def _head() -> tuple | None:
    return db.execute_sql(
        sql(
            'SELECT "last_id", "last_hash", "event_last_id", "event_last_hash" '
            'FROM "ledger_head" WHERE "id" = ?'
        ),
        (1,),
    ).fetchone()


def verify(
    progress: Progress | None = None, signing: SigningSettings | None = None
) -> VerifyReport:
    """Rebuild quants from the ledger, check zero sums, both hash chains, the signed
    checkpoints and the off-box copies of them; PROGRESS hears (done, total, what)."""
    report = VerifyReport()
    settings = signing or SigningSettings()
    say = progress or (lambda *_: None)
    with _ReadSnapshot():
        head = _head()
        total = (head[0] + head[2]) if head else 0
        say(0, total, "checking quants")
        names = _Names.load()
        _quant_differences(report, names)
        start = _chain_start()
        report.legacy_moves = start.legacy_moves
        checkpoints = list(Checkpoint.select().order_by(Checkpoint.id))
        signed = check_signed(report, settings, checkpoints)
        walk = _Walk(names, signed.wanted_moves, signed.wanted_events, say, total)
        _chain(report, walk, head)
        _events(report, walk, start, head)
        if head is not None:
            report.head = Head(head[0], head[1], head[2], head[3])
        signed.compare(report, walk.move_hashes, walk.event_hashes)
        say(walk.done, walk.done, "checked")
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
