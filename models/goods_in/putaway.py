"""Directed put-away: which bin received stock should go to, and the bin it went to.

The suggestion follows the first rule that gives a bin with room, in this order:
a lot on hold goes to quarantine; an item with a fixed pick face goes there; a lot goes
next to itself (a bin that holds it already); the item's rules, then its category's,
send it to a zone (the nearest empty bin in it) or a bin; else the nearest empty bin by
location path. A location's capacity (units, pallets) is never exceeded. The person
scans the bin actually used; when it is not the suggested one, the override goes to
the event log with the move.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import peewee as pw

from backroom.models.db import run_write
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import get_item, get_location, log_event, lot_or_none
from backroom.models.masterdata.packaging import levels_of
from backroom.models.people.roles import acting, require
from backroom.models.schema import Item, Location, Lot, Quant, User
from backroom.models.schema.putaway import ItemCategory, LocationCapacity, PutawayRule
from backroom.models.stock.ledger import PostedMove
from backroom.models.stock.operations import transfer

PALLET_NAMES = ("pallet", "pal", "plt")  # the packaging level that is one pallet
CANDIDATES = 50  # empty bins looked at per level of the location tree
NOT_STORAGE = ("DISPATCH",)  # internal, but never a put-away bin


@dataclass(frozen=True)
class Suggestion:
    """Where to put the stock, and why, in words for the handheld."""

    location: str
    reason: str

    @property
    def text(self) -> str:
        """'Put away to B-01-02 (same lot)'."""
        return f"Put away to {self.location} ({self.reason})"


@dataclass(frozen=True)
class PutAway:
    """A put-away posted: the move, the bin suggested, and whether it was overridden."""

    move: PostedMove
    suggested: Suggestion | None

    @property
    def overridden(self) -> bool:
        """The bin used is not the one suggested."""
        return self.suggested is not None and self.suggested.location != self.move.to_location

    def sentence(self) -> str:
        """The move, and the override when there was one."""
        said = self.move.sentence()
        if self.overridden and self.suggested is not None:
            said += f"; {self.suggested.location} was suggested: override recorded"
        return said


# --- master data: categories, rules, capacities ----------------------------------------


def set_category(item_key: str, category: str, *, by: User | None = None) -> None:
    """Put item ITEM_KEY in CATEGORY (empty: in none)."""
    require(by, "item.edit")
    name = category.strip().lower()
    if len(name) > 64:
        raise Refused("A category name has at most 64 characters")

    def _set() -> None:
        item = get_item(item_key)
        ItemCategory.delete().where(ItemCategory.item == item).execute()
        if name:
            ItemCategory.create(item=item, category=name)
        log_event("item.category", item.sku, by, category=name or None)

    run_write(_set)


def add_rule(
    target: str,
    *,
    item: str | None = None,
    category: str | None = None,
    pick_face: bool = False,
    sequence: int = 10,
    by: User | None = None,
) -> PutawayRule:
    """A rule: ITEM (or CATEGORY) goes to location TARGET, a zone or a bin; with
    PICK_FACE, TARGET is the item's fixed pick face."""
    require(by, "location.add")
    if (item is None) == (category is None):
        raise Refused("A put-away rule names an item or a category, not both")
    if pick_face and item is None:
        raise Refused("A pick face belongs to one item: name the item")

    def _add() -> PutawayRule:
        where = get_location(target)
        if not where.is_internal or where.quarantine:
            raise Refused(f"{where.code} is not a storage location")
        if pick_face and _children(where):
            raise Refused(f"A pick face is one bin; {where.code} has locations under it")
        row = PutawayRule.create(
            item=get_item(item) if item else None,
            category=category.strip().lower() if category else None,
            location=where,
            kind="pick_face" if pick_face else "zone",
            sequence=sequence,
        )
        subject = item or f"category {row.category}"
        log_event("putaway.rule", subject, by, location=where.code, kind=row.kind)
        return row

    return run_write(_add)


def set_capacity(
    location: str,
    *,
    max_units: int | None = None,
    max_pallets: int | None = None,
    by: User | None = None,
) -> None:
    """LOCATION holds at most MAX_UNITS base units and MAX_PALLETS pallets (None: no limit)."""
    require(by, "location.add")
    for limit in (max_units, max_pallets):
        if limit is not None and limit < 1:
            raise Refused("A capacity is a whole number of at least 1")

    def _set() -> None:
        where = get_location(location)
        LocationCapacity.delete().where(LocationCapacity.location == where).execute()
        if max_units is not None or max_pallets is not None:
            LocationCapacity.create(location=where, max_units=max_units, max_pallets=max_pallets)
        log_event("location.capacity", where.code, by, units=max_units, pallets=max_pallets)

    run_write(_set)


@dataclass(frozen=True)
class RuleLine:
    """A put-away rule as the command line lists it."""

    sequence: int
    item: str | None
    category: str | None
    kind: str
    location: str

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return asdict(self)


def list_rules() -> list[RuleLine]:
    """Every put-away rule, items' before categories', each by sequence."""
    rows = (
        PutawayRule.select(PutawayRule, Location, Item)
        .join(Location)
        .switch(PutawayRule)
        .join(Item, pw.JOIN.LEFT_OUTER)
        .order_by(PutawayRule.item.is_null(), PutawayRule.sequence, PutawayRule.id)
    )
    return [
        RuleLine(r.sequence, r.item.sku if r.item_id else None, r.category, r.kind, r.location.code)
        for r in rows
    ]


# --- capacity ------------------------------------------------------------------------


def pallets(item: Item, qty: int) -> int:
    """How many pallets QTY of ITEM makes: by its pallet level, else one pallet."""
    per = next((lv.qty for lv in levels_of(item) if lv.name in PALLET_NAMES), None)
    if per is None or qty <= 0:
        return 1 if qty > 0 else 0
    return -(-qty // per)


def room_problem(where: Location, item: Item, qty: int) -> str | None:
    """Why QTY of ITEM does not fit at WHERE (its capacity), or None when it does."""
    cap = LocationCapacity.get_or_none(LocationCapacity.location == where)
    if cap is None:
        return None
    held = list(
        Quant.select(Quant, Item).join(Item).where((Quant.location == where) & (Quant.qty > 0))
    )
    units = sum(q.qty for q in held)
    if cap.max_units is not None and units + qty > cap.max_units:
        return f"{where.code} holds at most {cap.max_units} units and has {units}"
    if cap.max_pallets is not None:
        count = sum(pallets(q.item, q.qty) for q in held) + pallets(item, qty)
        if count > cap.max_pallets:
            pallet = "pallet" if cap.max_pallets == 1 else "pallets"
            return f"{where.code} holds at most {cap.max_pallets} {pallet}"
    return None


def refuse_no_room(qty: int, item_key: str, location: str) -> None:
    """Refuse putting QTY of ITEM_KEY at LOCATION when its capacity has no room."""
    problem = room_problem(get_location(location), get_item(item_key), qty)
    if problem:
        raise Refused(f"{problem}: put it elsewhere")


# --- the suggestion --------------------------------------------------------------------


def suggest(item_key: str, qty: int, lot: str | None = None, src: str | None = None):
    """Where QTY of ITEM_KEY (LOT) from SRC should go: a Suggestion, or None when no
    rule or empty bin has room."""
    item = get_item(item_key)
    the_lot = lot_or_none(item, lot) if lot else None
    source = get_location(src) if src else None
    qty = max(qty, 1)
    if the_lot is not None and the_lot.status != "released":
        return _quarantine(item, the_lot, qty)
    for rule in _rules(item, "pick_face"):
        if room_problem(rule.location, item, qty) is None:
            return Suggestion(rule.location.code, "pick face")
    if the_lot is not None and (found := _next_to_itself(item, the_lot, qty, source)):
        return found
    for rule in _rules(item, "zone"):
        bin_ = _bin_in(rule.location, item, qty, source)
        if bin_ is not None:
            why = f"rule for {item.sku}" if rule.item_id else f"rule for {rule.category}"
            return Suggestion(bin_.code, why)
    near = _nearest_empty(item, qty, source)
    return Suggestion(near.code, "nearest empty bin") if near else None


def _rules(item: Item, kind: str) -> list[PutawayRule]:
    """ITEM's rules of KIND, then its category's, each by sequence."""
    category = ItemCategory.get_or_none(ItemCategory.item == item)
    match = PutawayRule.item == item
    if category is not None:
        match |= PutawayRule.category == category.category
    rows = (
        PutawayRule.select(PutawayRule, Location)
        .join(Location)
        .where(match & (PutawayRule.kind == kind) & Location.active)
        .order_by(PutawayRule.item.is_null(), PutawayRule.sequence, PutawayRule.id)
    )
    return list(rows)


def _quarantine(item: Item, lot: Lot, qty: int) -> Suggestion | None:
    """A lot on hold: the quarantine location holding it already, else the first with room."""
    places = Location.select().where(Location.quarantine & Location.active).order_by(Location.path)
    ordered = sorted(places, key=lambda loc: not _holds(loc, item, lot))
    for where in ordered:
        if room_problem(where, item, qty) is None:
            return Suggestion(where.code, f"lot {lot.number} is {lot.status}: quarantine")
    return None


def _next_to_itself(item: Item, lot: Lot, qty: int, source: Location | None) -> Suggestion | None:
    """A storage bin already holding LOT, with room for QTY more."""
    rows = (
        Location.select()
        .join(Quant, on=(Quant.location == Location.id))
        .where(
            (Quant.item == item) & (Quant.lot_key == lot.id) & (Quant.qty > 0),
            _storage(),
        )
        .order_by(Location.path)
    )
    for where in rows:
        if (source is None or where.id != source.id) and room_problem(where, item, qty) is None:
            return Suggestion(where.code, "same lot")
    return None


def _bin_in(zone: Location, item: Item, qty: int, source: Location | None) -> Location | None:
    """ZONE itself when it is a bin with room; else the nearest empty bin under it."""
    if not _children(zone):
        return zone if room_problem(zone, item, qty) is None else None
    return _first_empty(Location.under(zone), item, qty, source)


def _nearest_empty(item: Item, qty: int, source: Location | None) -> Location | None:
    """The empty bin nearest by path to where the item is kept (else to SOURCE): under
    the closest common parent first, then anywhere."""
    anchor = _where_kept(item) or source
    for top in _ancestors(anchor):
        if (found := _first_empty(Location.under(top), item, qty, source)) is not None:
            return found
    return _first_empty(None, item, qty, source)


def _first_empty(
    under: pw.Expression | None, item: Item, qty: int, source: Location | None
) -> Location | None:
    """The first empty storage bin (in walking order) that QTY of ITEM fits in."""
    parents = Location.select(Location.parent).where(Location.parent.is_null(False))
    occupied = Quant.select(Quant.location).where(Quant.qty != 0)
    where = _storage() & Location.id.not_in(parents) & Location.id.not_in(occupied)
    if under is not None:
        where &= under
    if source is not None:
        where &= Location.id != source.id
    for bin_ in Location.select().where(where).order_by(Location.path).limit(CANDIDATES):
        if room_problem(bin_, item, qty) is None:
            return bin_
    return None


def _storage() -> pw.Expression:
    """Active internal locations where stock is stored: not quarantine, not dispatch."""
    return (
        (Location.kind == "internal")
        & Location.active
        & ~Location.quarantine
        & Location.code.not_in(NOT_STORAGE)
    )


def _where_kept(item: Item) -> Location | None:
    """A storage bin holding ITEM already, the first in walking order."""
    return (
        Location.select()
        .join(Quant, on=(Quant.location == Location.id))
        .where((Quant.item == item) & (Quant.qty > 0), _storage())
        .order_by(Location.path)
        .first()
    )


def _ancestors(where: Location | None) -> list[Location]:
    """WHERE's parent, its parent, ... up to the top of the tree."""
    found: list[Location] = []
    node = where.parent if where is not None else None
    while node is not None:
        found.append(node)
        node = node.parent
    return found


def _children(where: Location) -> bool:
    return Location.select().where(Location.parent == where).exists()


def _holds(where: Location, item: Item, lot: Lot) -> bool:
    return (
        Quant.select()
        .where((Quant.location == where) & (Quant.item == item) & (Quant.lot_key == lot.id))
        .where(Quant.qty > 0)
        .exists()
    )


# --- posting -------------------------------------------------------------------------


def put_away(
    item: str, qty: int, src: str, dst: str, *, user: str, lot: str | None = None
) -> PutAway:
    """Move QTY of ITEM (LOT) from SRC to the bin DST the person scanned, refused when it
    has no room; when DST is not the suggested bin, the override is in the event log."""

    def _put() -> PutAway:
        who = acting(user, "transfer")
        suggested = suggest(item, qty, lot, src)
        refuse_no_room(qty, item, dst)
        move = transfer(item, qty, src, dst, user=user, lot=lot)
        done = PutAway(move, suggested)
        if done.overridden and suggested is not None:
            log_event(
                "putaway.override",
                move.item,
                who,
                move=move.id,
                lot=lot,
                suggested=suggested.location,
                reason=suggested.reason,
                used=move.to_location,
            )
        return done

    return run_write(_put)
