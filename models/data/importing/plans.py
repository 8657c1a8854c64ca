"""The plan/apply machinery every kind shares: planned rows, the plan and result of a
file, the row checker and apply cursor, and the look-ups that read a file's keys in
a few queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from backroom.models.data.importing.csv_rows import Problem, Record
from backroom.models.errors import DomainError, Refused
from backroom.models.schema import Item, Lot

OPENING = ("OPENING", "Opening balance")  # code and name of the opening-balance location
MAX_QTY = 2**31 - 1  # quantity columns are 32-bit on PostgreSQL
PREVIEW_ROWS = 10
POST_CHUNK = 1_000  # opening-stock moves per post(): progress moves between chunks
KEY_CHUNK = 500  # keys per prefetch query

Progress = Callable[[int, int], None]


# --- results ------------------------------------------------------------------------------


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


# --- checking and applying row by row -------------------------------------------------------


class RowChecker:
    """Collects problems row by row; a DomainError inside `row()` becomes one problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.seen: dict[object, int] = {}

    @contextmanager
    def row(self, line: int) -> Iterator[None]:
        """Check one row: a DomainError inside becomes a problem on LINE."""
        try:
            yield
        except DomainError as exc:
            self.problems.append(Problem(line, str(exc)))

    def once(self, key: object, line: int, what: str) -> None:
        """Refuse a second row with the same KEY, naming the line of the first."""
        first = self.seen.setdefault(key, line)
        if first != line:
            raise Refused(f"Duplicate row: {what} is already on line {first}")


class ApplyCursor:
    """Walks the planned rows while they are applied: reports progress, and remembers
    the line being applied, so a refusal (another session changed something since the
    check) names it."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0
        self.line = 1

    def each(self, rows: Iterable[Planned]) -> Iterator[Planned]:
        """Yield ROWS one by one, noting the line and reporting progress after each."""
        for row in rows:
            self.line = row.line
            yield row
            self.done += 1
            self.progress(self.done, self.total)


# --- reading a file's keys ------------------------------------------------------------------


def by_key(model, column, keys: Iterable[str]) -> dict[str, object]:
    """Rows of MODEL whose COLUMN is one of KEYS, by that value, in a few queries."""
    wanted = sorted({k for k in keys if k})
    found: dict[str, object] = {}
    for start in range(0, len(wanted), KEY_CHUNK):
        chunk = wanted[start : start + KEY_CHUNK]
        for row in model.select().where(column.in_(chunk)):
            found[getattr(row, column.name)] = row
    return found


class ItemLookup:
    """Items named in a file, by SKU or GTIN, read a few hundred at a time."""

    def __init__(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        self.by_sku: dict[str, Item] = by_key(Item, Item.sku, keys)  # type: ignore[assignment]
        gtins = [k.zfill(14) for k in keys if k.isdigit() and len(k) in (8, 12, 13, 14)]
        self.by_gtin: dict[str, Item] = by_key(Item, Item.gtin, gtins)  # type: ignore[assignment]

    def get(self, key: str) -> Item:
        """The item with SKU or GTIN KEY, or a Refused naming it."""
        item = self.by_sku.get(key)
        if item is None and key.isdigit():
            item = self.by_gtin.get(key.zfill(14))
        if item is None:
            raise Refused(f"Unknown item {key!r} (give the SKU or GTIN of an existing item)")
        return item

    def lots_named(self, records: Iterable[Record]) -> dict[tuple[int, str], Lot]:
        """The existing lots the rows name (their item's id and the lot number); rows
        whose item is unknown name none (their own check says so)."""
        pairs = []
        for r in records:
            try:
                pairs.append((self.get(r.get("sku")).id, r.get("lot")))
            except DomainError:
                continue
        return lots_of(pairs)


def lots_of(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Lot]:
    """Existing lots by (item id, number), in a few queries."""
    numbers = sorted({number for _, number in pairs})
    found: dict[tuple[int, str], Lot] = {}
    for start in range(0, len(numbers), KEY_CHUNK):
        chunk = numbers[start : start + KEY_CHUNK]
        for lot in Lot.select().where(Lot.number.in_(chunk)):
            found[(lot.item_id, lot.number)] = lot
    return found
