"""Replenishment of pick faces: when a pick face holds less than its minimum, stock is
brought from reserve up to its maximum.

What a face holds is its free stock: the quants of the item there less what is allocated
to shipments there (allocation reserves at the face itself). Reserve is the item's free
stock anywhere else that allocation could take it from (models/goods_out/free_stock.py
candidates: released, unexpired lots, earliest expiry first, then the oldest lot;
untracked stock oldest first; never quarantine or dispatch), but never another pick face.

The check runs when moves post (models/stock/ledger.py post calls on_moves_posted),
for the faces of the items that moved only. Each need found is handed to the task queue
through hand_to_queue; a face with a need still open gets no second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import peewee as pw

from backroom.models.db import db, run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.goods_out.free_stock import candidates
from backroom.models.masterdata.adding import get_item, get_location, log_event
from backroom.models.people.roles import require
from backroom.models.schema import Event, Item, Location, Quant, User
from backroom.models.schema.putaway import PutawayRule
from backroom.models.schema.replenishment import PickFace
from backroom.models.schema.shipping import Allocation

if TYPE_CHECKING:
    from backroom.models.stock.ledger import MoveSpec

NEEDED = "replenish.needed"
RESOLVED = "replenish.resolved"
MOST = 2**31 - 1  # the quantity columns are 32-bit integers on PostgreSQL
MANY_ITEMS = 500  # more items in one posting: read every face rather than name the items
# models/goods_out/dispatch.py DEFAULT_DISPATCH, never reserve; not imported from there:
# dispatch imports the posting code, and the ledger calls this module while it posts.
DISPATCH = "DISPATCH"


# --- values --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplenishmentNeed:
    """One replenishment: QTY of ITEM (LOT) from a reserve location to its pick face."""

    item: str
    lot: str | None
    expiry: dt.date | None
    from_location: str
    to_location: str
    qty: int
    why: str

    @property
    def text(self) -> str:
        """'Bring 40 PK-5004 lot L1 from B-02-01 to A-01-01'."""
        lot = f" lot {self.lot}" if self.lot else ""
        return f"Bring {self.qty} {self.item}{lot} from {self.from_location} to {self.to_location}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "item": self.item,
            "lot": self.lot,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "from": self.from_location,
            "to": self.to_location,
            "qty": self.qty,
            "why": self.why,
        }


@dataclass(frozen=True)
class Face:
    """A pick face with its levels and what it holds now."""

    item: str
    location: str
    unit: str
    min_qty: int
    max_qty: int
    on_hand: int = 0
    allocated: int = 0

    @property
    def free(self) -> int:
        """What the face holds that no shipment has been promised."""
        return self.on_hand - self.allocated

    @property
    def below_min(self) -> bool:
        return self.free < self.min_qty

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "item": self.item,
            "location": self.location,
            "unit": self.unit,
            "min": self.min_qty,
            "max": self.max_qty,
            "on_hand": self.on_hand,
            "allocated": self.allocated,
            "free": self.free,
        }


@dataclass(frozen=True)
class FaceBelowMin:
    """A face below its minimum: what it takes to fill it, and where that comes from."""

    face: Face
    to_bring: int
    needs: tuple[ReplenishmentNeed, ...]
    pending: bool = False  # a need for it is open already

    @property
    def found(self) -> int:
        return sum(n.qty for n in self.needs)

    @property
    def missing(self) -> int:
        """What no reserve holds."""
        return self.to_bring - self.found

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            **self.face.as_dict(),
            "to_bring": self.to_bring,
            "missing": self.missing,
            "pending": self.pending,
            "from": [n.as_dict() for n in self.needs],
        }


@dataclass(frozen=True)
class Replenishment:
    """Every face below its minimum, with the needs that would fill it."""

    faces: tuple[FaceBelowMin, ...] = field(default_factory=tuple)

    @property
    def needs(self) -> list[ReplenishmentNeed]:
        return [n for f in self.faces for n in f.needs]

    @property
    def no_reserve(self) -> list[FaceBelowMin]:
        """Faces below minimum that no reserve stock can fill, not even in part."""
        return [f for f in self.faces if not f.needs]

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "below_min": [f.as_dict() for f in self.faces],
            "no_reserve": [
                {"item": f.face.item, "location": f.face.location, "missing": f.missing}
                for f in self.no_reserve
            ],
        }


# --- pick faces: set, clear, list ------------------------------------------------------


def _check_levels(min_qty: int, max_qty: int) -> None:
    for name, value in (("minimum", min_qty), ("maximum", max_qty)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MOST:
            raise Refused(f"A pick face's {name} is a whole number of at least 0, not {value!r}")
    if min_qty >= max_qty:
        raise Refused(
            f"A pick face's minimum ({min_qty}) must be below its maximum ({max_qty}): "
            "it is filled up to the maximum once it falls below the minimum"
        )


def _check_face_location(where: Location) -> None:
    if not where.is_internal or where.quarantine or not where.active or where.code == DISPATCH:
        raise Refused(f"{where.code} is not a storage bin and cannot be a pick face")
    if Location.select().where(Location.parent == where).exists():
        raise Refused(f"A pick face is one bin; {where.code} has locations under it")


def set_face(
    item: str, location: str, *, min_qty: int, max_qty: int, by: User | None = None
) -> Face:
    """Make LOCATION the pick face of ITEM, kept between MIN_QTY and MAX_QTY base units
    (or change its levels). A face already below its minimum gets its need at once."""
    require(by, "replenish.manage")
    _check_levels(min_qty, max_qty)

    def _set() -> Face:
        it, where = get_item(item), get_location(location)
        _check_face_location(where)
        row = PickFace.get_or_none((PickFace.item == it) & (PickFace.location == where))
        if row is None:
            row = PickFace.create(item=it, location=where, min_qty=min_qty, max_qty=max_qty)
        else:
            row.min_qty, row.max_qty = min_qty, max_qty
            row.save()
        log_event("replenish.face", subject(it.sku, where.code), by, min=min_qty, max=max_qty)
        rows = _rows(PickFace.id == row.id)
        check_faces(rows, by=by)
        return _with_stock(rows)[0][1]

    return run_write(_set)


def clear_face(item: str, location: str, *, by: User | None = None) -> None:
    """LOCATION is no longer ITEM's pick face; an open need for it is closed."""
    require(by, "replenish.manage")

    def _clear() -> None:
        it, where = get_item(item), get_location(location)
        gone = (
            PickFace.delete().where((PickFace.item == it) & (PickFace.location == where)).execute()
        )
        if not gone:
            raise NotFound(f"{where.code} is not a pick face of {it.sku}")
        log_event("replenish.face", subject(it.sku, where.code), by, cleared=True)
        if already_pending(it, where):
            _resolve(it, where, by, "no longer a pick face")

    run_write(_clear)


def list_faces(item: str | None = None) -> list[Face]:
    """Every pick face (of ITEM), in walking order, with what it holds now."""
    where = PickFace.item == get_item(item) if item else None
    return [face for _row, face in _with_stock(_rows(where))]


def _rows(where: pw.Expression | None) -> list[PickFace]:
    """The pick faces WHERE says, with their items and locations, in walking order."""
    query = (
        PickFace.select(PickFace, Item, Location)
        .join(Item)
        .switch(PickFace)
        .join(Location)
        .order_by(Location.path, Item.sku)
    )
    return list(query if where is None else query.where(where))


def _with_stock(
    rows: list[PickFace], picked: dict[tuple[int, int], int] | None = None
) -> list[tuple[PickFace, Face]]:
    """ROWS with what each face holds: two queries however many there are. PICKED:
    units of picks posted just now, still counted in their allocations."""
    if not rows:
        return []
    on_hand = _sums(Quant, Quant.qty, rows)
    allocated = _sums(Allocation, Allocation.qty - Allocation.picked, rows)
    found = []
    for r in rows:
        key = (r.item_id, r.location_id)
        held = max(allocated.get(key, 0) - (picked or {}).get(key, 0), 0)
        face = Face(
            r.item.sku, r.location.code, r.item.unit, r.min_qty, r.max_qty,
            on_hand.get(key, 0), held,
        )  # fmt: skip
        found.append((r, face))
    return found


def _sums(model, amount, rows: list[PickFace]) -> dict[tuple[int, int], int]:
    """AMOUNT of MODEL (quants, open allocations) summed per (item, location) of ROWS."""
    items = sorted({r.item_id for r in rows})
    places = sorted({r.location_id for r in rows})
    wanted = {(r.item_id, r.location_id) for r in rows}
    where = amount > 0
    if len(items) <= MANY_ITEMS and len(places) <= MANY_ITEMS:
        where &= model.item.in_(items) & model.location.in_(places)
    query = (
        model.select(model.item, model.location, pw.fn.SUM(amount))
        .where(where)
        .group_by(model.item, model.location)
        .tuples()
    )
    return {(i, loc): int(q) for i, loc, q in query if (i, loc) in wanted}


# --- what the faces need ---------------------------------------------------------------


def needs(item: str | None = None, *, today: dt.date | None = None) -> Replenishment:
    """Every pick face (of ITEM) below its minimum, with the reserve stock (FEFO) that
    would fill it to its maximum; faces with no reserve are listed, not left out."""
    where = PickFace.item == get_item(item) if item else None
    day = today or dt.date.today()
    taken: dict[tuple[str, str | None, str], int] = {}
    found = []
    for row, face in _with_stock(_rows(where)):
        if not face.below_min:
            continue
        wanted = face.max_qty - face.free
        sources = _from_reserve(row, face, wanted, day, taken)
        found.append(FaceBelowMin(face, wanted, sources, already_pending(row.item, row.location)))
    return Replenishment(tuple(found))


def _from_reserve(
    row: PickFace,
    face: Face,
    wanted: int,
    today: dt.date,
    taken: dict[tuple[str, str | None, str], int],
) -> tuple[ReplenishmentNeed, ...]:
    """Up to WANTED units for FACE from reserve, FEFO; TAKEN: what other faces of the
    same run were given already (and is added to)."""
    faces = _pick_face_locations()
    why = (
        f"{face.location} has {face.free} {face.unit} free, below its minimum of "
        f"{face.min_qty}: filled to {face.max_qty}"
    )
    found: list[ReplenishmentNeed] = []
    for cand in candidates(row.item, today=today, dispatch=DISPATCH):
        if wanted <= 0:
            break
        if cand.location.id in faces:
            continue
        lot = cand.lot.number if cand.lot else None
        key = (face.item, lot, cand.location.code)
        qty = min(wanted, cand.free - taken.get(key, 0))
        if qty <= 0:
            continue
        taken[key] = taken.get(key, 0) + qty
        wanted -= qty
        expiry = cand.lot.expiry if cand.lot else None
        order = f"expires {expiry.isoformat()}, first" if expiry else "oldest stock first"
        found.append(
            ReplenishmentNeed(
                face.item, lot, expiry, cand.location.code, face.location, qty,
                f"{why} ({order})",
            )
        )  # fmt: skip
    return tuple(found)


def _pick_face_locations() -> set[int]:
    """Every location that is a pick face of some item: never reserve."""
    faces = PickFace.select(PickFace.location)
    rules = PutawayRule.select(PutawayRule.location).where(PutawayRule.kind == "pick_face")
    return {row[0] for row in faces.union(rules).tuples()}


# --- the check when moves post ----------------------------------------------------------


def on_moves_posted(moves: Sequence[MoveSpec], by: User | None = None) -> None:
    """Called by the ledger in the posting's transaction: the pick faces of the items
    that moved are checked, and a face now below its minimum is handed to the queue. A
    posting of items without pick faces costs one query."""
    if not _faces_table_here():
        return
    items = sorted({m.item.id for m in moves})
    if len(items) <= MANY_ITEMS:
        rows = _rows(PickFace.item.in_(items))
    else:  # a bulk posting (an import, the large demo): no statement with thousands of ids
        moved = set(items)
        rows = [r for r in _rows(None) if r.item_id in moved]
    if not rows:
        return
    # A pick is booked against its allocation after it posts: count it as booked.
    picked: dict[tuple[int, int], int] = {}
    arrived: set[tuple[int, int]] = set()
    for m in moves:
        if m.kind == "pick":
            key = (m.item.id, m.from_location.id)
            picked[key] = picked.get(key, 0) + m.qty
        arrived.add((m.item.id, m.to_location.id))
    check_faces(rows, by=by, picked=picked, arrived=arrived)


_has_table: set[tuple[str, str]] = set()


def _faces_table_here() -> bool:
    """False on a database held at a schema before pick faces (a migration's own test
    posts to one); asked once per database, not per posting."""
    key = (type(db.obj).__name__, str(db.obj.database))
    if key not in _has_table:
        if not db.table_exists(PickFace._meta.table_name):
            return False
        _has_table.add(key)
    return True


def check_faces(
    rows: list[PickFace],
    *,
    by: User | None = None,
    picked: dict[tuple[int, int], int] | None = None,
    arrived: set[tuple[int, int]] | None = None,
) -> None:
    """Hand each face of ROWS below its minimum to the queue, unless a need for it is
    open; close the open need of a face that stock came to (ARRIVED; None: any)."""
    taken: dict[tuple[str, str | None, str], int] = {}
    for row, face in _with_stock(rows, picked):
        if face.below_min:
            if not already_pending(row.item, row.location):
                wanted = face.max_qty - face.free
                for need in _from_reserve(row, face, wanted, dt.date.today(), taken):
                    hand_to_queue(need, by=by)
            continue
        came = arrived is None or (row.item_id, row.location_id) in arrived
        if came and already_pending(row.item, row.location):
            _resolve(row.item, row.location, by, f"holds {face.free} free")


def subject(item: str, location: str) -> str:
    """The event subject of a pick face: 'A-01-01 PK-5004' (a location code has no space)."""
    return f"{location} {item}"


def hand_to_queue(need: ReplenishmentNeed, *, by: User | None = None) -> None:
    """Give NEED to the task queue. Until the queue lands it is a `replenish.needed`
    event; at merge this becomes the creation of a replenish task."""
    detail = {k: v for k, v in need.as_dict().items() if k != "to"}
    log_event(NEEDED, subject(need.item, need.to_location), by, **detail)


def already_pending(item: Item, location: Location) -> bool:
    """True when the pick face of ITEM at LOCATION has a need still open: until the queue
    lands, a `replenish.needed` event not followed by a `replenish.resolved` one."""
    last = (
        Event.select(Event.kind)
        .where(
            (Event.subject == subject(item.sku, location.code)) & Event.kind.in_((NEEDED, RESOLVED))
        )
        .order_by(Event.id.desc())
        .first()
    )
    return last is not None and last.kind == NEEDED


def _resolve(item: Item, location: Location, by: User | None, why: str) -> None:
    log_event(RESOLVED, subject(item.sku, location.code), by, reason=why)
