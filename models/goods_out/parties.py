"""The parties of a shipment: consignees (who the goods go to) and carriers (who take
them there, with their service levels and tracking links)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.masterdata.adding import log_event
from backroom.models.people.roles import acting
from backroom.models.rules.identifiers import check_gln
from backroom.models.rules.text import NAME_MOST, check_optional_text, check_text
from backroom.models.schema.shipping import Carrier, Consignee


@dataclass(frozen=True)
class ConsigneeInfo:
    """A consignee as people read it."""

    name: str
    address: tuple[str, ...]
    postal_code: str
    city: str
    country: str
    gln: str | None
    contact: str | None
    min_shelf_life_days: int

    @classmethod
    def of(cls, row: Consignee) -> ConsigneeInfo:
        """The view of a consignee row."""
        lines = tuple(line for line in row.address.splitlines() if line.strip())
        return cls(
            row.name,
            lines,
            row.postal_code,
            row.city,
            row.country,
            row.gln,
            row.contact,
            row.min_shelf_life_days,
        )

    def address_block(self) -> tuple[str, ...]:
        """Name, street lines, postal code and city, country: as on a label."""
        return (self.name, *self.address, f"{self.postal_code} {self.city}", self.country)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "name": self.name,
            "address": list(self.address),
            "postal_code": self.postal_code,
            "city": self.city,
            "country": self.country,
            "gln": self.gln,
            "contact": self.contact,
            "min_shelf_life_days": self.min_shelf_life_days,
        }


@dataclass(frozen=True)
class CarrierInfo:
    """A carrier as people read it."""

    code: str
    name: str
    services: tuple[str, ...]
    tracking_url: str | None

    @classmethod
    def of(cls, row: Carrier) -> CarrierInfo:
        """The view of a carrier row."""
        services = tuple(s for s in row.service_levels.split(",") if s)
        return cls(row.code, row.name, services, row.tracking_url)

    def tracking_link(self, tracking: str | None) -> str | None:
        """Where a parcel with TRACKING can be followed, if the carrier has a template."""
        if not tracking or not self.tracking_url:
            return None
        return self.tracking_url.replace("{tracking}", tracking)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "code": self.code,
            "name": self.name,
            "services": list(self.services),
            "tracking_url": self.tracking_url,
        }


def add_consignee(
    name: str,
    *,
    address: str,
    postal_code: str,
    city: str,
    country: str,
    gln: str | None = None,
    contact: str | None = None,
    min_shelf_life_days: int = 0,
    user: str,
) -> ConsigneeInfo:
    """A new consignee (ship-to party). ADDRESS is the street lines, newline-separated."""
    check_consignee_text(name, address, postal_code, city, contact)
    name = name.strip()
    if not name or len(name) > 200:
        raise Refused("A consignee needs a name of 1 to 200 characters")
    country = country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise Refused(f"Country {country!r} must be a two-letter code such as DE or NL")
    if not postal_code.strip() or len(postal_code.strip()) > 16:
        raise Refused("Give the postal code (at most 16 characters)")
    if not city.strip():
        raise Refused("Give the city")
    if isinstance(min_shelf_life_days, bool) or min_shelf_life_days < 0:
        raise Refused("Minimum remaining shelf life must be zero or more days")
    the_gln = check_gln(gln) if gln else None
    lines = "\n".join(part.strip() for part in re.split(r"\n|\|", address) if part.strip())

    def _add() -> ConsigneeInfo:
        who = acting(user, "partner")
        if Consignee.select().where(Consignee.name == name).exists():
            raise Refused(f"Consignee {name!r} already exists")
        row = Consignee.create(
            name=name,
            address=lines,
            postal_code=postal_code.strip(),
            city=city.strip(),
            country=country,
            gln=the_gln,
            contact=(contact or "").strip() or None,
            min_shelf_life_days=min_shelf_life_days,
        )
        log_event("consignee.add", name, who, city=row.city, country=country)
        return ConsigneeInfo.of(row)

    return run_write(_add)


def check_consignee_text(
    name: str, address: str, postal_code: str, city: str, contact: str | None
) -> None:
    """Refuse control characters in a consignee's words: one line each, the street
    address several; an import checks its rows with the same rule."""
    check_text(name, "The consignee's name", max_length=NAME_MOST)
    check_text(address, "The address", lines=True, max_length=1000)
    check_text(postal_code, "The postal code")
    check_text(city, "The city", max_length=100)
    check_optional_text(contact, "The contact", max_length=NAME_MOST)


def get_consignee(name: str) -> Consignee:
    """The consignee called NAME."""
    row = Consignee.get_or_none(Consignee.name == name.strip())
    if row is None:
        raise NotFound(f"Unknown consignee {name!r}: add it with 'backroom consignee add'")
    return row


def list_consignees() -> list[ConsigneeInfo]:
    """Every active consignee, by name."""
    rows = Consignee.select().where(Consignee.active).order_by(Consignee.name)
    return [ConsigneeInfo.of(row) for row in rows]


def add_carrier(
    code: str,
    *,
    name: str,
    services: Sequence[str] = (),
    tracking_url: str | None = None,
    user: str,
) -> CarrierInfo:
    """A new carrier with its service levels and tracking URL template ({tracking})."""
    check_text(code, "A carrier code")
    check_text(name, "The carrier's name", max_length=NAME_MOST)
    for level in services:
        check_text(level, "A service level", max_length=64)
    check_optional_text(tracking_url, "The tracking URL", max_length=500)
    code = code.strip().upper()
    if not code or len(code) > 32 or any(c.isspace() for c in code):
        raise Refused(f"Carrier code {code!r} must be 1 to 32 characters without spaces")
    if not name.strip():
        raise Refused(f"Carrier {code} needs a name")
    levels = [s.strip() for s in services if s.strip()]
    if tracking_url and "{tracking}" not in tracking_url:
        raise Refused("The tracking URL must hold {tracking} where the tracking number goes")

    def _add() -> CarrierInfo:
        who = acting(user, "partner")
        if Carrier.select().where(Carrier.code == code).exists():
            raise Refused(f"Carrier {code} already exists")
        row = Carrier.create(
            code=code,
            name=name.strip(),
            service_levels=",".join(levels),
            tracking_url=tracking_url or None,
        )
        log_event("carrier.add", code, who, name=row.name, services=levels)
        return CarrierInfo.of(row)

    return run_write(_add)


def get_carrier(code: str) -> Carrier:
    """The carrier with CODE."""
    row = Carrier.get_or_none(Carrier.code == code.strip().upper())
    if row is None:
        raise NotFound(f"Unknown carrier {code!r}: add it with 'backroom carrier add'")
    return row


def list_carriers() -> list[CarrierInfo]:
    """Every active carrier, by code."""
    rows = Carrier.select().where(Carrier.active).order_by(Carrier.code)
    return [CarrierInfo.of(row) for row in rows]
