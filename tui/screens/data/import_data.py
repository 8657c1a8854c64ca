"""Import data: choose what the file holds and where it is, see its first rows and every
problem before anything is written, then Ctrl+S imports it whole, with a progress bar."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Input, ProgressBar, Select, Static

from backroom.models.data.importing import KINDS, LAYOUTS, ImportPlan, apply_import, plan_import
from backroom.models.data.importing.csv_rows import read_file
from backroom.models.db import db
from backroom.tui.screens.data.data_job import DataJobScreen
from backroom.tui.screens.dialogs import ConfirmDialog
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.plain import plain

# Progress reaches the screen at most this often: a thread hop per row would slow
# a large import down.
PROGRESS_EVERY_S = 0.1


def columns_hint(kind: str) -> str:
    """The columns of KIND's layout, required ones marked with *."""
    return "Columns: " + ", ".join(c.name + ("*" if c.required else "") for c in LAYOUTS[kind])


class ImportScreen(DataJobScreen):
    """A CSV file in: preview and problems first, then the import in a worker."""

    CSS_PATH = "import_data.tcss"
    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back", id="import.back"),
        Binding("ctrl+s", "import_file", "Import", id="import.confirm"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan: ImportPlan | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static("Import data", classes="title")
        with Vertical(id="import"):
            with Horizontal(id="choose"):
                yield Select(
                    [(kind.capitalize(), kind) for kind in KINDS],
                    value="items",
                    allow_blank=False,
                    id="kind",
                )
                yield Input(placeholder="path/to/file.csv, then Enter", id="path")
            yield Static(columns_hint("items"), id="columns", markup=False)
            yield Static("", id="summary", classes="message", markup=False)
            # Focusable, so that a long list of problems scrolls with the keyboard.
            with VerticalScroll(id="problems-box"):
                yield Static("", id="problems", classes="message error", markup=False)
            yield DataTable(id="preview", zebra_stripes=True, cursor_type="row")
            yield ProgressBar(id="progress", show_eta=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#preview", DataTable).display = False
        self.query_one("#path", Input).focus()

    # --- checking -------------------------------------------------------------------------

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self.query_one("#columns", Static).update(columns_hint(str(event.value)))
        if self.query_one("#path", Input).value.strip():
            self.action_check()

    @on(Input.Submitted, "#path")
    def _path_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_check()

    def action_check(self) -> None:
        """Read and check the file; show its first rows and its problems."""
        path = self.query_one("#path", Input).value.strip()
        if not path or self.busy:
            return
        self.plan = None
        self._say("Checking…")
        self._check(str(self.query_one("#kind", Select).value), Path(path).expanduser())

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _check(self, kind: str, path: Path) -> None:
        try:
            data = read_file(path)  # a regular file of at most 200 MB, else refused
            with db.connection_context():
                plan = plan_import(kind, data, source=path.name, user=self.app.session.user)
        except OSError as exc:
            self.app.call_from_thread(self._failed, f"Cannot read {path}: {exc.strerror}")
            return
        self.app.call_from_thread(self._show_plan, plan)

    def _show_plan(self, plan: ImportPlan) -> None:
        self.plan = plan
        table = self.query_one("#preview", DataTable)
        table.clear(columns=True)
        if plan.columns:
            table.add_columns("line", *(c or "?" for c in plan.columns))
            for record in plan.preview:
                table.add_row(str(record.line), *(plain(record.get(c)) for c in plan.columns))
        table.display = bool(plan.preview)
        problems = self.query_one("#problems", Static)
        problems.update("\n".join(f"line {p.line}: {p.message}" for p in plan.problems))
        if plan.problems:
            self.app.bell()
            self._say(plan.summary())
        elif plan.repeated:
            self.app.bell()
            self._say(f"{plan.repeated}. Ctrl+S asks before importing it again")
        else:
            self._say(plan.summary() + " — Ctrl+S imports")

    # --- importing ------------------------------------------------------------------------

    def action_import_file(self) -> None:
        """Import the checked file, all of it in one transaction."""
        if self.busy:
            return
        if self.plan is None:
            self.app.bell()
            self._say("Give the file and press Enter to check it first")
            return
        if self.plan.problems:
            self.app.bell()
            self._say("Nothing imported: correct the problems listed below, then check again")
            return
        if self.plan.repeated and not self.plan.again:
            plan = self.plan

            def answered(yes: bool | None) -> None:
                if yes and plan is self.plan:
                    plan.again = True
                    self.action_import_file()

            question = f"{plan.repeated}. Import it a second time?"
            self.app.push_screen(
                ConfirmDialog("Imported before", question, "Import again"), answered
            )
            return
        self.busy = True
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(len(self.plan.rows), 1), progress=0)
        bar.display = True
        self._say(f"Importing {self.plan.source}…")
        self._import(self.plan)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _import(self, plan: ImportPlan) -> None:
        shown = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - shown[0] >= PROGRESS_EVERY_S or done == total:
                shown[0] = now
                self.app.call_from_thread(self._progress, done, total)

        with db.connection_context():
            result = apply_import(plan, user=self.app.session.user, progress=progress)
        self.app.call_from_thread(self._imported, result.text())

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#progress", ProgressBar).update(total=max(total, 1), progress=done)

    def _imported(self, text: str) -> None:
        self.busy = False
        self.plan = None
        bar = self.query_one("#progress", ProgressBar)
        bar.update(progress=bar.total or 1)
        self._say(text)
        self.notify(text)
