"""The form every operation screen is made of: fields in scan order, Enter to take an
entry, a scan filling every field it carries, posting in a worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from backroom.models.db import db
from backroom.models.errors import DomainError, Unlikely
from backroom.models.people.roles import acting
from backroom.models.stock.checks import FloorLimits, ask_if_unusual
from backroom.models.stock.ledger import PostedMove
from backroom.models.stock.operations import reverse
from backroom.models.stock.requests import confirmed, new_request_id
from backroom.scanners.companions import companions_missing
from backroom.scanners.entry import Entry, counted, interpret
from backroom.scanners.parse import Scan
from backroom.scanners.settings import ScannerSettings
from backroom.tui.screens.dialogs import ConfirmDialog, LotPicker
from backroom.tui.widgets.form_fields import FormFields
from backroom.tui.widgets.held_entries import HeldEntries
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.message_line import MessageLine
from backroom.tui.widgets.plain import plain
from backroom.tui.widgets.scan_input import GS, GS_SHOWN, KeyHold, ScanInput
from backroom.tui.worker_errors import PassesWorkerFailuresOn

Values = dict[str, Any]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # item, lot, date, qty, delta, location, text
    optional: bool = False
    new_lot_ok: bool = False
    zero_ok: bool = False


class OperationScreen(PassesWorkerFailuresOn, HeldEntries, Screen):
    """A scan-first form; subclasses give FIELDS and perform(). A failed worker clears
    `busy` and is said by `error` (tui/worker_errors.py)."""

    # Absolute, so that forms in other rooms (pick, pack) that inherit it find it too.
    CSS_PATH = Path(__file__).with_name("operate.tcss")
    FIELDS: ClassVar[tuple[Field, ...]] = ()
    # The permission the posting needs (models/people/roles.py), checked when the form
    # opens: nobody fills five fields to learn that a lead must do it.
    OPERATION: ClassVar[str] = ""
    KEPT: ClassVar[str] = ""  # the location field Ctrl+B keeps, if not the last one
    HINTS: ClassVar[dict[str, str]] = {}  # a field's placeholder, where its kind's is not right
    BINDINGS: ClassVar = [
        Binding("escape", "clear_or_back", "Clear/back", id="op.cancel"),
        Binding("ctrl+s", "confirm", "Post", id="op.confirm"),
        Binding("ctrl+z", "undo", "Undo last", id="op.undo"),
        Binding("ctrl+b", "keep_location", "Keep bin", id="op.keep"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.values: Values = {}
        self.tracking: str | None = None
        self.asking: set[str] = set()  # optional fields to visit anyway
        self.hold = KeyHold()  # keys that came while an entry was being taken
        self.cursor = ""  # the field the next key belongs to
        self.generation = 0  # one more at each Esc: an entry still being read is void
        self.refusal = ""  # why this person may not post here, once the role is checked
        self.asked: tuple[str, str] | None = None  # (field, text) asked "are you sure?"
        self.keeping: set[str] = set()  # location fields kept between postings (Ctrl+B)
        self._busy = False
        self.ready = False  # until the first field has the focus: the app holds keys
        self.request: tuple[Values, str] | None = None  # what was confirmed, and its id
        self.scans: list[Scan] = []  # this entry's GS1 scans, for their companions

    def held_field(self) -> ScanInput | None:
        return self.field_input(self.cursor) if self.cursor else None

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static(self.TITLE or "", classes="title")
        # What the person needs to decide, once known: what the bin holds, what is left
        # to pick here. Wraps, never cut.
        yield Static("", id="context", markup=False)
        with FormFields(id="form"):
            for f in self.FIELDS:
                with Horizontal(classes="row", id=f"row-{f.name}"):
                    yield Label(f.label, classes="label")
                    yield ScanInput(
                        id=f"f-{f.name}",
                        placeholder=self._hint(f),
                        hold=self.hold,
                        scanner=self.app.session.scanner,
                    )
            yield MessageLine("", id="message", classes="message")
            yield Static("", id="result", classes="message")
        yield KeyFooter()

    @classmethod
    def _hint(cls, f: Field) -> str:
        """What the empty field asks for: the form's own words (HINTS, by field name),
        else what a field of its kind takes."""
        if f.name in cls.HINTS:
            return cls.HINTS[f.name]
        return {
            "item": "scan or type SKU / GTIN",
            "lot": "scan or type lot",
            "date": "YYYY-MM-DD",
            "qty": "number",
            "delta": "+2 or -3",
            "location": "scan or type location",
            "text": "why",
        }[f.kind]

    def on_mount(self) -> None:
        self._focus_next()
        self.call_after_refresh(setattr, self, "ready", True)
        if self.OPERATION:
            self._check_role(self.app.session.user)

    @work(thread=True, group="role", exit_on_error=False)
    def _check_role(self, user: str) -> None:
        try:
            with db.connection_context():
                acting(user, self.OPERATION)
        except DomainError as exc:
            self.app.call_from_thread(self._not_allowed, str(exc))

    def _not_allowed(self, text: str) -> None:
        """The person may not post here: say so at once, and take no entries (the
        fields keep the focus, so that a scan is not taken as one to open something)."""
        self.refusal = f"{text}. Esc to go back"
        self.hold.drop()
        self.error(self.refusal)

    def field_input(self, name: str) -> ScanInput:
        return self.query_one(f"#f-{name}", ScanInput)

    def _field(self, name: str) -> Field:
        return next(f for f in self.FIELDS if f.name == name)

    def _skipped(self, f: Field) -> bool:
        return f.kind == "lot" and self.tracking == "none"

    def _focus_next(self) -> bool:
        """Focus the first empty field that is needed; False when the form is full."""
        for f in self.FIELDS:
            needed = not f.optional or f.name in self.asking
            if f.name not in self.values and needed and not self._skipped(f):
                self._put_cursor(f.name)
                return True
        return False

    def _put_cursor(self, name: str, *, select: bool = False) -> None:
        """Focus field NAME; with SELECT its text is selected, so that the next scan or
        key replaces it rather than joining it."""
        self.cursor = name
        field_input = self.field_input(name)
        # At once, not as Widget.focus() does (after the keys already queued): a key
        # that came with the last entry's Enter must reach this field, not the last one
        # (TAPE-48, Enter, 1 typed fast put the 1 into the item field: TAPE-481).
        self.set_focus(field_input)
        if select:
            field_input.select_all()

    # --- entries ----------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not isinstance(event.input, ScanInput):
            return
        self.entry_arrived()
        if self.busy:  # cannot happen while keys are held; keep the Enter if it does
            self.hold.keys.insert(0, "\r")
            return
        name = (event.input.id or "").removeprefix("f-")
        self.cursor = name
        if self.refusal:
            event.input.value = ""
            self.error(self.refusal)
            self.busy = False
            return
        text = event.value.replace(GS_SHOWN, GS)  # as it was at Enter, nothing after
        if text == "" and (name in self.values or self._field(name).optional):
            self.asking.discard(name)
            self._advance(name)
            self.busy = False  # hands on what came after the Enter
            return
        self.busy = True
        self._interpret(
            self._field(name), text, dict(self.values), self.app.session.scanner, self.generation
        )

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _interpret(
        self, f: Field, text: str, values: Values, settings: ScannerSettings, generation: int
    ) -> None:
        sure = self.asked == (f.name, text)  # the same entry, Enter again: confirmed
        asking = False
        context: str | None = None
        expected: dict[str, str] | None = None
        try:
            with db.connection_context():
                entry = interpret(
                    f.kind,
                    text,
                    values,
                    settings=settings,
                    zero_ok=f.zero_ok,
                    new_lot_ok=any(g.new_lot_ok for g in self.FIELDS),
                )
                if f.kind == "qty" and not entry.error:
                    entry = counted(entry, values) or entry
                if not entry.error and not entry.command:
                    planned, filled = self._planned(f, entry, values)
                    context, expected = self.read_context(planned, entry.tracking or self.tracking)
                    self.check_entry(planned, entry.tracking or self.tracking)
                    if not sure:
                        limits = FloorLimits.from_config(self.app.session.config)
                        self.ask_entry(planned, filled, limits)
        except Unlikely as exc:
            asked_as = " " if str(exc).endswith("?") else ". "  # a question needs no full stop
            entry = Entry(error=f"{exc}{asked_as}Enter again to take it, or type another")
            asking = True
        except DomainError as exc:
            entry = Entry(error=str(exc))
        asked = (f.name, text) if asking else None
        self.app.call_from_thread(self._apply, f, entry, generation, asked, context, expected)

    def ask_entry(self, planned: Values, filled: set[str], limits: FloorLimits) -> None:
        """Raise Unlikely where the fields this entry FILLED make the form (PLANNED)
        allowed but unusual enough to ask first (in the worker). By default: a
        quantity above the site's limits."""
        if "qty" in filled and planned.get("item") and planned.get("qty"):
            ask_if_unusual(abs(planned["qty"]), planned["item"], limits)

    def context_of(self, planned: Values, tracking: str | None) -> str | None:
        """What to show above the fields for the form as PLANNED (in the worker, with
        the database); None leaves the line as it is. Subclasses give it."""
        return None

    def read_context(
        self, planned: Values, tracking: str | None
    ) -> tuple[str | None, dict[str, str] | None]:
        """The context line (context_of), and what each field expects, shown in it while
        it is empty ({field: text}; None leaves the fields as they are). A form whose
        line and fields come from one reading (a put-away suggestion) gives both here."""
        return self.context_of(planned, tracking), None

    def check_entry(self, planned: Values, tracking: str | None) -> None:
        """Raise a DomainError if the form, as it would be with this entry (PLANNED),
        cannot be posted; runs in the worker, with the database. Subclasses add checks."""

    def _planned(self, f: Field, entry: Entry, values: Values) -> tuple[Values, set[str]]:
        """VALUES with ENTRY's fills put where _apply will put them, and those fields."""
        planned = dict(values)
        filled: set[str] = set()
        for name, (_shown, value) in entry.fills.items():
            target = self._target(name, f, planned)
            if target is not None:
                planned[target] = value
                filled.add(target)
        return planned, filled

    def _apply(
        self,
        f: Field,
        entry: Entry,
        generation: int,
        asked: tuple[str, str] | None = None,
        context: str | None = None,
        expected: dict[str, str] | None = None,
    ) -> None:
        self.busy = False
        if generation != self.generation:
            return  # Esc came while it was being read: the person started again
        self.asked = asked
        if context is not None:
            self.query_one("#context", Static).update(context)
        if expected is not None:
            self._expect(expected)
        if entry.error:
            self.cursor = f.name
            self.error(entry.error)
            if entry.choices:
                self._offer_lots(f, entry)
            return
        if entry.command:
            {
                "confirm": self.action_confirm,
                "cancel": self.action_clear_or_back,
                "back": self._back,
            }[entry.command]()
            return
        if entry.tracking is not None:
            self.tracking = entry.tracking
        self.asking.update(name for name in entry.ask if any(f.name == name for f in self.FIELDS))
        for name, (shown, value) in entry.fills.items():
            target = self._target(name, f, self.values)
            if target is None:
                continue
            self.values[target] = value
            self.field_input(target).value = shown
        if entry.scan is not None and entry.scan.gs1 is not None:
            self.scans.append(entry.scan)
        self.say(self._understood(entry))
        if entry.stay:  # counting in the quantity field: a case scanned as the item goes there
            self._put_cursor(self._target("qty", f, {}) or f.name, select=True)
            return
        self._advance(f.name)

    def _understood(self, entry: Entry) -> str:
        """What the entry was taken as, with what its scan warns of and the GS1
        companions still missing over this form's scans (a label may carry them in
        another symbol: scanning that one clears the warning)."""
        said = [f"✓ {entry.understood}"] if entry.understood else []
        said += [f"⚠ {w}" for w in (*entry.warnings, *companions_missing(self.scans))]
        return "\n".join(said)

    def _offer_lots(self, f: Field, entry: Entry) -> None:
        """A lot number several items carry: ask which item, then take the lot as that
        item's. Keys that came meanwhile are dropped: they were not meant as the answer."""
        self.hold.drop()
        number, generation = entry.choices[0].number, self.generation

        def chosen(sku: str | None) -> None:
            target = self._target("item", f, self.values)
            lot = next((g for g in self.FIELDS if g.kind == "lot"), None)
            if not sku or generation != self.generation or target is None or lot is None:
                return
            self.values[target] = sku
            self.field_input(target).value = sku
            self.busy = True
            self._interpret(lot, number, dict(self.values), self.app.session.scanner, generation)

        self.app.push_screen(LotPicker(entry.choices), chosen)

    def _target(self, fill: str, current: Field, values: Values) -> str | None:
        """Which field a fill goes to: the current one if it is of that kind, else the
        first empty field of that kind."""
        kinds = {
            "location": "location",
            "item": "item",
            "lot": "lot",
            "expiry": "date",
            "qty": ("qty", "delta"),
            "reason": "text",
        }[fill]
        kinds = (kinds,) if isinstance(kinds, str) else kinds
        if current.kind in kinds:
            return current.name
        for f in self.FIELDS:
            if f.kind in kinds and f.name not in values:
                return f.name
        return None

    def _advance(self, name: str) -> None:
        if not self._focus_next():
            self.action_confirm()

    def _back(self) -> None:
        self.focus_previous()
        if isinstance(self.focused, ScanInput):
            self.cursor = (self.focused.id or "").removeprefix("f-")
            self.focused.select_all()  # the next scan replaces what is there

    # --- posting --------------------------------------------------------------------------

    def action_confirm(self) -> None:
        """Post the operation when every needed field is filled."""
        missing = [
            f.label
            for f in self.FIELDS
            if f.name not in self.values and not f.optional and not self._skipped(f)
        ]
        if missing:
            self.error(f"Fill in: {', '.join(missing)}")
            self._focus_next()
            return
        if self.busy:
            return
        self.busy = True
        self._post(dict(self.values), self.app.session.user)

    def _post(self, values: Values, user: str) -> None:
        # The request id is made as the person confirms, and made again only when what
        # they confirm changes: a worker that failed ("database is locked", a lost
        # connection) and is confirmed again posts at most once.
        if self.request is None or self.request[0] != values:
            self.request = (values, new_request_id())
        self._post_once(values, user, self.request[1])

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _post_once(self, values: Values, user: str, request_id: str) -> None:
        # A refusal, or anything else raised, is said by the app (tui/worker_errors.py),
        # which also clears `busy` so that the next Enter posts again.
        with db.connection_context(), confirmed(request_id):
            text = self.perform(values, user)
        self.app.call_from_thread(self._posted, text)

    def perform(self, values: Values, user: str) -> str:
        """Run the operation; returns what to show. Subclasses implement it."""
        raise NotImplementedError

    def remember(self, move: PostedMove, said: str | None = None) -> None:
        """Keep a posted move so that Ctrl+Z on this screen can undo it (called from
        the worker), with what the undo dialog SAID it was (by default the move's own
        sentence). The app keeps them, so that a logout forgets them all."""
        posted = (type(self).__name__, move.id, said or move.sentence())
        self.app.call_from_thread(self.app.posted_moves.append, posted)

    def kept(self, move: PostedMove) -> str:
        """Remember MOVE for Ctrl+Z and say what was posted: the end of most perform()s."""
        self.remember(move)
        return move.sentence()

    def _posted(self, text: str) -> None:
        self.busy = False
        self.request = None
        self.query_one("#result", Static).update(plain(text))
        self.say("")
        self._reset()

    def _expect(self, expected: dict[str, str]) -> None:
        """Each empty field shows what it EXPECTS, or else its usual hint."""
        for f in self.FIELDS:
            self.field_input(f.name).placeholder = expected.get(f.name) or self._hint(f)

    def _reset(self) -> None:
        self.query_one("#context", Static).update("")
        self._expect({})
        kept = {n: self.values[n] for n in self.keeping if n in self.values}
        self.values.clear()
        self.tracking = None
        self.asking.clear()
        self.scans.clear()
        for f in self.FIELDS:
            self.field_input(f.name).value = str(kept.get(f.name, ""))
        self.values.update(kept)
        self._focus_next()

    def action_keep_location(self) -> None:
        """Ctrl+B: keep the bin (the form's KEPT field, else its last location field)
        for a run of postings into one bin; again to stop."""
        bins = [f.name for f in self.FIELDS if f.kind == "location"]
        if not bins:
            return
        name = self.KEPT or bins[-1]
        if name in self.keeping:
            self.keeping.discard(name)
            self.say(f"{self._field(name).label}: no longer kept")
        else:
            self.keeping.add(name)
            shown = self.values.get(name) or "the next one entered"
            self.say(f"{self._field(name).label}: keeping {shown} (Ctrl+B to stop)")

    # --- feedback -----------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.query_one("#message", MessageLine).say(text)

    def error(self, text: str) -> None:
        """Show TEXT where the person is looking, with the bell; the field the cursor is
        in is selected, so that what is typed or scanned next replaces it."""
        self.query_one("#message", MessageLine).error(text)
        if self.cursor:
            self._put_cursor(self.cursor, select=True)

    # --- keys ---------------------------------------------------------------------------

    def action_clear_or_back(self) -> None:
        """Esc: clear a form in progress (and keys held for it); leave an empty one."""
        self.hold.drop()
        self.generation += 1
        self.asked = None
        if self.values or any(self.field_input(f.name).value for f in self.FIELDS):
            self._reset()
            self.say("Cleared")
        else:
            self.app.pop_screen()

    def action_undo(self) -> None:
        """Ctrl+Z: reverse this screen's last posting of the session, once the person
        has seen what it was and said yes."""
        mine = [p for p in self.app.posted_moves if p[0] == type(self).__name__]
        if not mine:
            self.error(f"Nothing posted on {self.TITLE} to undo")
            return
        posted = mine[-1]

        def answered(yes: bool | None) -> None:
            if yes:
                self._undo(posted, self.app.session.user)
            else:
                self.say("Kept: nothing undone")

        title, question = self.undo_question(posted[1], posted[2])
        self.app.push_screen(ConfirmDialog(title, question, "Undo"), answered)

    def undo_question(self, move_id: int, sentence: str) -> tuple[str, str]:
        """The title and question of the dialog before Ctrl+Z reverses MOVE_ID."""
        return f"Undo move {move_id}", f"{sentence.replace('Posted move', 'Move')}\n\nReverse it?"

    def reverse_posted(self, move_id: int, user: str) -> str:
        """Reverse what this screen posted as MOVE_ID (in the worker); what to show."""
        rev = reverse(move_id, user=user, reason="undo in the TUI")
        return f"Undone: move {move_id} reversed by move {rev.id}"

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _undo(self, posted: tuple[str, int, str], user: str) -> None:
        with db.connection_context():
            text = self.reverse_posted(posted[1], user)

        def done() -> None:
            self.app.posted_moves.remove(posted)
            self.query_one("#result", Static).update(plain(text))
            self.say("")  # an earlier complaint is over: on a handheld it hid the news

        self.app.call_from_thread(done)
