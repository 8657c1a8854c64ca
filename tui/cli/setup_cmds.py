"""init, demo, verify, signing-key."""

from __future__ import annotations

import sys

from backroom.tui.cli.context import Context, fail, has_terminal


def register(sub) -> None:
    p = sub.add_parser(
        "init",
        help="create the database (and its virtual locations)",
        epilog="backroom init\nbackroom --db sqlite:///site.db init --json",
    )
    _output(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "demo",
        help="build a believable demo warehouse, then open it",
        epilog="backroom --db sqlite:///demo.db demo\n"
        "backroom --db sqlite:///big.db demo --size large --no-tui",
    )
    p.add_argument(
        "--size",
        choices=("small", "large"),
        default="small",
        help="small: 40 items, about 1,000 moves, built in seconds; large: a million moves",
    )
    p.add_argument("--no-tui", action="store_true", help="build only; do not open the TUI")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same warehouse)")
    _output(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "verify",
        help="check the ledger: quants, zero sums, hash chains, signed checkpoints",
        epilog="backroom verify\nbackroom verify --checkpoint --json",
    )
    p.add_argument(
        "--checkpoint",
        action="store_true",
        help="when clean, sign the head with the site's key and send it off the box",
    )
    _output(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("signing-key", help="the key that signs the ledger's checkpoints")
    keys = p.add_subparsers(dest="signing_command", required=True, metavar="create")
    create = keys.add_parser(
        "create",
        help="write a new key pair ([signing] key in the config)",
        epilog="backroom --config site.toml signing-key create",
    )
    create.add_argument("--force", action="store_true", help="replace the key that is there")
    _output(create)
    create.set_defaults(func=cmd_signing_key_create)


def _output(parser) -> None:
    """--format text|json, --json its alias."""
    from backroom.tui.cli.context import add_output

    add_output(parser, "text", "json")


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
    if not has_terminal():  # a script or CI: the demo is built, there is no screen
        print("No terminal here: run 'backroom' in one to open the demo", file=sys.stderr)
        return 0
    from backroom.tui.run import run_tui

    return run_tui(ctx)


def cmd_verify(ctx: Context) -> int:
    from backroom.models.stock.signing import SigningSettings, checkpoint
    from backroom.models.stock.verify import verify
    from backroom.tui.cli.progress import progress_of  # rich.progress: only when it runs

    ctx.open()
    settings = SigningSettings.from_config(ctx.config)
    with progress_of("verifying", off=ctx.json) as progress:
        report = verify(progress=progress, signing=settings)
    signed = None
    if ctx.args.checkpoint and report.clean and report.head is not None:
        signed = checkpoint(settings, report.head)
    ctx.emit(_report_data(report, signed), lambda: _report_text(report, signed))
    if report.clean:
        return 0
    # The report is on stdout for scripts; the failed check also gets its one line.
    unsigned = "; no checkpoint was signed" if ctx.args.checkpoint else ""
    return fail(
        f"verify found {len(report.problems)} problem(s) in the ledger{unsigned}",
        "check_failed",
    )


def _report_data(report, signed) -> dict[str, object]:
    last = report.last_checkpoint
    data: dict[str, object] = {
        "clean": report.clean,
        "moves": report.moves,
        "quants": report.quants,
        "events": report.events,
        "head": report.head.as_dict() if report.head else None,
        "checkpoints": report.checkpoints,
        "last_checkpoint": _checkpoint_data(last) if last else None,
        "unsigned_moves": report.unsigned_moves,
        "keys": report.keys,
        "offbox_records": report.offbox,
        "legacy": {"moves": report.legacy_moves, "events": report.legacy_events},
        "problems": report.problems,
    }
    if signed is not None:
        cp, sent = signed
        data["signed"] = {**_checkpoint_data(cp), "sent_to": sent}
    return data


def _checkpoint_data(cp) -> dict[str, object]:
    return {
        "id": cp.id,
        "time": cp.time.replace(" ", "T") + "Z",
        "move_id": cp.move_id,
        "event_id": cp.event_id,
        "key": cp.key_id,
    }


def _report_text(report, signed) -> str:
    lines = [
        f"{report.moves:,} moves, {report.quants:,} quants, {report.events:,} events checked: "
        + ("clean" if report.clean else f"{len(report.problems)} problem(s)")
    ]
    if report.head is not None:
        head = report.head
        lines.append(f"head: move {head.move_id} {head.move_hash}")
        lines.append(f"      event {head.event_id} {head.event_hash}")
    last = report.last_checkpoint
    if last is None and signed is None:
        lines.append("signed: no checkpoint yet ('backroom verify --checkpoint' signs one)")
    elif last is not None:
        lines.append(
            f"signed: {report.checkpoints:,} checkpoint(s), the last ({last.id}, {last.time[:19]} "
            f"UTC) at move {last.move_id}; {report.unsigned_moves:,} move(s) since, not yet signed"
        )
    if report.offbox:
        lines.append(f"off-box: {report.offbox:,} recorded head(s) compared")
    if report.legacy_moves or report.legacy_events:
        lines.append(
            f"before schema v8: {report.legacy_moves:,} move(s) hashed over ids only, "
            f"{report.legacy_events:,} event(s) vouched for by one digest"
        )
    if signed is not None:
        cp, sent = signed
        where = f"; sent to {', '.join(sent)}" if sent else "; not sent off the box"
        lines.append(
            f"Checkpoint {cp.id} signed (key {cp.key_id}): move {cp.move_id}, "
            f"event {cp.event_id}{where}"
        )
    lines.extend(report.problems)
    return "\n".join(lines)


def cmd_signing_key_create(ctx: Context) -> int:
    from backroom.models.stock.signing import SigningSettings, create_key

    settings = SigningSettings.from_config(ctx.config)
    kid = create_key(settings, force=ctx.args.force)
    ctx.emit(
        {"key": str(settings.key), "public_key": str(settings.public_key), "key_id": kid},
        f"Signing key {kid} written to {settings.key} (0600); public key in {settings.public_key}",
    )
    return 0
