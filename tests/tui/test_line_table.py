"""LineTable: the lines it draws, its cursor and paging, clicks and Enter."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult

from backroom.tui.widgets.line_table import FIT_LIMIT, LineTable


class TableApp(App[None]):
    def __init__(self, rows: int = 0, widths: tuple[int | None, ...] = (None, None, None)):
        super().__init__()
        self.rows = rows
        self.widths = widths
        self.selected: list[str] = []
        self.highlighted: list[str] = []

    def compose(self) -> ComposeResult:
        yield LineTable()

    def on_mount(self) -> None:
        table = self.query_one(LineTable)
        for label, width in zip(("Code", "Name", "Qty"), self.widths, strict=True):
            table.add_column(label, width=width)
        table.add_rows((f"k{i}", (f"C-{i:03}", f"Thing {i}", i)) for i in range(self.rows))
        table.focus()

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        self.selected.append(event.key)

    def on_line_table_row_highlighted(self, event: LineTable.RowHighlighted) -> None:
        self.highlighted.append(event.key)


def lines(table: LineTable) -> list[str]:
    """The text of every line the table shows, trailing blanks cut."""
    return [
        "".join(s.text for s in table.render_line(y)).rstrip()
        for y in range(table.scrollable_content_region.height)
    ]


async def test_a_header_then_rows_with_numbers_right_aligned():
    app = TableApp(rows=3)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        shown = lines(app.query_one(LineTable))
        assert shown[:4] == [
            " Code   Name     Qty",
            " C-000  Thing 0    0",
            " C-001  Thing 1    1",
            " C-002  Thing 2    2",
        ]
        assert shown[4:] == [""] * (len(shown) - 4)


async def test_a_cell_too_long_for_its_column_ends_in_an_ellipsis():
    app = TableApp(widths=(5, None, None))
    async with app.run_test(size=(100, 10)) as pilot:
        table = app.query_one(LineTable)
        table.add_rows([("a", ("ABCDEFGH", "x" * 100, 1))])
        await pilot.pause()
        row = lines(table)[1]
        assert row.startswith(" ABCD…  ")
        assert "x" * (FIT_LIMIT - 1) + "…" in row and "x" * FIT_LIMIT not in row


async def test_columns_fit_the_first_rows_and_stay_put_as_more_arrive():
    app = TableApp(rows=2)
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(LineTable)
        table.add_rows([("late", ("C-LATE-AND-LONG", "Thing", 7))])
        await pilot.pause()
        shown = lines(table)
        assert shown[1] == " C-000  Thing 0    0"
        assert shown[3] == " C-LA…  Thing      7"  # cut to the width the first rows set
        table.clear()
        table.add_rows([("late", ("C-LATE-AND-LONG", "Thing", 7))])
        await pilot.pause()
        assert lines(table)[1] == " C-LATE-AND-LONG  Thing    7"  # fitted anew


async def test_page_down_moves_a_screenful_and_keeps_the_cursor_on_its_line():
    app = TableApp(rows=100)
    async with app.run_test(size=(40, 10)) as pilot:  # a header and 9 rows
        table = app.query_one(LineTable)
        await pilot.press("down", "down")
        assert table.cursor_row == 2
        await pilot.press("pagedown")
        await pilot.pause()
        assert table.cursor_row == 11 and round(table.scroll_y) == 9
        assert lines(table)[3].startswith(" C-011")  # the cursor's line on screen
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 99 and lines(table)[-1].startswith(" C-099")
        await pilot.press("pagedown", "down")
        assert table.cursor_row == 99  # nowhere further to go
        await pilot.press("pageup")
        assert table.cursor_row == 90
        await pilot.press("home", "up")
        await pilot.pause()
        assert table.cursor_row == 0 and round(table.scroll_y) == 0
        assert app.highlighted[-1] == "k0"


async def test_enter_and_a_second_click_choose_the_row():
    app = TableApp(rows=5)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(LineTable)
        await pilot.press("down", "enter")
        assert app.selected == ["k1"]
        await pilot.click(LineTable, offset=(3, 4))  # the line of the fourth row
        assert table.cursor_row == 3 and app.selected == ["k1"]
        await pilot.click(LineTable, offset=(3, 4))
        assert app.selected == ["k1", "k3"]
        await pilot.click(LineTable, offset=(3, 0))  # the header chooses nothing
        assert table.cursor_row == 3 and app.selected == ["k1", "k3"]


async def test_a_styled_cell_keeps_its_colour_off_the_cursor_and_takes_the_cursors_on_it():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(LineTable)
        red = Style(color="red")
        table.add_rows([("a", ("A", "plain", 1)), ("b", (Text("B", style=red), "x", 2))])
        await pilot.pause()
        on_b = [s for s in table.render_line(2) if s.text == "B"]
        assert on_b and on_b[0].style.color.name == "red"
        await pilot.press("down")
        on_b = [s for s in table.render_line(2) if s.text == "B"]
        cursor = table.get_component_rich_style("line-table--cursor")
        assert on_b[0].style.bgcolor == cursor.bgcolor and on_b[0].style.color != red.color


async def test_a_key_already_held_is_not_added_twice():
    app = TableApp(rows=3)
    async with app.run_test(size=(40, 10)):
        table = app.query_one(LineTable)
        table.add_rows([("k1", ("again", "", 0)), ("k9", ("C-009", "", 9))])
        assert table.row_count == 4
        assert [str(c) for c in table.get_row_at(1)] == ["C-001", "Thing 1", "1"]
        assert table.get_row_index("k9") == 3


def backgrounds(table: LineTable) -> tuple[object, object]:
    """The background of the cursor's line (the first row) and of the second row."""
    return tuple(next(iter(table.render_line(y))).style.bgcolor for y in (1, 2))


async def test_a_new_theme_redraws_the_rows_in_its_colours():
    app = TableApp(rows=3)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(LineTable)
        await pilot.pause()
        before = backgrounds(table)
        app.theme = "textual-light"
        await pilot.pause()
        after = backgrounds(table)
        assert after[0] != before[0] and after[1] != before[1]


async def test_columns_that_fit_their_cells_give_up_room_to_fit_a_handheld():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(LineTable)
        long = "a long description of the thing, said twice over"
        table.add_rows([("a", ("C-001", long, 12)), ("b", ("C-002", "short", 1234567890))])
        await pilot.pause()
        row, other = lines(table)[1:3]
        assert len(row) <= 40 and row.startswith(" C-001  a long") and row.endswith("…          12")
        assert other.endswith(" 1234567890")  # a number is never cut
        assert not table.show_horizontal_scrollbar
        await pilot.resize_terminal(120, 10)
        await pilot.pause()
        assert lines(table)[1].endswith(f"{long}          12")


async def test_the_cursor_row_dims_when_the_table_loses_the_focus():
    app = TableApp(rows=3)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(LineTable)
        await pilot.pause()
        focused = backgrounds(table)[0]
        table.blur()
        await pilot.pause()
        assert backgrounds(table)[0] != focused
