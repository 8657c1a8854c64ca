"""What a pick batch looks like to its readers: the batch, its totes, and its walk: the
stops in walking order (Location.path, as the pick list has it), each naming its
shipment and tote. The same bin, item and lot for several shipments are consecutive
stops. Stops are numbered once, when the batch is made: a stop picked in part keeps its
number (the rest is a new task of the same stop). The operations are in batches.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

import peewee as pw

from backroom.models.db import is_postgres
from backroom.models.errors import NotFound, Refused
from backroom.models.schema import Item, Location, Lot, User
from backroom.models.schema.batches import UNFINISHED, BatchShipment, PickBatch
from backroom.models.schema.shipping import Shipment
from backroom.models.schema.tasks import FINISHED, HELD, Task
from backroom.models.tasks.completing import TaskDone

BATCH_PREFIX = "B-"
BATCH_DIGITS = 6


# --- what people read ----------------------------------------------------------------------


@dataclass(frozen=True)
class BatchStop:
    """One stop of the walk: at LOCATION take QTY of ITEM (LOT) into TOTE for SHIPMENT.
    STATUS: to pick, picked, short, skipped, cancelled; QTY is what is still to pick
    (what was asked, once finished); TASK the task to do now (or the last one)."""

    stop: int
    location: str
    item: str
    unit: str
    lot: str | None
    qty: int
    asked: int
    picked: int
    status: str
    shipment: str
    tote: str
    task: str
    taken_by: str | None

    @property
    def text(self) -> str:
        """The stop as a picker reads it: '3. A-01-02 SOAP  put 4 in T2 (SHP-000003)'."""
        what = f"{self.item} lot {self.lot}" if self.lot else self.item
        head = f"{self.stop}. {self.location}  {what}  "
        where = f"{self.tote} ({self.shipment})"
        if self.status == "to pick":
            return head + f"put {self.qty} in {where}"
        if self.status == "picked":
            return head + f"picked {self.picked} in {where}"
        return head + f"{self.status}: {self.picked} of {self.asked} in {where}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "stop": self.stop,
            "location": self.location,
            "item": self.item,
            "unit": self.unit,
            "lot": self.lot,
            "qty": self.qty,
            "asked": self.asked,
            "picked": self.picked,
            "status": self.status,
            "shipment": self.shipment,
            "tote": self.tote,
            "task": self.task,
            "taken_by": self.taken_by,
        }


@dataclass(frozen=True)
class BatchView:
    """A batch as a lead reads it: how it was grouped, its totes, its stops."""

    number: str
    status: str
    grouped_by: str
    created_by: str | None
    created_at: dt.datetime
    taken_by: str | None
    totes: tuple[tuple[str, str], ...]  # (tote, shipment), in cart order
    stops: tuple[BatchStop, ...]

    @property
    def to_pick(self) -> int:
        return sum(1 for s in self.stops if s.status == "to pick")

    @property
    def text(self) -> str:
        """The batch and its walk, for the picker."""
        who = f", taken by {self.taken_by}" if self.taken_by else ""
        lines = [f"{self.number} {self.status} ({self.grouped_by}){who}"]
        lines.append("Totes: " + ", ".join(f"{t} {s}" for t, s in self.totes))
        lines += [s.text for s in self.stops]
        left = self.to_pick
        lines.append(f"{left} of {len(self.stops)} stops to pick" if left else "Nothing to pick")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "number": self.number,
            "status": self.status,
            "grouped_by": self.grouped_by,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(timespec="seconds") + "Z",
            "taken_by": self.taken_by,
            "totes": [{"tote": t, "shipment": s} for t, s in self.totes],
            "stops": [s.as_dict() for s in self.stops],
            "to_pick": self.to_pick,
        }


@dataclass(frozen=True)
class BatchMade:
    """A new batch, and the shipments left out of it with the reason."""

    batch: BatchView
    skipped: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        b = self.batch
        lines = [f"{b.number}: {len(b.totes)} shipments, {len(b.stops)} stops ({b.grouped_by})"]
        lines += [f"Left out: {number}: {why}" for number, why in self.skipped]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "batch": self.batch.as_dict(),
            "skipped": [{"shipment": n, "reason": why} for n, why in self.skipped],
        }


@dataclass(frozen=True)
class StopPicked:
    """What picking a stop did: the stop as it stands, the task's completion, the next
    stop of the walk, and the batch's status."""

    batch: str
    status: str
    stop: BatchStop
    done: TaskDone
    next: BatchStop | None

    @property
    def text(self) -> str:
        moved = self.done.moves[0].qty if self.done.moves else 0
        parts = [f"Stop {self.stop.stop}: {moved} {self.stop.item} in {self.stop.tote}"]
        parts[0] += f" ({self.stop.shipment})"
        if self.stop.status == "short":
            parts.append(f"{self.stop.asked - self.stop.picked} short, a count is asked for")
        elif self.stop.status == "to pick":
            parts.append(f"{self.stop.qty} still to pick here")
        parts.append(f"Next: {self.next.text}" if self.next else f"{self.batch} {self.status}")
        return ". ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {
            "batch": self.batch,
            "status": self.status,
            "stop": self.stop.as_dict(),
            "done": self.done.as_dict(),
            "next": self.next.as_dict() if self.next else None,
        }


# --- finding a batch ---------------------------------------------------------------------


def batch_number(text: str) -> str:
    """The batch number as stored: 'B-000012' from 'B-12', 'b12' or '12'."""
    digits = str(text).strip().upper().removeprefix("B").removeprefix("-")
    if not digits.isdigit():
        raise NotFound(f"{text!r} is not a batch number (write it as B-000001)")
    return f"{BATCH_PREFIX}{int(digits):0{BATCH_DIGITS}d}"


def get_batch(number: str, *, lock: bool = False) -> PickBatch:
    query = PickBatch.select().where(PickBatch.number == batch_number(number))
    row = (query.for_update() if lock and is_postgres() else query).first()
    if row is None:
        raise NotFound(f"No batch {str(number).strip()}")
    return row


def _unfinished(batch: PickBatch) -> None:
    if batch.status not in UNFINISHED:
        raise Refused(f"{batch.number} is {batch.status}")


def _grouped_by(batch: PickBatch) -> str:
    parts = []
    if batch.carrier_id:
        parts.append(f"carrier {batch.carrier.code}")
    if batch.planned_date:
        parts.append(f"date {batch.planned_date.isoformat()}")
    if batch.zone_id:
        parts.append(f"zone {batch.zone.code}")
    if batch.chosen:
        parts.append("chosen shipments")
    return ", ".join(parts) or "all shipments to pick"


# --- the walk -----------------------------------------------------------------------------


class _Row(NamedTuple):
    """A task of the batch, with the codes its stop shows."""

    id: int
    status: str
    qty: int
    done_qty: int | None
    ref: str
    location_id: int
    location: str
    path: str
    item_id: int
    item: str
    unit: str
    lot_id: int | None
    lot: str | None
    holder: str | None


def _batch_tasks(batch: PickBatch) -> list[_Row]:
    query = (
        Task.select(
            Task.id,
            Task.status,
            Task.qty,
            Task.done_qty,
            Task.ref,
            Location.id,
            Location.code,
            Location.path,
            Item.id,
            Item.sku,
            Item.unit,
            Lot.id,
            Lot.number,
            User.name,
        )
        .join_from(Task, Location, on=(Task.from_location == Location.id))
        .join_from(Task, Item, on=(Task.item == Item.id))
        .join_from(Task, Lot, pw.JOIN.LEFT_OUTER, on=(Task.lot == Lot.id))
        .join_from(Task, User, pw.JOIN.LEFT_OUTER, on=(Task.taken_by == User.id))
        .where(Task.source == batch.source)
        .order_by(Task.id)
    )
    return [_Row(*row) for row in query.tuples()]


def _stop_of(n: int, tasks: list[_Row], tote: str) -> BatchStop:
    """Stop N from its tasks (the first, and the rests of a part picked), oldest first."""
    first, now = tasks[0], next((t for t in tasks if t.status not in FINISHED), tasks[-1])
    picked = sum(t.done_qty or 0 for t in tasks if t.status == "done")
    if now.status not in FINISHED:
        status, qty = "to pick", now.qty
    elif now.status == "done":
        status, qty = ("picked" if picked >= first.qty else "short"), first.qty
    else:
        status, qty = now.status, first.qty
    return BatchStop(
        n,
        first.location,
        first.item,
        first.unit,
        first.lot,
        qty,
        first.qty,
        picked,
        status,
        first.ref,
        tote,
        f"T-{now.id}",
        now.holder if now.status in HELD else None,
    )


def _walk(batch: PickBatch) -> list[BatchStop]:
    totes = {
        number: (position, tote)
        for number, position, tote in BatchShipment.select(
            Shipment.number, BatchShipment.position, BatchShipment.tote
        )
        .join(Shipment)
        .where(BatchShipment.batch == batch.id)
        .tuples()
    }
    stops: dict[tuple, list[_Row]] = {}
    for task in _batch_tasks(batch):
        key = (task.location_id, task.item_id, task.lot_id, task.ref)
        stops.setdefault(key, []).append(task)

    def order(tasks: list[_Row]) -> tuple:
        t = tasks[0]
        return (t.path, t.item, t.lot or "", totes[t.ref][0], t.id)

    walk = sorted(stops.values(), key=order)
    return [_stop_of(n, tasks, totes[tasks[0].ref][1]) for n, tasks in enumerate(walk, 1)]


def _view(batch: PickBatch) -> BatchView:
    rows = (
        BatchShipment.select(BatchShipment, Shipment)
        .join(Shipment)
        .where(BatchShipment.batch == batch.id)
        .order_by(BatchShipment.position)
    )
    return BatchView(
        batch.number,
        batch.status,
        _grouped_by(batch),
        batch.created_by.name if batch.created_by_id else None,
        batch.created_at,
        batch.taken_by.name if batch.taken_by_id else None,
        tuple((row.tote, row.shipment.number) for row in rows),
        tuple(_walk(batch)),
    )


def tote_for(source: str, shipment: str | None) -> str | None:
    """The tote a pick task of a batch (SOURCE 'batch:B-000001') goes into for its
    SHIPMENT, or None for a task that is not a batch's."""
    if not source.startswith("batch:") or shipment is None:
        return None
    row = (
        BatchShipment.select(BatchShipment.tote)
        .join(PickBatch)
        .switch(BatchShipment)
        .join(Shipment)
        .where((PickBatch.number == source.removeprefix("batch:")) & (Shipment.number == shipment))
        .first()
    )
    return row.tote if row else None


def batch_walk(number: str) -> list[BatchStop]:
    """The batch's stops in walking order, each naming its shipment and tote."""
    return _walk(get_batch(number))


def batch_detail(number: str) -> BatchView:
    """The batch NUMBER: how it was grouped, its totes and its walk."""
    return _view(get_batch(number))


def list_batches(status: str | None = None, limit: int = 100) -> list[BatchView]:
    """Batches, newest first; without STATUS the unfinished ones."""
    query = PickBatch.select().order_by(PickBatch.id.desc()).limit(limit)
    if status is None:
        query = query.where(PickBatch.status.in_(UNFINISHED))
    else:
        query = query.where(PickBatch.status == status)
    return [_view(batch) for batch in query]
