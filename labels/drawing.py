"""What a laid-out label is: bars, lines of text and filled rectangles, in printer dots.

Layouts produce a Drawing; render.py turns it into an image and zpl.py into ZPL, so both
outputs show the same thing in the same place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from backroom.labels.matrix import MatrixSymbol
from backroom.labels.symbols import Symbol

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Bars:
    """A barcode: X is the left edge of the first bar; the quiet zones lie outside it."""

    x: int
    y: int
    module: int  # dots per module
    height: int
    symbol: Symbol

    @property
    def width(self) -> int:
        """From the first bar's left edge to the last bar's right edge, in dots."""
        return sum(self.symbol.widths) * self.module

    def box(self) -> tuple[int, int, int, int]:
        """Left, top, right, bottom with the quiet zones: nothing else may be drawn here."""
        left = self.x - self.symbol.quiet_left * self.module
        right = self.x + self.width + self.symbol.quiet_right * self.module
        return left, self.y, right, self.y + self.height


@dataclass(frozen=True)
class Matrix:
    """A 2D symbol: X, Y is the top left of its first module; the quiet zone lies outside."""

    x: int
    y: int
    module: int  # dots per module, across and down
    symbol: MatrixSymbol

    @property
    def width(self) -> int:
        """Across the modules, without the quiet zone, in dots."""
        return self.symbol.columns * self.module

    @property
    def height(self) -> int:
        """Down the modules, without the quiet zone, in dots."""
        return self.symbol.height * self.module

    def box(self) -> tuple[int, int, int, int]:
        """Left, top, right, bottom with the quiet zone."""
        quiet = self.symbol.quiet * self.module
        return (
            self.x - quiet,
            self.y - quiet,
            self.x + self.width + quiet,
            self.y + self.height + quiet,
        )


@dataclass(frozen=True)
class Text:
    """One line of text in a box WIDTH dots wide, starting at Y (the top of the line)."""

    x: int
    y: int
    width: int
    height: int  # the line height at this size
    size: int  # em size in dots
    text: str
    bold: bool = False
    align: Align = "left"

    def box(self) -> tuple[int, int, int, int]:
        """Left, top, right, bottom."""
        return self.x, self.y, self.x + self.width, self.y + self.height


@dataclass(frozen=True)
class Rect:
    """A filled black rectangle: rules and frames."""

    x: int
    y: int
    width: int
    height: int

    def box(self) -> tuple[int, int, int, int]:
        """Left, top, right, bottom."""
        return self.x, self.y, self.x + self.width, self.y + self.height


Element = Bars | Matrix | Text | Rect


@dataclass
class Drawing:
    """One label, laid out for one size and resolution."""

    width: int  # dots
    height: int
    dpi: int
    title: str  # what it is, for file names and print job names: "location A-01-01"
    elements: list[Element] = field(default_factory=list)

    @property
    def bars(self) -> list[Bars]:
        """The barcodes, in drawing order."""
        return [e for e in self.elements if isinstance(e, Bars)]

    @property
    def matrices(self) -> list[Matrix]:
        """The 2D symbols, in drawing order."""
        return [e for e in self.elements if isinstance(e, Matrix)]

    @property
    def texts(self) -> list[Text]:
        """The lines of text, in drawing order."""
        return [e for e in self.elements if isinstance(e, Text)]
