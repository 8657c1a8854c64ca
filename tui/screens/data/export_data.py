"""Export data: what, in which format, since when and to which file; Ctrl+S writes it
in a worker, streamed, with a progress bar."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Input, ProgressBar, Select, Static

from backroom.models.data.epcis import write_epcis
from backroom.models.data.exporting import EXPORT_KINDS, SINCE_KINDS, check_export, export
from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.rules.dates import optional_date
from backroom.tui.screens.data.data_job import DataJobScreen
from backroom.tui.widgets.key_footer import KeyFooter

PROGRESS_EVERY_S = 0.1
KINDS = (*EXPORT_KINDS, "epcis")


def default_path(kind: str, fmt: str) -> str:
    """backroom-KIND-DATE.EXT in the current folder."""
    ext = "jsonld" if kind == "epcis" else fmt
    return f"backroom-{kind}-{dt.date.today().isoformat()}.{ext}"


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

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static("Export data", classes="title")
        with Vertical(id="export"):
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
            yield Input(default_path("stock", "csv"), placeholder="file to write", id="path")
            yield Input(placeholder="since YYYY-MM-DD (moves, lots, shipments, EPCIS)", id="since")
            yield Static("Ctrl+S writes the file", id="summary", classes="message", markup=False)
            yield ProgressBar(id="progress", show_eta=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#path", Input).focus()

    @on(Select.Changed)
    def _choice_changed(self, event: Select.Changed) -> None:
        kind = str(self.query_one("#kind", Select).value)
        if kind == "epcis" and event.select.id == "kind":
            self.query_one("#fmt", Select).value = "json"
        fmt = str(self.query_one("#fmt", Select).value)
        self.query_one("#path", Input).value = default_path(kind, fmt)
        self.query_one("#since", Input).disabled = kind not in (*SINCE_KINDS, "epcis")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export_file()

    def action_export_file(self) -> None:
        """Check the choices, then write the file in a worker."""
        if self.busy:
            return
        kind = str(self.query_one("#kind", Select).value)
        fmt = str(self.query_one("#fmt", Select).value)
        path = Path(self.query_one("#path", Input).value.strip() or default_path(kind, fmt))
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
        self._say(f"Exporting {kind} to {path}…")
        self._export(kind, fmt, since, path.expanduser())
        return None

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, kind: str, fmt: str, since: dt.date | None, path: Path) -> None:
        shown = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - shown[0] >= PROGRESS_EVERY_S or done >= total:
                shown[0] = now
                self.app.call_from_thread(self._progress, done, total)

        part = path.with_name(path.name + ".part")
        try:
            with db.connection_context(), part.open("w", encoding="utf-8", newline="") as out:
                if kind == "epcis":
                    config = self.app.session.config
                    rows = write_epcis(out, config=config, since=since, progress=progress)
                else:
                    rows = export(kind, out, fmt=fmt, since=since, progress=progress)
            os.replace(part, path)
        except OSError as exc:
            part.unlink(missing_ok=True)
            self.app.call_from_thread(self._failed, f"Cannot write {path}: {exc.strerror}")
            return
        except BaseException:  # said by the app (worker_failed below); no half file left
            part.unlink(missing_ok=True)
            raise
        what = ("event" if kind == "epcis" else "row") + ("s" if rows != 1 else "")
        self.app.call_from_thread(self._done, f"{rows:,} {what} written to {path.resolve()}")

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#progress", ProgressBar).update(total=max(total, 1), progress=done)

    def _done(self, text: str) -> None:
        self.busy = False
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=bar.total or 1, progress=bar.total or 1)
        self._say(text)
        self.notify(text)
