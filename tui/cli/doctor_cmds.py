"""doctor: what is open that should be shut (files others may read, weak PINs, badge
tokens kept as themselves, settings that let people in)."""

from __future__ import annotations

from backroom.tui.cli.context import Context


def register(sub) -> None:
    p = sub.add_parser(
        "doctor",
        help="check security: file modes, PIN lengths, badge hashes, weak settings "
        "(exit 1 if anything needs fixing)",
        epilog="backroom doctor\nbackroom --config site.toml doctor --json",
    )
    from backroom.tui.cli.context import add_output

    add_output(p, "text", "json")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(ctx: Context) -> int:
    from backroom.models.doctor import examine
    from backroom.models.people.roles import acting

    ctx.open()
    viewer = acting(ctx.user, "report")
    report = examine(ctx.config, ctx.db_url, viewer=viewer)
    ctx.emit(report.as_dict(), report.text)
    return 0 if report.ok else 1
