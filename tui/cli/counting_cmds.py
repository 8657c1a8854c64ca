"""cycle: cycle counts. ABC classes, count plans, the day's counts, blind counts, the
counts held for a lead, and the accuracy report (`backroom count` stays the plain
count that posts the difference at once)."""

from __future__ import annotations

import argparse

from backroom.tui.cli.context import (
    Context,
    add_output,
    iso_date,
    positive_number,
    request_id_option,
    table,
    whole_number,
)

RAW = argparse.RawDescriptionHelpFormatter


def register(sub) -> None:
    top = sub.add_parser("cycle", help="cycle counts: ABC classes, plans, blind counts, approvals")
    cycle = top.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = cycle.add_parser(
        "classify",
        help="class every item A, B or C by its picks in the last 90 days",
        epilog="backroom cycle classify --days 90",
        formatter_class=RAW,
    )
    p.add_argument(
        "--days", type=positive_number, metavar="DAYS", help="the pick window, in days (default 90)"
    )
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_classify)
    _register_plans(cycle)
    _register_day(cycle)
    _register_empty(cycle)
    _register_decisions(cycle)


def _register_plans(cycle) -> None:
    top = cycle.add_parser("plan", help="count plans: add, list, stop, start")
    plan = top.add_subparsers(dest="plan_action", metavar="ACTION", required=True)
    p = plan.add_parser(
        "add",
        help="a count plan: by ABC class, or every location once per period",
        epilog="backroom cycle plan add Weekly-A --a 7 --b 30 --c 90\n"
        "backroom cycle plan add Cold-room --method every_location --period 14 --zone COLD",
        formatter_class=RAW,
    )
    p.add_argument("name", metavar="NAME", help="the plan's name")
    p.add_argument(
        "--method",
        choices=("abc", "every_location"),
        default="abc",
        help="count by ABC class, or every location once per --period",
    )
    p.add_argument("--zone", metavar="LOC", help="count in this location and below (default: all)")
    p.add_argument(
        "--a",
        type=positive_number,
        metavar="DAYS",
        default=7,
        help="days between counts of A items",
    )
    p.add_argument(
        "--b",
        type=positive_number,
        metavar="DAYS",
        default=30,
        help="days between counts of B items",
    )
    p.add_argument(
        "--c",
        type=positive_number,
        metavar="DAYS",
        default=90,
        help="days between counts of C items",
    )
    p.add_argument(
        "--period", type=positive_number, metavar="DAYS", help="every_location: days per round"
    )
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_plan_add)
    p = plan.add_parser("list", help="the count plans", epilog="backroom cycle plan list --json")
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_plan_list)
    for action, about in (("stop", "stop a count plan"), ("start", "start a stopped plan")):
        p = plan.add_parser(action, help=about, epilog=f"backroom cycle plan {action} Weekly-A")
        p.add_argument("name", metavar="NAME", help="the plan's name")
        add_output(p, "text", "json")
        p.set_defaults(func=cmd_plan_active, active=action == "start")


def _register_day(cycle) -> None:
    p = cycle.add_parser(
        "generate",
        help="hand out the counts the plans want today (a daily cron job; once a day)",
        epilog="backroom cycle generate\nbackroom cycle generate --date 2026-03-16",
        formatter_class=RAW,
    )
    p.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="the day (default today)")
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_generate)
    p = cycle.add_parser(
        "due",
        help="the counts the plans want on a day, handing nothing out",
        epilog="backroom cycle due --date 2026-03-16",
    )
    p.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="the day (default today)")
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_due)
    p = cycle.add_parser(
        "prompt", help="what the counter is asked (never how many)", epilog=_EXAMPLE_PROMPT
    )
    p.add_argument("location", metavar="LOC", help="the location to count, by its code")
    p.add_argument("item", metavar="ITEM")
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_prompt)
    p = cycle.add_parser(
        "record",
        help="record a blind count: posted within tolerance, else held for a lead",
        epilog="backroom cycle record A-01-01 FD-1001 24 --lot L-0424",
    )
    p.add_argument("location", metavar="LOC", help="the location counted, by its code")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("counted", metavar="COUNTED", type=whole_number, help="how many were there")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--plan", metavar="NAME", help="the count plan the count was for")
    request_id_option(p)
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_record)


_EXAMPLE_PROMPT = "backroom cycle prompt A-01-01 FD-1001"


def _register_empty(cycle) -> None:
    p = cycle.add_parser(
        "empty",
        help="record a bin checked and found empty, as the books say",
        epilog="backroom cycle empty A-01-04",
    )
    p.add_argument("location", metavar="LOC", help="the bin checked, by its code")
    p.add_argument("--plan", metavar="NAME", help="the count plan the check was for")
    request_id_option(p)
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_empty)


def _register_decisions(cycle) -> None:
    p = cycle.add_parser(
        "variances",
        help="counts held for a lead, with what the books expected",
        epilog="backroom cycle variances\nbackroom cycle variances --all --json",
        formatter_class=RAW,
    )
    p.add_argument("--all", action="store_true", help="decided ones too, not only held")
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_variances)
    p = cycle.add_parser(
        "approve", help="post a held count as counted", epilog="backroom cycle approve 1"
    )
    p.add_argument("variance", metavar="ID", type=positive_number, help="the held count's number")
    request_id_option(p)
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_approve)
    p = cycle.add_parser(
        "reject",
        help="close a held count without posting it",
        epilog="backroom cycle reject 1 --reason 'counted cases, not pieces'",
    )
    p.add_argument("variance", metavar="ID", type=positive_number, help="the held count's number")
    p.add_argument("--reason", metavar="TEXT")
    request_id_option(p)
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_reject)
    p = cycle.add_parser(
        "accuracy",
        help="count accuracy per location, ABC class and counter",
        epilog="backroom cycle accuracy --since 2026-03-01 --json",
    )
    p.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--until", type=iso_date, metavar="YYYY-MM-DD", help="up to this day (UTC)")
    add_output(p, "text", "json")
    p.set_defaults(func=cmd_accuracy)


def _open(ctx: Context) -> None:
    from backroom.models import counting

    ctx.open()
    counting.configure(ctx.config)


def _me(ctx: Context):
    from backroom.models.masterdata.adding import get_user

    return get_user(ctx.user)


def cmd_classify(ctx: Context) -> int:
    from backroom.models.counting.classes import classify

    _open(ctx)
    found = classify(ctx.args.days, by=_me(ctx))
    ctx.emit(
        [c.as_dict() for c in found],
        lambda: table(
            ["ITEM", "CLASS", "PICKS", "UNITS"], [(c.item, c.abc, c.picks, c.units) for c in found]
        ),
    )
    return 0


def _plan_text(plans) -> str:
    return table(
        ["PLAN", "METHOD", "ZONE", "HOW OFTEN", "ACTIVE"],
        [
            (p.name, p.method, p.zone or "(site)", p.how_often, "yes" if p.active else "no")
            for p in plans
        ],
    )


def cmd_plan_add(ctx: Context) -> int:
    from backroom.models.counting.plans import add_plan

    _open(ctx)
    a = ctx.args
    plan = add_plan(
        a.name, a.method, zone=a.zone, days=(a.a, a.b, a.c), period_days=a.period, by=_me(ctx)
    )
    ctx.emit(plan.as_dict(), f"Count plan {plan.name} added: {plan.how_often}")
    return 0


def cmd_plan_list(ctx: Context) -> int:
    from backroom.models.counting.plans import list_plans

    _open(ctx)
    plans = list_plans()
    ctx.emit([p.as_dict() for p in plans], lambda: _plan_text(plans))
    return 0


def cmd_plan_active(ctx: Context) -> int:
    from backroom.models.counting.plans import set_plan_active

    _open(ctx)
    plan = set_plan_active(ctx.args.name, ctx.args.active, by=_me(ctx))
    said = "started" if plan.active else "stopped"
    ctx.emit(plan.as_dict(), f"Count plan {plan.name} {said}")
    return 0


def _due_text(counts) -> str:
    return table(
        ["LOCATION", "ITEM", "CLASS", "PLAN"],
        [(c.location, c.item or "(empty?)", c.abc or "-", c.plan or "-") for c in counts],
    )


def _day(ctx: Context):
    import datetime as dt

    return ctx.args.date or dt.datetime.now(dt.UTC).date()


def cmd_generate(ctx: Context) -> int:
    from backroom.models.counting.plans import generate_counts

    _open(ctx)
    done = generate_counts(_day(ctx), by=_me(ctx))

    def text() -> str:
        lines = [f"{len(done.counts)} counts handed out for {done.day}"]
        if done.already:
            lines.append(f"Already handed out today: {', '.join(done.already)}")
        if done.counts:
            lines.append(_due_text(done.counts))
        return "\n".join(lines)

    ctx.emit(done.as_dict(), text)
    return 0


def cmd_due(ctx: Context) -> int:
    from backroom.models.counting.plans import due_counts

    _open(ctx)
    counts = due_counts(_day(ctx))
    ctx.emit([c.as_dict() for c in counts], lambda: _due_text(counts))
    return 0


def cmd_prompt(ctx: Context) -> int:
    from backroom.models.counting.recording import count_prompt

    _open(ctx)
    prompt = count_prompt(ctx.args.location, ctx.args.item)
    ctx.emit(prompt.as_dict(), prompt.text)
    return 0


def cmd_record(ctx: Context) -> int:
    from backroom.models.counting.recording import record_count

    _open(ctx)
    a = ctx.args
    done = record_count(
        a.location, a.item, a.lot, a.counted, ctx.user, plan=a.plan, request_id=a.request_id
    )
    ctx.emit(done.as_dict() | {"text": done.text}, done.text)
    return 0


def cmd_empty(ctx: Context) -> int:
    from backroom.models.counting.recording import record_empty

    _open(ctx)
    a = ctx.args
    done = record_empty(a.location, ctx.user, plan=a.plan, request_id=a.request_id)
    ctx.emit(done.as_dict() | {"text": done.text}, done.text)
    return 0


def _held_text(rows) -> str:
    return table(
        ["ID", "LOCATION", "ITEM", "LOT", "EXPECTED", "COUNTED", "DIFF", "BY", "STATUS"],
        [
            (
                v.id,
                v.location,
                v.item,
                v.lot,
                v.expected,
                v.counted,
                f"{v.difference:+d}",
                v.counted_by,
                v.status,
            )
            for v in rows
        ],
    )


def cmd_variances(ctx: Context) -> int:
    from backroom.models.counting.recording import list_variances

    _open(ctx)
    rows = list_variances(None if ctx.args.all else "held", by=_me(ctx))
    ctx.emit([v.as_dict() for v in rows], lambda: _held_text(rows))
    return 0


def cmd_approve(ctx: Context) -> int:
    from backroom.models.counting.recording import approve

    _open(ctx)
    done = approve(ctx.args.variance, user=ctx.user, request_id=ctx.args.request_id)
    posted = f" (move {done.move_id} posted)" if done.move_id else ""
    text = f"Count {done.id} approved: {done.item} at {done.location} is {done.counted}{posted}"
    ctx.emit(done.as_dict(), text)
    return 0


def cmd_reject(ctx: Context) -> int:
    from backroom.models.counting.recording import reject

    _open(ctx)
    a = ctx.args
    done = reject(a.variance, user=ctx.user, reason=a.reason, request_id=a.request_id)
    ctx.emit(done.as_dict(), f"Count {done.id} rejected: nothing posted ({done.note})")
    return 0


def cmd_accuracy(ctx: Context) -> int:
    from backroom.models.counting.accuracy import accuracy

    _open(ctx)
    report = accuracy(ctx.args.since, ctx.args.until, by=_me(ctx))

    def text() -> str:
        parts = []
        for title, lines in (
            ("OVERALL", [report.overall]),
            ("LOCATION", report.by_location),
            ("CLASS", report.by_class),
            ("COUNTER", report.by_counter),
        ):
            rows = [(a.key, a.counts, a.within, f"{a.percent:.1f}", a.units_off) for a in lines]
            parts.append(table([title, "COUNTS", "WITHIN", "ACCURACY %", "UNITS OFF"], rows))
        return "\n\n".join(parts)

    ctx.emit(report.as_dict(), text)
    return 0
