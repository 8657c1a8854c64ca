"""Purchase orders from a CSV file: one new order per value of the `order` column, all
of them or none.

Columns (a header row, in any order): order (the file's own key for the order; kept as
the supplier's reference), supplier (code or GLN), item (SKU or GTIN), qty (base units),
and optional expected (YYYY-MM-DD), pack, pack_qty, supplier_item.
"""

from __future__ import annotations

import csv
import io

from backroom.models.db import run_write
from backroom.models.errors import DomainError, Refused
from backroom.models.goods_in.orders import add_order_line, confirm_order, create_order
from backroom.models.rules.dates import optional_date

ORDER_COLUMNS = (
    "order",
    "supplier",
    "item",
    "qty",
    "expected",
    "pack",
    "pack_qty",
    "supplier_item",
)
REQUIRED = ("order", "supplier", "item", "qty")


def _whole(text: str, what: str, where: str) -> int:
    value = text.strip()
    if not value.isdigit() or int(value) <= 0:
        raise Refused(f"{where}: {what} must be a positive whole number, not {text!r}")
    return int(value)


def import_orders(text: str, *, user: str, confirm: bool = False) -> list[str]:
    """The orders in CSV TEXT, created (and confirmed with CONFIRM); their numbers."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise Refused(f"The order file lacks the column(s) {', '.join(missing)}")
    rows = [
        (n, {k: (v or "").strip() for k, v in row.items() if k}) for n, row in enumerate(reader, 2)
    ]
    if not rows:
        raise Refused("The order file has no rows")

    def _import() -> list[str]:
        numbers: dict[str, str] = {}
        for n, row in rows:
            where = f"Row {n}"
            try:
                key = row["order"]
                if key not in numbers:
                    numbers[key] = create_order(
                        row["supplier"],
                        user=user,
                        expected=optional_date(row.get("expected"), f"{where}: expected"),
                        supplier_reference=key or None,
                    )
                pack_qty = row.get("pack_qty") or ""
                add_order_line(
                    numbers[key],
                    row["item"],
                    _whole(row["qty"], "the quantity", where),
                    user=user,
                    pack_name=row.get("pack") or None,
                    pack_qty=_whole(pack_qty, "pack_qty", where) if pack_qty else None,
                    supplier_item=row.get("supplier_item") or None,
                )
            except DomainError as exc:
                text = str(exc)
                raise type(exc)(text if text.startswith("Row ") else f"{where}: {text}") from exc
        if confirm:
            for number in numbers.values():
                confirm_order(number, user=user)
        return list(numbers.values())

    return run_write(_import)
