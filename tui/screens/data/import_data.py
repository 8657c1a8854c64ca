"""Import data: choose what the file holds and which file of the imports folder it is,
see its first rows and every problem before anything is written, then Ctrl+S imports it
whole, with a progress bar.

A session never names a server path: the files offered are those in the site's imports
folder (models/data/folders.py), and importing needs a lead, checked when the screen
opens."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Header, ProgressBar, Select, Static

from backroom.models.data.folders import OfferedFile, import_files, read_chosen, site_folders
from backroom.models.data.importing import KINDS, LAYOUTS, ImportPlan, apply_import, plan_import
from backroom.models.data.importing.whole_file import importer
from backroom.models.db import db
from backroom.models.errors import DomainError
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


def file_choice(offered: OfferedFile) -> str:
    """A file as the list shows it: name, size and when it was last changed (UTC)."""
    size = f"{offered.size / 1024:,.0f} kB" if offered.size >= 1024 else f"{offered.size} B"
    return f"{offered.name}  {size}  {offered.modified:%Y-%m-%d %H:%M}"


class ImportScreen(DataJobScreen):
    """A CSV file in: preview and problems first, then the import in a worker."""

    CSS_PATH = "import_data.tcss"
    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back", id="import.back"),
        Binding("ctrl+s", "import_file", "Import", id="import.confirm"),
        Binding("ctrl+r", "list_files", "Files again", id="import.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan: ImportPlan | None = None
        self.busy = False
        self.folder: Path | None = None
        self.allowed = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static("Import data", classes="title")
        with Vertical(id="import"):
            with Horizontal(id="choose", disabled=True):
                yield Select(
                    [(kind.capitalize(), kind) for kind in KINDS],
                    value="items",
                    allow_blank=False,
                    id="kind",
                )
                yield Select([], prompt="file in the imports folder", id="file")
            yield Static(columns_hint("items"), id="columns", markup=False)
            yield Static("", id="folder", markup=False)
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
        self._say("Checking who may import…")
        self._open()

    # --- the imports folder ---------------------------------------------------------------

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _open(self) -> None:
        """Refuse the screen to anyone who may not import; else list the folder."""
        try:
            with db.connection_context():
                importer(self.app.session.user)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        folder = site_folders(self.app.session.config).imports
        self.app.call_from_thread(self._opened, folder, import_files(folder))

    def _refused(self, reason: str) -> None:
        self.app.bell()
        self.app.notify(reason, title="Import data", severity="error")
        if self.app.screen is self:
            self.app.pop_screen()

    def _opened(self, folder: Path, offered: list[OfferedFile]) -> None:
        self.allowed, self.folder = True, folder
        self.query_one("#choose").disabled = False
        self._show_files(offered)
        self.query_one("#file", Select).focus()

    def action_list_files(self) -> None:
        """Read the imports folder again (a file copied there since)."""
        if self.allowed and not self.busy:
            self._list_files()

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _list_files(self) -> None:
        assert self.folder is not None
        self.app.call_from_thread(self._show_files, import_files(self.folder))

    def _show_files(self, offered: list[OfferedFile]) -> None:
        chooser = self.query_one("#file", Select)
        chosen = chooser.value
        chooser.set_options((file_choice(f), f.name) for f in offered)
        if chosen in {f.name for f in offered}:
            chooser.value = chosen
        where = f"Files in {self.folder}"
        if not offered:
            self._say(f"No files to import yet: copy CSV files to {self.folder}, then Ctrl+R")
            where = ""
        elif chooser.is_blank():
            self._say(f"{len(offered)} file{'s' if len(offered) != 1 else ''}: choose one")
        self.query_one("#folder", Static).update(where)

    # --- checking -------------------------------------------------------------------------

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self.query_one("#columns", Static).update(columns_hint(str(event.value)))
        self.action_check()

    @on(Select.Changed, "#file")
    def _file_chosen(self, event: Select.Changed) -> None:
        event.stop()
        self.action_check()

    def action_check(self) -> None:
        """Read and check the chosen file; show its first rows and its problems."""
        chooser = self.query_one("#file", Select)
        if not self.allowed or self.busy or chooser.is_blank():
            return
        self.plan = None
        self._say("Checking…")
        self._check(str(self.query_one("#kind", Select).value), str(chooser.value))

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _check(self, kind: str, name: str) -> None:
        assert self.folder is not None
        data = read_chosen(self.folder, name)  # a refusal is said by worker_failed
        with db.connection_context():
            plan = plan_import(kind, data, source=name, user=self.app.session.user)
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
            self._say("Choose a file of the imports folder first")
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
