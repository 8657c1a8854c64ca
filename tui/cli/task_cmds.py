"""task: the work queue from the command line: the next task for me, done, skipped;
and for a lead, tasks made by hand, given to someone, reprioritised, cancelled, the board."""

from __future__ import annotations

import argparse

from backroom.models.tasks.records import TASK_KINDS as KINDS
from backroom.models.tasks.records import TASK_STATUSES as STATUSES
from backroom.tui.cli.context import (
    Context,
    add_output,
    moment,
    positive_number,
    request_id_option,
    table,
    whole_number,
)

RAW = argparse.RawDescriptionHelpFormatter


def register(sub) -> None:
    """task sub-commands."""
    top = sub.add_parser("task", help="the task queue: what to do next, and the lead's board")
    task = top.add_subparsers(dest="action", metavar="ACTION", required=True)
    _floor(task)
    _lead(task)


def _command(task, name: str, func, help: str, example: str) -> argparse.ArgumentParser:
    p = task.add_parser(name, help=help, epilog=f"example:\n  {example}", formatter_class=RAW)
    add_output(p, "text", "json")
    p.set_defaults(func=func)
    return p


def _floor(task) -> None:
    """What an operator does: list, next, done, skip."""
    p = _command(task, "list", cmd_list, "tasks, most urgent first", "backroom task list --json")
    p.add_argument("--kind", choices=KINDS, help="only tasks of this kind")
    p.add_argument(
        "--status", choices=STATUSES, help="only tasks in this state (default: not finished)"
    )
    p.add_argument("--user", dest="holder", metavar="USER", help="only tasks this person holds")
    p.add_argument("--limit", type=positive_number, default=500, metavar="N")
    p = _command(
        task,
        "next",
        cmd_next,
        "take the task to do now: the one you hold, else the most urgent one nearest you",
        "backroom task next --near A-01-03",
    )
    p.add_argument("--near", metavar="LOC", help="where you are (default: where you last were)")
    p = _command(
        task, "done", cmd_done, "confirm a task you hold as done", "backroom task done T-12"
    )
    p.add_argument("task", metavar="ID", help="the task number, such as T-12")
    p.add_argument(
        "--qty",
        type=whole_number,
        metavar="N",
        help="how many you moved or picked (default: the task's), or counted (a count needs it)",
    )
    p.add_argument("--short", action="store_true", help="N is all there was: no task for the rest")
    request_id_option(p)
    p = _command(
        task,
        "skip",
        cmd_skip,
        "give up a task you hold, with the reason",
        "backroom task skip T-12 --reason 'pallet in front of the bin'",
    )
    p.add_argument("task", metavar="ID", help="the task number, such as T-12")
    p.add_argument("--reason", required=True)


def _lead(task) -> None:
    """What a lead does: add, assign, priority, cancel, board, scope."""
    p = _command(
        task,
        "add",
        cmd_add,
        "make a task by hand",
        "backroom task add replenish SOAP 24 --from B-01-01 --to A-01-02 --priority 2",
    )
    p.add_argument("kind", metavar="KIND", choices=KINDS, help=f"one of {', '.join(KINDS)}")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("qty", metavar="QTY", type=positive_number, nargs="?", help="none for a count")
    p.add_argument("--from", dest="src", metavar="LOC", required=True)
    p.add_argument("--to", dest="dst", metavar="LOC")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument(
        "--priority", type=whole_number, default=5, help="lower is more urgent: 1 before 5"
    )
    p.add_argument("--due", type=moment, metavar="TIME", help="when it should be done (UTC)")
    p.add_argument("--ref", metavar="REF", help="what it serves: a shipment (for a pick)")
    p = _command(
        task, "assign", cmd_assign, "give a task to someone", "backroom task assign T-12 ana"
    )
    p.add_argument("task", metavar="ID", help="the task number, such as T-12")
    p.add_argument("to", metavar="USER", help="who does it")
    p = _command(
        task, "priority", cmd_priority, "change a task's priority", "backroom task priority T-12 1"
    )
    p.add_argument("task", metavar="ID", help="the task number, such as T-12")
    p.add_argument("priority", metavar="N", type=whole_number, help="lower is more urgent")
    p = _command(
        task,
        "cancel",
        cmd_cancel,
        "cancel a task that is not finished",
        "backroom task cancel T-12 --reason 'stock arrived elsewhere'",
    )
    p.add_argument("task", metavar="ID", help="the task number, such as T-12")
    p.add_argument("--reason", required=True)
    _command(
        task,
        "board",
        cmd_board,
        "open tasks by kind, zone, age and assignee; throughput per person today",
        "backroom task board --json",
    )
    p = _command(
        task,
        "scope",
        cmd_scope,
        "limit an operator to task kinds and a zone (neither given: any task)",
        "backroom task scope ana --kinds count,replenish --zone BULK",
    )
    p.add_argument("who", metavar="USER", help="the operator")
    p.add_argument("--kinds", metavar="K,K", help="comma-separated task kinds")
    p.add_argument("--zone", metavar="LOC", help="a zone: that location and all under it")


def _configure(ctx: Context) -> None:
    from backroom.models.tasks import queue

    ctx.open()
    queue.configure(ctx.config)


def _steps(task) -> str:
    """The task as a handheld shows it: one line to say what, then where to go."""
    head = f"{task.number} {task.kind.replace('_', ' ')}, priority {task.priority}"
    if task.due:
        head += f", due {task.due:%Y-%m-%d %H:%M}"
    lines = [head]
    what = f"{task.item}" + (f" lot {task.lot}" if task.lot else "")
    if task.kind == "count":
        lines += [f"Go to   {task.from_location}", f"Count   {what}"]
    else:
        lines += [f"Go to   {task.from_location}", f"Take    {task.qty} {task.unit} {what}"]
        if task.to_location:
            lines.append(f"Put at  {task.to_location}")
    if task.ref:
        lines.append(f"For     {task.ref}")
    return "\n".join(lines)


def cmd_list(ctx: Context) -> int:
    from backroom.models.tasks.records import list_tasks

    ctx.open()
    a = ctx.args
    tasks = list_tasks(kind=a.kind, status=a.status, user=a.holder, limit=a.limit)
    ctx.emit(
        [t.as_dict() for t in tasks],
        lambda: (
            table(
                ["TASK", "KIND", "PRI", "STATUS", "QTY", "ITEM", "LOT", "FROM", "TO", "WHO", "DUE"],
                [
                    (
                        t.number,
                        t.kind,
                        t.priority,
                        t.status,
                        t.qty,
                        t.item,
                        t.lot,
                        t.from_location,
                        t.to_location,
                        t.taken_by,
                        f"{t.due:%m-%d %H:%M}" if t.due else "",
                    )
                    for t in tasks
                ],
            )
            if tasks
            else "No tasks"
        ),
    )
    return 0


def cmd_next(ctx: Context) -> int:
    from backroom.models.tasks import queue

    _configure(ctx)
    task = queue.take_next(ctx.user, near=ctx.args.near)
    ctx.emit(
        {"task": task.as_dict() if task else None},
        _steps(task) if task else "Nothing to do: no open task for you",
    )
    return 0


def cmd_done(ctx: Context) -> int:
    from backroom.models.tasks import queue

    _configure(ctx)
    a = ctx.args
    done = queue.complete(a.task, ctx.user, a.qty, short=a.short, request_id=a.request_id)
    ctx.emit(done.as_dict(), done.text)
    return 0


def cmd_skip(ctx: Context) -> int:
    from backroom.models.tasks import queue

    _configure(ctx)
    task = queue.skip(ctx.args.task, ctx.user, ctx.args.reason)
    ctx.emit(task.as_dict(), f"{task.number} skipped: {task.reason}")
    return 0


def cmd_add(ctx: Context) -> int:
    from backroom.models.tasks import queue

    ctx.open()
    a = ctx.args
    spec = queue.TaskSpec(
        a.kind,
        item=a.item,
        qty=a.qty,
        from_location=a.src,
        to_location=a.dst,
        lot=a.lot,
        priority=a.priority,
        due=a.due,
        ref=a.ref,
    )
    task = queue.add_task(spec, user=ctx.user)
    ctx.emit(task.as_dict(), f"Task {task.text} added")
    return 0


def cmd_assign(ctx: Context) -> int:
    from backroom.models.tasks import queue

    ctx.open()
    task = queue.reassign(ctx.args.task, ctx.args.to, ctx.user)
    ctx.emit(task.as_dict(), f"{task.number} is given to {task.taken_by}")
    return 0


def cmd_priority(ctx: Context) -> int:
    from backroom.models.tasks import queue

    ctx.open()
    task = queue.reprioritise(ctx.args.task, ctx.args.priority, ctx.user)
    ctx.emit(task.as_dict(), f"{task.number} now has priority {task.priority}")
    return 0


def cmd_cancel(ctx: Context) -> int:
    from backroom.models.tasks import queue

    ctx.open()
    task = queue.cancel(ctx.args.task, ctx.user, ctx.args.reason)
    ctx.emit(task.as_dict(), f"{task.number} cancelled: {task.reason}")
    return 0


def cmd_scope(ctx: Context) -> int:
    from backroom.models.tasks import queue

    ctx.open()
    a = ctx.args
    kinds = [k.strip() for k in a.kinds.split(",") if k.strip()] if a.kinds else None
    queue.set_scope(a.who, kinds=kinds, zone=a.zone, user=ctx.user)
    what = f"{', '.join(kinds)} tasks" if kinds else "any task"
    where = f" in {a.zone}" if a.zone else " anywhere"
    ctx.emit({"user": a.who, "kinds": kinds, "zone": a.zone}, f"{a.who} may be given {what}{where}")
    return 0


def cmd_board(ctx: Context) -> int:
    from backroom.models.tasks.board import AGE_BUCKETS, board

    _configure(ctx)
    now = board()
    ctx.emit(now.as_dict(), lambda: _board_text(now, [label for _, label in AGE_BUCKETS]))
    return 0


def _board_text(now, labels: list[str]) -> str:
    open_part = table(
        ["KIND", "ZONE", "STATUS", "WHO", "TASKS", "UNITS", "OLDEST", *labels],
        [
            (
                x.kind,
                x.zone,
                x.status,
                x.assignee or "",
                x.tasks,
                x.units,
                f"{x.oldest_minutes}m",
                *(x.ages[label] for label in labels),
            )
            for x in now.lines
        ],
    )
    people = table(
        ["WHO", "DONE", "UNITS", "SKIPPED", "HOURS", "PER HOUR"],
        [
            (p.user, p.tasks, p.units, p.skipped, f"{p.hours:.1f}", f"{p.tasks_per_hour:.1f}")
            for p in now.people
        ],
    )
    return (
        f"Open tasks: {now.open_tasks}\n"
        + (open_part if now.lines else "Nothing open")
        + "\n\nDone today (UTC)\n"
        + (people if now.people else "Nothing done yet today")
    )
