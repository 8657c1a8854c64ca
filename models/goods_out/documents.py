"""Shipping documents as plain text: the packing list, the delivery note and the carrier
manifest (also as CSV). labels/pdf_documents.py prints the same lines into a PDF.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from backroom.models.data.csv_cells import SafeCsvWriter
from backroom.models.goods_out.dispatch import Manifest
from backroom.models.goods_out.orders import ShipmentDetail, shipment_detail
from backroom.models.masterdata.packaging import shown_quantity

WIDTH = 90  # characters a line of a document holds: A4 in 9 pt Courier


@dataclass(frozen=True)
class Section:
    """A heading and a table under it."""

    heading: str
    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    numeric: tuple[int, ...] = ()  # columns aligned to the right


@dataclass(frozen=True)
class Document:
    """A shipping document: title and reference, address blocks, facts, tables, footer."""

    title: str
    reference: str
    blocks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    sections: tuple[Section, ...] = ()
    footer: tuple[str, ...] = ()

    def lines(self, width: int = WIDTH) -> list[str]:
        """The document as lines of at most WIDTH characters."""
        out = [f"{self.title.upper()}  {self.reference}", "=" * min(width, 40), ""]
        out += _blocks(self.blocks, width)
        if self.facts:
            wide = max(len(label) for label, _ in self.facts)
            out += [f"{label.ljust(wide)}  {value}" for label, value in self.facts]
            out.append("")
        for section in self.sections:
            out += [section.heading, *_table(section, width), ""]
        out += list(self.footer)
        return [line[:width].rstrip() for line in out]

    def as_text(self, width: int = WIDTH) -> str:
        """The document as text for a terminal or a file."""
        return "\n".join(self.lines(width)).rstrip() + "\n"


def _blocks(blocks: Sequence[tuple[str, Sequence[str]]], width: int) -> list[str]:
    """Address blocks side by side, as on paper."""
    if not blocks:
        return []
    col = min(max(len(line) for _, lines in blocks for line in (*lines, "x" * 20)) + 4, width // 2)
    height = max(len(lines) for _, lines in blocks) + 1
    columns = [
        [heading.upper(), *lines] + [""] * (height - len(lines) - 1) for heading, lines in blocks
    ]
    out = ["".join(c[i][: col - 2].ljust(col) for c in columns).rstrip() for i in range(height)]
    return [*out, ""]


def _table(section: Section, width: int) -> list[str]:
    cells = [[("" if v is None else str(v)) for v in row] for row in section.rows]
    if not cells:
        return ["  (nothing)"]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(section.headers)]

    def fmt(row: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if i in section.numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return ("  " + "  ".join(parts)).rstrip()

    return [
        fmt(section.headers),
        "  " + "-" * min(sum(widths) + 2 * len(widths) - 2, width - 2),
    ] + [fmt(row) for row in cells]


def _kg(weight_g: int | None) -> str:
    return "" if weight_g is None else f"{weight_g / 1000:.3f}"


def _heading(detail: ShipmentDetail) -> tuple[tuple[str, str], ...]:
    s = detail.summary
    carrier = detail.carrier.name if detail.carrier else "-"
    if s.service:
        carrier += f" ({s.service})"
    facts = [
        ("Shipment", s.number),
        ("Planned date", s.planned_date.isoformat()),
        ("Carrier", carrier),
        ("Status", s.status),
    ]
    if detail.consignee.contact:
        facts.append(("Contact", detail.consignee.contact))
    if detail.consignee.gln:
        facts.append(("Consignee GLN", detail.consignee.gln))
    return tuple(facts)


def packing_list(number: str, ship_from: Sequence[str] = ()) -> Document:
    """What is in each parcel of the shipment: SSCC, kind, weight, items, lots, counts."""
    detail = shipment_detail(number)
    sections = []
    for i, parcel in enumerate(detail.parcels, 1):
        rows = tuple(
            (c.item, c.name, c.lot or "", c.expiry.isoformat() if c.expiry else "", c.qty)
            for c in parcel.contents
        )
        heading = f"Parcel {i} of {len(detail.parcels)}: SSCC {parcel.sscc}  {parcel.kind}"
        heading += f"  {parcel.weight_text}"
        if parcel.tracking:
            heading += f"  tracking {parcel.tracking}"
        sections.append(
            Section(heading, ("ITEM", "NAME", "LOT", "EXPIRY", "QTY"), rows, numeric=(4,))
        )
    total = sum(p.weight_g or 0 for p in detail.parcels)
    footer = (
        f"{len(detail.parcels)} parcels, "
        f"{sum(c.qty for p in detail.parcels for c in p.contents)} units, "
        f"{total / 1000:.3f} kg",
    )
    return Document(
        "Packing list",
        detail.number,
        (("Ship from", tuple(ship_from)), ("Ship to", detail.consignee.address_block())),
        _heading(detail),
        tuple(sections) or (Section("Parcels", ("SSCC",), ()),),
        footer,
    )


def delivery_note(number: str, ship_from: Sequence[str] = ()) -> Document:
    """What the consignee receives, line by line with lots, and room to sign for it."""
    detail = shipment_detail(number)
    shipped = detail.status in ("shipped", "delivered")
    lines = tuple(
        (
            line.item,
            line.name,
            line.ordered,
            line.shipped if shipped else line.picked,
            line.ordered - (line.shipped if shipped else line.picked),
            line.unit,
        )
        for line in detail.lines
    )
    lots: dict[tuple[str, str | None], list] = {}
    for parcel in detail.parcels:
        for c in parcel.contents:
            entry = lots.setdefault((c.item, c.lot), [c.expiry, 0, []])
            entry[1] += c.qty
            entry[2].append(parcel.sscc)
    lot_rows = tuple(
        (item, lot or "", expiry.isoformat() if expiry else "", qty, " ".join(ssccs))
        for (item, lot), (expiry, qty, ssccs) in lots.items()
    )
    s = detail.summary
    if s.status == "delivered":
        footer = (f"Delivered {s.delivered_at:%Y-%m-%d %H:%M} UTC, signed by {s.pod_name}",)
    else:
        footer = (
            "Received in good order:",
            "",
            "Name ____________________   Signature ____________________   Date __________",
        )
    return Document(
        "Delivery note",
        detail.number,
        (("Ship from", tuple(ship_from)), ("Deliver to", detail.consignee.address_block())),
        _heading(detail),
        (
            Section(
                "Lines",
                ("ITEM", "NAME", "ORDERED", "DELIVERED", "BACKORDER", "UNIT"),
                lines,
                numeric=(2, 3, 4),
            ),
            Section("Lots", ("ITEM", "LOT", "EXPIRY", "QTY", "PARCELS"), lot_rows, numeric=(3,)),
            *_in_packs(detail, shipped),
        ),
        footer,
    )


def _in_packs(detail: ShipmentDetail, shipped: bool) -> tuple[Section, ...]:
    """The lines delivered in cases and pallets ('2 cs + 3 pcs (27 pcs)'), for the items
    with packaging levels that fit; no section when there are none."""
    rows = []
    for line in detail.lines:
        qty = line.shipped if shipped else line.picked
        shown = shown_quantity(line.item, qty)
        if shown != str(qty):
            rows.append((line.item, shown))
    return (Section("In packs", ("ITEM", "DELIVERED"), tuple(rows)),) if rows else ()


def manifest_document(manifest: Manifest, ship_from: Sequence[str] = ()) -> Document:
    """The carrier's end-of-day manifest: shipments, parcels, SSCCs and weights."""
    rows = tuple(
        (
            p.shipment,
            p.consignee[:24],
            f"{p.country}-{p.postal_code}",
            p.sscc,
            p.kind,
            _kg(p.weight_g),
            p.tracking or "",
        )
        for p in manifest.parcels
    )
    footer = [
        f"Total: {len(manifest.shipments)} shipments, {len(manifest.parcels)} parcels, "
        f"{manifest.total_weight_g / 1000:.3f} kg"
    ]
    if manifest.unweighed:
        footer.append(f"{manifest.unweighed} parcels have no weight")
    footer += ["", "Handed over ____________________   Taken by ____________________"]
    return Document(
        "Carrier manifest",
        f"{manifest.carrier} {manifest.day.isoformat()}",
        (("Shipper", tuple(ship_from)), ("Carrier", (manifest.carrier_name, manifest.carrier))),
        (("Date", manifest.day.isoformat()),),
        (
            Section(
                "Parcels",
                ("SHIPMENT", "CONSIGNEE", "DEST", "SSCC", "KIND", "KG", "TRACKING"),
                rows,
                numeric=(5,),
            ),
        ),
        tuple(footer),
    )


MANIFEST_COLUMNS = (
    "carrier",
    "date",
    "shipment",
    "consignee",
    "postal_code",
    "city",
    "country",
    "service",
    "sscc",
    "kind",
    "weight_kg",
    "tracking",
)


def manifest_csv(manifest: Manifest) -> str:
    """The manifest as CSV, one row per parcel, for the carrier's systems."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)  # a consignee named =HYPERLINK(...) stays text
    writer.writerow(MANIFEST_COLUMNS)
    for p in manifest.parcels:
        writer.writerow(
            (
                manifest.carrier,
                manifest.day.isoformat(),
                p.shipment,
                p.consignee,
                p.postal_code,
                p.city,
                p.country,
                p.service or "",
                p.sscc,
                p.kind,
                _kg(p.weight_g),
                p.tracking or "",
            )
        )
    return out.getvalue()
