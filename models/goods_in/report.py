"""The receipt discrepancy report of a purchase order or an ASN: per line, what was
expected, received, over, short and damaged; and items nobody ordered. As text for a
screen (a Document, which labels/pdf_documents.py also prints as a PDF) and as CSV."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass

import peewee as pw

from backroom.models.data.csv_cells import SafeCsvWriter
from backroom.models.errors import NotFound, Refused
from backroom.models.goods_in.asn import get_asn
from backroom.models.goods_in.orders import ORDER_PREFIX, get_order
from backroom.models.goods_out.documents import Document, Section
from backroom.models.rules.identifiers import parse_sscc
from backroom.models.schema import Item, Lot, Move
from backroom.models.schema.goods_in import (
    AsnContent,
    AsnPallet,
    OrderLine,
    PurchaseOrder,
    Receipt,
)

CSV_COLUMNS = (
    "report",
    "number",
    "line",
    "item",
    "lot",
    "expected",
    "received",
    "over",
    "short",
    "damaged",
)


@dataclass(frozen=True)
class DiscrepancyRow:
    """One line of the report; LINE is None for goods nobody ordered or announced."""

    line: int | None
    item: str
    name: str
    unit: str
    lot: str | None
    expected: int
    received: int
    damaged: int

    @property
    def over(self) -> int:
        return max(0, self.received - self.expected)

    @property
    def short(self) -> int:
        return max(0, self.expected - self.received)

    @property
    def matches(self) -> bool:
        return self.received == self.expected and not self.damaged

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "line": self.line,
            "item": self.item,
            "lot": self.lot,
            "expected": self.expected,
            "received": self.received,
            "over": self.over,
            "short": self.short,
            "damaged": self.damaged,
        }


@dataclass(frozen=True)
class Totals:
    """The sums of the rows counted in one unit (grams are not added to pieces)."""

    unit: str
    expected: int
    received: int
    over: int
    short: int
    damaged: int


@dataclass(frozen=True)
class Discrepancy:
    """The report of one order ("order") or one ASN ("asn")."""

    kind: str
    number: str
    order: str
    supplier: str
    status: str
    rows: tuple[DiscrepancyRow, ...]

    @property
    def clean(self) -> bool:
        """Everything came as expected, nothing damaged."""
        return all(row.matches for row in self.rows)

    @property
    def unexpected(self) -> tuple[DiscrepancyRow, ...]:
        """Goods that came in but were not ordered (or not announced, on an ASN)."""
        return tuple(r for r in self.rows if r.line is None and r.expected == 0)

    @property
    def expected_rows(self) -> tuple[DiscrepancyRow, ...]:
        """The rows the order or the ASN asked for."""
        return tuple(r for r in self.rows if not (r.line is None and r.expected == 0))

    def totals(self) -> tuple[Totals, ...]:
        """The rows summed per unit, in the order the units first appear."""
        sums: dict[str, list[int]] = {}
        for r in self.rows:
            s = sums.setdefault(r.unit, [0, 0, 0, 0, 0])
            for i, value in enumerate((r.expected, r.received, r.over, r.short, r.damaged)):
                s[i] += value
        return tuple(Totals(unit, *s) for unit, s in sums.items())

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "report": self.kind,
            "number": self.number,
            "order": self.order,
            "supplier": self.supplier,
            "status": self.status,
            "clean": self.clean,
            "rows": [row.as_dict() for row in self.rows],
        }

    def document(self) -> Document:
        """The report as a document (text on screen, or a PDF)."""
        what = "Purchase order" if self.kind == "order" else "ASN"
        rows = tuple(
            (
                "" if r.line is None else r.line,
                r.item,
                r.lot or "",
                r.expected,
                r.received,
                r.over or "",
                r.short or "",
                r.damaged or "",
                r.unit,
            )
            for r in self.rows
        )
        headers = (
            "Line",
            "Item",
            "Lot",
            "Expected",
            "Received",
            "Over",
            "Short",
            "Damaged",
            "Unit",
        )
        facts = [(what, self.number), ("Status", self.status), ("Supplier", self.supplier)]
        if self.kind == "asn":
            facts.insert(1, ("Order", self.order))
        verdict = "Everything came as expected." if self.clean else "Discrepancies above."
        return Document(
            "Receipt discrepancies",
            self.number,
            facts=tuple(facts),
            sections=(Section("Lines", headers, rows, numeric=(3, 4, 5, 6, 7)),),
            footer=(verdict,),
        )

    def csv(self) -> str:
        """The report as CSV, one row per line."""
        out = io.StringIO()
        writer = SafeCsvWriter(out)
        writer.writerow(CSV_COLUMNS)
        for r in self.rows:
            writer.writerow(
                (
                    self.kind,
                    self.number,
                    "" if r.line is None else r.line,
                    r.item,
                    r.lot or "",
                    r.expected,
                    r.received,
                    r.over,
                    r.short,
                    r.damaged,
                )
            )
        return out.getvalue()


def _received(where: pw.Expression) -> dict[tuple[int | None, int, int], tuple[int, int]]:
    """Received and damaged quantities by (line id, item id, lot id or 0); a receipt
    that was reversed was not received."""
    reversed_ = Move.select(Move.reverses).where(Move.reverses.is_null(False))
    where = where & Receipt.move.not_in(reversed_)
    query = (
        Receipt.select(
            Receipt.line,
            Receipt.item,
            pw.fn.COALESCE(Move.lot, 0).alias("lot_key"),
            Receipt.disposition,
            pw.fn.SUM(Receipt.qty).alias("qty"),
        )
        .join(Move, on=(Receipt.move == Move.id))
        .where(where)
        .group_by(Receipt.line, Receipt.item, pw.fn.COALESCE(Move.lot, 0), Receipt.disposition)
        .tuples()
    )
    found: dict[tuple[int | None, int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for line, item, lot, disposition, qty in query:
        got, damaged = found[(line, item, lot)]
        found[(line, item, lot)] = (got + qty, damaged + (qty if disposition == "damaged" else 0))
    return found


def order_discrepancies(number: str) -> Discrepancy:
    """What each line of purchase order NUMBER expected and got, and what came unordered."""
    order = get_order(number)
    lines = OrderLine.select(OrderLine, Item).join(Item).where(OrderLine.order == order)
    got = _received(Receipt.order == order)
    by_line: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    lots: dict[int | None, set[int]] = defaultdict(set)  # the lots each line came in as
    for (line, _item, lot), (qty, damaged) in got.items():
        by_line[line][0] += qty
        by_line[line][1] += damaged
        if lot and qty:
            lots[line].add(lot)
    rows = [
        DiscrepancyRow(
            line.number,
            line.item.sku,
            line.item.name,
            line.item.unit,
            _lot_numbers(lots[line.id]),
            line.qty_ordered,
            by_line[line.id][0],
            by_line[line.id][1],
        )
        for line in lines.order_by(OrderLine.number)
    ]
    rows += _unexpected(got)
    return Discrepancy(
        "order", order.number, order.number, _supplier(order), order.status, tuple(rows)
    )


def _lot_numbers(ids: set[int]) -> str | None:
    """The numbers of the lots IDS, as one cell ("L-1, L-2"); None for none."""
    if not ids:
        return None
    return ", ".join(sorted(lot.number for lot in Lot.select(Lot.number).where(Lot.id.in_(ids))))


def _unexpected(got: dict[tuple[int | None, int, int], tuple[int, int]]) -> list[DiscrepancyRow]:
    rows = []
    for (line, item_id, lot_id), (qty, damaged) in sorted(got.items(), key=lambda kv: kv[0][1:]):
        if line is not None:
            continue
        item = Item.get_by_id(item_id)
        lot = Lot.get_by_id(lot_id).number if lot_id else None
        rows.append(DiscrepancyRow(None, item.sku, item.name, item.unit, lot, 0, qty, damaged))
    return rows


def _supplier(order: PurchaseOrder) -> str:
    return f"{order.supplier.name} ({order.supplier.location.code})"


def receipt_discrepancies(doc: str) -> Discrepancy:
    """The report of DOC: a purchase order number, an ASN number, or the SSCC of an
    announced pallet (the report of its ASN)."""
    text = doc.strip()
    if not text:
        raise Refused("Scan or type a purchase order, an ASN or a pallet's SSCC")
    try:
        sscc = parse_sscc(text)
    except Refused:
        sscc = None
    if sscc is not None:
        pallet = AsnPallet.get_or_none(AsnPallet.sscc == sscc)
        if pallet is None:
            raise NotFound(f"No ASN announces pallet {sscc}")
        return asn_discrepancies(pallet.asn.number)
    digits = text.upper().removeprefix(ORDER_PREFIX)
    if text.upper().startswith(ORDER_PREFIX) or digits.isdigit():
        try:
            return order_discrepancies(text)
        except NotFound:
            pass  # an ASN may be numbered like an order
    try:
        return asn_discrepancies(text)
    except NotFound:
        raise NotFound(f"No purchase order or ASN {text}") from None


def asn_discrepancies(number: str) -> Discrepancy:
    """What the ASN announced per item and lot, and what its pallets brought in."""
    asn = get_asn(number)
    pallets = AsnPallet.select(AsnPallet.id).where(AsnPallet.asn == asn)
    expected: dict[tuple[int, str | None], int] = defaultdict(int)
    lines: dict[tuple[int, str | None], int | None] = {}
    for c in AsnContent.select().where(AsnContent.pallet.in_(pallets)).order_by(AsnContent.id):
        expected[(c.item_id, c.lot)] += c.qty
        lines.setdefault((c.item_id, c.lot), c.line.number if c.line_id else None)
    got: dict[tuple[int, str | None], list[int]] = defaultdict(lambda: [0, 0])
    for (_line, item_id, lot_id), (qty, damaged) in _received(Receipt.pallet.in_(pallets)).items():
        key = (item_id, Lot.get_by_id(lot_id).number if lot_id else None)
        got[key][0] += qty
        got[key][1] += damaged
    rows = []
    for key in [*expected, *(k for k in got if k not in expected)]:
        item = Item.get_by_id(key[0])
        rows.append(
            DiscrepancyRow(
                lines.get(key),
                item.sku,
                item.name,
                item.unit,
                key[1],
                expected.get(key, 0),
                got[key][0],
                got[key][1],
            )
        )
    order = asn.order
    return Discrepancy("asn", asn.number, order.number, _supplier(order), asn.status, tuple(rows))
