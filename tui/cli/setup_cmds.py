"""init, demo, verify."""

from __future__ import annotations

from backroom.tui.cli.context import Context, fail


def register(sub) -> None:
    p = sub.add_parser("init", help="create the database (and its virtual locations)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="build a believable demo warehouse, then open it")
    p.add_argument("--size", choices=("small", "large"), default="small")
    p.add_argument("--no-tui", action="store_true", help="build only; do not open the TUI")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same warehouse)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("verify", help="check the ledger: quants, zero sums, hash chain")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)


def cmd_init(ctx: Context) -> int:
    from backroom.models.masterdata.adding import init_database
    from backroom.models.migrations import CURRENT_VERSION

    ctx.open(create=True)
    owner = init_database(ctx.user)
    ctx.emit(
        {"database": ctx.db_url, "schema_version": CURRENT_VERSION, "admin": owner.name},
        f"Database ready: {ctx.db_url} (schema {CURRENT_VERSION}); admin user: {owner.name}",
    )
    return 0


def cmd_demo(ctx: Context) -> int:

    from backroom.models.demo.build import build_demo

    ctx.open(create=True)

    from backroom.tui.cli.progress import progress_of  # rich.progress: only when it runs

    with progress_of("building the demo", off=ctx.json) as progress:
        summary = build_demo(
            size=ctx.args.size, owner=ctx.user, seed=ctx.args.seed, progress=progress
        )
    ctx.emit(summary.as_dict(), summary.text())
    if ctx.args.no_tui or ctx.json:
        return 0
    from backroom.tui.run import run_tui

    return run_tui(ctx)


def cmd_verify(ctx: Context) -> int:
    from backroom.models.stock.verify import verify

    ctx.open()
    report = verify()
    data = {
        "clean": report.clean,
        "moves": report.moves,
        "quants": report.quants,
        "problems": report.problems,
    }

    def text() -> str:
        head = f"{report.moves:,} moves, {report.quants:,} quants checked: "
        if report.clean:
            return head + "clean"
        return head + f"{len(report.problems)} problem(s)\n" + "\n".join(report.problems)

    ctx.emit(data, text)
    if report.clean:
        return 0
    # The report is on stdout for scripts; the failed check also gets its one line.
    return fail(f"verify found {len(report.problems)} problem(s) in the ledger", "check_failed")
