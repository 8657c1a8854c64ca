"""The receipt discrepancy report of one purchase order or one ASN: per line what was
expected, received, over, short and damaged; the goods nobody ordered; totals per unit.

Scan or type the order, the ASN or an announced pallet's SSCC (its ASN); Ctrl+R reads
it again as receipts arrive (it is read again too when the screen comes back into view);
c and p save it as CSV or PDF, a new file in the site's documents folder.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Input, Static
from textual.worker import Worker

from backroom.models.data.folders import new_file, site_folders
from backroom.models.db import db
from backroom.models.goods_in.report import Discrepancy, DiscrepancyRow, Totals
from backroom.models.goods_in.report import receipt_discrepancies as read_report
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.line_table import LineTable
from backroom.tui.widgets.message_line import MessageLine
from backroom.tui.widgets.plain import plain
from backroom.tui.widgets.scan_input import ScanInput
from backroom.tui.worker_errors import PassesWorkerFailuresOn

# Below this width the table drops the line number and the unit, and its headings are
# short, so that every figure fits a handheld's 40 columns; the line under the table
# says the row under the cursor in full.
NARROW = 60
WIDE_COLUMNS = ("Line", "Item", "Lot", "Expected", "Received", "Over", "Short", "Damaged", "Unit")
NARROW_COLUMNS = ("Item", "Exp", "Rcvd", "Over", "Short", "Dmg")


def _figure(value: int) -> int | str:
    """A discrepancy as shown: blank when there is none, so the ones there are stand out."""
    return value or ""


def _cells(
    line: object, item: str, lot: str, f: DiscrepancyRow | Totals, unit: str, *, narrow: bool
) -> tuple[object, ...]:
    figures = (f.expected, f.received, _figure(f.over), _figure(f.short), _figure(f.damaged))
    if narrow:
        return (item, *figures)
    return (line, item, lot, *figures, unit)


def report_rows(report: Discrepancy, *, narrow: bool) -> list[tuple[str, tuple[object, ...]]]:
    """The table's rows (key, cells): the expected lines, the unexpected goods under a
    heading of their own, then a total per unit."""
    rows: list[tuple[str, tuple[object, ...]]] = []
    for n, r in enumerate(report.expected_rows):
        rows.append(
            (f"row-{n}", _cells(r.line or "", r.item, r.lot or "", r, r.unit, narrow=narrow))
        )
    if report.unexpected:
        label = Text("Extra" if narrow else "Unexpected", style="bold")
        width = len(NARROW_COLUMNS if narrow else WIDE_COLUMNS)
        heading = ("", label) if not narrow else (label,)
        rows.append(("unexpected", (*heading, *("",) * (width - len(heading)))))
    for n, r in enumerate(report.unexpected):
        rows.append((f"extra-{n}", _cells("", r.item, r.lot or "", r, r.unit, narrow=narrow)))
    for t in report.totals():
        label = Text(f"Total {t.unit}", style="bold")
        rows.append((f"total-{t.unit}", _cells("", label, "", t, t.unit, narrow=narrow)))
    return rows


def row_sentence(report: Discrepancy, key: str) -> str:
    """The row KEY said in full: what a narrow table leaves out (lot, name, unit)."""
    kind, _, index = key.partition("-")
    if kind == "unexpected":
        what = "ordered" if report.kind == "order" else "announced"
        return f"Below: goods that came in but were not {what}"
    if kind == "total":
        t = next(t for t in report.totals() if t.unit == index)
        return f"All lines in {t.unit}: " + _figures(t, t.unit)
    rows = report.expected_rows if kind == "row" else report.unexpected
    r = rows[int(index)]
    line = f"Line {r.line} " if r.line is not None else "Not expected: "
    lot = f", lot {r.lot}" if r.lot else ""
    return f"{line}{r.item} {r.name}{lot}: " + _figures(r, r.unit)


def _figures(f: DiscrepancyRow | Totals, unit: str) -> str:
    parts = [f"{f.expected} {unit} expected, {f.received} received"]
    parts += [f"{n} {word}" for n, word in ((f.over, "over"), (f.short, "short")) if n]
    if f.damaged:
        parts.append(f"{f.damaged} damaged")
    return ", ".join(parts)


def report_head(report: Discrepancy, *, narrow: bool = False) -> str:
    """Which order or ASN, whose, its status, and whether anything is off (on a
    handheld without the number, which the field above shows)."""
    what = f"Purchase order {report.number}"
    if report.kind == "asn":
        what = f"ASN {report.number} of {report.order}"
        if narrow:
            what = f"ASN of {report.order}"
    verdict = "as expected" if report.clean else "discrepancies"
    parts = [what, report.supplier, report.status, verdict]
    return " · ".join(parts[1:] if narrow and report.kind == "order" else parts)


class DiscrepancyScreen(PassesWorkerFailuresOn, Screen):
    """The receipt discrepancy report of one order or ASN. A refusal in a worker is
    said by `error` (tui/worker_errors.py)."""

    CSS_PATH = "discrepancy.tcss"
    TITLE = "Receipt discrepancies"
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="discrepancy.back"),
        Binding("ctrl+r", "reload", "Reload", id="discrepancy.reload"),
        Binding("c", "save('csv')", "Save CSV", id="discrepancy.csv"),
        Binding("p", "save('pdf')", "Save PDF", id="discrepancy.pdf"),
        Binding("slash", "ask", "Other", id="discrepancy.ask"),
    ]

    def __init__(self, doc: str = "") -> None:
        super().__init__()
        self.doc = doc  # an order or ASN number, or a pallet's SSCC
        self.report: Discrepancy | None = None
        self._narrow: bool | None = None  # the layout the rows were made for

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield ScanInput(id="report-doc", placeholder="scan or type an order, ASN or pallet")
        yield Static("", id="report-head", markup=False)
        yield LineTable(id="report-table")
        yield Static("", id="report-row", markup=False)
        yield MessageLine("", id="report-message", classes="message")
        yield KeyFooter()

    @property
    def table(self) -> LineTable:
        return self.query_one("#report-table", LineTable)

    def on_mount(self) -> None:
        if self.doc:
            self.query_one("#report-doc", ScanInput).value = self.doc
            self.table.focus()
            self.load(self.doc)
        else:
            self.action_ask()

    def on_screen_resume(self) -> None:
        # Back from receiving: what came in meanwhile is shown.
        if self.report is not None:
            self.action_reload()

    def on_resize(self) -> None:
        if self.report is not None and self._narrow != (self.size.width < NARROW):
            self._fill(self.report)

    # --- reading ----------------------------------------------------------------------

    @on(Input.Submitted, "#report-doc")
    def _asked(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.input.scan_text if isinstance(event.input, ScanInput) else event.value
        if text.strip():
            self.load(text.strip())

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def load(self, doc: str) -> None:
        """Read the report of DOC as things stand."""
        with db.connection_context():
            report = read_report(doc)
        self.app.call_from_thread(self._show, doc, report)

    def _show(self, doc: str, report: Discrepancy) -> None:
        same = self.report is not None and self.report.number == report.number
        keep = self.table.cursor_row if same else 0
        if not same:
            self.say("")  # what was said was about the one before
        self.doc, self.report = doc, report
        self.sub_title = report.number
        self.query_one("#report-doc", ScanInput).value = report.number
        self._fill(report)
        self.table.move_cursor(row=keep)
        self.table.focus()

    def _fill(self, report: Discrepancy) -> None:
        self._narrow = narrow = self.size.width < NARROW
        table = self.table
        table.clear(columns=True)
        for label in NARROW_COLUMNS if narrow else WIDE_COLUMNS:
            table.add_column(label)
        table.add_rows(report_rows(report, narrow=narrow))
        self.query_one("#report-head", Static).update(plain(report_head(report, narrow=narrow)))

    @on(LineTable.RowHighlighted, "#report-table")
    def _row_shown(self, event: LineTable.RowHighlighted) -> None:
        if self.report is not None:
            self.query_one("#report-row", Static).update(
                plain(row_sentence(self.report, event.key))
            )

    # --- saving -----------------------------------------------------------------------

    def action_save(self, kind: str) -> None:
        """Save the report as CSV or PDF, a new file in the documents folder."""
        if self.report is None:
            self.error("Scan or type an order or ASN first")
            return
        self.say(f"Saving the {kind.upper()}…")
        self._save(self.report, kind)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, report: Discrepancy, kind: str) -> None:
        if kind == "pdf":
            from backroom.labels.pdf_documents import document_pdf  # fpdf: only when asked

            data: bytes | str = document_pdf(report.document())
        else:
            data = report.csv()
        folder = site_folders(self.app.session.config).documents
        with new_file(
            folder, "discrepancies", kind, detail=report.number, binary=kind == "pdf"
        ) as out:
            out.file.write(data)
        name = out.path.name if out.path else ""
        self.app.call_from_thread(self.say, f"Saved in the documents folder as {name}")

    # --- keys and words ---------------------------------------------------------------

    def action_reload(self) -> None:
        """Ctrl+R: read the report again (receipts may have come in)."""
        if self.report is not None:
            self.load(self.doc)

    def action_ask(self) -> None:
        """Go to the field to show another order or ASN."""
        field = self.query_one("#report-doc", ScanInput)
        field.value = ""
        field.focus()
        self.say("Scan or type a purchase order, an ASN or a pallet's SSCC")

    def action_back(self) -> None:
        """Leave the report."""
        self.app.pop_screen()

    def say(self, text: str) -> None:
        """Show TEXT under the table; nothing to say leaves the line to the table."""
        line = self.query_one("#report-message", MessageLine)
        line.display = bool(text)
        line.say(text)

    def error(self, text: str) -> None:
        """Show TEXT under the table, with the bell."""
        line = self.query_one("#report-message", MessageLine)
        line.display = True
        line.error(text)
        if self.report is None:
            self.query_one("#report-doc", ScanInput).focus()

    def worker_failed(self, message: str, worker: Worker) -> None:
        """A refusal (no such order) or a file that could not be written, said here."""
        self.error(message if worker.group == "report" else f"Not saved: {message}")
