"""A table that draws only the lines on screen: a header, rows of text cells, a row
cursor and zebra stripes.

Textual's DataTable renders every cell through Rich and keeps per-cell caches; on a
200-column terminal that cost ~100 ms a page. Here a line is a few string operations:
the cells were cut to their columns' widths once, when they arrived, so a page down
draws ~60 lines of ready text. Columns either keep a fixed width or fit the first
rows after a clear, then give up room if the table is wider than the screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from backroom.models.rules.text import printable

Cell = str | Text

# A column that fits its cells never grows past this; longer text ends in "…".
FIT_LIMIT = 60
PAD = 1  # a space each side of a cell
DRAWN_LINES = 1000  # lines kept drawn: a few screens up and down
FIT_FLOOR = 8  # a column that fits its cells gives up room down to this, to fit the screen


@dataclass
class ShownColumn:
    """A column as drawn: its heading and width (None: as wide as its widest cell)."""

    label: str
    width: int | None = None
    fitted: int = 0  # the widest cell seen
    numbers: bool = False  # it holds numbers (right-aligned): never cut to fit

    @property
    def drawn_width(self) -> int:
        """The width the column takes on screen, padding aside."""
        if self.width is not None:
            return self.width
        return min(max(self.fitted, cell_len(self.label)), FIT_LIMIT)


class RowMessage(Message):
    """Something happened to a row of a table: which table, which row, its key."""

    def __init__(self, table: LineTable, cursor_row: int, key: str) -> None:
        super().__init__()
        self.table = table
        self.cursor_row = cursor_row
        self.key = key

    @property
    def control(self) -> LineTable:
        return self.table


class LineTable(ScrollView, can_focus=True):
    """Rows of text cells under a fixed header, with a row cursor."""

    BINDINGS: ClassVar = [
        Binding("enter", "select_cursor", "Open", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First row", show=False),
        Binding("end,ctrl+end", "last", "Last row", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-table--header",
        "line-table--even-row",
        "line-table--cursor",
    }
    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        & > .line-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .line-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .line-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .line-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .line-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    class RowHighlighted(RowMessage):
        """The cursor is on another row."""

    class RowSelected(RowMessage):
        """Enter (or a click on the cursor's row) chose a row."""

    def __init__(self, *, show_cursor: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.show_cursor = show_cursor
        self._columns: list[ShownColumn] = []
        self._keys: list[str] = []
        # A cell is a str, or a Text when it is styled or right-aligned (a number):
        # plain strings keep the objects a long list holds (and the collector walks) few.
        self._cells: list[tuple[Cell, ...]] = []
        self._key_index: dict[str, int] = {}
        self._cursor = 0
        # Lines drawn lately, without row styles, for the current column widths.
        self._drawn: LRUCache[int, list[Segment]] = LRUCache(DRAWN_LINES)
        self._widths: list[int] = []  # each column's drawn width, padding aside
        # The row styles of the current theme and focus, read once per change.
        self._styles: dict[str, Style] = {}

    # --- contents -----------------------------------------------------------------

    @property
    def ordered_columns(self) -> list[ShownColumn]:
        """The columns, left to right."""
        return list(self._columns)

    @property
    def row_count(self) -> int:
        """How many rows the table holds."""
        return len(self._keys)

    @property
    def cursor_row(self) -> int:
        """The index of the row under the cursor."""
        return self._cursor

    def get_row_at(self, index: int) -> list[Cell]:
        """The cells of row INDEX, as shown."""
        return list(self._cells[index])

    def get_row_index(self, key: str) -> int | None:
        """Where the row with KEY is, or None."""
        return self._key_index.get(key)

    def add_column(self, label: str, *, width: int | None = None) -> None:
        """Another column on the right: WIDTH fixed, or None to fit the cells."""
        column = ShownColumn(label, width)
        index = len(self._columns)
        for cells in self._cells:
            column.fitted = max(column.fitted, _len(cells[index]) if index < len(cells) else 0)
        self._columns.append(column)
        self._changed_widths()

    def add_rows(self, rows: Iterable[tuple[str, Sequence[object]]]) -> None:
        """Rows at the bottom: (key, cells) each; a key already held is skipped.

        Columns that fit their cells are fitted to the first rows after a clear; later
        rows are cut to those widths, so the columns stay put while paging down."""
        grew = False
        start = len(self._keys)
        fit = start == 0
        for key, values in rows:
            if key in self._key_index:
                continue
            cells = tuple(_cell(v) for v in values)
            self._key_index[key] = len(self._keys)
            self._keys.append(key)
            self._cells.append(cells)
            if not fit:
                continue
            for column, cell in zip(self._columns, cells, strict=False):
                if column.width is None and _len(cell) > column.fitted:
                    column.fitted = _len(cell)
                    grew = True
                if not isinstance(cell, str) and cell.justify == "right":
                    column.numbers = True
        if grew:
            self._changed_widths()
        else:
            self._resize_virtual()
            self.refresh_lines(start + 1, len(self._keys) - start)
        if start == 0 and self._keys:
            self._highlighted()

    def clear(self, columns: bool = False) -> None:
        """Drop every row (and the columns too, if COLUMNS)."""
        self._keys, self._cells, self._key_index = [], [], {}
        self._drawn.clear()
        self._cursor = 0
        if columns:
            self._columns = []
        else:
            for column in self._columns:
                column.fitted = 0
        self._widths = self._fitted_widths()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._resize_virtual()
        self.refresh()

    # --- the cursor ---------------------------------------------------------------

    def move_cursor(self, *, row: int, scroll: bool = True) -> None:
        """Put the cursor on ROW (kept within the rows), showing it if SCROLL."""
        row = max(0, min(row, len(self._keys) - 1))
        old, self._cursor = self._cursor, row
        if old != row:
            self.refresh_lines(old + 1)
            self.refresh_lines(row + 1)
        if scroll:
            self.scroll_to_cursor()
        if old != row and self._keys:
            self._highlighted()

    def scroll_to_cursor(self) -> None:
        """Scroll just enough to show the cursor's row."""
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = round(self.scroll_y)
        if self._cursor < top:
            top = self._cursor
        elif self._cursor >= top + visible:
            top = self._cursor - visible + 1
        if top != round(self.scroll_y):
            self.scroll_to(y=top, animate=False, immediate=True)

    def _highlighted(self) -> None:
        self.post_message(self.RowHighlighted(self, self._cursor, self._keys[self._cursor]))

    @property
    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self._cursor + 1)

    def action_page_down(self) -> None:
        """A screenful down: the cursor keeps its place on the screen."""
        self._page_by(self._page)

    def action_page_up(self) -> None:
        """A screenful up."""
        self._page_by(-self._page)

    def _page_by(self, rows: int) -> None:
        if not self._keys:
            return
        offset = self._cursor - round(self.scroll_y)
        self.scroll_to(y=max(round(self.scroll_y) + rows, 0), animate=False, immediate=True)
        self.move_cursor(row=self._cursor + rows, scroll=False)
        top = round(self.scroll_y)
        if not top <= self._cursor < top + self._page:
            self.move_cursor(row=top + offset, scroll=False)
        self.scroll_to_cursor()

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self._keys) - 1)

    def action_select_cursor(self) -> None:
        if self._keys:
            self.post_message(self.RowSelected(self, self._cursor, self._keys[self._cursor]))

    def on_click(self, event: events.Click) -> None:
        row = round(self.scroll_y) + event.y - 1
        if event.y < 1 or not 0 <= row < len(self._keys):
            return
        if row == self._cursor:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)

    def on_resize(self, _event: events.Resize) -> None:
        if self._fitted_widths() != self._widths:
            self._changed_widths()
        self.scroll_to_cursor()

    # --- drawing ------------------------------------------------------------------

    def _fitted_widths(self) -> list[int]:
        """Each column's width: its own, except that columns fitting their cells give up
        room (the one with most to spare first, down to its heading or FIT_FLOOR) until
        the table fits the screen: nothing hides to the right of a handheld's 40 columns."""
        widths = [c.drawn_width for c in self._columns]
        room = self.size.width if self.is_mounted else 0
        if len(self._keys) + 1 > self.size.height:  # rows enough for a vertical scrollbar
            room -= self.styles.scrollbar_size_vertical
        excess = sum(w + 2 * PAD for w in widths) - PAD - room
        if room <= 0 or excess <= 0:
            return widths
        floors = [
            max(min(cell_len(c.label), w), min(FIT_FLOOR, w))
            if c.width is None and not c.numbers
            else w  # a number is never cut
            for c, w in zip(self._columns, widths, strict=True)
        ]
        while excess > 0:
            give, i = max((w - f, i) for i, (w, f) in enumerate(zip(widths, floors, strict=True)))
            if give <= 0:
                break
            widths[i] -= 1
            excess -= 1
        return widths

    def _changed_widths(self) -> None:
        self._widths = self._fitted_widths()
        self._drawn.clear()
        self._resize_virtual()
        self.refresh()

    def _resize_virtual(self) -> None:
        # No padding after the last column: a handheld's 40 columns hold one more.
        width = max(sum(w + 2 * PAD for w in self._widths) - PAD, 0)
        size = Size(width, len(self._keys) + 1)
        if size == self.virtual_size:
            return
        if not self.is_mounted:
            self.virtual_size = size
            return
        # The table's own box does not change with its rows, so the screen need not be
        # laid out again (as setting virtual_size would): the scrollbars follow, and
        # appear or go by their own reactives when they must.
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)

    def _style(self, name: str) -> Style:
        """The style of the header, a row, an even row or the cursor's row."""
        if not self._styles:
            base = self.rich_style
            even = base + self.get_component_rich_style("line-table--even-row")
            self._styles = {
                "header": base + self.get_component_rich_style("line-table--header"),
                "odd": base,
                "even": even,
                "cursor-odd": base + self.get_component_rich_style("line-table--cursor"),
                "cursor-even": even + self.get_component_rich_style("line-table--cursor"),
            }
        return self._styles[name]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            header = self._style("header")
            return self._fit([Segment(s.text, header) for s in self._header()], width, header)
        row = round(self.scroll_y) + y - 1
        if row >= len(self._keys):
            return Strip.blank(width, self._style("odd"))
        parity = "even" if row % 2 else "odd"
        if self.show_cursor and row == self._cursor:
            style = self._style(f"cursor-{parity}")
            return self._fit([Segment(s.text, style) for s in self._row(row)], width, style)
        style = self._style(parity)
        segments = [Segment(s.text, style + s.style if s.style else style) for s in self._row(row)]
        return self._fit(segments, width, style)

    def _fit(self, segments: list[Segment], width: int, style: Style) -> Strip:
        strip = Strip(segments)
        x = round(self.scroll_x)
        if x:
            strip = strip.crop(x, x + width)
        return strip.extend_cell_length(width, style).crop(0, width)

    def _header(self) -> list[Segment]:
        return _line([c.label for c in self._columns], self._widths)

    def _row(self, row: int) -> list[Segment]:
        drawn = self._drawn.get(row)
        if drawn is None:
            drawn = self._drawn[row] = _line(self._cells[row], self._widths)
        return drawn

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = {}
        self.refresh()


def _line(cells: Sequence[Cell], widths: Sequence[int]) -> list[Segment]:
    """The segments of one line: each cell cut or padded to its column's width, the
    unstyled stretches joined into one segment each."""
    segments: list[Segment] = []
    plain: list[str] = []
    pad = " " * PAD
    for width, cell in zip(widths, cells, strict=False):
        plain.append(pad)
        if isinstance(cell, str):
            if cell_len(cell) > width:
                cell = Text(cell)  # cut below, with an ellipsis
            else:
                plain.append(cell)
                plain.append(" " * (width - cell_len(cell)))
                plain.append(pad)
                continue
        if cell.cell_len > width:
            cell = cell.copy()
            cell.truncate(width, overflow="ellipsis")
        room = " " * (width - cell.cell_len)
        right = cell.justify == "right"
        if right:
            plain.append(room)
        if cell.spans or cell.style:
            segments.append(Segment("".join(plain)))
            plain = []
            segments.extend(_styled(cell))
        else:
            plain.append(cell.plain)
        if not right:
            plain.append(room)
        plain.append(pad)
    segments.append(Segment("".join(plain)))
    return [s for s in segments if s.text]


def _styled(cell: Text) -> list[Segment]:
    """A styled cell's segments (styles given as names are parsed here)."""
    out: list[Segment] = []
    for part in cell.divide(sorted({s.start for s in cell.spans} | {s.end for s in cell.spans})):
        style = _parsed(cell.style)
        for span in part.spans:
            style += _parsed(span.style)
        out.append(Segment(part.plain, style or None))
    return [s for s in out if s.text]


def _parsed(style: str | Style) -> Style:
    return Style.parse(style) if isinstance(style, str) else style


def _cell(value: object) -> Cell:
    """A cell as held: numbers right-aligned, None empty, markup never read."""
    if isinstance(value, str):
        return printable(value)  # a stored escape is shown, not sent to the terminal
    if isinstance(value, Text):
        shown = printable(value.plain)
        if shown != value.plain:  # spans give way to showing the escapes
            value = Text(shown, style=value.style, justify=value.justify)
        return value if value.spans or value.style or value.justify == "right" else value.plain
    if isinstance(value, int) and not isinstance(value, bool):
        return Text(str(value), justify="right")
    if value is None:
        return ""
    return str(value)


def _len(cell: Cell) -> int:
    return cell_len(cell) if isinstance(cell, str) else cell.cell_len
