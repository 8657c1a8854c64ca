"""How Backroom's items, lots, parcels, places and times are named in EPCIS events:
EPC URIs where the site's GS1 company prefix shows where they split, GS1 Digital Link
URIs otherwise, private urn:backroom URIs for what GS1 cannot name, and the event time
zone offset of the site (site.timezone)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backroom.models.config import Config
from backroom.models.errors import Refused

DIGITAL_LINK = "https://id.gs1.org"
PRIVATE = "urn:backroom"


def _epc_escape(text: str) -> str:
    """A GS1 AI value as it goes into an EPC URI (TDS: escape " % & / < > ? #)."""
    return "".join(f"%{ord(c):02X}" if c in '"%&/<>?#' else c for c in text)


def _private(*parts: str) -> str:
    return ":".join([PRIVATE, *(quote(p, safe="-._~") for p in parts)])


@dataclass(frozen=True)
class Identifiers:
    """How Backroom's items, lots, parcels and places are named as EPCIS URIs."""

    company_prefix: str | None = None
    site_gln: str | None = None
    timezone: str = "UTC"  # the site's IANA time zone, for eventTimeZoneOffset

    @classmethod
    def from_config(cls, config: Config | None) -> Identifiers:
        """Company prefix from site.gs1_company_prefix, site GLN from site.gln, time zone
        from site.timezone (an IANA name such as Europe/Brussels; UTC if not set)."""
        if config is None:
            return cls()
        prefix = str(config.gs1_company_prefix or "").strip() or None
        gln = str(config.get("site.gln") or "").strip() or None
        zone = str(config.get("site.timezone") or "UTC").strip()
        _zone(zone)  # refused here, before any event is written
        return cls(prefix, gln, zone)

    def offset(self, moment: dt.datetime) -> str:
        """The site's UTC offset at MOMENT (naive UTC), as EPCIS writes it: +02:00."""
        local = moment.replace(tzinfo=dt.UTC).astimezone(_zone(self.timezone))
        minutes = int((local.utcoffset() or dt.timedelta()).total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    def _split(self, digits: str) -> tuple[str, str] | None:
        """(company prefix, rest) when DIGITS start with the site's company prefix."""
        cp = self.company_prefix
        if cp and cp.isdigit() and digits.startswith(cp):
            return cp, digits[len(cp) :]
        return None

    def item_class(self, sku: str, gtin: str | None, lot: str | None) -> str:
        """The class-level identifier of ITEM (and LOT): LGTIN, SGTIN pattern, Digital
        Link or private URI."""
        return _item_class(self, sku, gtin, lot)

    def _item_class(self, sku: str, gtin: str | None, lot: str | None) -> str:
        if gtin:
            split = self._split(gtin[1:13])
            if split is not None:
                cp, ref = split
                if lot:
                    return f"urn:epc:class:lgtin:{cp}.{gtin[0]}{ref}.{_epc_escape(lot)}"
                return f"urn:epc:idpat:sgtin:{cp}.{gtin[0]}{ref}.*"
            link = f"{DIGITAL_LINK}/01/{gtin}"
            return f"{link}/10/{quote(lot, safe='')}" if lot else link
        return _private("sku", sku, "lot", lot) if lot else _private("sku", sku)

    def parcel(self, sscc: str) -> str:
        """A parcel's SSCC as an EPC URI, or in Digital Link form."""
        split = self._split(sscc[1:17])
        if split is not None:
            cp, ref = split
            return f"urn:epc:id:sscc:{cp}.{sscc[0]}{ref}"
        return f"{DIGITAL_LINK}/00/{sscc}"

    def place(self, code: str | None = None) -> str:
        """A location of this site (the site itself without CODE): an SGLN with the
        location code as extension when site.gln is set, else a private URI."""
        return _place(self, code)

    def _place(self, code: str | None) -> str:
        gln = self.site_gln
        ext = code or "0"
        if gln and len(gln) == 13 and gln.isdigit() and _fits_extension(ext):
            split = self._split(gln[:12])
            if split is not None:
                cp, ref = split
                return f"urn:epc:id:sgln:{cp}.{ref}.{_epc_escape(ext)}"
            link = f"{DIGITAL_LINK}/414/{gln}"
            return f"{link}/254/{quote(code, safe='')}" if code else link
        return _private("loc", code) if code else _private("site")

    def transaction(self, reference: str) -> str:
        """A business transaction (shipment, order): urn:epcglobal:cbv:bt:GLN:ID with the
        site GLN, else a private URI."""
        if self.site_gln:
            return f"urn:epcglobal:cbv:bt:{self.site_gln}:{quote(reference, safe='-._~')}"
        return _private("ref", reference)


# A million moves name a few thousand items, lots and places: work each URI out once.
@functools.lru_cache(maxsize=200_000)
def _item_class(ids: Identifiers, sku: str, gtin: str | None, lot: str | None) -> str:
    return ids._item_class(sku, gtin, lot)


@functools.lru_cache(maxsize=50_000)
def _place(ids: Identifiers, code: str | None) -> str:
    return ids._place(code)


def _fits_extension(code: str) -> bool:
    """Whether CODE can be a GLN extension (GS1 AI 254: 1-20 characters of set 82)."""
    from backroom.models.rules.identifiers import GS1_CSET82

    return 0 < len(code) <= 20 and all(c in GS1_CSET82 for c in code)


@functools.lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Refused(
            f"site.timezone {name!r} is not a time zone name such as Europe/Brussels"
        ) from exc
