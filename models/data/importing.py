"""Importing items, locations, lots, opening stock and consignees from CSV files.

A file is read whole and every row is checked against the database first, writing
nothing: the result is a plan, with every wrong row named by its line number (the
header is line 1). Only a plan without problems is applied, in one write
transaction, so a file goes in whole or not at all. Opening stock is posted as
receipts from the virtual supplier location OPENING ("Opening balance").
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from biip import ParseError
from biip.gln import Gln

from backroom.models.db import run_write
from backroom.models.errors import DomainError, Refused
from backroom.models.masterdata.adding import (
    RESERVED_PREFIXES,
    ItemSpec,
    add_item,
    add_location,
    add_lot,
    check_item,
    check_lot_number,
    get_user,
    log_event,
    normalize_gtin,
)
from backroom.models.schema import (
    LOCATION_KINDS,
    LOT_STATUSES,
    Event,
    Item,
    Location,
    Lot,
    Move,
    Quant,
)
from backroom.models.stock.ledger import MoveSpec, lock_head, post

KINDS = ("items", "locations", "lots", "stock", "consignees")
OPENING = ("OPENING", "Opening balance")  # code and name of the opening-balance location
MAX_QTY = 2**31 - 1  # quantity columns are 32-bit on PostgreSQL
PREVIEW_ROWS = 10
POST_CHUNK = 1_000  # opening-stock moves per post(): progress moves between chunks
KEY_CHUNK = 500  # keys per prefetch query

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Column:
    """A column of an import layout: its header, whether it must be there, an example."""

    name: str
    required: bool
    example: str
    help: str


LAYOUTS: dict[str, tuple[Column, ...]] = {
    "items": (
        Column("sku", True, "OAT-500", "item code, 1-64 characters without spaces"),
        Column("name", True, "Oat flakes 500 g", "what people call it"),
        Column("gtin", False, "5412345000013", "GTIN-8/12/13/14 with a valid check digit"),
        Column("unit", False, "pcs", "base unit: pcs, g, ml, ... (default pcs)"),
        Column("tracking", False, "lot", "none, lot or serial (default none)"),
        Column("shelf_life_days", False, "270", "days from receipt to expiry"),
        Column("active", False, "yes", "yes or no (default yes)"),
    ),
    "locations": (
        Column("code", True, "A-01-01", "location code, without spaces or '/'"),
        Column("name", False, "Aisle A, bay 1, level 1", "description"),
        Column("parent", False, "A-01", "code of the location above (in the database or file)"),
        Column("kind", False, "internal", "internal (default) or a virtual kind"),
        Column("quarantine", False, "no", "yes for a quarantine area"),
        Column("active", False, "yes", "yes or no (default yes)"),
    ),
    "lots": (
        Column("sku", True, "OAT-500", "item (SKU or GTIN) of a lot- or serial-tracked item"),
        Column("lot", True, "L2611", "lot or serial number, GS1 characters, 1-20"),
        Column("expiry", False, "2027-08-31", "YYYY-MM-DD"),
        Column("production_date", False, "2026-11-02", "YYYY-MM-DD"),
        Column("supplier", False, "SUPPLIER", "code of a supplier location"),
        Column("supplier_lot", False, "OF-88213", "the supplier's own lot number"),
        Column("status", False, "released", "released, quarantine, blocked or recalled"),
    ),
    "stock": (
        Column("sku", True, "OAT-500", "item (SKU or GTIN)"),
        Column("lot", False, "L2611", "lot or serial number; empty for untracked items"),
        Column("location", True, "A-01-01", "internal location code"),
        Column("qty", True, "120", "whole number in the item's unit; 0 is skipped"),
        Column("expiry", False, "2027-08-31", "expiry of a new lot, YYYY-MM-DD"),
    ),
    "consignees": (
        Column("name", True, "Bakery Janssens", "ship-to party, unique"),
        Column("address", False, "Kerkstraat 12 | Unit 4", "street lines, separated by |"),
        Column("postal_code", True, "9000", "postal code"),
        Column("city", True, "Gent", "city"),
        Column("country", True, "BE", "ISO 3166 two-letter code"),
        Column("gln", False, "5412345000020", "GS1 Global Location Number, 13 digits"),
        Column("contact", False, "An Janssens +32 9 123 45 67", "who to call"),
        Column("min_shelf_life_days", False, "10", "days of shelf life left on delivery"),
    ),
}


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why line LINE of the file cannot be imported (line 1 is the header)."""

    line: int
    message: str

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {"line": self.line, "problem": self.message}


class ImportRefused(Refused):
    """A file with problems: nothing was imported. Carries every problem found."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        count = len(problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in {source}; nothing was imported"
        )

    def lines(self) -> list[str]:
        """Each problem as 'FILE:LINE: reason', the way compilers report errors."""
        return [f"{self.source}:{p.line}: {p.message}" for p in self.problems]


@dataclass(frozen=True)
class Record:
    """One data row of the file: where it starts and its cells by column name."""

    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        """The cell of column NAME, stripped; empty when the column is not in the file."""
        return self.values.get(name, "")


@dataclass
class Planned:
    """What applying one row will do: create, update, post, or nothing."""

    line: int
    action: str  # "create", "update", "unchanged", "post", "skip"
    key: str
    data: dict[str, object] = field(default_factory=dict)


@dataclass
class ImportPlan:
    """A checked file: the rows to apply, or the problems that stop it."""

    kind: str
    source: str
    columns: list[str]
    preview: list[Record]
    rows: list[Planned]
    problems: list[Problem]
    total: int = 0
    digest: str = ""  # the file's SHA-256: an opening stock file is taken once
    # When and by whom this stock file was imported before: applying it again needs
    # `again` (the person said so), as its receipts would be posted a second time.
    repeated: str | None = None
    again: bool = False

    @property
    def ok(self) -> bool:
        """True when the file can be imported as it is."""
        return not self.problems

    def counts(self) -> dict[str, int]:
        """How many rows will be created, updated, left unchanged, posted or skipped."""
        out = {"create": 0, "update": 0, "unchanged": 0, "post": 0, "skip": 0}
        for row in self.rows:
            out[row.action] += 1
        return out

    def summary(self) -> str:
        """One line saying what an import would do, or that it cannot."""
        if self.problems:
            return str(ImportRefused(self.source, self.problems))
        rows = f"{self.total} row{'s' if self.total != 1 else ''}"
        return f"{self.source}: {rows}, " + _counts_text(self.kind, self.counts())


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    kind: str
    source: str
    created: int
    updated: int
    unchanged: int
    posted: int
    skipped: int

    def text(self) -> str:
        """One readable line."""
        counts = {
            "create": self.created,
            "update": self.updated,
            "unchanged": self.unchanged,
            "post": self.posted,
            "skip": self.skipped,
        }
        return f"Imported {self.source}: " + _counts_text(self.kind, counts)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "kind": self.kind,
            "file": self.source,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "moves_posted": self.posted,
            "skipped": self.skipped,
        }


def _counts_text(kind: str, counts: dict[str, int]) -> str:
    if kind == "stock":
        post = counts["post"]
        parts = [f"{post} receipt{'' if post == 1 else 's'} from {OPENING[0]}"]
        if counts["skip"]:
            parts.append(f"{counts['skip']} zero rows skipped")
        return ", ".join(parts)
    return (
        f"{counts['create']} {kind} new, {counts['update']} updated, "
        f"{counts['unchanged']} unchanged"
    )


# --- templates and reading ------------------------------------------------------------------


def check_kind(kind: str) -> str:
    """KIND if Backroom imports it, else a Refused naming the kinds it does."""
    if kind not in LAYOUTS:
        raise Refused(f"Cannot import {kind!r}: choose one of {', '.join(KINDS)}")
    return kind


def template(kind: str) -> str:
    """The header row and one example row of KIND's layout, as CSV text."""
    columns = LAYOUTS[check_kind(kind)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    writer.writerow([c.example for c in columns])
    return out.getvalue()


def decode(data: bytes) -> str:
    """DATA as text: UTF-8 with or without a byte order mark, nothing else."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused("The file is UTF-16; save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Refused(
            f"The file is not UTF-8: byte 0x{data[exc.start]:02X} at byte offset {exc.start} "
            f"(line {line}) is not valid UTF-8; save the file as UTF-8 "
            "(in a spreadsheet: 'CSV UTF-8')"
        ) from exc


def sniff_delimiter(header_line: str) -> str:
    """Comma, semicolon or tab: whichever separates the header row's column names."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _column_name(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def read_records(kind: str, text: str) -> tuple[list[str], list[Record], list[Problem]]:
    """The columns and data rows of a CSV text for KIND, and what is wrong with its shape."""
    layout = LAYOUTS[check_kind(kind)]
    names = [c.name for c in layout]
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))
    problems: list[Problem] = []
    try:
        header = next(reader)
    except StopIteration:
        return [], [], [Problem(1, "The file is empty: the first line must name the columns")]
    columns = [_column_name(h) for h in header]
    unknown = [h for h, c in zip(header, columns, strict=True) if c and c not in names]
    if unknown:
        problems.append(
            Problem(
                1,
                f"Unknown column{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(u) for u in unknown)}: {kind} take {', '.join(names)}",
            )
        )
    missing = [c.name for c in layout if c.required and c.name not in columns]
    if missing:
        problems.append(Problem(1, f"Missing column {', '.join(missing)} ({kind} need it)"))
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        problems.append(Problem(1, f"Column {', '.join(twice)} appears twice"))
    if problems:
        return columns, [], problems
    records = []
    line = reader.line_num
    for row in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            problems.append(
                Problem(start, f"{len(row)} values, but the header has {len(columns)} columns")
            )
            continue
        values = {c: cell.strip() for c, cell in zip(columns, row, strict=True) if c}
        records.append(Record(start, values))
    return columns, records, problems


# --- parsing cells ------------------------------------------------------------------------


def _whole(text: str, label: str) -> int:
    value = text.replace("_", "").strip()
    if not re.fullmatch(r"[+-]?\d+", value):
        raise Refused(f"{label} {text!r} is not a whole number")
    return int(value)


def _date(text: str, label: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Refused(f"{label} {text!r} is not a date as YYYY-MM-DD") from None


def _flag(text: str, label: str) -> bool | None:
    low = text.lower()
    if not low:
        return None
    if low in ("yes", "y", "true", "1", "x"):
        return True
    if low in ("no", "n", "false", "0"):
        return False
    raise Refused(f"{label} {text!r} must be yes or no")


class _Checker:
    """Collects problems row by row; a DomainError inside `row()` becomes one problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.seen: dict[object, int] = {}

    @contextmanager
    def row(self, line: int) -> Iterator[None]:
        try:
            yield
        except DomainError as exc:
            self.problems.append(Problem(line, str(exc)))

    def once(self, key: object, line: int, what: str) -> None:
        """Refuse a second row with the same KEY, naming the line of the first."""
        first = self.seen.setdefault(key, line)
        if first != line:
            raise Refused(f"Duplicate row: {what} is already on line {first}")


def _by_key(model, column, keys: Iterable[str]) -> dict[str, object]:
    """Rows of MODEL whose COLUMN is one of KEYS, by that value, in a few queries."""
    wanted = sorted({k for k in keys if k})
    found: dict[str, object] = {}
    for start in range(0, len(wanted), KEY_CHUNK):
        chunk = wanted[start : start + KEY_CHUNK]
        for row in model.select().where(column.in_(chunk)):
            found[getattr(row, column.name)] = row
    return found


class _Items:
    """Items named in a file, by SKU or GTIN, read a few hundred at a time."""

    def __init__(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        self.by_sku: dict[str, Item] = _by_key(Item, Item.sku, keys)  # type: ignore[assignment]
        gtins = [k.zfill(14) for k in keys if k.isdigit() and len(k) in (8, 12, 13, 14)]
        self.by_gtin: dict[str, Item] = _by_key(Item, Item.gtin, gtins)  # type: ignore[assignment]

    def get(self, key: str) -> Item:
        item = self.by_sku.get(key)
        if item is None and key.isdigit():
            item = self.by_gtin.get(key.zfill(14))
        if item is None:
            raise Refused(f"Unknown item {key!r} (give the SKU or GTIN of an existing item)")
        return item


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


# --- items ----------------------------------------------------------------------------------


def _plan_items(records: list[Record], problems: list[Problem]) -> list[Planned]:
    check = _Checker(problems)
    existing: dict[str, Item] = _by_key(Item, Item.sku, (r.get("sku") for r in records))  # type: ignore[assignment]
    gtins = []
    for r in records:
        try:
            gtins.append(normalize_gtin(r.get("gtin")) if r.get("gtin") else "")
        except DomainError:
            gtins.append("")
    owners: dict[str, Item] = _by_key(Item, Item.gtin, gtins)  # type: ignore[assignment]
    stock = _stock_of_items(item.id for item in existing.values())
    planned = []
    for r in records:
        with check.row(r.line):
            planned.append(_plan_item(r, existing.get(r.get("sku")), owners, stock, check))
    return planned


def _plan_item(
    r: Record, item: Item | None, owners: dict[str, Item], stock: dict[int, int], check: _Checker
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


def _apply_items(rows: list[Planned], who, cursor: _Cursor) -> None:
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


# --- locations ------------------------------------------------------------------------------


def _check_code(code: str) -> str:
    if not code or len(code) > 64 or any(c.isspace() or c in "/\x1d" for c in code):
        raise Refused(f"Location code {code!r} must be 1 to 64 characters without spaces or '/'")
    for prefix in RESERVED_PREFIXES:
        if code.upper().startswith(prefix):
            raise Refused(f"Location code {code!r} starts with {prefix!r}, which Backroom reserves")
    return code


def _plan_locations(records: list[Record], problems: list[Problem]) -> list[Planned]:
    check = _Checker(problems)
    codes = [r.get("code") for r in records]
    parents = [r.get("parent") for r in records]
    existing: dict[str, Location] = _by_key(Location, Location.code, codes + parents)  # type: ignore[assignment]
    in_file = {r.get("code"): r for r in records}
    planned = []
    for r in records:
        with check.row(r.line):
            planned.append(_plan_location(r, existing, in_file, check))
    # New locations are created parents first; a parent that is itself new must
    # not lead back to the row (a loop of parents).
    new = {row.key: row for row in planned if row.action == "create"}
    for row in new.values():
        seen, parent = {row.key}, row.data["parent"]
        while parent in new:
            if parent in seen:
                problems.append(Problem(row.line, f"Location {row.key} is inside itself"))
                break
            seen.add(parent)  # type: ignore[arg-type]
            parent = new[parent].data["parent"]  # type: ignore[index]
        row.data["depth"] = len(seen)
    return planned


def _plan_location(
    r: Record, existing: dict[str, Location], in_file: dict[str, Record], check: _Checker
) -> Planned:
    code = _check_code(r.get("code"))
    check.once(("code", code), r.line, f"location {code}")
    loc = existing.get(code)
    kind = r.get("kind").lower() or (loc.kind if loc else "internal")
    if kind not in LOCATION_KINDS:
        raise Refused(f"Location kind {kind!r} is not one of {', '.join(LOCATION_KINDS)}")
    parent = r.get("parent") or None
    if parent is not None:
        if parent == code:
            raise Refused(f"Location {code} cannot be its own parent")
        if parent not in existing and parent not in in_file:
            raise Refused(f"Unknown parent location {parent!r} (not in the database or the file)")
    quarantine = _flag(r.get("quarantine"), "Quarantine")
    active = _flag(r.get("active"), "Active")
    if loc is None:
        values = {
            "name": r.get("name"),
            "parent": parent,
            "kind": kind,
            "quarantine": bool(quarantine),
            "active": active is not False,
        }
        return Planned(r.line, "create", code, values)
    current = {
        "name": loc.name,
        "parent": loc.parent.code if loc.parent_id else None,
        "kind": loc.kind,
        "quarantine": loc.quarantine,
        "active": loc.active,
    }
    wanted = {
        "name": r.get("name") if "name" in r.values else loc.name,
        "parent": parent if "parent" in r.values else current["parent"],
        "kind": kind,
        "quarantine": loc.quarantine if quarantine is None else quarantine,
        "active": loc.active if active is None else active,
    }
    changes = {n: v for n, v in wanted.items() if current[n] != v}
    if not changes:
        return Planned(r.line, "unchanged", code)
    used = Move.select().where((Move.from_location == loc.id) | (Move.to_location == loc.id))
    if "kind" in changes and used.exists():
        raise Refused(f"Location {code} already has moves; its kind stays {loc.kind}")
    return Planned(r.line, "update", code, changes)


def _apply_locations(rows: list[Planned], who, cursor: _Cursor) -> None:
    from backroom.models.masterdata.editing import update_location

    new = sorted((r for r in rows if r.action == "create"), key=lambda r: r.data["depth"])
    rest = [r for r in rows if r.action != "create"]
    for row in cursor.each(new):
        data = row.data
        add_location(
            row.key,
            name=str(data["name"]),
            parent=data["parent"],  # type: ignore[arg-type]
            kind=str(data["kind"]),
            quarantine=bool(data["quarantine"]),
            by=who,
        )
        if data["active"] is False:
            update_location(row.key, by=who, active=False)
    for row in cursor.each(rest):
        if row.action == "update":
            update_location(row.key, by=who, **row.data)


# --- lots -----------------------------------------------------------------------------------


def _lots_of(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Lot]:
    """Existing lots by (item id, number), in a few queries."""
    numbers = sorted({number for _, number in pairs})
    found: dict[tuple[int, str], Lot] = {}
    for start in range(0, len(numbers), KEY_CHUNK):
        chunk = numbers[start : start + KEY_CHUNK]
        for lot in Lot.select().where(Lot.number.in_(chunk)):
            found[(lot.item_id, lot.number)] = lot
    return found


def _tracked_item(items: _Items, key: str) -> Item:
    item = items.get(key)
    if item.tracking == "none":
        raise Refused(f"Item {item.sku} is not lot-tracked; it has no lots")
    return item


def _plan_lots(records: list[Record], problems: list[Problem], source: str) -> list[Planned]:
    check = _Checker(problems)
    items = _Items(r.get("sku") for r in records)
    suppliers: dict[str, Location] = _by_key(
        Location, Location.code, (r.get("supplier") for r in records)
    )  # type: ignore[assignment]
    pairs = []
    for r in records:
        try:
            pairs.append((items.get(r.get("sku")).id, r.get("lot")))
        except DomainError:
            continue
    lots = _lots_of(pairs)
    planned = []
    for r in records:
        with check.row(r.line):
            item = _tracked_item(items, r.get("sku"))
            number = check_lot_number(r.get("lot"))
            check.once(("lot", item.id, number), r.line, f"lot {number} of {item.sku}")
            planned.append(_plan_lot(r, item, number, lots.get((item.id, number)), suppliers))
    for row in planned:
        if row.action == "update" and "status" in row.data:
            row.data["reason"] = f"imported from {source}"
    return planned


def _plan_lot(
    r: Record, item: Item, number: str, lot: Lot | None, suppliers: dict[str, Location]
) -> Planned:
    expiry = _date(r.get("expiry"), "Expiry")
    made = _date(r.get("production_date"), "Production date")
    supplier = r.get("supplier") or None
    if supplier is not None:
        loc = suppliers.get(supplier)
        if loc is None:
            raise Refused(f"Unknown supplier location {supplier!r}")
        if loc.kind != "supplier":
            raise Refused(f"{supplier} is a {loc.kind} location, not a supplier")
    status = r.get("status").lower() or None
    if status is not None and status not in LOT_STATUSES:
        raise Refused(f"Lot status {status!r} is not one of {', '.join(LOT_STATUSES)}")
    supplier_lot = r.get("supplier_lot") or None
    if supplier_lot is not None and len(supplier_lot) > 64:
        raise Refused("The supplier's lot number is at most 64 characters")
    key = f"{item.sku}/{number}"
    wanted = {
        "expiry": expiry,
        "production_date": made,
        "supplier": supplier,
        "supplier_lot": supplier_lot,
        "status": status,
    }
    if lot is None:
        wanted["status"] = status or "released"
        ends = expiry
    else:
        current = {
            "expiry": lot.expiry,
            "production_date": lot.production_date,
            "supplier": lot.supplier.code if lot.supplier_id else None,
            "supplier_lot": lot.supplier_lot,
            "status": lot.status,
        }
        # An empty cell leaves the lot's value as it is.
        wanted = {n: v for n, v in wanted.items() if v is not None and v != current[n]}
        made = wanted.get("production_date", current["production_date"])  # type: ignore[assignment]
        ends = wanted.get("expiry", current["expiry"])  # type: ignore[assignment]
    if made and ends and made > ends:
        raise Refused(f"Lot {number} cannot expire ({ends}) before it was made ({made})")
    if lot is None:
        return Planned(r.line, "create", key, {"item": item.sku, "number": number, **wanted})
    if not wanted:
        return Planned(r.line, "unchanged", key)
    return Planned(r.line, "update", key, {"item": item.sku, "number": number, **wanted})


def _apply_lots(rows: list[Planned], who, cursor: _Cursor) -> None:
    from backroom.models.masterdata.adding import get_item, get_location, set_lot_status
    from backroom.models.masterdata.editing import update_lot

    for row in cursor.each(rows):
        data = dict(row.data)
        if row.action == "create":
            supplier = data["supplier"]
            lot = add_lot(
                get_item(str(data["item"])),
                str(data["number"]),
                expiry=data["expiry"],  # type: ignore[arg-type]
                production_date=data["production_date"],  # type: ignore[arg-type]
                supplier=get_location(str(supplier)) if supplier else None,
                supplier_lot=data["supplier_lot"],  # type: ignore[arg-type]
                by=who,
            )
            if data["status"] != "released":
                set_lot_status(lot, str(data["status"]), "imported with this status", by=who)
        elif row.action == "update":
            item, number = str(data.pop("item")), str(data.pop("number"))
            update_lot(item, number, by=who, **data)


# --- opening stock --------------------------------------------------------------------------


def _in_stock(lot_ids: Iterable[int]) -> dict[int, int]:
    """How much of each lot is in internal locations (for serial numbers)."""
    ids = sorted(set(lot_ids))
    totals: dict[int, int] = {}
    for start in range(0, len(ids), KEY_CHUNK):
        chunk = ids[start : start + KEY_CHUNK]
        rows = (
            Quant.select(Quant.lot_key, Quant.qty)
            .join(Location, on=(Quant.location == Location.id))
            .where(Quant.lot_key.in_(chunk), Location.kind == "internal")
            .tuples()
        )
        for lot_id, qty in rows:
            totals[lot_id] = totals.get(lot_id, 0) + qty
    return totals


def _plan_stock(records: list[Record], problems: list[Problem]) -> list[Planned]:
    check = _Checker(problems)
    items = _Items(r.get("sku") for r in records)
    locations: dict[str, Location] = _by_key(
        Location, Location.code, (r.get("location") for r in records)
    )  # type: ignore[assignment]
    pairs = []
    for r in records:
        try:
            pairs.append((items.get(r.get("sku")).id, r.get("lot")))
        except DomainError:
            continue
    lots = _lots_of(pairs)
    serial_items = {
        i.id for i in (*items.by_sku.values(), *items.by_gtin.values()) if i.tracking == "serial"
    }
    serials = _in_stock(lot.id for lot in lots.values() if lot.item_id in serial_items)
    new_lots: dict[tuple[int, str], tuple[int, dt.date | None]] = {}
    planned = []
    for r in records:
        with check.row(r.line):
            row = _plan_stock_row(r, items, locations, lots, serials, new_lots, check)
            planned.append(row)
    return planned


def _plan_stock_row(
    r: Record,
    items: _Items,
    locations: dict[str, Location],
    lots: dict[tuple[int, str], Lot],
    serials: dict[int, int],
    new_lots: dict[tuple[int, str], tuple[int, dt.date | None]],
    check: _Checker,
) -> Planned:
    item = items.get(r.get("sku"))
    if not item.active:
        raise Refused(f"Item {item.sku} is inactive and cannot be received")
    code = r.get("location")
    loc = locations.get(code)
    if loc is None:
        raise Refused(f"Unknown location {code!r}")
    if not loc.is_internal:
        raise Refused(f"{loc.code} is a {loc.kind} location: stock goes to internal locations")
    if not loc.active:
        raise Refused(f"Location {loc.code} is inactive and refuses moves")
    qty = _whole(r.get("qty"), "Quantity")
    if qty < 0:
        raise Refused(f"Negative stock: {qty} {item.unit} of {item.sku} at {loc.code}")
    if qty > MAX_QTY:
        raise Refused(f"Quantity {qty} is more than one move can hold (at most {MAX_QTY:,})")
    expiry = _date(r.get("expiry"), "Expiry")
    number = r.get("lot") or None
    if item.tracking == "none":
        if number:
            raise Refused(f"Item {item.sku} is not lot-tracked: leave the lot empty")
    elif not number:
        what = "serial number" if item.tracking == "serial" else "lot"
        raise Refused(f"Item {item.sku} is {item.tracking}-tracked: give the {what}")
    else:
        number = check_lot_number(number)
    key = f"{item.sku}/{number}@{loc.code}" if number else f"{item.sku}@{loc.code}"
    check.once(("stock", item.id, number, loc.id), r.line, key.replace("@", " at "))
    lot = lots.get((item.id, number)) if number else None
    if lot is not None:
        if lot.status in ("blocked", "recalled") and not loc.quarantine:
            raise Refused(f"Lot {number} is {lot.status} and can only go to quarantine")
        if expiry and lot.expiry and lot.expiry != expiry:
            raise Refused(f"Lot {number} of {item.sku} has expiry {lot.expiry}, not {expiry}")
    elif number:
        first = new_lots.setdefault((item.id, number), (r.line, expiry))
        if first[1] != expiry and first[0] != r.line:
            raise Refused(f"Lot {number} has expiry {first[1]} on line {first[0]}, not {expiry}")
    if item.tracking == "serial" and qty:
        if qty != 1:
            raise Refused(f"{item.sku} is serial-tracked: each serial number is one piece")
        check.once(("serial", item.id, number), r.line, f"serial {number} of {item.sku}")
        if lot is not None and serials.get(lot.id, 0) > 0:
            raise Refused(f"Serial {number} of {item.sku} is already in stock")
    data = {"item": item, "lot": lot, "number": number, "location": loc, "qty": qty}
    data["expiry"] = expiry
    return Planned(r.line, "post" if qty else "skip", key, data)


def opening_location() -> Location:
    """The virtual supplier location opening stock comes from, made on first use.

    Call inside a write transaction."""
    code, name = OPENING
    loc = Location.get_or_none(Location.code == code)
    if loc is None:
        loc = Location.create(code=code, name=name, kind="supplier", path=code)
        log_event("location.add", code, None, kind="supplier", note="opening balance imports")
    if loc.kind != "supplier":
        raise Refused(f"Location {code} is a {loc.kind} location, not the opening balance")
    return loc


def _apply_stock(rows: list[Planned], who, cursor: _Cursor, source: str) -> int:
    opening = opening_location()
    todo = [row for row in rows if row.action == "post"]
    cursor.total = len(todo)
    note = f"opening balance from {source}"
    created: dict[tuple[int, str], Lot] = {}
    specs = []
    for row in todo:
        data = row.data
        item: Item = data["item"]  # type: ignore[assignment]
        lot: Lot | None = data["lot"]  # type: ignore[assignment]
        number = data["number"]
        if lot is None and number:
            cursor.line = row.line
            lot = created.get((item.id, str(number))) or _new_lot(item, str(number), data, who)
            created[(item.id, str(number))] = lot
        qty = int(data["qty"])  # type: ignore[call-overload]
        loc: Location = data["location"]  # type: ignore[assignment]
        specs.append(MoveSpec("receipt", item, qty, opening, loc, lot, OPENING[0], note))
    for start in range(0, len(specs), POST_CHUNK):
        chunk = specs[start : start + POST_CHUNK]
        first, last = todo[start].line, todo[start + len(chunk) - 1].line
        try:
            post(chunk, who)
        except DomainError as exc:
            raise ImportRefused(source, [Problem(first, f"{exc} (lines {first}-{last})")]) from exc
        cursor.done += len(chunk)
        cursor.progress(cursor.done, cursor.total)
    return len(specs)


def _new_lot(item: Item, number: str, data: dict[str, object], who) -> Lot:
    lot = Lot.get_or_none((Lot.item == item.id) & (Lot.number == number))
    if lot is None:
        expiry = data["expiry"] or _shelf_life_expiry(item)
        lot = add_lot(item, number, expiry=expiry, by=who)  # type: ignore[arg-type]
    return lot


def _shelf_life_expiry(item: Item) -> dt.date | None:
    if not item.shelf_life_days:
        return None
    return dt.date.today() + dt.timedelta(days=item.shelf_life_days)


# --- consignees -----------------------------------------------------------------------------

CONSIGNEE_FIELDS = (
    "address",
    "postal_code",
    "city",
    "country",
    "gln",
    "contact",
    "min_shelf_life_days",
)


def _check_gln(text: str) -> str:
    if not text.isdigit() or len(text) != 13:
        raise Refused(f"GLN {text!r} must be 13 digits")
    try:
        Gln.parse(text)
    except ParseError as exc:
        raise Refused(f"GLN {text!r} is not valid: {exc}") from exc
    return text


def _plan_consignees(records: list[Record], problems: list[Problem]) -> list[Planned]:
    from backroom.models.schema.shipping import Consignee

    check = _Checker(problems)
    existing = _by_key(Consignee, Consignee.name, (r.get("name") for r in records))
    planned = []
    for r in records:
        with check.row(r.line):
            name = r.get("name")
            if not name or len(name) > 200:
                raise Refused("A consignee needs a name of 1 to 200 characters")
            check.once(("consignee", name), r.line, f"consignee {name!r}")
            country = r.get("country").upper()
            if len(country) != 2 or not country.isalpha():
                raise Refused(f"Country {country!r} must be a two-letter code such as DE or NL")
            postal = r.get("postal_code")
            if not postal or len(postal) > 16:
                raise Refused("Give the postal code (at most 16 characters)")
            if not r.get("city"):
                raise Refused("Give the city")
            days = r.get("min_shelf_life_days")
            min_days = _whole(days, "Minimum shelf life") if days else 0
            if min_days < 0:
                raise Refused("Minimum remaining shelf life must be zero or more days")
            lines = [part.strip() for part in re.split(r"\n|\|", r.get("address")) if part.strip()]
            values: dict[str, object] = {
                "address": "\n".join(lines),
                "postal_code": postal,
                "city": r.get("city"),
                "country": country,
                "gln": _check_gln(r.get("gln")) if r.get("gln") else None,
                "contact": r.get("contact") or None,
                "min_shelf_life_days": min_days,
            }
            row = existing.get(name)
            if row is None:
                planned.append(Planned(r.line, "create", name, values))
                continue
            changes = {n: v for n, v in values.items() if getattr(row, n) != v}
            action = "update" if changes else "unchanged"
            planned.append(Planned(r.line, action, name, changes))
    return planned


def _apply_consignees(rows: list[Planned], who, cursor: _Cursor) -> None:
    from backroom.models.goods_out.parties import add_consignee
    from backroom.models.schema.shipping import Consignee

    for row in cursor.each(rows):
        data = row.data
        if row.action == "create":
            add_consignee(
                row.key,
                address=str(data["address"]),
                postal_code=str(data["postal_code"]),
                city=str(data["city"]),
                country=str(data["country"]),
                gln=data["gln"],  # type: ignore[arg-type]
                contact=data["contact"],  # type: ignore[arg-type]
                min_shelf_life_days=int(data["min_shelf_life_days"]),  # type: ignore[call-overload]
                user=who.name,
            )
        elif row.action == "update":
            current = Consignee.get(Consignee.name == row.key)
            diff = {n: [getattr(current, n), v] for n, v in data.items()}
            Consignee.update({getattr(Consignee, n): v for n, v in data.items()}).where(
                Consignee.id == current.id
            ).execute()
            log_event("consignee.edit", row.key, who, **diff)


# --- the whole file -------------------------------------------------------------------------


def plan_import(
    kind: str, data: bytes, *, source: str = "file", user: str, again: bool = False
) -> ImportPlan:
    """Read and check every row of a CSV file of KIND against the database; writes nothing.

    A stock file already imported says so in `repeated`, and is applied only with AGAIN
    (items, locations, lots and consignees are only brought up to date, so may repeat)."""
    check_kind(kind)
    get_user(user)
    try:
        text = decode(data)
    except Refused as exc:
        return ImportPlan(kind, source, [], [], [], [_at_line(exc)])
    columns, records, problems = read_records(kind, text)
    plan = ImportPlan(kind, source, columns, records[:PREVIEW_ROWS], [], problems, len(records))
    plan.digest, plan.again = hashlib.sha256(data).hexdigest(), again
    if kind == "stock":
        plan.repeated = _imported_before(plan.digest)
    if problems and not records:
        return plan
    if kind == "items":
        plan.rows = _plan_items(records, problems)
    elif kind == "locations":
        plan.rows = _plan_locations(records, problems)
    elif kind == "lots":
        plan.rows = _plan_lots(records, problems, source)
    elif kind == "stock":
        plan.rows = _plan_stock(records, problems)
    else:
        plan.rows = _plan_consignees(records, problems)
    problems.sort(key=lambda p: p.line)
    return plan


class _Cursor:
    """Walks the planned rows while they are applied: reports progress, and remembers
    the line being applied, so a refusal (another session changed something since the
    check) names it."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0
        self.line = 1

    def each(self, rows: Iterable[Planned]) -> Iterator[Planned]:
        for row in rows:
            self.line = row.line
            yield row
            self.done += 1
            self.progress(self.done, self.total)


def _imported_before(digest: str) -> str | None:
    """Why a stock file with this SHA-256 may not be imported again, if it was before."""
    # The detail is log_event's json.dumps, whose default separators give '"k": "v"'.
    earlier = (
        Event.select()
        .where((Event.kind == "import") & Event.detail.contains(f'"sha256": "{digest}"'))
        .order_by(Event.id)
        .first()
    )
    if earlier is None:
        return None
    detail = json.loads(earlier.detail)
    who = earlier.user.name if earlier.user else "Backroom"
    moves = int(detail.get("moves", 0))
    return (
        f"This stock file was imported on {earlier.time:%Y-%m-%d %H:%M} UTC by {who} "
        f"as {earlier.subject} ({moves} receipt{'' if moves == 1 else 's'}); importing it "
        "again would receive its stock twice"
    )


def _at_line(exc: Refused) -> Problem:
    found = re.search(r"\(line (\d+)\)", str(exc))
    return Problem(int(found.group(1)) if found else 1, str(exc))


def apply_import(plan: ImportPlan, *, user: str, progress: Progress | None = None) -> ImportResult:
    """Apply a checked plan in one write transaction: all of it, or nothing."""
    if plan.problems:
        raise ImportRefused(plan.source, plan.problems)
    if plan.repeated and not plan.again:
        raise ImportRefused(plan.source, [Problem(1, plan.repeated)])
    report = progress or (lambda done, total: None)

    def _apply() -> int:
        who = get_user(user)
        posted = 0
        if plan.kind == "stock" and not plan.again:
            lock_head()  # as postings do: two sessions importing one file take turns
            if earlier := _imported_before(plan.digest):
                raise ImportRefused(plan.source, [Problem(1, earlier)])
        cursor = _Cursor(report, len(plan.rows))
        try:
            if plan.kind == "items":
                _apply_items(plan.rows, who, cursor)
            elif plan.kind == "locations":
                _apply_locations(plan.rows, who, cursor)
            elif plan.kind == "lots":
                _apply_lots(plan.rows, who, cursor)
            elif plan.kind == "stock":
                posted = _apply_stock(plan.rows, who, cursor, plan.source)
            else:
                _apply_consignees(plan.rows, who, cursor)
        except ImportRefused:
            raise
        except DomainError as exc:
            raise ImportRefused(plan.source, [Problem(cursor.line, str(exc))]) from exc
        log_event(
            "import",
            plan.source,
            who,
            kind=plan.kind,
            rows=plan.total,
            moves=posted,
            sha256=plan.digest,
        )
        return posted

    posted = run_write(_apply)
    counts = plan.counts()
    return ImportResult(
        plan.kind,
        plan.source,
        counts["create"],
        counts["update"],
        counts["unchanged"],
        posted,
        counts["skip"],
    )


def import_file(
    kind: str, path: str | Path, *, user: str, progress: Progress | None = None
) -> ImportResult:
    """Check a CSV file of KIND and import it whole; ImportRefused lists every problem."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise Refused(f"Cannot read {file}: {exc.strerror}") from exc
    plan = plan_import(kind, data, source=file.name, user=user)
    return apply_import(plan, user=user, progress=progress)
