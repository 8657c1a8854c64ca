"""Recall a lot: what it reached first, then the recall itself and its report.

The screen opens on the recall report as things stand (customers reached, stock on
hand to pull back, open shipments holding it). Type the reason and press Enter, then
Enter again to confirm: the lot and every lot made from it become recalled, and the
report is shown again as it now stands. c and j save it as CSV or JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from backroom.models.data.folders import new_file, site_folders
from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.trace.recall import (
    REPORT_COLUMNS,
    RecallReport,
    recall,
    recall_report,
    write_csv,
)
from backroom.scanners.entry import lot_named
from backroom.scanners.settings import ScannerSettings
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.message_line import MessageLine
from backroom.tui.widgets.plain import plain
from backroom.tui.widgets.scan_input import ScanInput
from backroom.tui.worker_errors import PassesWorkerFailuresOn

# What to pull back first, so a handheld's narrow table still shows it.
COLUMNS = ("Section", "Item", "Lot", "Qty", "Location", "Consignee", "Shipment", "Date", "Detail")
KEYS = ("section", "item", "lot", "qty", "location", "consignee", "shipment", "date", "detail")


class RecallScreen(PassesWorkerFailuresOn, Screen):
    """The recall report of one lot, and the recall. A refusal in a worker is said by
    `error` (tui/worker_errors.py)."""

    CSS_PATH = "recall.tcss"
    TITLE = "Recall"
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="recall.back"),
        Binding("c", "export('csv')", "Save CSV", id="recall.csv"),
        Binding("j", "export('json')", "Save JSON", id="recall.json"),
    ]

    def __init__(self, lot: str = "", item: str | None = None, folder: Path | None = None) -> None:
        super().__init__()
        self.lot = lot
        self.item = item
        self.folder = folder  # None: the site's documents folder (models/data/folders.py)
        self.report: RecallReport | None = None
        self.armed = False  # the reason was entered once; Enter again recalls

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static("Reading…", id="recall-head", classes="title")
        yield ScanInput(id="recall-lot", placeholder="scan or type the lot to recall")
        yield Input(id="recall-reason", placeholder="reason for the recall, then Enter")
        yield MessageLine("", id="recall-summary", classes="message")
        yield DataTable(id="recall-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        if self.lot:
            self.query_one("#recall-lot", ScanInput).display = False
            self.query_one("#recall-reason", Input).focus()
            self.load()
        else:
            self.query_one("#recall-head", Static).update("Recall: which lot?")
            self.query_one("#recall-reason", Input).display = False
            self.query_one("#recall-lot", ScanInput).focus()

    @on(Input.Submitted, "#recall-lot")
    def _lot(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.input.scan_text if isinstance(event.input, ScanInput) else event.value
        if text.strip():
            self.find(text, self.app.session.scanner)

    @work(thread=True, exclusive=True, group="recall", exit_on_error=False)
    def find(self, text: str, settings: ScannerSettings) -> None:
        """Resolve the scanned or typed lot, then read its report."""
        with db.connection_context():
            self.item, self.lot = lot_named(text, settings)
            report = recall_report(self.lot, self.item)
        self.app.call_from_thread(self._found, report)

    def _found(self, report: RecallReport) -> None:
        self.query_one("#recall-lot", ScanInput).display = False
        reason = self.query_one("#recall-reason", Input)
        reason.display = True
        reason.focus()
        self._show(report)

    @work(thread=True, exclusive=True, group="recall", exit_on_error=False)
    def load(self) -> None:
        """Read the report as things stand."""
        with db.connection_context():
            report = recall_report(self.lot, self.item)
        self.app.call_from_thread(self._show, report)

    def _show(self, report: RecallReport) -> None:
        self.report = report
        info = report.lot
        made = len(report.lots) - 1
        also = f" and the {made} lot{'s' if made != 1 else ''} made from it" if made else ""
        head = self.query_one("#recall-head", Static)
        if report.reason:
            head.update(plain(f"RECALLED {info.label}{also}: {report.reason}"))
            self.query_one("#recall-reason", Input).display = False
            self.query_one(DataTable).focus()
        elif info.status == "recalled":
            head.update(plain(f"{info.label} is recalled already; the report as it stands"))
        else:
            head.update(plain(f"Recall {info.label}{also}"))
        totals = report.as_dict()["totals"]
        self.say(
            f"Customers reached {totals['customers']} ({totals['shipped']} shipped) · "
            f"on hand {totals['on_hand']} to pull back · "
            f"{len(report.open_shipments)} open shipment lines hold it"
        )
        table = self.query_one(DataTable)
        table.clear()
        for row in report.rows():
            table.add_row(*(plain(row[key]) for key in KEYS))

    # --- the recall -------------------------------------------------------------------

    @on(Input.Submitted, "#recall-reason")
    def _reason(self, event: Input.Submitted) -> None:
        event.stop()
        if self.report is None or self.report.reason:
            return
        reason = event.value.strip()
        if not reason:
            self.error("Give the reason for the recall")
            return
        if not self.armed:
            self.armed = True
            count = len(self.report.lots)
            self.say(
                f"Recall {count} lot{'s' if count != 1 else ''}? "
                "Enter again to confirm, Esc to cancel"
            )
            return
        self.armed = False
        self._recall(reason, self.app.session.user)

    @on(Input.Changed, "#recall-reason")
    def _disarm(self) -> None:
        self.armed = False

    @work(thread=True, exclusive=True, group="recall", exit_on_error=False)
    def _recall(self, reason: str, user: str) -> None:
        with db.connection_context():
            report = recall(self.lot, reason, user=user, item=self.item)
        self.app.call_from_thread(self._show, report)
        self.app.call_from_thread(self.app.notify, f"Recalled {', '.join(report.newly_recalled)}")

    # --- output -----------------------------------------------------------------------

    def action_export(self, kind: str) -> None:
        """Save the report as CSV or JSON, a new file in the documents folder."""
        if self.report is None:
            return
        info = self.report.lot
        try:
            folder = self.folder or site_folders(self.app.session.config).documents
            with new_file(folder, "recall", kind, detail=f"{info.item}-{info.number}") as out:
                if kind == "csv":
                    write_csv(out.file, REPORT_COLUMNS, self.report.rows())
                else:
                    json.dump(self.report.as_dict(), out.file, indent=2, ensure_ascii=False)
        except (DomainError, OSError) as exc:
            self.error(f"Cannot save the report: {getattr(exc, 'strerror', None) or exc}")
            return
        self.say(f"Saved in the documents folder: {out.path.name if out.path else ''}")

    def say(self, text: str) -> None:
        self.query_one("#recall-summary", MessageLine).say(text)

    def error(self, text: str) -> None:
        """Show TEXT under the heading, with the bell."""
        self.query_one("#recall-summary", MessageLine).error(text)

    def action_back(self) -> None:
        """Esc: cancel a recall about to be confirmed, else leave."""
        if self.armed:
            self.armed = False
            self.say("Recall cancelled; nothing was changed")
            return
        self.app.pop_screen()
