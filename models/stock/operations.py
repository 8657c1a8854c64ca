"""Stock operations people perform: receive, transfer, adjust, count, scrap, reverse.

Each is one transaction that either fully happens or raises a DomainError and
writes nothing. Arguments are what a person types: SKU or GTIN, location code,
lot number; user is the Backroom user's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import add_lot, get_item, get_location, get_lot, log_event
from backroom.models.people.roles import acting, own_recent, require, require_count
from backroom.models.rules.dates import as_utc
from backroom.models.rules.text import REASON_MOST, check_optional_text
from backroom.models.rules.tracking import check_lot_given
from backroom.models.schema import Item, Location, Lot, Move, Quant, User
from backroom.models.stock.ledger import MoveSpec, PostedMove, lock_head, post
from backroom.models.stock.requests import at_most_once


def _lot_for(item: Item, lot: str | None) -> Lot | None:
    if lot is None or lot == "":
        return None
    check_lot_given(item, lot)
    return get_lot(item, lot)


def _virtual(kind: str) -> Location:
    loc = Location.select().where(Location.kind == kind).order_by(Location.id).first()
    if loc is None:
        raise NotFound(f"No {kind} location: run 'backroom init'")
    return loc


def _stored_time(at: dt.datetime | None) -> dt.datetime | None:
    """AT as the database keeps (and the ledger hashes) it: naive UTC.

    PostgreSQL drops the offset of an aware time, which would both shift the time
    and break the move's hash.
    """
    return None if at is None else as_utc(at)


# The quantity columns are 32-bit integers on PostgreSQL.
MAX_QTY = 2**31 - 1


def _check_qty(qty: int) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise Refused(f"Quantity must be a positive whole number, not {qty!r}")
    return _not_too_large(qty)


def _check_ref(ref: str | None) -> str | None:
    """A document reference as the ledger stores it: up to 64 characters, or none."""
    ref = (ref or "").strip() or None
    if ref is not None and len(ref) > 64:
        raise Refused(f"Reference {ref[:20]}... is longer than 64 characters")
    return ref


def _not_too_large(qty: int) -> int:
    if abs(qty) > MAX_QTY:
        raise Refused(f"Quantity {qty} is more than one move can hold (at most {MAX_QTY:,})")
    return qty


def receive(
    item: str,
    qty: int,
    to: str,
    *,
    user: str,
    lot: str | None = None,
    expiry: dt.date | None = None,
    supplier: str | None = None,
    supplier_lot: str | None = None,
    ref: str | None = None,
    at: dt.datetime | None = None,
    request_id: str | None = None,
) -> PostedMove:
    """Receive QTY of ITEM from a supplier into location TO; creates the lot if it is new."""
    at = _stored_time(at)
    _check_qty(qty)
    ref = _check_ref(ref)

    def _receive() -> PostedMove:
        # Take the ledger lock before looking the lot up: two PostgreSQL sessions
        # receiving the same new lot would otherwise both try to create it.
        lock_head()
        who = acting(user, "receive")
        it = get_item(item)
        dest = get_location(to)
        if not dest.is_internal:
            raise Refused(f"Receive into an internal location, not {dest.code} ({dest.kind})")
        src = get_location(supplier) if supplier else _virtual("supplier")
        if src.kind != "supplier":
            raise Refused(f"{src.code} is not a supplier location")
        the_lot = None
        if lot:
            check_lot_given(it, lot)
            the_lot = Lot.get_or_none((Lot.item == it) & (Lot.number == lot.strip()))
            if the_lot is None:
                the_lot = add_lot(
                    it,
                    lot,
                    expiry=expiry or _default_expiry(it, at),
                    supplier=src,
                    supplier_lot=supplier_lot,
                    by=who,
                )
            elif expiry and the_lot.expiry is None:
                # The first expiry given for a lot is kept rather than silently dropped.
                Lot.update(expiry=expiry).where(Lot.id == the_lot.id).execute()
                log_event("lot.expiry", f"{it.sku}/{the_lot.number}", who, expiry=expiry)
            elif expiry and the_lot.expiry != expiry:
                raise Refused(f"Lot {the_lot.number} has expiry {the_lot.expiry}, not {expiry}")
        spec = MoveSpec("receipt", it, qty, src, dest, the_lot, reference=ref)
        return post([spec], who, at)[0]

    asked = (item, qty, to, lot, expiry, supplier, supplier_lot, ref, at)
    return at_most_once(request_id, "receive", asked, user, _receive)


def _default_expiry(item: Item, at: dt.datetime | None) -> dt.date | None:
    if not item.shelf_life_days:
        return None
    day = (at or dt.datetime.now(dt.UTC)).date()
    return day + dt.timedelta(days=item.shelf_life_days)


def transfer(
    item: str,
    qty: int,
    src: str,
    dst: str,
    *,
    user: str,
    lot: str | None = None,
    ref: str | None = None,
    note: str | None = None,
    kind: str = "transfer",
    at: dt.datetime | None = None,
    request_id: str | None = None,
) -> PostedMove:
    """Move QTY of ITEM (and LOT) from location SRC to location DST."""
    at = _stored_time(at)
    _check_qty(qty)
    ref = _check_ref(ref)

    def _transfer() -> PostedMove:
        who = acting(user, "transfer")
        it = get_item(item)
        spec = MoveSpec(
            kind,
            it,
            qty,
            get_location(src),
            get_location(dst),
            _lot_for(it, lot),
            reference=ref,
            note=note,
            spare_reserved=True,
        )
        return post([spec], who, at)[0]

    asked = (item, qty, src, dst, lot, ref, note, at)
    return at_most_once(request_id, kind, asked, user, _transfer)


def _need_reason(reason: str | None) -> str:
    check_optional_text(reason, "The reason", max_length=REASON_MOST)
    if not reason or not reason.strip():
        raise Refused("Give a reason")
    return reason.strip()


def adjust(
    item: str,
    delta: int,
    at_location: str,
    *,
    user: str,
    reason: str,
    lot: str | None = None,
    at: dt.datetime | None = None,
    request_id: str | None = None,
) -> PostedMove:
    """Correct stock at a location by DELTA (signed) against the adjustment location."""
    at = _stored_time(at)
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise Refused(f"Adjustment must be a non-zero whole number such as -3 or +2, not {delta!r}")
    _not_too_large(delta)
    note = _need_reason(reason)

    def _adjust() -> PostedMove:
        who = acting(user, "adjust")
        it = get_item(item)
        here = _internal(at_location)
        adj = _virtual("adjustment")
        src, dst = (adj, here) if delta > 0 else (here, adj)
        spec = MoveSpec("adjust", it, abs(delta), src, dst, _lot_for(it, lot), note=note)
        return post([spec], who, at)[0]

    asked = (item, delta, at_location, reason, lot, at)
    return at_most_once(request_id, "adjust", asked, user, _adjust)


def _internal(code: str) -> Location:
    loc = get_location(code)
    if not loc.is_internal:
        raise Refused(f"{loc.code} is a {loc.kind} location, not a place in the warehouse")
    return loc


@dataclass(frozen=True)
class CountResult:
    """What a count found: the expected and counted quantity, and the move it posted."""

    item: str
    lot: str | None
    location: str
    expected: int
    counted: int
    move: PostedMove | None

    @property
    def difference(self) -> int:
        return self.counted - self.expected


def count(
    item: str,
    counted: int,
    at_location: str,
    *,
    user: str,
    lot: str | None = None,
    at: dt.datetime | None = None,
    request_id: str | None = None,
) -> CountResult:
    """Record a physical count; posts the difference from what the ledger expected."""
    at = _stored_time(at)
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise Refused(f"Counted quantity must be zero or a positive whole number, not {counted!r}")
    _not_too_large(counted)

    def _count() -> CountResult:
        who = acting(user, "count")
        it = get_item(item)
        here = _internal(at_location)
        the_lot = _lot_for(it, lot)
        if it.tracking != "none" and the_lot is None:
            raise Refused(f"Item {it.sku} is {it.tracking}-tracked: give the lot")
        quant = Quant.get_or_none(
            (Quant.item == it)
            & (Quant.lot_key == (the_lot.id if the_lot else 0))
            & (Quant.location == here)
        )
        expected = quant.qty if quant else 0
        diff = counted - expected
        require_count(who, diff)
        move = None
        if diff:
            adj = _virtual("adjustment")
            src, dst = (adj, here) if diff > 0 else (here, adj)
            spec = MoveSpec(
                "count",
                it,
                abs(diff),
                src,
                dst,
                the_lot,
                note=f"counted {counted}, expected {expected}",
            )
            move = post([spec], who, at)[0]
        else:
            log_event(
                "count", f"{it.sku}@{here.code}", who, lot=lot, counted=counted, expected=expected
            )
        return CountResult(it.sku, lot, here.code, expected, counted, move)

    asked = (item, counted, at_location, lot, at)
    return at_most_once(request_id, "count", asked, user, _count)


def scrap(
    item: str,
    qty: int,
    at_location: str,
    *,
    user: str,
    reason: str,
    lot: str | None = None,
    at: dt.datetime | None = None,
    request_id: str | None = None,
) -> PostedMove:
    """Write QTY off to scrap, with the reason."""
    at = _stored_time(at)
    _check_qty(qty)
    note = _need_reason(reason)

    def _scrap() -> PostedMove:
        who = acting(user, "scrap")
        it = get_item(item)
        spec = MoveSpec(
            "scrap",
            it,
            qty,
            _internal(at_location),
            _virtual("scrap"),
            _lot_for(it, lot),
            note=note,
            spare_reserved=True,
        )
        return post([spec], who, at)[0]

    asked = (item, qty, at_location, reason, lot, at)
    return at_most_once(request_id, "scrap", asked, user, _scrap)


def reverse(
    move_id: int, *, user: str, reason: str | None = None, request_id: str | None = None
) -> PostedMove:
    """Post the reversing move of MOVE_ID; a move is reversed at most once."""

    def _reverse() -> PostedMove:
        return reversal_of(move_id, acting(user, "reverse.own"), reason)

    asked = (move_id, reason)
    return at_most_once(request_id, "reversal", asked, user, _reverse)


def reversal_of(move_id: int, who: User, reason: str | None = None) -> PostedMove:
    """Post the reversing move of MOVE_ID by WHO inside the caller's write transaction
    (several reversals that stand or fall together: a whole pallet's receipt)."""
    orig = Move.get_or_none(Move.id == move_id)
    if orig is None:
        raise NotFound(f"No move {move_id}")
    if not own_recent(who, orig.user_id, orig.time):
        require(who, "reverse")
    if orig.kind == "reversal":
        raise Refused(f"Move {move_id} is itself a reversal; post a new move instead")
    # Shipments and transformations keep records of their own moves (allocations,
    # parcels, genealogy); reversing one move alone would leave those telling lies.
    if orig.kind in ("pick", "ship"):
        raise Refused(
            f"Move {move_id} belongs to shipment {orig.reference}: cancel the shipment "
            "or take the goods back as a return instead"
        )
    if orig.kind in ("consume", "produce"):
        raise Refused(
            f"Move {move_id} is part of transformation {orig.reference}: post a new "
            "transformation to correct it"
        )
    done = Move.get_or_none(Move.reverses == orig.id)
    if done is not None:
        raise Refused(f"Move {move_id} was already reversed by move {done.id}")
    # The ledger lets reversals of blocked lots through (back to the supplier is
    # fine), but undoing a move into quarantine must not put the lot on a shelf.
    back_to, lot = orig.from_location, orig.lot
    to_shelf = back_to.is_internal and not back_to.quarantine
    if lot and lot.status in ("blocked", "recalled") and to_shelf:
        what = f"Lot {lot.number} is {lot.status}"
        raise Refused(f"{what} and can only go to quarantine or scrap")
    spec = MoveSpec(
        "reversal",
        orig.item,
        orig.qty,
        orig.to_location,
        orig.from_location,
        orig.lot,
        reference=orig.reference,
        note=reason or None,
        reverses=orig.id,
    )
    posted = post([spec], who)[0]
    # A receipt against a purchase order: the order counts it no more (goods in).
    from backroom.models.goods_in.reversal import receipt_reversed

    receipt_reversed(orig.id, posted.id, who)
    return posted
