"""The checks a master-data form runs on each field as it is left: the rules of
models/rules/ in words short enough for under a field, and the look-ups that need the
database (is this SKU taken? whose GTIN is this?). The forms, like the CLI and the
importer, only ask; the rules themselves live in models/rules/."""

from __future__ import annotations

from collections.abc import Callable

from backroom.models.errors import DomainError
from backroom.models.masterdata.adding import (
    SHELF_LIFE_MOST,
    UNIT_MOST,
    get_item,
    lot_or_none,
    refuse_level_gtin,
)
from backroom.models.rules.dates import optional_date
from backroom.models.rules.identifiers import (
    check_location_code,
    check_sku,
    gtin_problem,
    is_digits,
    normalize_gtin,
)
from backroom.models.rules.text import NAME_MOST, REASON_MOST, check_text
from backroom.models.rules.tracking import check_takes_lots
from backroom.models.schema import LOCATION_KINDS, LOT_STATUSES, TRACKING, Item, Location

__all__ = ["LOCATION_KINDS", "LOT_STATUSES", "TRACKING"]

Check = Callable[[str], str | None]


def refusal(rule: Callable[..., object]) -> Check:
    """RULE as a field check: None when it passes (or nothing is typed), else its words."""

    def check(text: str) -> str | None:
        if not text.strip():
            return None
        try:
            rule(text)
        except DomainError as exc:
            return str(exc)
        return None

    return check


check_sku_field = refusal(check_sku)
check_location_field = refusal(check_location_code)


def _plain(field: str, most: int) -> Check:
    """A check that FIELD is one line of plain text of at most MOST characters."""
    return refusal(lambda text: check_text(text, field, max_length=most))


check_name_field = _plain("The name", NAME_MOST)
check_unit_field = _plain("The unit", UNIT_MOST)
check_supplier_lot_field = _plain("The supplier's lot number", 64)
check_reason_field = _plain("The reason", REASON_MOST)


def check_gtin(text: str) -> str | None:
    """A GTIN-8, 12, 13 or 14 whose check digit is right, or nothing."""
    return gtin_problem(text) or refusal(normalize_gtin)(text)


def check_days(text: str) -> str | None:
    """A positive whole number of days, or nothing."""
    text = text.strip()
    if text and (not is_digits(text) or not 0 < int(text) <= SHELF_LIFE_MOST):
        return f"A whole number of days, more than 0 and at most {SHELF_LIFE_MOST:,}"
    return None


def check_date(text: str) -> str | None:
    """A date as YYYY-MM-DD, or nothing."""
    try:
        optional_date(text)
    except DomainError:
        return "A date as YYYY-MM-DD, e.g. 2026-03-31"
    return None


def sku_taken(sku: str) -> str | None:
    """Why SKU cannot be a new item: it exists already."""
    if Item.select().where(Item.sku == sku.strip()).exists():
        return f"Item {sku.strip()} already exists"
    return None


def gtin_taken(gtin: str, sku: str | None) -> str | None:
    """Why GTIN cannot go on item SKU: another item carries it."""
    other = Item.get_or_none(Item.gtin == normalize_gtin(gtin))
    if other is not None and other.sku != sku:
        return f"This GTIN already belongs to item {other.sku}"
    return refusal(refuse_level_gtin)(normalize_gtin(gtin))


def location_taken(code: str) -> str | None:
    """Why CODE cannot be a new location: it exists already."""
    if Location.select().where(Location.code == code.strip()).exists():
        return f"Location {code.strip()} already exists"
    return None


def lot_item_problem(sku: str) -> str | None:
    """Why item SKU cannot have a new lot: it is not lot-tracked."""
    return refusal(lambda key: check_takes_lots(get_item(key)))(sku)


def lot_taken(sku: str, number: str) -> str | None:
    """Why NUMBER cannot be a new lot of item SKU: it has one of that number."""
    item = Item.get_or_none(Item.sku == sku)
    if item is not None and lot_or_none(item, number) is not None:
        return f"Lot {number} of item {item.sku} already exists"
    return None
