"""A GS1 XML Despatch Advice (`urn:gs1:ecom:despatch_advice:xsd:3`, the DESADV of GS1
XML 3.x) read into an AsnDraft. Parsed with defusedxml: entities and DTDs are refused.

The subset read (elements matched by local name, namespaces ignored):
- despatchAdvice/despatchAdviceIdentification/entityIdentification: the ASN number;
- despatchAdvice/purchaseOrder/entityIdentification, or the first line item's
  purchaseOrder/entityIdentification: the order number;
- despatchAdvice/despatchInformation/estimatedDeliveryDateTime: the expected day;
- each despatchAdviceLogisticUnit: its sscc (directly under it, or under
  logisticUnitIdentification) and each despatchAdviceLineItem directly under it:
  despatchedQuantity; transactionalTradeItem/gtin, else
  transactionalTradeItem/additionalTradeItemIdentification (SKU or supplier's code);
  transactionalTradeItem/transactionalItemData/batchNumber and itemExpirationDate
  (else bestBeforeDate); purchaseOrder/lineItemNumber (the order line), when given.
Everything else (parties, transport, weights, nested units' parents) is not read.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from backroom.models.errors import Refused
from backroom.models.goods_in.asn import AnnouncedLine, AsnDraft
from backroom.models.rules.dates import parse_date
from backroom.models.rules.identifiers import parse_sscc

MOST_BYTES = 20_000_000


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node: ET.Element, *path: str) -> ET.Element | None:
    """The first element down PATH of local names, or None."""
    for name in path:
        node = next((c for c in node if _local(c.tag) == name), None)
        if node is None:
            return None
    return node


def _text(node: ET.Element, *path: str) -> str | None:
    found = _child(node, *path)
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _children(node: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in node if _local(c.tag) == name]


def _day(text: str | None, what: str) -> dt.date | None:
    return parse_date(text[:10], what) if text else None


def _line(unit_no: int, sscc: str, n: int, item_node: ET.Element) -> AnnouncedLine:
    where = f"Logistic unit {unit_no} line {n}"
    qty_text = _text(item_node, "despatchedQuantity") or ""
    try:
        value = Decimal(qty_text)
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0 or value != value.to_integral_value():
        raise Refused(f"{where}: despatchedQuantity {qty_text!r} is not a whole number of units")
    qty = int(value)
    trade = _child(item_node, "transactionalTradeItem")
    if trade is None:
        raise Refused(f"{where}: no transactionalTradeItem")
    item = _text(trade, "gtin") or _text(trade, "additionalTradeItemIdentification")
    if not item:
        raise Refused(f"{where}: the trade item has no gtin or additionalTradeItemIdentification")
    data = _child(trade, "transactionalItemData")
    lot = expiry = None
    if data is not None:
        lot = _text(data, "batchNumber")
        expiry = _text(data, "itemExpirationDate") or _text(data, "bestBeforeDate")
    order_line = _text(item_node, "purchaseOrder", "lineItemNumber")
    return AnnouncedLine(
        sscc,
        item,
        qty,
        lot,
        _day(expiry, f"{where}: expiry"),
        int(order_line) if order_line and order_line.isdigit() else None,
        where,
    )


def draft_from_desadv(data: bytes) -> AsnDraft:
    """The ASN in a GS1 XML despatch advice (see the module docstring for what is read)."""
    if len(data) > MOST_BYTES:
        raise Refused(f"The despatch advice is larger than {MOST_BYTES:,} bytes")
    try:
        root = fromstring(data)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise Refused(f"The despatch advice is not XML Backroom reads: {exc}") from exc
    advice = root if _local(root.tag) == "despatchAdvice" else _child(root, "despatchAdvice")
    if advice is None:
        raise Refused("No despatchAdvice element: this is not a GS1 XML despatch advice")
    number = _text(advice, "despatchAdviceIdentification", "entityIdentification")
    if not number:
        raise Refused("The despatch advice has no despatchAdviceIdentification")
    units = _children(advice, "despatchAdviceLogisticUnit")
    order = _text(advice, "purchaseOrder", "entityIdentification")
    lines: list[AnnouncedLine] = []
    for unit_no, unit in enumerate(units, 1):
        code = _text(unit, "sscc") or _text(unit, "logisticUnitIdentification", "sscc")
        if not code:
            raise Refused(f"Logistic unit {unit_no} has no SSCC")
        sscc = parse_sscc(code)
        for n, item_node in enumerate(_children(unit, "despatchAdviceLineItem"), 1):
            lines.append(_line(unit_no, sscc, n, item_node))
            order = order or _text(item_node, "purchaseOrder", "entityIdentification")
    if not order:
        raise Refused("The despatch advice names no purchase order")
    expected = _text(advice, "despatchInformation", "estimatedDeliveryDateTime")
    return AsnDraft(
        number, order, tuple(lines), _day(expected, "estimatedDeliveryDateTime"), "desadv"
    )
