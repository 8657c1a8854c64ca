"""Blind counts, and the counts held for a lead.

The counter is told what to count and where, never how many the books expect. A count
within the tolerance ([counting] variance_units or variance_percent) is posted at once
through the ledger's own count operation; one beyond it, or beyond the site's count
threshold for a counter who is not a lead ([roles] count_threshold), is held: nothing is
posted, and a recount is handed to the floor. A later count of the same spot replaces
the held one (a recount within tolerance posts and closes it).

A lead approving a held count posts exactly the counted quantity, through the same
count operation. If the books changed at that spot since the count (a pick, a move),
the count no longer says what is there now: the approval is refused and the lead
rejects it and has it counted again, so the ledger never takes a stale count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from backroom.models.config import CountingRules
from backroom.models.counting import counting_rules
from backroom.models.counting.plans import CountDue, hand_to_queue
from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import get_item, get_location, get_lot, log_event
from backroom.models.people.roles import acting, allowed, policy, require
from backroom.models.rules.dates import as_utc
from backroom.models.rules.text import REASON_MOST, check_optional_text
from backroom.models.schema import Item, Location, Lot, Quant, User, utcnow
from backroom.models.schema.counting import CountPlan, CountRecord, CountVariance, ItemClass
from backroom.models.stock.operations import MAX_QTY, count
from backroom.models.stock.requests import at_most_once


@dataclass(frozen=True)
class CountPrompt:
    """What the counter is shown: where, what, in which unit. No expected quantity."""

    location: str
    item: str
    name: str
    unit: str
    tracking: str
    text: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def count_prompt(location: str, item: str) -> CountPrompt:
    """The blind prompt for counting ITEM at LOCATION."""
    here = _internal(location)
    it = get_item(item)
    text = f"Count {it.sku} ({it.name}) at {here.code}, in {it.unit}"
    if it.tracking != "none":
        text += f"; count each {it.tracking} on its own"
    return CountPrompt(here.code, it.sku, it.name, it.unit, it.tracking, text)


@dataclass(frozen=True)
class CountOutcome:
    """What became of a count, as the counter hears it: posted, or held for a lead
    (then VARIANCE is its number). No expected quantity: counts stay blind."""

    location: str
    item: str | None
    lot: str | None
    counted: int
    posted: bool
    variance: int | None = None

    @property
    def text(self) -> str:
        if self.item is None:
            return f"{self.location} checked: empty"
        lot = f" lot {self.lot}" if self.lot else ""
        what = f"Count of {self.counted} {self.item}{lot} at {self.location}"
        if self.posted:
            return f"{what} recorded"
        return f"{what} held for a lead (variance {self.variance}); it will be counted again"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def within_tolerance(counted: int, expected: int, rules: CountingRules) -> bool:
    """True when COUNTED is off EXPECTED by at most the units or the percent allowed."""
    off = abs(counted - expected)
    return off <= rules.variance_units or off * 100 <= rules.variance_percent * expected


def _internal(code: str) -> Location:
    here = get_location(code)
    if not here.is_internal:
        raise Refused(f"{here.code} is a {here.kind} location, not a place in the warehouse")
    return here


def _on_books(item: Item, lot: Lot | None, here: Location) -> int:
    quant = Quant.get_or_none(
        (Quant.item == item.id)
        & (Quant.lot_key == (lot.id if lot else 0))
        & (Quant.location == here.id)
    )
    return quant.qty if quant else 0


def _lot_of(item: Item, lot: str | None) -> Lot | None:
    number = (lot or "").strip()
    if item.tracking != "none" and not number:
        raise Refused(f"Item {item.sku} is {item.tracking}-tracked: give the lot")
    if number and item.tracking == "none":
        raise Refused(f"Item {item.sku} is not tracked by lot: give no lot")
    return get_lot(item, number) if number else None


def _class_of(item: Item) -> str | None:
    row = ItemClass.get_or_none(ItemClass.item == item.id)
    return row.abc if row else None


def _close_held(here: Location, item: Item, lot: Lot | None, who: User, note: str) -> None:
    """A newer count of the spot replaces any held one there."""
    CountVariance.update(status="rejected", decided_by=who, decided_at=utcnow(), note=note).where(
        (CountVariance.location == here.id)
        & (CountVariance.item == item.id)
        & (CountVariance.lot == (lot.id if lot else None))
        & (CountVariance.status == "held")
    ).execute()


def record_count(
    location: str,
    item: str,
    lot: str | None,
    counted: int,
    user: str,
    *,
    plan: str | None = None,
    at: dt.datetime | None = None,
    request_id: str | None = None,
) -> CountOutcome:
    """Record USER's count of ITEM (LOT) at LOCATION: posted when within the tolerance,
    else held for a lead with nothing posted, and a recount handed to the floor."""
    if isinstance(counted, bool) or not isinstance(counted, int) or not 0 <= counted <= MAX_QTY:
        raise Refused(f"Counted quantity must be zero or a positive whole number, not {counted!r}")
    moment = as_utc(at) if at else utcnow()

    def _record() -> CountOutcome:
        who = acting(user, "count")
        here, it = _internal(location), get_item(item)
        the_lot = _lot_of(it, lot)
        plan_row = CountPlan.get_or_none(CountPlan.name == plan) if plan else None
        if plan and plan_row is None:
            raise NotFound(f"No count plan {plan!r}")
        expected = _on_books(it, the_lot, here)
        diff = counted - expected
        lot_no = the_lot.number if the_lot else None
        may_post = abs(diff) <= policy().count_threshold or allowed(who, "count.approve")
        spot = {"location": here, "item": it, "lot": the_lot, "expected": expected}
        spot |= {"counted": counted, "counted_by": who, "counted_at": moment, "plan": plan_row}
        spot["abc"] = _class_of(it)
        if may_post and within_tolerance(counted, expected, counting_rules()):
            result = count(it.sku, counted, here.code, user=who.name, lot=lot_no, at=moment)
            move = result.move.id if result.move else None
            CountRecord.create(**spot, within=True, move_id=move)
            _close_held(here, it, the_lot, who, f"counted again: {counted}, within tolerance")
            return CountOutcome(here.code, it.sku, lot_no, counted, True)
        _close_held(here, it, the_lot, who, "counted again: replaced by the newer count")
        variance = CountVariance.create(**spot)
        recount = CountDue(here.code, it.sku, "recount", moment.date(), plan, spot["abc"], lot_no)
        hand_to_queue(recount, who)
        return CountOutcome(here.code, it.sku, lot_no, counted, False, variance.id)

    asked = (location, item, lot, counted, plan, at)
    return at_most_once(request_id, "cycle.count", asked, user, _record)


def record_empty(
    location: str,
    user: str,
    *,
    plan: str | None = None,
    at: dt.datetime | None = None,
    request_id: str | None = None,
) -> CountOutcome:
    """Record that USER found bin LOCATION empty, as the books say it is. Where the books
    hold something there, each item is counted instead (0 for what is not found)."""
    moment = as_utc(at) if at else utcnow()

    def _record() -> CountOutcome:
        who = acting(user, "count")
        here = _internal(location)
        plan_row = CountPlan.get_or_none(CountPlan.name == plan) if plan else None
        if plan and plan_row is None:
            raise NotFound(f"No count plan {plan!r}")
        if Quant.select().where((Quant.location == here.id) & (Quant.qty > 0)).exists():
            raise Refused(
                f"The books hold stock at {here.code}: count each item there "
                "(0 for one that is not found)"
            )
        CountRecord.create(
            location=here,
            item=None,
            expected=0,
            counted=0,
            counted_by=who,
            counted_at=moment,
            plan=plan_row,
            within=True,
        )
        log_event("count.empty", here.code, who, plan=plan)
        return CountOutcome(here.code, None, None, 0, True)

    asked = (location, plan, at)
    return at_most_once(request_id, "cycle.empty", asked, user, _record)


# --- a lead's decision -------------------------------------------------------------------


@dataclass(frozen=True)
class HeldCount:
    """A held count as a lead sees it, expected quantity included."""

    id: int
    location: str
    item: str
    lot: str | None
    expected: int
    counted: int
    counted_by: str
    counted_at: dt.datetime
    status: str
    decided_by: str | None
    note: str | None
    move_id: int | None

    @property
    def difference(self) -> int:
        return self.counted - self.expected

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"difference": self.difference}


def _held_count(v: CountVariance) -> HeldCount:
    return HeldCount(
        v.id,
        v.location.code,
        v.item.sku,
        v.lot.number if v.lot_id else None,
        v.expected,
        v.counted,
        v.counted_by.name,
        v.counted_at,
        v.status,
        v.decided_by.name if v.decided_by_id else None,
        v.note,
        v.move_id,
    )


def list_variances(status: str | None = "held", *, by: User | None = None) -> list[HeldCount]:
    """The counts held for a lead (STATUS None: every one ever held), oldest first."""
    require(by, "count.approve")
    query = CountVariance.select().order_by(CountVariance.id)
    if status is not None:
        query = query.where(CountVariance.status == status)
    return [_held_count(v) for v in query]


def _held(variance_id: int) -> CountVariance:
    row = CountVariance.get_or_none(CountVariance.id == variance_id)
    if row is None:
        raise NotFound(f"No held count {variance_id}")
    if row.status != "held":
        raise Refused(f"Count {variance_id} was {row.status} already")
    return row


def approve(variance_id: int, *, user: str, request_id: str | None = None) -> HeldCount:
    """Post held count VARIANCE_ID as counted, by lead USER; refused when the books at
    that spot changed since the count (reject it and count again)."""

    def _approve() -> HeldCount:
        who = acting(user, "count.approve")
        held = _held(variance_id)
        lot = held.lot if held.lot_id else None
        now = _on_books(held.item, lot, held.location)
        if now != held.expected:
            raise Refused(
                f"Stock of {held.item.sku} at {held.location.code} changed since count "
                f"{variance_id} (the books said {held.expected}, now {now}): reject it "
                "and count again"
            )
        number = lot.number if lot else None
        result = count(held.item.sku, held.counted, held.location.code, user=who.name, lot=number)
        move = result.move.id if result.move else None
        CountVariance.update(
            status="approved", decided_by=who, decided_at=utcnow(), move_id=move
        ).where(CountVariance.id == held.id).execute()
        CountRecord.create(
            location=held.location,
            item=held.item,
            lot=lot,
            expected=held.expected,
            counted=held.counted,
            counted_by=held.counted_by,
            counted_at=held.counted_at,
            plan=held.plan,
            abc=held.abc,
            within=False,
            variance=held,
            move_id=move,
        )
        return _held_count(CountVariance.get_by_id(held.id))

    return at_most_once(request_id, "cycle.approve", (variance_id,), user, _approve)


def reject(
    variance_id: int, *, user: str, reason: str | None = None, request_id: str | None = None
) -> HeldCount:
    """Close held count VARIANCE_ID without posting it, by lead USER."""
    check_optional_text(reason, "The reason", max_length=min(REASON_MOST, 200))
    note = (reason or "").strip() or "rejected"

    def _reject() -> HeldCount:
        who = acting(user, "count.approve")
        held = _held(variance_id)
        CountVariance.update(
            status="rejected", decided_by=who, decided_at=utcnow(), note=note
        ).where(CountVariance.id == held.id).execute()
        log_event("count.rejected", f"{held.item.sku}@{held.location.code}", who, note=note)
        return _held_count(CountVariance.get_by_id(held.id))

    return at_most_once(request_id, "cycle.reject", (variance_id, reason), user, _reject)
