"""Print a label of what is on screen: a preview first, then the printer and copies.

Besides the configured printers, the labels may be saved as files: into the site's
labels folder, under names Backroom makes (models/data/folders.py); a session never
names a server path."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from backroom.labels.jobs import JobSettings, png_preview, print_labels, render, settings_for
from backroom.labels.lookup import gather
from backroom.labels.printers import load_printers
from backroom.models.data.folders import new_file, site_folders
from backroom.models.db import db
from backroom.tui.label_target import LabelTarget
from backroom.tui.widgets.label_preview import preview_lines
from backroom.tui.widgets.plain import plain
from backroom.tui.worker_errors import PassesWorkerFailuresOn

# The option id of "save as files" in the printer list (printers are "printer:NAME").
SAVE = "save"


def save_labels(contents: list, job: JobSettings, folder: Path, target: LabelTarget) -> str:
    """The labels as new files in FOLDER (the labels folder); says which, for a person."""
    payloads = render(contents, job)
    names = []
    for payload in payloads:
        with new_file(folder, "label", job.format, detail=target.kind, binary=True) as out:
            out.file.write(payload)
        assert out.path is not None
        names.append(out.path.name)
    shown = names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"
    return f"saved as {shown} in the labels folder"


class PrintScreen(PassesWorkerFailuresOn, ModalScreen[str | None]):
    """Preview, choose a printer and copies, Enter prints; returns where it went."""

    CSS_PATH = "print_label.tcss"
    BINDINGS: ClassVar = [Binding("escape", "dismiss(None)", "Cancel", id="print.cancel")]

    def __init__(self, target: LabelTarget) -> None:
        super().__init__()
        self.target = target
        self.contents: list = []

    def compose(self) -> ComposeResult:
        config = self.app.session.config
        printers = load_printers(config)
        with Vertical(id="print"):
            yield Static(plain(f"Print {self.target.title}"), classes="title")
            yield Static("Preparing the preview…", id="preview", markup=False)
            yield Label("Printer")
            options = [
                Option(f"{p.name}  ({p.transport})", id=f"printer:{p.name}")
                for p in printers.values()
            ]
            options.append(Option("Save as a file in the labels folder", id=SAVE))
            yield OptionList(*options, id="printers")
            yield Label("Copies")
            yield Input("1", id="copies", type="integer")
            yield Static("", id="print-message", classes="message")
        if not printers:
            self.call_after_refresh(
                self.error, "No printers configured: save as a file, or add [printers.NAME]"
            )

    def on_mount(self) -> None:
        self.query_one("#printers", OptionList).focus()
        self._prepare()

    @work(thread=True, exclusive=True, group="print", exit_on_error=False)
    def _prepare(self) -> None:
        config, t = self.app.session.config, self.target
        with db.connection_context():
            contents = gather(t.kind, [t.key, *t.more], config=config, item=t.item)
        job = settings_for(config, t.kind)
        png = png_preview(contents[0], job.size, job.dpi, job.symbol)
        self.app.call_from_thread(self._show, contents, png)

    def _show(self, contents: list, png: bytes) -> None:
        self.contents = contents
        width = max(20, min(self.app.size.width - 8, 72))
        self.query_one("#preview", Static).update("\n".join(preview_lines(png, width)))

    @on(OptionList.OptionSelected, "#printers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self._print(event.option.id)

    @on(Input.Submitted, "#copies")
    def _copies_entered(self) -> None:
        printers = self.query_one("#printers", OptionList)
        if printers.highlighted is None:
            self.error("Choose a printer")
            return
        self._print(printers.get_option_at_index(printers.highlighted).id)

    def _print(self, printer: str | None) -> None:
        if not self.contents:
            self.error("Nothing to print yet")
            return
        text = self.query_one("#copies", Input).value.strip() or "1"
        if not text.isdigit() or not 1 <= int(text) <= 999:
            self.error("Copies must be a number from 1 to 999")
            return
        self._send(printer, int(text))

    @work(thread=True, exclusive=True, group="print", exit_on_error=False)
    def _send(self, choice: str | None, copies: int) -> None:
        config = self.app.session.config
        if choice == SAVE:
            job = settings_for(config, self.target.kind, copies=copies)
            folder = site_folders(config).labels
            where = save_labels(self.contents, job, folder, self.target)
        else:
            printer = choice.removeprefix("printer:") if choice else None
            job = settings_for(config, self.target.kind, printer=printer, copies=copies)
            where = print_labels(self.contents, job)
        self.app.call_from_thread(self.dismiss, where)

    def error(self, text: str) -> None:
        """TEXT under the form, with the bell (a worker's refusal too)."""
        message = self.query_one("#print-message", Static)
        message.add_class("error")
        message.update(plain(f"✗ {text}"))
        self.app.bell()
