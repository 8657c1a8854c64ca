"""Counting an announced pallet before it is received, as an RF screen does: its lines
as the ASN announced them, a cursor on one; type what was counted there and Enter (a
scan of an item or lot puts the cursor on its line), every line counted otherwise
marked. Enter on an empty field (or a scan of the bin) takes the pallet as shown; Esc
backs out with nothing counted and nothing posted.

Each count is checked where it lands, by the rules receive_pallet applies (models/
goods_in/receiving.check_count): refused with the reason, or, beyond the order's
tolerance, asked once more (a lead approves at posting).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Input, OptionList, Static

from backroom.models.db import db
from backroom.models.errors import DomainError, Unlikely
from backroom.models.goods_in.receiving import (
    Counts,
    PalletLine,
    PalletView,
    ReceivingRules,
    check_count,
)
from backroom.models.stock.checks import FloorLimits, ask_if_unusual
from backroom.scanners.entry import Entry, interpret
from backroom.scanners.settings import ScannerSettings
from backroom.tui.widgets.held_entries import HeldEntries
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.message_line import MessageLine
from backroom.tui.widgets.scan_input import GS, GS_SHOWN, KeyHold, ScanInput
from backroom.tui.worker_errors import PassesWorkerFailuresOn


def line_text(line: PalletLine, counted: int | None, here: bool) -> str:
    """A line of the list: › where the cursor is, ✎ and the count where it differs."""
    mark = "›" if here else " "
    expiry = f" exp {line.expiry.isoformat()}" if line.expiry else ""
    if counted is None or counted == line.qty:
        return f"{mark}  {line.qty} {line.unit} {line.goods}{expiry}"
    return f"{mark}✎ {counted}/{line.qty} {line.unit} {line.goods}{expiry}"


@dataclass(frozen=True)
class CountDone:
    """What the count screen answers: the lines counted otherwise than announced, and
    the bin when one was scanned to finish."""

    counts: Counts
    bin: str | None = None


@dataclass(frozen=True)
class Read:
    """One entry in the count field: a count for the marked line, the line a scan
    names, the bin (done), a command code, or why it is refused (ASKING: Enter again
    takes it)."""

    count: int | None = None
    line: int | None = None
    bin: str | None = None
    command: str | None = None
    error: str | None = None
    asking: bool = False


def _line_scanned(view: PalletView, entry: Entry) -> Read:
    """The line an item or lot scan names, or why it names none (or several)."""
    sku = entry.fills["item"][1]
    lot = entry.fills["lot"][1] if "lot" in entry.fills else None
    found = [n for n, x in enumerate(view.lines) if x.item == sku and (lot is None or x.lot == lot)]
    what = f"{sku} lot {lot}" if lot else sku
    if not found:
        return Read(error=f"{what} is not on this pallet: receive it against the order")
    if len(found) > 1:
        return Read(error=f"{what} is on {len(found)} lines: scan its lot, or move to the line")
    return Read(line=found[0])


@dataclass(frozen=True)
class Counting:
    """What an entry is read against: the pallet, the marked line, the counts so far
    and the site's rules."""

    view: PalletView
    index: int
    counts: Counts
    rules: ReceivingRules
    limits: FloorLimits
    settings: ScannerSettings


def read_entry(text: str, at: Counting, sure: bool) -> Read:
    """What TEXT, entered on the marked line, is (in the worker, with the database)."""
    line = at.view.lines[at.index]
    values = {"item": line.item, "lot": line.lot}
    # new_lot_ok: the pallet's lots are made as it is received, so a scan of one may
    # name a lot not yet known; it only marks the line here.
    entry = interpret("qty", text, values, settings=at.settings, zero_ok=True, new_lot_ok=True)
    if entry.error:
        return Read(error=entry.error)
    if entry.command:
        return Read(command=entry.command)
    if "location" in entry.fills:
        return Read(bin=entry.fills["location"][1])
    if "item" in entry.fills:
        return _line_scanned(at.view, entry)
    qty = entry.fills["qty"][1]
    try:
        over = check_count(at.view.sscc, {**at.counts, line.key: qty}, at.rules)
        if not sure:
            ask_if_unusual(qty, line.item, at.limits)
    except Unlikely as exc:
        return Read(error=f"{exc}. Enter again to take it, or type another", asking=True)
    except DomainError as exc:
        return Read(error=str(exc))
    if over and not sure:
        return Read(error=f"{over}. Enter again to take it, or type another", asking=True)
    return Read(count=qty)


class PalletCountScreen(PassesWorkerFailuresOn, HeldEntries, Screen[CountDone | None]):
    """An announced pallet's lines, counted one by one where they differ."""

    TITLE = "Count pallet"
    CSS_PATH = "pallet_count.tcss"
    BINDINGS: ClassVar = [
        Binding("escape", "back_out", "Back out", id="pallet_count.back"),
        Binding("ctrl+s", "done", "Take", id="pallet_count.done"),
        Binding("up", "move(-1)", "Up", show=False, id="pallet_count.up"),
        Binding("down", "move(1)", "Down", show=False, id="pallet_count.down"),
    ]

    def __init__(self, view: PalletView, counts: Counts, rules: ReceivingRules) -> None:
        super().__init__()
        self.view = view
        self.counts: Counts = dict(counts)
        self.rules = rules
        self.index = 0
        self.hold = KeyHold()
        self.ready = False  # until the count field has the focus: the app holds keys
        self.asked: str | None = None  # an entry asked "are you sure?", taken if repeated

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        v = self.view
        yield Static(f"Pallet {v.sscc} of {v.order}, {v.supplier}", id="count-head")
        yield OptionList(*self._prompts(), id="count-lines", compact=True)
        yield ScanInput(
            id="count-qty",
            placeholder="count, or Enter: as shown",
            hold=self.hold,
            scanner=self.app.session.scanner,
        )
        yield MessageLine("", id="count-message", classes="message")
        yield KeyFooter()

    def on_mount(self) -> None:
        lines = self.query_one(OptionList)
        lines.can_focus = False  # the count field keeps the focus; ↑ ↓ move the cursor
        lines.highlighted = 0
        self.query_one(ScanInput).focus()
        self.say("Type what was counted on the marked line, or scan its item or lot")
        self.call_after_refresh(setattr, self, "ready", True)

    def _prompts(self) -> list[str]:
        return [
            line_text(x, self.counts.get(x.key), n == self.index)
            for n, x in enumerate(self.view.lines)
        ]

    def _show(self) -> None:
        lines = self.query_one(OptionList)
        for n, prompt in enumerate(self._prompts()):
            lines.replace_option_prompt_at_index(n, prompt)
        lines.highlighted = self.index

    def action_move(self, step: int) -> None:
        """↑ ↓: the cursor to the line above or below."""
        self.index = max(0, min(len(self.view.lines) - 1, self.index + step))
        self.asked = None
        self._show()

    # --- entries ----------------------------------------------------------------------

    @on(Input.Submitted, "#count-qty")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.entry_arrived()
        text = event.value.replace(GS_SHOWN, GS)
        if not text.strip():
            self.action_done()
            return
        self.busy = True
        at = Counting(
            self.view,
            self.index,
            dict(self.counts),
            self.rules,
            FloorLimits.from_config(self.app.session.config),
            self.app.session.scanner,
        )
        self._read(text, at, self.asked == text)

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _read(self, text: str, at: Counting, sure: bool) -> None:
        with db.connection_context():
            read = read_entry(text, at, sure)
        self.app.call_from_thread(self._apply, text, read)

    def _apply(self, text: str, read: Read) -> None:
        self.asked = text if read.asking else None
        if read.error:
            self.error(read.error)
        elif read.command:
            {"confirm": self.action_done, "cancel": self.action_back_out}.get(
                read.command, lambda: self.error("That command does nothing here")
            )()
        elif read.bin:
            self._finish(read.bin)
        elif read.line is not None:
            self.index = read.line
            self._show()
            x = self.view.lines[self.index]
            self._clear_field(f"✓ {x.goods}: {x.qty} {x.unit} announced, type the count")
        elif read.count is not None:
            self._counted(read.count)
        self.busy = False

    def _counted(self, qty: int) -> None:
        line = self.view.lines[self.index]
        if qty == line.qty:
            self.counts.pop(line.key, None)
            said = f"✓ {line.goods}: {qty} {line.unit}, as announced"
        else:
            self.counts[line.key] = qty
            said = f"✓ {line.difference(qty)}"
        self.index = min(self.index + 1, len(self.view.lines) - 1)
        self._show()
        self._clear_field(said)

    def _clear_field(self, said: str) -> None:
        self.query_one(ScanInput).value = ""
        self.say(said)

    def held_field(self) -> ScanInput:
        return self.query_one(ScanInput)

    # --- leaving ----------------------------------------------------------------------

    def action_done(self) -> None:
        """Enter on an empty field, Ctrl+S: the pallet as shown (the bin comes next)."""
        self._finish(None)

    def _finish(self, bin_code: str | None) -> None:
        self.dismiss(CountDone(dict(self.counts), bin_code))
        self.hold.release(self.app)  # keys typed after it are the form's

    def action_back_out(self) -> None:
        """Esc: nothing counted, nothing received."""
        self.hold.drop()
        self.hold.on = False
        self.dismiss(None)

    # --- feedback ---------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.query_one("#count-message", MessageLine).say(text)

    def error(self, text: str) -> None:
        """TEXT with the bell; the entry selected, so that the next key replaces it."""
        self.query_one("#count-message", MessageLine).error(text)
        field = self.query_one(ScanInput)
        field.focus()
        field.select_all()
