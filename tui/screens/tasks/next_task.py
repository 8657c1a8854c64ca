"""Next task: the handheld takes the task the queue chooses for the person (the one they
hold, else the most urgent one nearest where they last were) and walks them through it,
one prompt at a time: go to the bin and scan it, scan the item (and lot), say how many,
and for a put-away, replenishment or move scan the bin it goes to. Each scan is checked
against the task as it comes (a wrong bin is refused at the field, selected, with the
bell); the last one posts the task through the queue's complete(), and the next task is
offered at once.

A count is blind: its expected quantity is never shown. Fewer than the task asks for
asks "short?" before it is recorded. Ctrl+T skips the task with a reason; Esc on an
empty form asks whether to put the task back in the queue. While a task is held the
screen tells the queue every HEARTBEAT_SECONDS that the person is still there.

The form is an OperationScreen: its fields share one KeyHold, so scans glued together
in one SSH batch each land in their own field, and a refused one stops the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Static

from backroom.models.db import db
from backroom.models.errors import DomainError, Refused
from backroom.models.stock.checks import FloorLimits
from backroom.models.tasks.batch_walk import tote_for
from backroom.models.tasks.completing import TRANSFER_KINDS
from backroom.models.tasks.queue import (
    TaskView,
    complete,
    heartbeat,
    release_held,
    skip,
    start,
    take_next,
)
from backroom.tui.screens.dialogs import ChoiceDialog, ConfirmDialog
from backroom.tui.screens.stock.operation_form import Field, OperationScreen, Values
from backroom.tui.widgets.plain import plain

NOTHING = "Nothing to do now"
AGAIN = "Ctrl+R checks again"
SKIP_REASONS = (
    ("damaged", "Damaged"),
    ("not found", "Not found"),
    ("blocked", "Bin blocked"),
    ("other", "Other"),
)


def prompt(task: TaskView, field: str, tote: str | None = None) -> str:
    """What the person is asked to do now, at FIELD of TASK (a batch's pick: into its
    shipment's TOTE on the cart). A count never says how many the books expect."""
    what = f"{task.item} lot {task.lot}" if task.lot else str(task.item)
    if field == "location":
        return f"Go to {task.where}"
    if field == "item":
        return f"Scan {task.item}"
    if field == "lot":
        return f"Scan lot {task.lot}"
    if field == "qty":
        if task.kind == "count" and task.item is None:
            return f"Is {task.where} empty? 0 if so"
        if task.kind == "count":
            return f"Count {what}: how many?"
        verb = "Pick" if task.kind == "pick" else "Take"
        into = f" into {tote} ({task.ref})" if tote else ""
        return f"{verb} {task.qty} {task.unit or ''} {what}{into}".replace("  ", " ")
    if field == "to":
        return f"Put at {task.to_location}"
    return ""


def heading(task: TaskView) -> str:
    """The task in a line that fits a handheld: number, kind, priority, for whom."""
    head = f"{task.number} {task.kind.replace('_', ' ')} · prio {task.priority}"
    return f"{head} · {task.ref}" if task.ref and task.kind == "pick" else head


class NextTaskScreen(OperationScreen):
    """The task the queue gives this person, prompt by prompt."""

    TITLE = "Next task"
    OPERATION = "task.work"
    CSS_PATH: ClassVar = [OperationScreen.CSS_PATH, Path(__file__).with_name("next_task.tcss")]
    FIELDS: ClassVar = (
        Field("location", "Location", "location"),
        Field("item", "Item", "item"),
        Field("lot", "Lot", "lot"),
        Field("qty", "Quantity", "qty", zero_ok=True),
        Field("to", "Put at", "location"),
    )
    HINTS: ClassVar = {
        "location": "scan the bin you are sent to",
        "item": "scan the task's item",
        "lot": "scan the task's lot",
        "qty": "how many you took; a count: how many are there",
        "to": "scan the bin it goes to (put away, replenish, move)",
    }
    BINDINGS: ClassVar = [
        Binding("escape", "clear_or_back", "Clear/put back", id="task.back"),
        Binding("ctrl+t", "skip", "Skip", id="task.skip"),
        Binding("ctrl+r", "check_again", "Check again", id="task.again"),
    ]
    HEARTBEAT_SECONDS: ClassVar[float] = 60.0

    def __init__(self) -> None:
        super().__init__()
        self.current: TaskView | None = None
        self.tote: str | None = None  # a batch's pick: the tote on the cart it goes into
        self.started = False  # the queue knows the task is in progress
        self.beating: Timer | None = None

    # --- the task ---------------------------------------------------------------------

    def on_mount(self) -> None:
        super().on_mount()
        self._show_task()
        self.check_again()

    def check_again(self) -> None:
        """Ask the queue for this person's task (the one they hold, else the next)."""
        self.busy = True
        self.say("Looking for your next task…")
        self._take(self.app.session.user)

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _take(self, user: str) -> None:
        with db.connection_context():
            task = take_next(user)
            tote = tote_for(task.source, task.ref) if task is not None else None
        self.app.call_from_thread(self._offer, task, tote)

    def _offer(self, task: TaskView | None, tote: str | None = None) -> None:
        self.current = task
        self.tote = tote
        self.started = task is not None and task.status == "in_progress"
        if self.refusal in ("", f"{NOTHING}: {AGAIN}"):
            self.refusal = "" if task else f"{NOTHING}: {AGAIN}"
        self._reset()
        self._keep_alive()
        self.say(f"{NOTHING}. {AGAIN}" if task is None else "")
        self.busy = False  # hands on what came meanwhile: the scans of this task

    def _reset(self) -> None:
        super()._reset()
        self._show_task()

    def _show_task(self) -> None:
        """The heading, the fields this task needs, each showing what it expects."""
        task = self.current
        title = self.query_one(".title", Static)
        title.update(plain(heading(task)) if task else self.TITLE)
        expected = {}
        if task is not None:
            expected = {
                "location": f"scan {task.where}",
                "item": f"scan {task.item}",
                "lot": f"scan lot {task.lot}",
                "qty": "how many are there" if task.kind == "count" else f"up to {task.qty}",
                "to": f"scan {task.to_location}",
            }
        self._expect(expected)
        self._focus_next()

    def _keep_alive(self) -> None:
        """Heartbeats while a task is held, none without one."""
        if self.beating is not None:
            self.beating.stop()
            self.beating = None
        if self.current is not None:
            self.beating = self.set_interval(self.HEARTBEAT_SECONDS, self.beat)

    def beat(self) -> None:
        """Tell the queue the person is still there (the timer's tick)."""
        if self.current is not None:
            self._beat(self.current.number, self.app.session.user)

    @work(thread=True, group="heartbeat", exit_on_error=False)
    def _beat(self, number: str, user: str, starting: bool = False) -> None:
        try:
            with db.connection_context():
                (start if starting else heartbeat)(number, user)
        except DomainError as exc:  # a lead gave it to someone else, or cancelled it
            self.app.call_from_thread(self._lost, number, str(exc))

    def _lost(self, number: str, why: str) -> None:
        if self.current is None or self.current.number != number:
            return
        self._offer(None)
        self.error(f"{why}. {AGAIN}")

    # --- the prompts --------------------------------------------------------------------

    def _skipped(self, f: Field) -> bool:
        task = self.current
        if task is None:
            return f.name != "location"
        if f.name == "item":
            return task.item is None  # a count that checks a bin is empty
        if f.name == "lot":
            return task.lot is None
        if f.name == "to":
            return task.kind not in TRANSFER_KINDS or task.to_location is None
        return False

    def _put_cursor(self, name: str, *, select: bool = False) -> None:
        super()._put_cursor(name, select=select)
        self._show_rows()

    def _focus_next(self) -> bool:
        if self.current is None:
            self._put_cursor("location")  # keys go somewhere: the field says why not
            return True
        return super()._focus_next()

    def _show_rows(self) -> None:
        """One prompt at a time: the rows done and the one asked now; none without a task."""
        names = [f.name for f in self.FIELDS]
        here = names.index(self.cursor) if self.cursor in names else 0
        for n, f in enumerate(self.FIELDS):
            hidden = self.current is None or self._skipped(f) or n > here
            self.query_one(f"#row-{f.name}").set_class(hidden, "-hidden")
        context = self.query_one("#context", Static)
        if self.current is None:
            context.update(NOTHING)
        else:
            context.update(prompt(self.current, self.cursor or "location", self.tote))

    # --- each entry checked against the task ------------------------------------------------

    def check_entry(self, planned: Values, tracking: str | None) -> None:
        """Refuse at the field any scan that is not this task's: bin, item, lot, more
        than it asks for, the bin it goes to."""
        task = self.current
        if task is None:
            raise Refused(f"{NOTHING}: {AGAIN}")
        place = planned.get("location")
        if place is not None and place != task.where:
            raise Refused(f"Wrong bin {place}: go to {task.where}")
        item = planned.get("item")
        if item is not None and item != task.item:
            raise Refused(f"{item} is not this task's item: scan {task.item}")
        lot = planned.get("lot")
        if task.lot and lot is not None and lot != task.lot:
            raise Refused(f"Lot {lot} is not this task's: scan lot {task.lot}")
        qty = planned.get("qty")
        if qty is not None and task.kind != "count" and task.qty is not None and qty > task.qty:
            raise Refused(f"{task.number} asks for {task.qty}; {qty} is more than that")
        to = planned.get("to")
        if to is not None and to != task.to_location:
            raise Refused(f"Wrong bin {to}: put it at {task.to_location}")

    def ask_entry(self, planned: Values, filled: set[str], limits: FloorLimits) -> None:
        # Only a count can be far off: the others are held to the task's quantity.
        if self.current is not None and self.current.kind == "count":
            super().ask_entry(planned, filled, limits)

    def _advance(self, name: str) -> None:
        if name == "location" and not self.started and self.current is not None:
            self.started = True
            self._beat(self.current.number, self.app.session.user, starting=True)
        if self._short_to_ask():
            self._ask_short(name)
            return
        super()._advance(name)

    # --- short ----------------------------------------------------------------------------

    def _short_to_ask(self) -> bool:
        task, qty = self.current, self.values.get("qty")
        if task is None or task.kind == "count" or qty is None or task.qty is None:
            return False
        return qty < task.qty and "short" not in self.values

    def _ask_short(self, name: str) -> None:
        """Fewer than the task asks for: ask before it is recorded. Keys that came
        meanwhile are dropped: they were not meant as the answer."""
        task, found = self.current, self.values["qty"]
        assert task is not None and task.qty is not None
        self.hold.drop()
        if task.kind == "pick":
            then = f"The {task.qty - found} not found are given up for {task.ref}"
        else:
            then = "No task is left for the rest"
        question = (
            f"Short: expected {task.qty}, found {found}?\n"
            f"{then}, and a count of {task.where} is asked for."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.values["short"] = True
                super(NextTaskScreen, self)._advance(name)
                return
            self.values.pop("qty", None)
            self.field_input("qty").value = ""
            self._put_cursor("qty")
            self.say("Enter the quantity again")

        self.app.push_screen(ConfirmDialog("Short", question, "Record short", "Re-enter"), answered)

    # --- posting ------------------------------------------------------------------------

    def action_confirm(self) -> None:
        if self.current is None:
            self.error(f"{NOTHING}: {AGAIN}")
            return
        super().action_confirm()

    def perform(self, values: Values, user: str) -> str:
        assert self.current is not None
        done = complete(self.current.number, user, values["qty"], short=bool(values.get("short")))
        return done.text

    def _posted(self, text: str) -> None:
        self.current = None  # done: the rows hide until the next one comes
        super()._posted(text)
        self.check_again()

    # --- skip, put back ---------------------------------------------------------------------

    def action_skip(self) -> None:
        """Ctrl+T: give the task up, with a reason the lead sees on the board."""
        task = self.current
        if task is None or self.busy:
            self.error(f"{NOTHING} to skip: {AGAIN}")
            return
        self.hold.drop()

        def answered(reason: str | None) -> None:
            if not reason:
                self.say(f"{task.number} not skipped")
                return
            self.busy = True
            self._skip(task.number, reason, self.app.session.user)

        self.app.push_screen(ChoiceDialog(f"Skip {task.number}: why?", SKIP_REASONS), answered)

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _skip(self, number: str, reason: str, user: str) -> None:
        with db.connection_context():
            skipped = skip(number, user, reason)
        self.app.call_from_thread(self._skipped_one, f"{skipped.number} skipped: {reason}")

    def _skipped_one(self, text: str) -> None:
        self.query_one("#result", Static).update(plain(text))
        self.current = None
        self.check_again()

    def action_check_again(self) -> None:
        """Ctrl+R: look for a task again (when there was nothing to do)."""
        if self.busy:
            return
        if self.current is not None:
            self.say(f"{self.current.number} is yours: do it, skip it (Ctrl+T) or Esc")
            return
        self.check_again()

    def action_clear_or_back(self) -> None:
        """Esc: clear what was entered; on an empty form, offer to put the task back in
        the queue, and leave."""
        task = self.current
        entered = bool(self.values) or any(self.field_input(f.name).value for f in self.FIELDS)
        if task is not None and entered:
            super().action_clear_or_back()  # cleared
            return
        self.hold.drop()
        self.generation += 1
        if task is None:
            self.app.pop_screen()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self._put_back(self.app.session.user)
            else:
                self.say(f"{task.number} is still yours")

        question = f"Put {task.number} back in the queue?"
        dialog = ConfirmDialog("Leave the task", question, "Put back", "Keep")
        self.app.push_screen(dialog, answered)

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _put_back(self, user: str) -> None:
        with db.connection_context():
            release_held(user)
        self.app.call_from_thread(self._left)

    def _left(self) -> None:
        self.busy = False
        self.current = None
        self._keep_alive()
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The task names every bin (nothing to keep), and its moves are the task's.
        return action not in ("keep_location", "undo")
