"""The lead's task board: the open work by kind, zone, age and assignee (the queue's
board()), the open tasks themselves, most urgent first (list_tasks), and what each
person got done today. On the selected task: give it to someone (A), change its
priority (P), cancel it with a reason (X). Ctrl+R reads it all again.

Leads only: the role is checked as the screen opens, and an operator is told so at once.
At 80x24 the board's lines show above the tasks; on a handheld a line per kind does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker

from backroom.models.browse.users import list_users
from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.people.roles import acting, rank
from backroom.models.tasks.board import AGE_BUCKETS, Board, board
from backroom.models.tasks.making import MOST_PRIORITY
from backroom.models.tasks.queue import TaskView, cancel, reassign, reprioritise
from backroom.models.tasks.records import list_tasks
from backroom.tui.screens.dialogs import AskDialog, ChoiceDialog
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.message_line import MessageLine
from backroom.tui.widgets.plain import plain
from backroom.tui.worker_errors import PassesWorkerFailuresOn

LISTED = 500  # open tasks in the table, most urgent first: the rest by `backroom task list`
AGES = [label for _, label in AGE_BUCKETS]


def by_kind(now: Board) -> str:
    """One line per kind of open work: how many, how many held, the oldest."""
    kinds: dict[str, list[int]] = {}
    for line in now.lines:
        tasks, held, oldest = kinds.setdefault(line.kind, [0, 0, 0])
        held += line.tasks if line.status != "open" else 0
        kinds[line.kind] = [tasks + line.tasks, held, max(oldest, line.oldest_minutes)]
    if not kinds:
        return "Nothing open"
    return "\n".join(
        f"{kind.replace('_', ' '):<9} {tasks:>4} open, {held} held, oldest {oldest}m"
        for kind, (tasks, held, oldest) in sorted(kinds.items())
    )


def throughput(now: Board, narrow: bool = False) -> str:
    """Today's work per person (UTC day): tasks, units, skipped, tasks an hour."""
    if not now.people:
        return "Done today: nothing yet"
    if narrow:  # 40 columns
        lines = [
            f"{p.user:<8} {p.tasks} done {p.units} u {p.skipped} skip {p.tasks_per_hour:.1f}/h"
            for p in now.people
        ]
    else:
        lines = [
            f"{p.user:<10} {p.tasks:>3} done {p.units:>5} units {p.skipped} skipped "
            f"{p.tasks_per_hour:.1f}/h"
            for p in now.people
        ]
    return "Done today (UTC)\n" + "\n".join(lines)


def age_of(task: TaskView, now: Board) -> str:
    minutes = max(0, int((now.at - task.created_at).total_seconds() // 60))
    return f"{minutes}m" if minutes < 120 else f"{minutes // 60}h"


def check_priority_text(text: str) -> str | None:
    """What is wrong with TEXT as a priority, or None."""
    if not text.isdigit() or not 0 <= int(text) <= MOST_PRIORITY:
        return f"A whole number from 0 to {MOST_PRIORITY} (lower is more urgent)"
    return None


class TaskBoardScreen(PassesWorkerFailuresOn, Screen):
    """Open work for a lead, and what to do about it."""

    TITLE = "Task board"
    CSS_PATH = "board.tcss"
    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back", id="board.back"),
        Binding("a", "reassign", "Give to", id="board.assign"),
        Binding("p", "priority", "Priority", id="board.priority"),
        Binding("x", "cancel_task", "Cancel task", id="board.cancel"),
        Binding("ctrl+r", "reload", "Reload", id="board.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.refusal = ""  # why this person may not manage tasks
        self.tasks: list[TaskView] = []
        self.now: Board | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static(self.TITLE, classes="title")
        yield Static("…", id="by-kind", markup=False)
        yield DataTable(id="lines", cursor_type="none", zebra_stripes=True)
        yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
        yield Static("", id="people", markup=False)
        yield MessageLine("", id="message", classes="message")
        yield KeyFooter()

    def on_mount(self) -> None:
        lines = self.query_one("#lines", DataTable)
        lines.add_columns("KIND", "ZONE", "STATUS", "WHO", "TASKS", "UNITS", *AGES)
        self.query_one("#tasks", DataTable).focus()
        self.reload()

    @property
    def narrow(self) -> bool:
        return self.app.size.width < 60

    # --- reading --------------------------------------------------------------------------

    def reload(self) -> None:
        self._read(self.app.session.user)

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def _read(self, user: str) -> None:
        with db.connection_context():
            try:
                acting(user, "task.manage")  # leads only, said at once
            except DomainError as exc:
                self.app.call_from_thread(self._not_allowed, str(exc))
                return
            now = board()
            tasks = list_tasks(limit=LISTED)
        self.app.call_from_thread(self._show, now, tasks)

    def _not_allowed(self, text: str) -> None:
        """Not a lead: said at once, in place of the board, and no action is taken."""
        self.refusal = f"{text}. Esc to go back"
        self.query_one("#by-kind", Static).update(plain(f"✗ {self.refusal}"))
        self.query_one("#message", MessageLine).error(self.refusal)

    def worker_failed(self, message: str, worker: Worker) -> None:
        """A refused change (the task finished meanwhile) or a failure: said, with the bell."""
        self.query_one("#message", MessageLine).error(message)

    def _show(self, now: Board, tasks: list[TaskView]) -> None:
        self.refusal = ""
        self.now, self.tasks = now, tasks
        self.query_one("#by-kind", Static).update(f"Open tasks: {now.open_tasks}\n{by_kind(now)}")
        lines = self.query_one("#lines", DataTable)
        lines.clear()
        for x in now.lines:
            row = (x.kind, x.zone, x.status, x.assignee or "", x.tasks, x.units)
            lines.add_row(*row, *(x.ages[label] for label in AGES))
        self._fill_tasks(now, tasks)
        self.query_one("#people", Static).update(throughput(now, self.narrow))

    def on_resize(self) -> None:
        # A terminal made wider (or narrower) gets the columns that fit it.
        if self.now is not None:
            self._fill_tasks(self.now, self.tasks)
            self.query_one("#people", Static).update(throughput(self.now, self.narrow))

    def _fill_tasks(self, now: Board, tasks: list[TaskView]) -> None:
        table = self.query_one("#tasks", DataTable)
        was = table.cursor_row
        table.clear(columns=True)
        if self.narrow:
            table.add_columns("TASK", "KIND", "PRI", "WHERE", "WHO")
            for t in tasks:
                table.add_row(t.number, t.kind, t.priority, t.where, t.taken_by or "", key=t.number)
        else:
            table.add_columns("TASK", "KIND", "PRI", "STATUS", "QTY", "ITEM", "FROM", "TO")
            table.add_columns("WHO", "AGE")
            for t in tasks:
                table.add_row(
                    t.number,
                    t.kind,
                    t.priority,
                    t.status,
                    "" if t.qty is None else t.qty,
                    t.item or "",
                    t.from_location or "",
                    t.to_location or "",
                    t.taken_by or "",
                    age_of(t, now),
                    key=t.number,
                )
        if tasks:
            table.move_cursor(row=min(was, len(tasks) - 1))

    def action_reload(self) -> None:
        """Ctrl+R: read the board again."""
        self.reload()
        self.query_one("#message", MessageLine).say("")

    # --- the selected task ------------------------------------------------------------------

    def selected(self) -> TaskView | None:
        """The task under the cursor, once the board is read and the person a lead."""
        message = self.query_one("#message", MessageLine)
        if self.refusal:
            message.error(self.refusal)
            return None
        table = self.query_one("#tasks", DataTable)
        if not self.tasks or table.cursor_row >= len(self.tasks):
            message.error("No task selected")
            return None
        return self.tasks[table.cursor_row]

    def action_reassign(self) -> None:
        """A: give the selected task to someone (pick them from the people who work on
        tasks)."""
        task = self.selected()
        if task is not None:
            self._people_for(task)

    @work(thread=True, group="board-people", exit_on_error=False)
    def _people_for(self, task: TaskView) -> None:
        with db.connection_context():
            people = [
                (u.name, f"{u.name} ({u.role})")
                for u in list_users()
                if u.active and rank(u.role) >= rank("operator")
            ]

        def chosen(name: str | None) -> None:
            if name:
                self._change(lambda user: reassign(task.number, name, user), "given to")

        dialog = ChoiceDialog(f"Give {task.number} to", people)
        self.app.call_from_thread(self.app.push_screen, dialog, chosen)

    def action_priority(self) -> None:
        """P: the selected task's priority (lower is more urgent)."""
        task = self.selected()
        if task is None:
            return

        def given(text: str | None) -> None:
            if text:
                self._change(lambda user: reprioritise(task.number, int(text), user), "priority")

        dialog = AskDialog(
            f"Priority of {task.number} (now {task.priority})",
            "1 is the most urgent",
            check_priority_text,
            str(task.priority),
        )
        self.app.push_screen(dialog, given)

    def action_cancel_task(self) -> None:
        """X: cancel the selected task, with the reason."""
        task = self.selected()
        if task is None:
            return

        def given(reason: str | None) -> None:
            if reason:
                self._change(lambda user: cancel(task.number, user, reason), "cancelled")

        dialog = AskDialog(
            f"Cancel {task.number}: why?",
            "the reason",
            lambda text: None if text else "Give a reason",
        )
        self.app.push_screen(dialog, given)

    def _change(self, change: Callable[[str], TaskView], what: str) -> None:
        self._apply(change, what, self.app.session.user)

    @work(thread=True, exclusive=True, group="board-change", exit_on_error=False)
    def _apply(self, change: Callable[[str], TaskView], what: str, user: str) -> None:
        with db.connection_context():
            task = change(user)
        said = {
            "given to": f"{task.number} is given to {task.taken_by}",
            "priority": f"{task.number} now has priority {task.priority}",
            "cancelled": f"{task.number} cancelled: {task.reason}",
        }[what]
        self.app.call_from_thread(self._changed, said)

    def _changed(self, said: str) -> None:
        self.query_one("#message", MessageLine).say(said)
        self.reload()
