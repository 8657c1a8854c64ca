"""Advance shipping notices: a supplier's despatch advice for one purchase order, its
pallets (or cases) by SSCC and what each holds. Announced from a CSV file or from a GS1
XML despatch advice (desadv.py); both come here as an AsnDraft.

CSV columns (a header row, in any order): asn, order, sscc, item, qty, and optional
lot, expiry (YYYY-MM-DD), line (the order's line number). ITEM is a SKU, a GTIN, or the
supplier's item code of an order line. One row per item and lot on a pallet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.goods_in.orders import get_order
from backroom.models.goods_in.receiving import PalletView, pallet_view
from backroom.models.masterdata.adding import get_item, log_event
from backroom.models.people.roles import acting
from backroom.models.rules.dates import optional_date
from backroom.models.rules.identifiers import parse_sscc, spaced_sscc
from backroom.models.rules.text import check_text
from backroom.models.rules.tracking import check_lot_given
from backroom.models.schema import Item
from backroom.models.schema.goods_in import (
    RECEIVABLE,
    Asn,
    AsnContent,
    AsnPallet,
    OrderLine,
    PurchaseOrder,
)
from backroom.models.schema.shipping import Parcel

CSV_COLUMNS = ("asn", "order", "sscc", "item", "qty", "lot", "expiry", "line")
REQUIRED = ("asn", "order", "sscc", "item", "qty")


@dataclass(frozen=True)
class AnnouncedLine:
    """One item (and lot) on one pallet, as the supplier announced it."""

    sscc: str
    item: str  # SKU, GTIN or the supplier's item code
    qty: int
    lot: str | None = None
    expiry: dt.date | None = None
    order_line: int | None = None
    where: str = ""  # "row 3", "logistic unit 2 line 1": for refusals


@dataclass(frozen=True)
class AsnDraft:
    """An ASN before it is stored: its number, the order, the expected day, the lines."""

    number: str
    order: str
    lines: tuple[AnnouncedLine, ...]
    expected: dt.date | None = None
    source: str = "csv"


def _item_of(order: PurchaseOrder, key: str, where: str) -> Item:
    """The item KEY names: a SKU, a GTIN, or a supplier's item code on the order."""
    try:
        return get_item(key)
    except NotFound:
        line = (
            OrderLine.select()
            .where((OrderLine.order == order) & (OrderLine.supplier_item == key.strip()))
            .first()
        )
        if line is None:
            raise NotFound(
                f"{where}: unknown item {key!r} (not a SKU, GTIN or supplier's code)"
            ) from None
        return line.item


def _order_line(order: PurchaseOrder, item: Item, number: int | None, where: str):
    if number is None:
        return (
            OrderLine.select()
            .where((OrderLine.order == order) & (OrderLine.item == item))
            .order_by(OrderLine.number)
            .first()
        )
    line = OrderLine.get_or_none((OrderLine.order == order) & (OrderLine.number == number))
    if line is None:
        raise Refused(f"{where}: purchase order {order.number} has no line {number}")
    if line.item_id != item.id:
        raise Refused(
            f"{where}: line {number} of {order.number} is {line.item.sku}, not {item.sku}"
        )
    return line


def _check_pallet_free(sscc: str, where: str) -> None:
    if AsnPallet.get_or_none(AsnPallet.sscc == sscc) is not None:
        raise Refused(f"{where}: pallet {spaced_sscc(sscc)} is already announced")
    if Parcel.get_or_none(Parcel.sscc == sscc) is not None:
        raise Refused(f"{where}: SSCC {spaced_sscc(sscc)} is one of our own parcels")


def announce(draft: AsnDraft, *, user: str) -> AsnView:
    """Store DRAFT as an ASN of its order; refused whole if any line is wrong."""
    check_text(draft.number, "The ASN number", max_length=64)
    if not draft.number.strip():
        raise Refused("The ASN has no number")
    if not draft.lines:
        raise Refused(f"ASN {draft.number} announces nothing")

    def _announce() -> AsnView:
        who = acting(user, "purchase")
        order = get_order(draft.order, lock=True)
        if order.status not in RECEIVABLE:
            raise Refused(f"Purchase order {order.number} is {order.status}: confirm it first")
        if Asn.get_or_none(Asn.number == draft.number.strip()) is not None:
            raise Refused(f"ASN {draft.number} was imported already")
        asn = Asn.create(
            number=draft.number.strip(),
            order=order,
            expected_date=draft.expected,
            source=draft.source,
        )
        pallets: dict[str, AsnPallet] = {}
        for a in draft.lines:
            if a.sscc not in pallets:
                _check_pallet_free(a.sscc, a.where)
                pallets[a.sscc] = AsnPallet.create(asn=asn, sscc=a.sscc)
            item = _item_of(order, a.item, a.where)
            if a.lot:
                check_lot_given(item, a.lot)
            elif item.tracking != "none":
                raise Refused(
                    f"{a.where}: item {item.sku} is {item.tracking}-tracked: give the lot"
                )
            AsnContent.create(
                pallet=pallets[a.sscc],
                item=item,
                lot=a.lot,
                expiry=a.expiry,
                qty=a.qty,
                line=_order_line(order, item, a.order_line, a.where),
            )
        log_event(
            "po.asn", order.number, who, asn=asn.number, pallets=len(pallets), source=draft.source
        )
        return asn_view(asn.number)

    return run_write(_announce)


def _whole(text: str, what: str, where: str) -> int:
    value = text.strip()
    if not value.isdigit() or int(value) <= 0:
        raise Refused(f"{where}: {what} must be a positive whole number, not {text!r}")
    return int(value)


def draft_from_csv(text: str) -> AsnDraft:
    """The ASN in a CSV file (CSV_COLUMNS); every row names the same ASN and order."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise Refused(f"The ASN file lacks the column(s) {', '.join(missing)}")
    lines, numbers = [], set()
    for n, row in enumerate(reader, 2):
        where = f"Row {n}"
        numbers.add(((row["asn"] or "").strip(), (row["order"] or "").strip()))
        line = (row.get("line") or "").strip()
        lines.append(
            AnnouncedLine(
                parse_sscc(row["sscc"] or ""),
                (row["item"] or "").strip(),
                _whole(row["qty"] or "", "the quantity", where),
                (row.get("lot") or "").strip() or None,
                optional_date((row.get("expiry") or "").strip() or None, f"{where}: expiry"),
                _whole(line, "the line", where) if line else None,
                where,
            )
        )
    if len(numbers) != 1:
        raise Refused("An ASN file holds one ASN of one order: every row names the same")
    number, order = numbers.pop()
    return AsnDraft(number, order, tuple(lines), source="csv")


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AsnView:
    """An ASN: its order, status and pallets."""

    number: str
    order: str
    status: str
    expected: dt.date | None
    source: str
    pallets: tuple[PalletView, ...]

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "number": self.number,
            "order": self.order,
            "status": self.status,
            "expected": self.expected.isoformat() if self.expected else None,
            "source": self.source,
            "pallets": [p.as_dict() for p in self.pallets],
        }


def get_asn(number: str) -> Asn:
    """The ASN with this number."""
    row = Asn.get_or_none(Asn.number == number.strip())
    if row is None:
        raise NotFound(f"No ASN {number.strip()}")
    return row


def asn_view(number: str) -> AsnView:
    """Everything about one ASN."""
    asn = get_asn(number)
    pallets = AsnPallet.select().where(AsnPallet.asn == asn).order_by(AsnPallet.id)
    return AsnView(
        asn.number,
        asn.order.number,
        asn.status,
        asn.expected_date,
        asn.source,
        tuple(pallet_view(p.sscc) for p in pallets),
    )
