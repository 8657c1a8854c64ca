"""Production, repack and kitting, scan-first.

Scan the location, then each input: item, lot, quantity (a GS1 scan fills all three).
Enter on an empty field switches to the outputs; scan those the same way (a new lot
number makes a new lot). Enter on an empty field again, or Ctrl+S, posts the whole
transformation in one transaction. Ctrl+K changes the kind, Ctrl+O switches between
inputs and outputs, Ctrl+D takes the last line off, Esc clears or leaves.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static

from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.trace.transform import (
    NO_LOT,
    TRANSFORMATION_KINDS,
    Line,
    TransformResult,
    transform,
)
from backroom.scanners.entry import Entry, interpret
from backroom.scanners.settings import ScannerSettings
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.message_line import MessageLine
from backroom.tui.widgets.plain import plain
from backroom.tui.widgets.scan_input import ScanInput
from backroom.tui.worker_errors import PassesWorkerFailuresOn

STEP_HINTS = {
    "item": "scan or type SKU / GTIN (empty Enter: {next})",
    "lot": "scan or type lot",
    "qty": "number",
}


def _lot_shown(line: Line) -> str:
    return "" if line.lot in (None, NO_LOT) else str(line.lot)


class TransformScreen(PassesWorkerFailuresOn, Screen):
    """Inputs consumed and outputs produced at one location."""

    CSS_PATH = "transform.tcss"
    TITLE = "Transform"
    BINDINGS: ClassVar = [
        Binding("escape", "clear_or_back", "Clear/back", id="transform.cancel"),
        Binding("ctrl+s", "confirm", "Post", id="transform.confirm"),
        Binding("ctrl+o", "switch", "Inputs/outputs", id="transform.switch"),
        Binding("ctrl+k", "kind", "Kind", id="transform.kind"),
        Binding("ctrl+d", "drop", "Drop line", id="transform.drop"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.at: str | None = None
        self.kind = TRANSFORMATION_KINDS[0]
        self.direction = "in"
        self.step = "item"
        self.values: dict[str, Any] = {}
        self.tracking: str | None = None
        self.lines: list[tuple[str, Line]] = []  # ("in" | "out", line)
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static("", id="tf-title", classes="title")
        with Horizontal(classes="row"):
            yield Label("At location", classes="label")
            yield ScanInput(id="tf-at", placeholder="scan or type location")
        with Horizontal(classes="row"):
            yield Label("", id="tf-step", classes="label")
            yield ScanInput(id="tf-entry")
        yield DataTable(id="tf-lines", cursor_type="row", show_cursor=False)
        yield MessageLine("", id="message", classes="message")
        yield Static("", id="result", classes="message")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("", "Item", "Lot", "Qty")
        self._refresh()
        self.query_one("#tf-at", ScanInput).focus()

    # --- what the screen shows --------------------------------------------------------

    def _refresh(self) -> None:
        side = "Consume" if self.direction == "in" else "Produce"
        self.query_one("#tf-title", Static).update(f"Transform · {self.kind}")
        self.query_one("#tf-step", Label).update(f"{side} {self.step}")
        after = "outputs" if self.direction == "in" else "post"
        entry = self.query_one("#tf-entry", ScanInput)
        entry.placeholder = STEP_HINTS[self.step].format(next=after)
        table = self.query_one(DataTable)
        table.clear()
        for direction, line in self.lines:
            table.add_row(
                "in" if direction == "in" else "out",
                plain(line.item),
                plain(_lot_shown(line)),
                str(line.qty),
            )

    def say(self, text: str) -> None:
        self.query_one("#message", MessageLine).say(text)

    def error(self, text: str) -> None:
        """Show TEXT where the person is looking, with the bell."""
        self.query_one("#message", MessageLine).error(text)

    # --- entries ----------------------------------------------------------------------

    @on(Input.Submitted, "#tf-at")
    def _at(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip() and not self.busy:
            self.busy = True
            self._interpret("location", event.input.scan_text, self.app.session.scanner)

    @on(Input.Submitted, "#tf-entry")
    def _entry(self, event: Input.Submitted) -> None:
        event.stop()
        if self.busy:
            return
        text = event.input.scan_text
        if not text.strip():
            if self.step == "item" and not self.values:
                self._empty_enter()
            return
        self.busy = True
        self._interpret(self.step, text, self.app.session.scanner)

    def _empty_enter(self) -> None:
        ins = any(d == "in" for d, _ in self.lines)
        outs = any(d == "out" for d, _ in self.lines)
        if self.direction == "in" and ins:
            self.action_switch()
        elif self.direction == "out" and outs:
            self.action_confirm()
        else:
            side = "input" if self.direction == "in" else "output"
            self.error(f"Scan at least one {side} first")

    @work(thread=True, exclusive=True, group="transform", exit_on_error=False)
    def _interpret(self, kind: str, text: str, settings: ScannerSettings) -> None:
        try:
            with db.connection_context():
                entry = interpret(
                    kind,
                    text,
                    dict(self.values),
                    settings=settings,
                    new_lot_ok=self.direction == "out",
                )
        except DomainError as exc:
            entry = Entry(error=str(exc))
        self.app.call_from_thread(self._apply, kind, entry)

    def _apply(self, kind: str, entry: Entry) -> None:
        self.busy = False
        if entry.error:
            self.error(entry.error)
            return
        if entry.command:
            {
                "confirm": self.action_confirm,
                "cancel": self.action_clear_or_back,
                "back": self.action_drop,
            }[entry.command]()
            return
        fills = {name: value for name, (_shown, value) in entry.fills.items()}
        if kind == "location" or (set(fills) == {"location"}):
            if "location" not in fills:
                self.error("Scan a location first")
                return
            self.at = fills["location"]
            self.query_one("#tf-at", ScanInput).value = self.at
            self.say(f"✓ {entry.understood}")
            self.query_one("#tf-entry", ScanInput).focus()
            return
        if entry.tracking is not None:
            self.tracking = entry.tracking
        for name in ("item", "lot", "qty"):
            if name in fills:
                self.values[name] = fills[name]
        self.say(f"✓ {entry.understood}" if entry.understood else "")
        self._next()

    def _next(self) -> None:
        """Ask for what the line still lacks, or add the line when it is whole."""
        entry = self.query_one("#tf-entry", ScanInput)
        entry.value = ""
        if "item" not in self.values:
            self.step = "item"
        elif "lot" not in self.values and self.tracking != "none":
            self.step = "lot"
        elif "qty" not in self.values:
            self.step = "qty"
        else:
            line = Line(self.values["item"], self.values.get("lot") or NO_LOT, self.values["qty"])
            self.lines.append((self.direction, line))
            self.values.clear()
            self.tracking = None
            self.step = "item"
        self._refresh()
        entry.focus()

    # --- keys -------------------------------------------------------------------------

    def action_switch(self) -> None:
        """Scan outputs next (or inputs again)."""
        self.direction = "out" if self.direction == "in" else "in"
        self.values.clear()
        self.tracking = None
        self.step = "item"
        self._refresh()
        self.query_one("#tf-entry", ScanInput).focus()

    def action_kind(self) -> None:
        """Production, repack, kitting in turn."""
        index = TRANSFORMATION_KINDS.index(self.kind)
        self.kind = TRANSFORMATION_KINDS[(index + 1) % len(TRANSFORMATION_KINDS)]
        self._refresh()

    def action_drop(self) -> None:
        """Take the last line off."""
        if self.values:
            self.values.clear()
            self.step = "item"
        elif self.lines:
            _side, line = self.lines.pop()
            self.say(f"Dropped {line.item} {_lot_shown(line)} {line.qty}".replace("  ", " "))
        self._refresh()

    def action_clear_or_back(self) -> None:
        """Esc: clear a transformation in progress; leave an empty one."""
        if self.lines or self.values or self.at:
            self._reset()
            self.say("Cleared")
        else:
            self.app.pop_screen()

    def _reset(self) -> None:
        self.at = None
        self.direction = "in"
        self.step = "item"
        self.values.clear()
        self.tracking = None
        self.lines.clear()
        self.query_one("#tf-at", ScanInput).value = ""
        self.query_one("#tf-entry", ScanInput).value = ""
        self._refresh()
        self.query_one("#tf-at", ScanInput).focus()

    # --- posting ----------------------------------------------------------------------

    def action_confirm(self) -> None:
        """Post the transformation when it has a location, inputs and outputs."""
        consume = [line for d, line in self.lines if d == "in"]
        produce = [line for d, line in self.lines if d == "out"]
        if self.at is None:
            self.error("Scan the location first")
            self.query_one("#tf-at", ScanInput).focus()
            return
        if not consume or not produce:
            self.error("A transformation needs inputs and outputs")
            return
        if self.busy:
            return
        self.busy = True
        self._post(self.at, consume, produce, self.kind, self.app.session.user)

    @work(thread=True, exclusive=True, group="transform", exit_on_error=False)
    def _post(
        self, at: str, consume: list[Line], produce: list[Line], kind: str, user: str
    ) -> None:
        # A refusal or a failure is said by the app, which clears `busy` too.
        with db.connection_context():
            result = transform(at, consume, produce, user=user, kind=kind)
        self.app.call_from_thread(self._posted, result)

    def _posted(self, result: TransformResult) -> None:
        self.busy = False
        made = ", ".join(
            f"{m.qty} {m.item}" + (f" lot {m.lot}" if m.lot else "") for m in result.produced
        )
        self.query_one("#result", Static).update(
            plain(f"Posted {result.number}: {result.kind} at {result.location}, made {made}")
        )
        self.say("")
        self._reset()
