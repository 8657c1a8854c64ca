"""GS1's sizes for the symbols Backroom prints: X-dimension (narrowest bar, or module of a
2D symbol) and bar heights per symbology and application, from the GS1 General
Specifications (section 5.12.3, the symbol specification tables) and the GS1 Logistic
Label Guideline; text heights from the same documents.

Which table applies is a matter of where the label is scanned: a trade item at the
point of sale (table 1), a trade item in general distribution (table 2: cases, lots and
serial numbers in a warehouse), a logistic unit (table 5). Where the two documents
differ, the stricter number is kept (32 mm bars for logistic units, as the guideline
recommends, over the specifications' 31.75 mm).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from backroom.labels.sizes import MM_PER_INCH

# Where the numbers below come from.
SOURCE = "GS1 General Specifications 5.12.3 (tables 1, 2, 5), GS1 Logistic Label Guideline"


@dataclass(frozen=True)
class SymbolSpec:
    """The sizes one symbology may be printed at in one application, in millimetres."""

    table: str  # the application, as GS1 names it
    x_min: float
    x_target: float
    x_max: float
    bar_height: float = 0.0  # least bar height at x_target (linear symbols)
    scales: bool = False  # EAN/UPC: the least height grows with X (magnification)
    hri_mm: float = 3.0  # least height of the human-readable digits

    def least_height_mm(self, x_mm: float) -> float:
        """The shortest bars allowed at an X-dimension of X_MM."""
        if self.scales:
            return self.bar_height * x_mm / self.x_target
        return self.bar_height

    def module_dots(self, dpi: int) -> list[int]:
        """Whole-dot module widths at DPI within the range, the first at or just above
        the target and then narrower ones down to the minimum, then wider ones."""
        dpmm = dpi / MM_PER_INCH
        least = math.ceil(self.x_min * dpmm - 1e-6)
        most = math.floor(self.x_max * dpmm + 1e-6)
        target = max(least, min(most, math.ceil(self.x_target * dpmm - 1e-6)))
        return [*range(target, least - 1, -1), *range(target + 1, most + 1)]

    def describe(self) -> str:
        """The range in words, for a refusal."""
        bars = f", bars at least {self.bar_height:g} mm high" if self.bar_height else ""
        if self.scales:
            bars = f", bars {self.bar_height:g} mm high at X {self.x_target:g} mm"
        return f"{self.table}: X {self.x_min:g} to {self.x_max:g} mm{bars}"


RETAIL = "GS1 table 1, trade items scanned at the point of sale"
DISTRIBUTION = "GS1 table 2, trade items scanned in general distribution"
LOGISTIC = "GS1 table 5, logistic units"

# EAN-13/UPC-A: 22.85 mm bars at the nominal 0.330 mm; EAN-8: 18.23 mm.
EAN13_RETAIL = SymbolSpec(RETAIL, 0.264, 0.330, 0.660, 22.85, scales=True, hri_mm=2.0)
EAN8_RETAIL = SymbolSpec(RETAIL, 0.264, 0.330, 0.660, 18.23, scales=True, hri_mm=2.0)
GS1_128_DISTRIBUTION = SymbolSpec(DISTRIBUTION, 0.495, 0.495, 1.016, 31.75)
GS1_128_LOGISTIC = SymbolSpec(LOGISTIC, 0.495, 0.495, 0.940, 32.0)
# 2D symbols are read by imagers: 1.5 times the linear X-dimension.
MATRIX_DISTRIBUTION = SymbolSpec(DISTRIBUTION, 0.743, 0.743, 1.500)
MATRIX_LOGISTIC = SymbolSpec(LOGISTIC, 0.743, 0.743, 1.500)

# Non-HRI text on a logistic label (data content such as the SSCC) SHOULD be 7 mm high.
DATA_CONTENT_MM = 7.0
# A GS1-128 symbol, quiet zones included, is at most 165.10 mm long and carries at
# most 48 data characters (FNC1 separators counted, the check character not).
GS1_128_MAX_MM = 165.10
GS1_128_MAX_CHARS = 48


def linear_spec(symbology: str, logistic: bool = False) -> SymbolSpec:
    """The spec of a GS1 linear symbol: EAN at the point of sale, GS1-128 in general
    distribution or, for a logistic unit, on its logistic label."""
    if symbology == "ean13":
        return EAN13_RETAIL
    if symbology == "ean8":
        return EAN8_RETAIL
    return GS1_128_LOGISTIC if logistic else GS1_128_DISTRIBUTION


def matrix_spec(logistic: bool = False) -> SymbolSpec:
    """The spec of a GS1 DataMatrix or QR code on a case or on a logistic unit."""
    return MATRIX_LOGISTIC if logistic else MATRIX_DISTRIBUTION
