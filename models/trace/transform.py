"""Transformations: production, repack and kitting. Input lots are consumed into the
production location and output lots produced from it, in one transaction, and the
genealogy (which inputs, how much, into which outputs) is kept for the trace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import add_lot, get_item, get_location, get_lot, log_event
from backroom.models.people.roles import acting
from backroom.models.rules.text import REASON_MOST, REFERENCE_MOST, check_optional_text
from backroom.models.rules.tracking import check_lot_given
from backroom.models.schema import Item, Location, Lot, utcnow
from backroom.models.schema.genealogy import (
    TRANSFORMATION_KINDS,
    Transformation,
    TransformationLine,
)
from backroom.models.stock.ledger import MoveSpec, PostedMove, lock_head, post

NO_LOT = "-"  # what a person types for the lot of an untracked item


@dataclass(frozen=True)
class Line:
    """QTY of ITEM (and LOT) consumed or produced, as a person types it."""

    item: str
    lot: str | None
    qty: int


@dataclass(frozen=True)
class TransformResult:
    """A posted transformation: its number and the moves that consumed and produced."""

    id: int
    kind: str
    location: str
    reference: str | None
    consumed: tuple[PostedMove, ...]
    produced: tuple[PostedMove, ...]
    new_lots: tuple[str, ...]  # "SKU/LOT" of the lots this transformation created

    @property
    def number(self) -> str:
        """How the transformation is named on moves and screens."""
        return transformation_number(self.id)

    def as_dict(self) -> dict[str, object]:
        """The JSON form scripts rely on."""
        return {
            "transformation": self.id,
            "number": self.number,
            "kind": self.kind,
            "location": self.location,
            "reference": self.reference,
            "consumed": [m.as_dict() for m in self.consumed],
            "produced": [m.as_dict() for m in self.produced],
            "new_lots": list(self.new_lots),
        }


def transformation_number(tid: int) -> str:
    """The reference every move of transformation TID carries: TF-000042."""
    return f"TF-{tid:06d}"


def _lot_number(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return None if text in ("", NO_LOT) else text


def _check_lines(consume: Sequence[Line], produce: Sequence[Line]) -> None:
    if not consume:
        raise Refused("A transformation consumes at least one input: give --consume")
    if not produce:
        raise Refused("A transformation produces at least one output: give --produce")
    for line in (*consume, *produce):
        if isinstance(line.qty, bool) or not isinstance(line.qty, int) or line.qty <= 0:
            raise Refused(f"Quantity must be a positive whole number, not {line.qty!r}")
    ins = {(line.item.strip(), _lot_number(line.lot)) for line in consume}
    outs = {(line.item.strip(), _lot_number(line.lot)) for line in produce}
    both = sorted(f"{sku} lot {lot}" for sku, lot in ins & outs if lot)
    if both:
        raise Refused(f"{both[0]} cannot be both consumed and produced")


def _input_lot(item: Item, number: str | None) -> Lot | None:
    check_lot_given(item, number, missing="give the lot it consumes")
    if number is None:
        return None
    lot = get_lot(item, number)
    if lot.status == "quarantine":
        raise Refused(f"Lot {lot.number} of {item.sku} is in quarantine: release it before use")
    return lot


def _output_expiry(
    item: Item, inputs: Sequence[Lot | None], expiry: dt.date | None, day: dt.date
) -> dt.date | None:
    """Given, else the earliest input expiry, else the item's shelf life from DAY."""
    if expiry is not None:
        return expiry
    dates = [lot.expiry for lot in inputs if lot is not None and lot.expiry is not None]
    if dates:
        return min(dates)
    if item.shelf_life_days:
        return day + dt.timedelta(days=item.shelf_life_days)
    return None


def transform(
    at_location: str,
    consume: Sequence[Line],
    produce: Sequence[Line],
    *,
    user: str,
    kind: str = "production",
    expiry: dt.date | None = None,
    reference: str | None = None,
    note: str | None = None,
    at: dt.datetime | None = None,
) -> TransformResult:
    """Consume the input lines and produce the output lines at AT_LOCATION, in one
    transaction; new output lots are created (expiry: given, else the earliest input
    expiry, else the item's shelf life)."""
    if kind not in TRANSFORMATION_KINDS:
        raise Refused(
            f"Transformation kind {kind!r} is not one of {', '.join(TRANSFORMATION_KINDS)}"
        )
    _check_lines(consume, produce)
    return run_write(
        lambda: _post_transformation(
            at_location,
            consume,
            produce,
            user=user,
            kind=kind,
            expiry=expiry,
            reference=reference,
            note=note,
            at=at,
        )
    )


def _post_transformation(
    at_location: str,
    consume: Sequence[Line],
    produce: Sequence[Line],
    *,
    user: str,
    kind: str,
    expiry: dt.date | None,
    reference: str | None,
    note: str | None,
    at: dt.datetime | None,
) -> TransformResult:
    """The transformation inside the write transaction: input lots checked, output
    lots found or created, the moves posted and the genealogy lines kept."""
    # Lock the ledger before creating lots: two sessions producing the same new lot
    # would otherwise both try to create it.
    lock_head()
    check_optional_text(reference, "The reference", max_length=REFERENCE_MOST)
    check_optional_text(note, "The note", max_length=REASON_MOST)
    who = acting(user, "transform")
    here = get_location(at_location)
    if not here.is_internal:
        raise Refused(f"Transform at an internal location, not {here.code} ({here.kind})")
    production = _production()
    moment = at or utcnow()
    ins = [(get_item(line.item), line) for line in consume]
    in_lots = [_input_lot(item, _lot_number(line.lot)) for item, line in ins]
    header = Transformation.create(
        kind=kind,
        time=moment,
        user=who,
        location=here,
        reference=(reference or "").strip() or None,
        note=(note or "").strip() or None,
    )
    number = transformation_number(header.id)
    specs = [
        MoveSpec("consume", item, line.qty, here, production, lot, reference=number)
        for (item, line), lot in zip(ins, in_lots, strict=True)
    ]
    created: list[str] = []
    for line in produce:
        item = get_item(line.item)
        lot = _output_lot(item, _lot_number(line.lot), in_lots, expiry, moment, who, created)
        specs.append(MoveSpec("produce", item, line.qty, production, here, lot, reference=number))
    posted = post(specs, who, moment)
    _keep_genealogy(header, specs, posted)
    log_event("transformation", number, who, kind=kind, location=here.code)
    return TransformResult(
        header.id,
        kind,
        here.code,
        header.reference,
        tuple(m for m in posted if m.kind == "consume"),
        tuple(m for m in posted if m.kind == "produce"),
        tuple(created),
    )


def _keep_genealogy(
    header: Transformation, specs: Sequence[MoveSpec], posted: Sequence[PostedMove]
) -> None:
    """One transformation line per posted move: what went in, what came out."""
    for spec, move in zip(specs, posted, strict=True):
        TransformationLine.create(
            transformation=header,
            direction="in" if spec.kind == "consume" else "out",
            item=spec.item,
            lot=spec.lot,
            qty=spec.qty,
            move=move.id,
        )


def _production() -> Location:
    loc = Location.select().where(Location.kind == "production").order_by(Location.id).first()
    if loc is None:
        raise NotFound("No production location: run 'backroom init'")
    return loc


def _output_lot(
    item: Item,
    number: str | None,
    inputs: Sequence[Lot | None],
    expiry: dt.date | None,
    moment: dt.datetime,
    who,
    created: list[str],
) -> Lot | None:
    """The output lot NUMBER of ITEM: an existing one (more of a running lot) or a new one."""
    check_lot_given(item, number, missing="give the lot it produces")
    if number is None:
        return None
    lot = Lot.get_or_none((Lot.item == item) & (Lot.number == number))
    if lot is not None:
        if expiry is not None and lot.expiry != expiry:
            raise Refused(f"Lot {lot.number} of {item.sku} has expiry {lot.expiry}, not {expiry}")
        return lot
    lot = add_lot(
        item,
        number,
        expiry=_output_expiry(item, inputs, expiry, moment.date()),
        production_date=moment.date(),
        by=who,
    )
    created.append(f"{item.sku}/{lot.number}")
    return lot
