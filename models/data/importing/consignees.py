"""Importing consignees (ship-to parties): new names are added, known ones brought up to
date."""

from __future__ import annotations

import re

from backroom.models.data.importing.csv_rows import Problem, Record, _whole
from backroom.models.data.importing.plans import ApplyCursor, Planned, RowChecker, by_key
from backroom.models.errors import Refused
from backroom.models.goods_out.parties import check_consignee_text
from backroom.models.masterdata.adding import log_event
from backroom.models.rules.identifiers import check_gln

CONSIGNEE_FIELDS = (
    "address",
    "postal_code",
    "city",
    "country",
    "gln",
    "contact",
    "min_shelf_life_days",
)


def plan_consignees(records: list[Record], problems: list[Problem]) -> list[Planned]:
    """Check each consignee row: a new name is created, a known one updated or left as is."""
    from backroom.models.schema.shipping import Consignee

    check = RowChecker(problems)
    existing = by_key(Consignee, Consignee.name, (r.get("name") for r in records))
    planned = []
    for r in records:
        with check.row(r.line):
            name = r.get("name")
            if not name or len(name) > 200:
                raise Refused("A consignee needs a name of 1 to 200 characters")
            check.once(("consignee", name), r.line, f"consignee {name!r}")
            check_consignee_text(
                name, r.get("address"), r.get("postal_code"), r.get("city"), r.get("contact")
            )
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
                "gln": check_gln(r.get("gln")) if r.get("gln") else None,
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


def apply_consignees(rows: list[Planned], who, cursor: ApplyCursor) -> None:
    """Add or update the planned consignees. Call inside a write transaction."""
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
