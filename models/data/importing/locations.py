"""Importing locations: new codes are added parents first, known ones brought up to date."""

from __future__ import annotations

from backroom.models.data.importing.csv_rows import Problem, Record, _flag
from backroom.models.data.importing.plans import ApplyCursor, Planned, RowChecker, by_key
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import add_location
from backroom.models.rules.identifiers import check_location_code
from backroom.models.rules.text import NAME_MOST, check_text
from backroom.models.schema import LOCATION_KINDS, Location, Move


def plan_locations(records: list[Record], problems: list[Problem]) -> list[Planned]:
    """Check each location row; new locations get the depth they are created in."""
    check = RowChecker(problems)
    codes = [r.get("code") for r in records]
    parents = [r.get("parent") for r in records]
    existing: dict[str, Location] = by_key(Location, Location.code, codes + parents)  # type: ignore[assignment]
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
    r: Record, existing: dict[str, Location], in_file: dict[str, Record], check: RowChecker
) -> Planned:
    code = check_location_code(r.get("code"))
    check.once(("code", code), r.line, f"location {code}")
    check_text(r.get("name"), f"The name of location {code}", max_length=NAME_MOST)
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


def apply_locations(rows: list[Planned], who, cursor: ApplyCursor) -> None:
    """Add the new locations parents first, then update the known ones."""
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
