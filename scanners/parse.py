"""A scan's text -> what it says: symbology, GS1 elements or GTIN, before the database."""

from __future__ import annotations

from backroom.models.rules.identifiers import GTIN_LENGTHS, is_digits
from backroom.models.values import FrozenValue, replace
from backroom.scanners.gs1 import (
    DIGITAL_LINK,
    GS,
    GS1Reading,
    is_digital_link,
    is_typed,
    read_gs1,
    read_gtin,
)
from backroom.scanners.settings import ScannerSettings
from backroom.scanners.symbology import GTIN, Symbology, split_aim

# Blank characters a scan may be padded with. Never str.strip(): it eats the GS.
BLANKS = " \t\r\n"


class Scan(FrozenValue):
    """One scan, understood as far as it can be without the database."""

    raw: str  # as received
    data: str  # without the AIM identifier and surrounding blanks
    symbology: Symbology | None
    # The scan read as GS1, when it is (or may be) GS1 element strings, (AI) text or a
    # Digital Link; `gs1_declared` when the scan itself says so (identifier, GS, ...).
    gs1: GS1Reading | None = None
    gs1_declared: bool = False
    # GTIN-14 of a scan that is a bare GTIN (EAN/UPC/ITF-14, or digits with a valid
    # check digit); `gtin_problem` when it is shaped like one but is not valid.
    gtin: str | None = None
    gtin_problem: str | None = None

    @property
    def problem(self) -> str | None:
        """Why the code itself is invalid, whatever the database holds."""
        if self.gs1_declared and self.gs1 is not None:
            return self.gs1.problem
        if self.symbology is not None and self.symbology.reads_as == GTIN:
            return self.gtin_problem
        return None

    @property
    def quantity(self) -> int | None:
        """The count the code carries, (37) or (30), if any."""
        return self.gs1.quantity if self.gs1 is not None else None

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "raw": self.raw,
            "data": self.data,
            "symbology": self.symbology.as_dict() if self.symbology else None,
            "gs1": self.gs1.as_dict() if self.gs1 else None,
            "gs1_declared": self.gs1_declared,
            "gtin": self.gtin,
            "problem": self.problem,
            "quantity": self.quantity,
        }


def parse(text: str, settings: ScannerSettings | None = None) -> Scan:
    """What TEXT (one scan, without prefix and suffix) says; never raises."""
    settings = settings or ScannerSettings()
    symbology, data = split_aim(text.strip(BLANKS))
    data = data.strip(BLANKS)
    with_gs = with_separators(data, settings.gs_substitutes)
    scan = Scan(raw=text, data=data, symbology=symbology)

    if symbology is not None and symbology.reads_as == GTIN:
        if symbology.code == "]E3" and len(data) in (15, 18):
            data = data[:13]  # the 2- or 5-digit add-on (a price, an issue) is not the GTIN
        gtin, problem = read_gtin(data, upc_e=symbology.code == "]E0")
        return _with(scan, gtin=gtin, gtin_problem=problem)
    if symbology is not None and symbology.is_gs1:
        if is_digital_link(data):
            return _with(scan, gs1=_link_in_gs1_symbol(symbology), gs1_declared=True)
        return _with(scan, gs1=read_gs1(with_gs), gs1_declared=True)
    if symbology is not None:
        # Plain barcodes (Code 128, QR, Data Matrix ...) hold GS1 only as a web link.
        if is_digital_link(data):
            return _with(scan, gs1=read_gs1(data), gs1_declared=True)
        return _with_bare_gtin(scan)
    if GS in data or is_typed(data) or is_digital_link(data):
        return _with(scan, gs1=read_gs1(with_gs), gs1_declared=True)
    if with_gs != data or _may_be_element_strings(data):
        # Maybe GS1 from a scanner without AIM identifiers: the database decides.
        scan = _with(scan, gs1=read_gs1(with_gs))
    return _with_bare_gtin(scan)


def with_separators(data: str, substitutes: tuple[str, ...]) -> str:
    """DATA with each configured substitute replaced by the GS it stands for."""
    for substitute in substitutes:
        data = data.replace(substitute, GS)
    return data


def _link_in_gs1_symbol(symbology: Symbology) -> GS1Reading:
    problem = (
        f"A {symbology.name} ({symbology.code}) carries GS1 element strings, not a web "
        f"address: a GS1 Digital Link belongs in a plain QR Code, Data Matrix or DotCode"
    )
    return GS1Reading(DIGITAL_LINK, (), problem)


def _may_be_element_strings(data: str) -> bool:
    # An SSCC or GTIN element string, as GS1-128 sends it without an identifier.
    return (data[:2] in ("01", "02") and is_digits(data[2:16]) and len(data) >= 16) or (
        data[:2] == "00" and is_digits(data[2:20]) and len(data) >= 20
    )


def _with_bare_gtin(scan: Scan) -> Scan:
    if is_digits(scan.data) and len(scan.data) in GTIN_LENGTHS:
        gtin, problem = read_gtin(scan.data)
        return _with(scan, gtin=gtin, gtin_problem=problem)
    return scan


def _with(scan: Scan, **changes: object) -> Scan:
    return replace(scan, **changes)  # type: ignore[arg-type]
