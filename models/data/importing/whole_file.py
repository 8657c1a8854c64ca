"""Importing a whole file: plan every row of it, then apply the plan in one write
transaction, so a file goes in whole or not at all."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from backroom.models.data.csv_cells import read_back
from backroom.models.data.importing import (
    consignees,
    items,
    locations,
    lots,
    opening_stock,
    packaging,
)
from backroom.models.data.importing.csv_rows import (
    Problem,
    Record,
    check_kind,
    decode,
    read_file,
    read_records,
)
from backroom.models.data.importing.plans import (
    PREVIEW_ROWS,
    ApplyCursor,
    ImportPlan,
    ImportRefused,
    ImportResult,
    Progress,
)
from backroom.models.db import run_write
from backroom.models.errors import DomainError, Refused
from backroom.models.masterdata.adding import get_user, log_event
from backroom.models.people.roles import require
from backroom.models.schema import Event, User
from backroom.models.stock.ledger import lock_head


def importer(name: str) -> User:
    """The user NAME, allowed to import data (a lead or above); else Refused."""
    return require(get_user(name), "import")  # type: ignore[return-value]


def plan_import(
    kind: str, data: bytes, *, source: str = "file", user: str, again: bool = False
) -> ImportPlan:
    """Read and check every row of a CSV file of KIND against the database; writes nothing.

    A stock file already imported says so in `repeated`, and is applied only with AGAIN
    (items, locations, lots and consignees are only brought up to date, so may repeat)."""
    check_kind(kind)
    importer(user)
    try:
        text = decode(data)
    except Refused as exc:
        return ImportPlan(kind, source, [], [], [], [_at_line(exc)])
    columns, records, problems = read_records(kind, text)
    # A cell the exporter neutralised ('=1+1) reads back as it was (=1+1).
    records = [Record(r.line, {c: read_back(v) for c, v in r.values.items()}) for r in records]
    plan = ImportPlan(kind, source, columns, records[:PREVIEW_ROWS], [], problems, len(records))
    plan.digest, plan.again = hashlib.sha256(data).hexdigest(), again
    if kind == "stock":
        plan.repeated = _imported_before(plan.digest)
    if problems and not records:
        return plan
    if kind == "items":
        plan.rows = items.plan_items(records, problems)
    elif kind == "locations":
        plan.rows = locations.plan_locations(records, problems)
    elif kind == "lots":
        plan.rows = lots.plan_lots(records, problems, source)
    elif kind == "stock":
        plan.rows = opening_stock.plan_stock(records, problems)
    elif kind == "packaging":
        plan.rows = packaging.plan_packaging(records, problems)
    else:
        plan.rows = consignees.plan_consignees(records, problems)
    problems.sort(key=lambda p: p.line)
    return plan


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
        who = importer(user)
        posted = 0
        if plan.kind == "stock" and not plan.again:
            lock_head()  # as postings do: two sessions importing one file take turns
            if earlier := _imported_before(plan.digest):
                raise ImportRefused(plan.source, [Problem(1, earlier)])
        cursor = ApplyCursor(report, len(plan.rows))
        try:
            if plan.kind == "items":
                items.apply_items(plan.rows, who, cursor)
            elif plan.kind == "locations":
                locations.apply_locations(plan.rows, who, cursor)
            elif plan.kind == "lots":
                lots.apply_lots(plan.rows, who, cursor)
            elif plan.kind == "stock":
                posted = opening_stock.apply_stock(plan.rows, who, cursor, plan.source)
            elif plan.kind == "packaging":
                packaging.apply_packaging(plan.rows, who, cursor)
            else:
                consignees.apply_consignees(plan.rows, who, cursor)
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
    plan = plan_import(kind, read_file(file), source=file.name, user=user)
    return apply_import(plan, user=user, progress=progress)
