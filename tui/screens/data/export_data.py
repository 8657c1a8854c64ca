"""Export data: what, in which format and since when; Ctrl+S writes it in a worker,
streamed, with a progress bar, into the site's exports folder under a name Backroom
makes (models/data/folders.py), and says the name. A session never names a server path,
and exporting needs a lead, checked when the screen opens."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Input, ProgressBar, Select, Static

from backroom.models.data.epcis import write_epcis
from backroom.models.data.exporting import (
    EXPORT_KINDS,
    SINCE_KINDS,
    check_export,
    export,
    exporter,
)
from backroom.models.data.folders import new_file, site_folders
from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.rules.dates import optional_date
from backroom.tui.screens.data.data_job import DataJobScreen
from backroom.tui.widgets.key_footer import KeyFooter

PROGRESS_EVERY_S = 0.1
KINDS = (*EXPORT_KINDS, "epcis")


def extension(kind: str, fmt: str) -> str:
    """The file extension of an export: csv, json, or jsonld for EPCIS."""
    return "jsonld" if kind == "epcis" else fmt


class ExportScreen(DataJobScreen):
    """Write items, locations, lots, stock, consignees, moves, shipments or EPCIS to a file."""

    CSS_PATH = "import_data.tcss"
    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back", id="export.back"),
        Binding("ctrl+s", "export_file", "Export", id="export.confirm"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        self.folder: Path | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static("Export data", classes="title")
        with Vertical(id="export", disabled=True):
            with Horizontal(id="choose"):
                yield Select(
                    [(kind.capitalize(), kind) for kind in KINDS],
                    value="stock",
                    allow_blank=False,
                    id="kind",
                )
                yield Select(
                    [("CSV", "csv"), ("JSON", "json")], value="csv", allow_blank=False, id="fmt"
                )
            yield Input(placeholder="since YYYY-MM-DD (moves, lots, shipments, EPCIS)", id="since")
            yield Static("", id="folder", markup=False)
            yield Static("", id="summary", classes="message", markup=False)
            yield ProgressBar(id="progress", show_eta=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#since", Input).disabled = True
        self._say("Checking who may export…")
        self._open()

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _open(self) -> None:
        """Refuse the screen to anyone who may not export; else find the folder."""
        try:
            with db.connection_context():
                exporter(self.app.session.user)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self._opened, site_folders(self.app.session.config).exports)

    def _refused(self, reason: str) -> None:
        self.app.bell()
        self.app.notify(reason, title="Export data", severity="error")
        if self.app.screen is self:
            self.app.pop_screen()

    def _opened(self, folder: Path) -> None:
        self.folder = folder
        self.query_one("#export").disabled = False
        self.query_one("#since", Input).disabled = True  # stock is chosen first
        self.query_one("#folder", Static).update(f"Into {folder}, under a name Backroom makes")
        self._say("Ctrl+S writes the file")
        self.query_one("#kind", Select).focus()

    @on(Select.Changed)
    def _choice_changed(self, event: Select.Changed) -> None:
        kind = str(self.query_one("#kind", Select).value)
        if kind == "epcis" and event.select.id == "kind":
            self.query_one("#fmt", Select).value = "json"
        if self.folder is not None:
            self.query_one("#since", Input).disabled = kind not in (*SINCE_KINDS, "epcis")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export_file()

    def action_export_file(self) -> None:
        """Check the choices, then write the file in a worker."""
        if self.busy or self.folder is None:
            return
        kind = str(self.query_one("#kind", Select).value)
        fmt = str(self.query_one("#fmt", Select).value)
        try:
            since = optional_date(self.query_one("#since", Input).value, "Since")
        except DomainError as exc:
            return self._failed(str(exc))
        if kind == "epcis" and fmt != "json":
            return self._failed("EPCIS is JSON-LD only: choose JSON")
        if kind != "epcis":
            try:
                check_export(kind, fmt, since)
            except DomainError as exc:
                return self._failed(str(exc))
        self.busy = True
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._say(f"Exporting {kind}…")
        self._export(kind, fmt, since, self.folder)
        return None

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, kind: str, fmt: str, since: dt.date | None, folder: Path) -> None:
        shown = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - shown[0] >= PROGRESS_EVERY_S or done >= total:
                shown[0] = now
                self.app.call_from_thread(self._progress, done, total)

        user = self.app.session.user
        # A refusal or a failure is said by worker_failed; new_file leaves nothing behind.
        with db.connection_context(), new_file(folder, kind, extension(kind, fmt)) as target:
            if kind == "epcis":
                exporter(user)
                config = self.app.session.config
                rows = write_epcis(target.file, config=config, since=since, progress=progress)
            else:
                rows = export(kind, target.file, fmt=fmt, since=since, progress=progress, user=user)
        assert target.path is not None
        what = ("event" if kind == "epcis" else "row") + ("s" if rows != 1 else "")
        self.app.call_from_thread(self._done, f"{rows:,} {what} written to {target.path.name}")

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#progress", ProgressBar).update(total=max(total, 1), progress=done)

    def _done(self, text: str) -> None:
        self.busy = False
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=bar.total or 1, progress=bar.total or 1)
        self._say(text)
        self.notify(text)
