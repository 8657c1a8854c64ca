"""Importing items: new SKUs are added, known ones brought up to date."""

from __future__ import annotations

from collections.abc import Iterable

from backroom.models.data.importing.csv_rows import Problem, Record, _flag, _whole
from backroom.models.data.importing.plans import (
    KEY_CHUNK,
    ApplyCursor,
    Planned,
    RowChecker,
    by_key,
)
from backroom.models.errors import DomainError, Refused
from backroom.models.masterdata.adding import ItemSpec, add_item, check_item
from backroom.models.rules.identifiers import normalize_gtin
from backroom.models.schema import Item, Location, Lot, Move, Quant
from backroom.models.schema.packaging import Packaging


def _stock_of_items(item_ids: Iterable[int]) -> dict[int, int]:
    """Stock in internal locations per item id."""
    ids = sorted(set(item_ids))
    totals: dict[int, int] = {}
    for start in range(0, len(ids), KEY_CHUNK):
        chunk = ids[start : start + KEY_CHUNK]
        rows = (
            Quant.select(Quant.item, Quant.qty)
            .join(Location, on=(Quant.location == Location.id))
            .where(Quant.item.in_(chunk), Location.kind == "internal", Quant.qty != 0)
            .tuples()
        )
        for item_id, qty in rows:
            totals[item_id] = totals.get(item_id, 0) + qty
    return totals


def plan_items(records: list[Record], problems: list[Problem]) -> list[Planned]:
    """Check each item row against the items in the database and the rows above it."""
    check = RowChecker(problems)
    existing: dict[str, Item] = by_key(Item, Item.sku, (r.get("sku") for r in records))  # type: ignore[assignment]
    gtins = []
    for r in records:
        try:
            gtins.append(normalize_gtin(r.get("gtin")) if r.get("gtin") else "")
        except DomainError:
            gtins.append("")
    owners: dict[str, Item] = by_key(Item, Item.gtin, gtins)  # type: ignore[assignment]
    levels: dict[str, Packaging] = by_key(Packaging, Packaging.gtin, gtins)  # type: ignore[assignment]
    stock = _stock_of_items(item.id for item in existing.values())
    planned = []
    for r, gtin in zip(records, gtins, strict=True):
        with check.row(r.line):
            if (level := levels.get(gtin)) is not None:
                raise Refused(
                    f"GTIN {gtin} already belongs to the {level.name} of item {level.item.sku}"
                )
            planned.append(_plan_item(r, existing.get(r.get("sku")), owners, stock, check))
    return planned


def _plan_item(
    r: Record, item: Item | None, owners: dict[str, Item], stock: dict[int, int], check: RowChecker
) -> Planned:
    shelf = r.get("shelf_life_days")
    active = _flag(r.get("active"), "Active")

    def keep(name: str, default: object) -> object:
        return getattr(item, name) if item is not None else default

    spec = check_item(
        ItemSpec(
            r.get("sku"),
            r.get("name"),
            r.get("gtin") or keep("gtin", None),  # type: ignore[arg-type]
            r.get("unit") or keep("unit", "pcs"),  # type: ignore[arg-type]
            r.get("tracking").lower() or keep("tracking", "none"),  # type: ignore[arg-type]
            _whole(shelf, "Shelf life") if shelf else keep("shelf_life_days", None),  # type: ignore[arg-type]
        )
    )
    check.once(("sku", spec.sku), r.line, f"item {spec.sku}")
    if spec.gtin:
        check.once(("gtin", spec.gtin), r.line, f"GTIN {spec.gtin}")
        owner = owners.get(spec.gtin)
        if owner is not None and owner.sku != spec.sku:
            raise Refused(f"GTIN {spec.gtin} already belongs to item {owner.sku}")
    values: dict[str, object] = {
        "name": spec.name,
        "gtin": spec.gtin,
        "unit": spec.unit,
        "tracking": spec.tracking,
        "shelf_life_days": spec.shelf_life_days,
        "active": active if active is not None else keep("active", True),
    }
    if item is None:
        return Planned(r.line, "create", spec.sku, values)
    changes = {n: v for n, v in values.items() if getattr(item, n) != v}
    if not changes:
        return Planned(r.line, "unchanged", spec.sku)
    on_hand = stock.get(item.id, 0)
    if "tracking" in changes and on_hand:
        raise Refused(f"Item {item.sku} has {on_hand} {item.unit} in stock: its tracking stays")
    if {"unit", "tracking"} & set(changes) and Move.select().where(Move.item == item.id).exists():
        name = "unit" if "unit" in changes else "tracking"
        raise Refused(f"Item {item.sku} already has moves in the ledger; its {name} stays")
    if "tracking" in changes and Lot.select().where(Lot.item == item.id).exists():
        raise Refused(f"Item {item.sku} has lots; its tracking stays")
    if changes.get("active") is False and on_hand:
        raise Refused(f"Item {item.sku} still has {on_hand} {item.unit} in stock: it stays active")
    return Planned(r.line, "update", spec.sku, changes)


def apply_items(rows: list[Planned], who, cursor: ApplyCursor) -> None:
    """Add or update the planned items. Call inside a write transaction."""
    from backroom.models.masterdata.editing import update_item

    for row in cursor.each(rows):
        if row.action == "create":
            data = row.data
            add_item(
                ItemSpec(
                    row.key,
                    str(data["name"]),
                    data["gtin"],  # type: ignore[arg-type]
                    str(data["unit"]),
                    str(data["tracking"]),
                    data["shelf_life_days"],  # type: ignore[arg-type]
                ),
                by=who,
            )
            if data["active"] is False:
                update_item(row.key, by=who, active=False)
        elif row.action == "update":
            update_item(row.key, by=who, **row.data)
