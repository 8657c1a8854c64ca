"""Importing packaging levels: new levels are added, known ones left as they are; a level
whose quantity or GTIN differs from the file's is refused (remove it first, so that
nobody changes what a case holds by accident)."""

from __future__ import annotations

from backroom.models.data.importing.csv_rows import Problem, Record, _whole
from backroom.models.data.importing.plans import (
    ApplyCursor,
    ItemLookup,
    Planned,
    RowChecker,
    by_key,
)
from backroom.models.errors import DomainError, Refused
from backroom.models.masterdata.packaging import add_packaging, check_level
from backroom.models.rules.identifiers import normalize_gtin
from backroom.models.schema import Item
from backroom.models.schema.packaging import Packaging


def plan_packaging(records: list[Record], problems: list[Problem]) -> list[Planned]:
    """Check each packaging row against the items, their levels and the rows above it."""
    check = RowChecker(problems)
    items = ItemLookup(r.get("sku") for r in records)
    gtins = [_gtin_or_blank(r.get("gtin")) for r in records]
    item_gtins: dict[str, Item] = by_key(Item, Item.gtin, gtins)  # type: ignore[assignment]
    level_gtins: dict[str, Packaging] = by_key(Packaging, Packaging.gtin, gtins)  # type: ignore[assignment]
    planned = []
    for r in records:
        with check.row(r.line):
            item = items.get(r.get("sku"))
            qty = _whole(r.get("qty"), "Quantity")
            name, gtin = check_level(item, r.get("name"), qty, r.get("gtin") or None)
            check.once(("level", item.id, name), r.line, f"the {name} of {item.sku}")
            known = Packaging.get_or_none((Packaging.item == item) & (Packaging.name == name))
            if gtin:
                check.once(("gtin", gtin), r.line, f"GTIN {gtin}")
                _refuse_taken(gtin, item_gtins, level_gtins, known)
            planned.append(_plan_level(r.line, item, name, qty, gtin, known))
    return planned


def _gtin_or_blank(text: str) -> str:
    try:
        return normalize_gtin(text) if text else ""
    except DomainError:
        return ""  # the row's own check names it


def _refuse_taken(
    gtin: str, items: dict[str, Item], levels: dict[str, Packaging], known: Packaging | None
) -> None:
    if (owner := items.get(gtin)) is not None:
        raise Refused(f"GTIN {gtin} already belongs to item {owner.sku}")
    level = levels.get(gtin)
    if level is not None and (known is None or level.id != known.id):
        raise Refused(f"GTIN {gtin} already belongs to the {level.name} of item {level.item.sku}")


def _plan_level(
    line: int, item: Item, name: str, qty: int, gtin: str | None, known: Packaging | None
) -> Planned:
    key = f"{item.sku}/{name}"
    if known is None:
        return Planned(
            line, "create", key, {"item": item.sku, "name": name, "qty": qty, "gtin": gtin}
        )
    if (known.qty, known.gtin) == (qty, gtin):
        return Planned(line, "unchanged", key)
    raise Refused(
        f"Item {item.sku} already has a {name} of {known.qty}"
        f"{f' (GTIN {known.gtin})' if known.gtin else ''}: remove it first to change it"
    )


def apply_packaging(rows: list[Planned], who, cursor: ApplyCursor) -> None:
    """Add the planned levels. Call inside a write transaction."""
    for row in cursor.each(rows):
        if row.action == "create":
            data = row.data
            add_packaging(
                str(data["item"]),
                str(data["name"]),
                int(data["qty"]),  # type: ignore[call-overload]
                gtin=data["gtin"],  # type: ignore[arg-type]
                by=who,
            )
