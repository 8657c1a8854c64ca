"""Packaging levels: an item's inner packs, cases and pallets, each a whole number of its
base unit and optionally a GTIN of its own. A scan of a level's GTIN means that many base
units; quantities are shown in levels ("5 cs + 3 pcs (63 pcs)") and typed in them too.
The ledger never sees a level: every quantity that reaches it is in base units."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import get_item, log_event
from backroom.models.people.roles import require
from backroom.models.rules.identifiers import normalize_gtin
from backroom.models.schema import Item, User
from backroom.models.schema.packaging import Packaging

NAME_RE = re.compile(r"[a-z][a-z0-9_-]{0,15}")
LEVEL_MOST = 9_999_999  # base units in one level, as many as a typed quantity may be
QUANTITY_MOST = 9_999_999  # a quantity typed in levels, as a typed number
PART_RE = re.compile(r"(\d{1,7})\s*([A-Za-z][\w-]*)?")
TOTAL_RE = re.compile(r"\(\s*([+-]?\d{1,9})\s*([A-Za-z][\w-]*)?\s*\)")


@dataclass(frozen=True)
class PackLevel:
    """One packaging level of an item: NAME holds QTY base units; its GTIN-14 if any."""

    name: str
    qty: int
    gtin: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return asdict(self)


def _level(row: Packaging) -> PackLevel:
    return PackLevel(row.name, row.qty, row.gtin)


def levels_of(item: Item | int) -> list[PackLevel]:
    """ITEM's packaging levels, the largest first."""
    rows = Packaging.select().where(Packaging.item == item).order_by(-Packaging.qty, Packaging.name)
    return [_level(row) for row in rows]


def level_by_gtin(gtin: str) -> tuple[Item, PackLevel] | None:
    """The item and level whose GTIN this is (any GTIN form), or None."""
    row = Packaging.select(Packaging, Item).join(Item).where(Packaging.gtin == gtin.zfill(14))
    found = row.first()
    return (found.item, _level(found)) if found else None


def gtin_on_a_level(gtin: str) -> str | None:
    """Why GTIN (14 digits) cannot go on an item: a packaging level carries it."""
    found = level_by_gtin(gtin)
    if found is None:
        return None
    item, level = found
    return f"GTIN {gtin} already belongs to the {level.name} of {level.qty} of item {item.sku}"


# --- changing levels ---------------------------------------------------------------------


def check_level(item: Item, name: str, qty: int, gtin: str | None) -> tuple[str, str | None]:
    """The level's name (lower case) and GTIN-14, or a Refused naming what is wrong."""
    name = name.strip().lower()
    if not NAME_RE.fullmatch(name):
        raise Refused(
            f"Packaging name {name!r} must be 1 to 16 letters, digits, '-' or '_', "
            "starting with a letter (cs, inner, pallet)"
        )
    if name == item.unit.strip().lower():
        raise Refused(f"{name!r} is the base unit of item {item.sku}: name the level otherwise")
    if not 1 <= qty <= LEVEL_MOST:
        raise Refused(f"A {name} must hold a whole number of {item.unit}, 1 to {LEVEL_MOST:,}")
    return name, normalize_gtin(gtin) if gtin else None


def add_packaging(
    item_key: str, name: str, qty: int, *, gtin: str | None = None, by: User | None = None
) -> PackLevel:
    """A new packaging level of item ITEM_KEY (SKU or GTIN); refuses a name the item has
    or a GTIN that any item or level carries."""
    require(by, "item.edit")

    def _add() -> PackLevel:
        item = get_item(item_key)
        level_name, level_gtin = check_level(item, name, qty, gtin)
        known = Packaging.get_or_none((Packaging.item == item) & (Packaging.name == level_name))
        if known is not None:
            raise Refused(
                f"Item {item.sku} already has a {level_name} of {known.qty}: "
                f"remove it first to change it"
            )
        if level_gtin:
            _refuse_taken_gtin(level_gtin)
        row = Packaging.create(item=item, name=level_name, qty=qty, gtin=level_gtin)
        log_event("item.pack", item.sku, by, name=level_name, qty=qty, gtin=level_gtin)
        return _level(row)

    return run_write(_add)


def _refuse_taken_gtin(gtin: str) -> None:
    owner = Item.get_or_none(Item.gtin == gtin)
    if owner is not None:
        raise Refused(f"GTIN {gtin} already belongs to item {owner.sku}")
    if problem := gtin_on_a_level(gtin):
        raise Refused(problem)


def remove_packaging(item_key: str, name: str, *, by: User | None = None) -> PackLevel:
    """Remove level NAME of item ITEM_KEY. The ledger keeps its base units, so nothing
    posted changes; its GTIN no longer scans."""
    require(by, "item.edit")

    def _remove() -> PackLevel:
        item = get_item(item_key)
        level_name = name.strip().lower()
        row = Packaging.get_or_none((Packaging.item == item) & (Packaging.name == level_name))
        if row is None:
            raise NotFound(f"Item {item.sku} has no packaging level {level_name!r}")
        level = _level(row)
        Packaging.delete().where(Packaging.id == row.id).execute()
        log_event("item.unpack", item.sku, by, name=level.name, qty=level.qty, gtin=level.gtin)
        return level

    return run_write(_remove)


# --- quantities in levels ----------------------------------------------------------------


def in_levels(qty: int, levels: list[PackLevel], unit: str) -> str:
    """QTY base units in words: '5 cs + 3 pcs (63 pcs)'; '63 pcs' when no level fits."""
    rest = abs(qty)
    parts = []
    for level in sorted(levels, key=lambda lv: -lv.qty):
        if level.qty > 1 and rest >= level.qty:
            parts.append(f"{rest // level.qty} {level.name}")
            rest %= level.qty
    sign = "-" if qty < 0 else ""
    if not parts:
        return f"{qty} {unit}"
    if rest:
        parts.append(f"{rest} {unit}")
    return f"{sign}{' + '.join(parts)} ({qty} {unit})"


def shown_quantity(item: Item | str, qty: int) -> str:
    """QTY of ITEM (a row or a SKU) as the quantity field shows it: in levels when the
    item has any that fit, else the plain number."""
    row = item if isinstance(item, Item) else get_item(item)
    levels = levels_of(row)
    if not any(level.qty > 1 and abs(qty) >= level.qty for level in levels):
        return str(qty)
    return in_levels(qty, levels, row.unit)


def read_in_levels(text: str, item: Item | str) -> int | None:
    """TEXT ('5 cs + 3', '2 pallet', '-1 cs', '5 cs + 3 pcs (63 pcs)') in base units of
    ITEM, signed as typed; None when TEXT is not a quantity in levels at all; Refused when
    it names a level the item lacks, or its total in brackets is not what it adds up to."""
    text = text.strip()
    sign = -1 if text.startswith("-") else 1
    body = text[1:] if text[:1] in "+-" else text
    total_match = TOTAL_RE.search(body)
    if total_match and body[total_match.end() :].strip():
        return None
    parts = body[: total_match.start()] if total_match else body
    matches = [PART_RE.fullmatch(piece.strip()) for piece in parts.split("+")]
    found = [m for m in matches if m is not None]
    if len(found) < len(matches) or not any(m.group(2) for m in found):
        return None
    row = item if isinstance(item, Item) else get_item(item)
    by_name = {level.name: level.qty for level in levels_of(row)}
    by_name[row.unit.strip().lower()] = 1
    total = 0
    for match in found:
        count, name = int(match.group(1)), (match.group(2) or row.unit).lower()
        if name not in by_name:
            raise Refused(f"Item {row.sku} has no packaging level {name!r}{_known(by_name)}")
        total += count * by_name[name]
    said = parts.strip()
    if total > QUANTITY_MOST:
        raise Refused(f"{said} is {total:,} {row.unit}: at most {QUANTITY_MOST:,}")
    if total_match and int(total_match.group(1)) != sign * total:
        raise Refused(f"{said} is {total} {row.unit}, not {total_match.group(1).lstrip('+-')}")
    return sign * total


def looks_in_levels(text: str) -> bool:
    """TEXT is shaped like a quantity in levels ('5 cs'), whatever the item."""
    return bool(re.fullmatch(r"[+-]?\s*\d{1,7}\s*[A-Za-z].*", text.strip()))


def _known(by_name: dict[str, int]) -> str:
    names = [f"{name} ({qty})" for name, qty in by_name.items()]
    return f": it has {', '.join(names)}"
