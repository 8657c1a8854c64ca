"""Batch, wave and cluster picking: the allocated, unpicked lines of several shipments
picked in one walk, each into its shipment's tote (issue #16, point 5).

A lead makes a batch (create_batch; create_wave makes several at once). Each stop, one
shipment's item and lot at one bin, is a pick task of the queue (source
"batch:B-000001", ref the shipment), made in the same transaction. The walk
(batch_walk.py) lists the stops in walking order. Picking a stop completes its task
through the queue, which picks for THAT shipment (goods_out/picking.py `pick`): a short
stop leaves that shipment short, and asks for a count of the bin.

Cluster picking: take_batch gives every unfinished task of the batch to one person in
one transaction; while they have the batch nobody else is given any of its tasks
(schema.batches.kept_from, in the queue's chooser), even one put back in the queue
after a silence. Each stop they pick is a sign of life for all of them. release_batch
hands the batch back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import peewee as pw

from backroom.models.db import run_write
from backroom.models.errors import Refused
from backroom.models.goods_out.dispatch import DEFAULT_DISPATCH, dispatch_location
from backroom.models.goods_out.orders import get_shipment, next_value
from backroom.models.goods_out.parties import get_carrier
from backroom.models.masterdata.adding import get_item, get_location, log_event
from backroom.models.people.roles import acting, allowed
from backroom.models.rules.text import REASON_MOST, check_optional_text
from backroom.models.schema import Item, Location, Lot, User, utcnow
from backroom.models.schema.batches import SOURCE_PREFIX, BatchShipment, PickBatch
from backroom.models.schema.shipping import Allocation, Carrier, Shipment, ShipmentLine
from backroom.models.schema.tasks import FINISHED, HELD, Task
from backroom.models.stock.ledger import lock_head
from backroom.models.stock.requests import at_most_once
from backroom.models.tasks import choosing
from backroom.models.tasks.batch_progress import unfinished_tasks
from backroom.models.tasks.batch_walk import (
    BATCH_DIGITS,
    BATCH_PREFIX,
    BatchMade,
    BatchStop,
    BatchView,
    StopPicked,
    _unfinished,
    _view,
    _walk,
    batch_detail,
    batch_number,
    batch_walk,
    get_batch,
    list_batches,
)
from backroom.models.tasks.completing import complete
from backroom.models.tasks.making import TaskSpec, create_task
from backroom.models.tasks.queue import cancel as cancel_task
from backroom.models.tasks.queue import take

__all__ = [
    "BatchMade",
    "BatchStop",
    "BatchView",
    "StopPicked",
    "batch_detail",
    "batch_walk",
    "cancel_batch",
    "create_batch",
    "create_wave",
    "list_batches",
    "pick_stop",
    "release_batch",
    "set_tote",
    "take_batch",
]

DEFAULT_MAX_SHIPMENTS = 8  # a picking cart of eight totes
MOST_SHIPMENTS = 50
PICKABLE = ("allocated", "picking")

# One stop to be: location id, path, code; item id, SKU; lot id, number; units left.
Stop = tuple[int, str, str, int, str, int | None, str | None, int]


# --- what each shipment has to pick --------------------------------------------------------


def _open_stops(shipment: Shipment, zone: Location | None) -> list[Stop]:
    """SHIPMENT's allocated, unpicked units by bin, item and lot (under ZONE)."""
    left = pw.fn.SUM(Allocation.qty - Allocation.picked)
    query = (
        Allocation.select(
            Location.id, Location.path, Location.code, Item.id, Item.sku, Lot.id, Lot.number, left
        )
        .join(ShipmentLine)
        .join_from(Allocation, Location)
        .join_from(Allocation, Item)
        .join_from(Allocation, Lot, pw.JOIN.LEFT_OUTER)
        .where((ShipmentLine.shipment == shipment.id) & (Allocation.qty > Allocation.picked))
        .group_by(Location.id, Location.path, Location.code, Item.id, Item.sku, Lot.id, Lot.number)
    )
    if zone is not None:
        query = query.where(Location.under(zone))
    return [tuple(row) for row in query.tuples()]  # type: ignore[misc]


def _what_to_pick(shipment: Shipment, zone: Location | None) -> tuple[list[Stop], str | None]:
    """The stops SHIPMENT brings to a batch, or none and the reason."""
    if shipment.status not in PICKABLE:
        nothing = ": nothing is allocated" if shipment.status == "draft" else ""
        return [], f"it is {shipment.status}{nothing}"
    stops = _open_stops(shipment, zone)
    if not stops:
        return [], "nothing allocated is left to pick" + (f" in {zone.code}" if zone else "")
    tasks = Task.select(Task.from_location, Task.item, Task.lot, Task.source, Task.id).where(
        (Task.kind == "pick") & (Task.ref == shipment.number) & Task.status.not_in(FINISHED)
    )
    held = {(t.from_location_id, t.item_id, t.lot_id): t for t in tasks}
    free = [s for s in stops if (s[0], s[3], s[5]) not in held]
    if free:
        return free, None
    sources = sorted({t.source for t in held.values()})
    batches = [s.removeprefix(SOURCE_PREFIX) for s in sources if s.startswith(SOURCE_PREFIX)]
    if batches:
        return [], f"it is in batch {', '.join(batches)} already"
    numbers = ", ".join(sorted(t.number for t in held.values()))
    return [], f"its picks are tasks already ({numbers})"


def _check_most(max_shipments: int) -> int:
    if isinstance(max_shipments, bool) or not isinstance(max_shipments, int):
        raise Refused(f"The most shipments a batch is a whole number, not {max_shipments!r}")
    if not 1 <= max_shipments <= MOST_SHIPMENTS:
        raise Refused(f"A batch holds 1 to {MOST_SHIPMENTS} shipments (one tote each)")
    return max_shipments


def _candidates(
    carrier: Carrier | None, date: dt.date | None, zone: Location | None
) -> list[Shipment]:
    """Shipments with something allocated left to pick (under ZONE), by planned date."""
    query = (
        Shipment.select()
        .where(Shipment.status.in_(PICKABLE))
        .order_by(Shipment.planned_date, Shipment.id)
    )
    if carrier is not None:
        query = query.where(Shipment.carrier == carrier.id)
    if date is not None:
        query = query.where(Shipment.planned_date == date)
    inside = Allocation.select(ShipmentLine.shipment).join(ShipmentLine)
    inside = inside.where(Allocation.qty > Allocation.picked)
    if zone is not None:
        inside = inside.switch(Allocation).join(Location).where(Location.under(zone))
    return list(query.where(Shipment.id.in_(inside)))


# --- making batches ------------------------------------------------------------------------


def _make(
    who: User,
    picks: list[tuple[Shipment, list[Stop]]],
    grouping: dict[str, object],
    dispatch: str,
) -> PickBatch:
    """The batch of PICKS, its totes T1..Tn in that order, and a pick task per stop, made
    in walking order (bin path, item, lot, tote)."""
    number = f"{BATCH_PREFIX}{next_value('pick_batch'):0{BATCH_DIGITS}d}"
    batch = PickBatch.create(number=number, created_by=who, **grouping)
    dock = dispatch_location(dispatch)
    walk = []
    for position, (shipment, stops) in enumerate(picks, 1):
        BatchShipment.create(batch=batch, shipment=shipment, position=position, tote=f"T{position}")
        walk += [(stop[1], stop[4], stop[6] or "", position, shipment, stop) for stop in stops]
    walk.sort(key=lambda w: w[:4])
    for *_, shipment, stop in walk:
        spec = TaskSpec(
            "pick",
            item=stop[4],
            qty=stop[7],
            from_location=stop[2],
            to_location=dock.code,
            lot=stop[6],
            source=batch.source,
            ref=shipment.number,
        )
        create_task(spec, by=who)
    log_event(
        "batch.created",
        number,
        who,
        shipments=[shipment.number for shipment, _ in picks],
        stops=len(walk),
        **{k: str(v) for k, v in grouping.items() if v},
    )
    return batch


def _chosen(numbers: Sequence[str], zone: Location | None) -> list[tuple[Shipment, list[Stop]]]:
    """The shipments a lead named, each with its stops; refused if any brings none."""
    picks, seen = [], set()
    for number in numbers:
        shipment = get_shipment(number, lock=True)
        if shipment.id in seen:
            raise Refused(f"{shipment.number} is named twice")
        seen.add(shipment.id)
        stops, why = _what_to_pick(shipment, zone)
        if why:
            raise Refused(f"{shipment.number} cannot be batched: {why}")
        picks.append((shipment, stops))
    return picks


def _selected(
    candidates: list[Shipment], zone: Location | None, most: int
) -> tuple[list[tuple[Shipment, list[Stop]]], list[tuple[str, str]]]:
    """The first MOST of CANDIDATES with something to pick, and those left out (why)."""
    picks, skipped = [], []
    for shipment in candidates:
        if len(picks) == most:
            break
        stops, why = _what_to_pick(shipment, zone)
        if why:
            skipped.append((shipment.number, why))
        else:
            picks.append((shipment, stops))
    return picks, skipped


def create_batch(
    user: str,
    *,
    shipments: Sequence[str] | None = None,
    carrier: str | None = None,
    date: dt.date | None = None,
    zone: str | None = None,
    max_shipments: int = DEFAULT_MAX_SHIPMENTS,
    dispatch: str = DEFAULT_DISPATCH,
) -> BatchMade:
    """A lead groups the allocated, unpicked lines of SHIPMENTS (else of the shipments of
    CARRIER on DATE, oldest first, at most MAX_SHIPMENTS) into a batch, picked under
    ZONE only if given. Named shipments that cannot be batched refuse the batch; chosen
    ones are left out with the reason. Nothing to batch is refused; nothing written."""
    most = _check_most(max_shipments)

    def _create() -> BatchMade:
        lock_head()
        who = acting(user, "task.manage")
        place = get_location(zone) if zone else None
        the_carrier = get_carrier(carrier) if carrier else None
        grouping = {"carrier": the_carrier, "planned_date": date, "zone": place}
        if shipments:
            if len(shipments) > most:
                raise Refused(f"{len(shipments)} shipments are more than {most} totes")
            picks, skipped = _chosen(shipments, place), []
            grouping["chosen"] = True
        else:
            picks, skipped = _selected(_candidates(the_carrier, date, place), place, most)
        if not picks:
            why = "; ".join(f"{n}: {r}" for n, r in skipped) or "none has anything to pick"
            raise Refused(f"No shipment to batch ({why})")
        batch = _make(who, picks, grouping, dispatch)
        return BatchMade(_view(batch), tuple(skipped))

    return run_write(_create)


def create_wave(
    user: str,
    *,
    carrier: str | None = None,
    date: dt.date | None = None,
    zone: str | None = None,
    max_shipments: int = DEFAULT_MAX_SHIPMENTS,
    dispatch: str = DEFAULT_DISPATCH,
) -> list[BatchMade]:
    """A wave: every shipment to pick of CARRIER (else of each carrier in turn) on DATE,
    in batches of at most MAX_SHIPMENTS of one carrier each, made in one transaction."""
    most = _check_most(max_shipments)

    def _wave() -> list[BatchMade]:
        lock_head()
        acting(user, "task.manage")
        carriers = [get_carrier(carrier)] if carrier else list(Carrier.select())
        made = []
        for each in carriers:
            while True:
                try:
                    made.append(
                        create_batch(
                            user,
                            carrier=each.code,
                            date=date,
                            zone=zone,
                            max_shipments=most,
                            dispatch=dispatch,
                        )
                    )
                except Refused:
                    break  # nothing left of this carrier
        if not made:
            raise Refused("No shipment to batch: none has anything allocated left to pick")
        return made

    return run_write(_wave)


# --- cluster picking: one person, one cart ----------------------------------------------------


def _not_theirs(batch: PickBatch, who: User) -> None:
    if batch.taken_by_id and batch.taken_by_id != who.id:
        raise Refused(f"{batch.number} is taken by {batch.taken_by.name}")


def take_batch(number: str, user: str) -> BatchView:
    """USER takes the whole batch (all its totes on one cart): every unfinished task of it
    is theirs, in one transaction; refused if anyone else holds any of them."""

    def _take() -> BatchView:
        lock_head()
        who = acting(user, "task.work")
        batch = get_batch(number, lock=True)
        _unfinished(batch)
        _not_theirs(batch, who)
        tasks = unfinished_tasks(batch)
        if not tasks:
            raise Refused(f"Nothing is left to pick in {batch.number}")
        for task in tasks:
            if task.status in HELD and task.taken_by_id != who.id:
                raise Refused(f"{task.number} of {batch.number} is held by {task.taken_by.name}")
            if not choosing.fits_scope(who, task):
                raise Refused(f"{task.number} of {batch.number} is outside what {who.name} does")
        now = utcnow()
        for task in tasks:
            if task.status == "open":
                Task.update(
                    status="assigned", taken_by=who.id, taken_at=now, heartbeat_at=now
                ).where((Task.id == task.id) & (Task.status == "open")).execute()
                log_event("task.taken", task.number, who, batch=batch.number)
        PickBatch.update(taken_by=who.id, taken_at=now, status="picking").where(
            PickBatch.id == batch.id
        ).execute()
        log_event("batch.taken", batch.number, who, tasks=len(tasks))
        return _view(get_batch(batch.number))

    return run_write(_take)


def release_batch(number: str, user: str) -> BatchView:
    """The batch goes back to the queue: its holder's tasks of it are open again. By its
    holder, or by a lead."""

    def _release() -> BatchView:
        lock_head()
        who = acting(user, "task.work")
        batch = get_batch(number, lock=True)
        _unfinished(batch)
        if not batch.taken_by_id:
            raise Refused(f"{batch.number} is not taken")
        if batch.taken_by_id != who.id and not allowed(who, "task.manage"):
            raise Refused(f"{batch.number} is taken by {batch.taken_by.name}: a lead releases it")
        holder = batch.taken_by
        Task.update(status="open", taken_by=None, taken_at=None, heartbeat_at=None).where(
            (Task.source == batch.source) & (Task.taken_by == holder.id) & Task.status.in_(HELD)
        ).execute()
        PickBatch.update(taken_by=None, taken_at=None).where(PickBatch.id == batch.id).execute()
        log_event("batch.released", batch.number, who, holder=holder.name)
        return _view(get_batch(batch.number))

    return run_write(_release)


TOTE_MOST = 64


def set_tote(number: str, shipment: str, code: str, user: str) -> BatchView:
    """The tote scanned for SHIPMENT at the start of the walk: its code replaces T1, T2...
    Refused if another tote of the batch has that code, or the batch is finished."""
    tote = (code or "").strip()
    check_optional_text(tote, "The tote", max_length=TOTE_MOST)
    if not tote:
        raise Refused("Scan the tote's code")

    def _set() -> BatchView:
        lock_head()
        who = acting(user, "task.work")
        batch = get_batch(number, lock=True)
        _unfinished(batch)
        _not_theirs(batch, who)
        the_shipment = get_shipment(shipment)
        rows = {
            r.shipment_id: r for r in BatchShipment.select().where(BatchShipment.batch == batch.id)
        }
        row = rows.get(the_shipment.id)
        if row is None:
            raise Refused(f"{the_shipment.number} is not in {batch.number}")
        for other in rows.values():
            if other.id != row.id and other.tote.upper() == tote.upper():
                raise Refused(f"Tote {tote} is {other.shipment.number}'s already")
        BatchShipment.update(tote=tote).where(BatchShipment.id == row.id).execute()
        log_event("batch.tote", batch.number, who, shipment=the_shipment.number, tote=tote)
        return _view(get_batch(batch.number))

    return run_write(_set)


# --- picking a stop ---------------------------------------------------------------------------


def _find_stop(
    stops: list[BatchStop],
    stop: int | None,
    location: str | None,
    item: str | None,
    lot: str | None,
    tote: str | None,
) -> BatchStop:
    """The stop to pick: number STOP, else the first stop still to pick that matches the
    scans (LOCATION, and ITEM, LOT, TOTE where given)."""
    if stop is not None:
        found = next((s for s in stops if s.stop == stop), None)
        if found is None:
            raise Refused(f"There is no stop {stop}: the walk has {len(stops)}")
        if found.status != "to pick":
            raise Refused(f"Stop {stop} is {found.status}")
        return found
    if location is None:
        raise Refused("Say the stop, or scan the location")
    here = get_location(location).code
    sku = get_item(item).sku if item else None

    def fits(s: BatchStop) -> bool:
        return (
            s.status == "to pick"
            and s.location == here
            and (sku is None or sku == s.item)
            and (lot is None or lot.strip() == s.lot)
            and (tote is None or tote.strip().upper() == s.tote.upper())
        )

    found = next((s for s in stops if fits(s)), None)
    if found is None:
        ahead = next((s for s in stops if s.status == "to pick"), None)
        hint = f": the next stop is {ahead.text}" if ahead else ""
        raise Refused(f"Nothing of the batch matches that at {here}{hint}")
    return found


def pick_stop(
    number: str,
    user: str,
    *,
    stop: int | None = None,
    location: str | None = None,
    item: str | None = None,
    lot: str | None = None,
    tote: str | None = None,
    qty: int | None = None,
    short: bool = False,
    request_id: str | None = None,
) -> StopPicked:
    """USER picks a stop of the batch (by its number, or as scanned: location, item, lot,
    tote) into its tote: QTY (all of it if not given) for that stop's shipment, through
    the queue's completion. SHORT: QTY is all there was; that shipment is left short."""

    def _pick() -> StopPicked:
        lock_head()
        who = acting(user, "task.work")
        batch = get_batch(number, lock=True)
        _unfinished(batch)
        _not_theirs(batch, who)
        the_stop = _find_stop(_walk(batch), stop, location, item, lot, tote)
        task = Task.get_by_id(int(the_stop.task.removeprefix("T-")))
        if task.status == "open":
            take(task.id, user)
        done = complete(task.id, user, qty, short=short)
        if done.rest is not None and batch.taken_by_id == who.id:
            take(done.rest.id, user)  # the rest stays on the cluster picker's cart
        now = utcnow()
        Task.update(heartbeat_at=now).where(
            (Task.source == batch.source) & (Task.taken_by == who.id) & Task.status.in_(HELD)
        ).execute()
        status = PickBatch.get_by_id(batch.id).status  # the completion moved it on
        walk = _walk(batch)
        after = next(s for s in walk if s.stop == the_stop.stop)
        ahead = [s for s in walk if s.status == "to pick"]
        later = [s for s in ahead if s.stop > after.stop]
        return StopPicked(batch.number, status, after, done, (later or ahead or [None])[0])

    asked = (batch_number(number), stop, location, item, lot, tote, qty, short)
    return at_most_once(request_id, "batch.pick", asked, user, _pick)


def cancel_batch(number: str, user: str, reason: str) -> BatchView:
    """A lead cancels the batch: its unfinished tasks are cancelled with REASON; what was
    picked stays picked, and the rest can be picked or batched again."""
    check_optional_text(reason, "The reason", max_length=REASON_MOST)
    if not reason or not reason.strip():
        raise Refused("Give a reason")

    def _cancel() -> BatchView:
        lock_head()
        who = acting(user, "task.manage")
        batch = get_batch(number, lock=True)
        _unfinished(batch)
        for task in unfinished_tasks(batch):
            cancel_task(task.id, user, reason)
        PickBatch.update(status="cancelled", reason=reason.strip(), done_at=utcnow()).where(
            PickBatch.id == batch.id
        ).execute()
        log_event("batch.cancelled", batch.number, who, reason=reason.strip())
        return _view(get_batch(batch.number))

    return run_write(_cancel)
