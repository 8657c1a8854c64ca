"""user add-key | set-pin | badge | deactivate | keys, and audit: people and what they did."""

from __future__ import annotations

import argparse
import getpass
import sys

from backroom.tui.cli.context import (
    Context,
    UsageError,
    iso_date,
    positive_number,
    small_text_file,
    table,
)

KEY_FILE_LIMIT = 64 * 1024  # an authorized_keys file of a few hundred keys


def _user_actions(sub) -> argparse._SubParsersAction:
    """The sub-commands of `backroom user` (made by masterdata_cmds), to add ours to."""
    parser = sub.choices["user"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("the 'user' command has no sub-commands")  # pragma: no cover


def register(sub) -> None:
    user = _user_actions(sub)
    p = user.add_parser(
        "add-key",
        help="register a user's SSH public key for 'serve ssh'",
        epilog="backroom user add-key maria maria.pub\nbackroom user add-key jonas -",
    )
    p.add_argument("name", metavar="USER")
    p.add_argument("keyfile", metavar="KEYFILE", help="an OpenSSH .pub file, or - for stdin")
    _output(p)
    p.set_defaults(func=cmd_add_key)
    p = user.add_parser(
        "keys", help="list a user's SSH public keys", epilog="backroom user keys maria"
    )
    p.add_argument("name", metavar="USER")
    _output(p)
    p.set_defaults(func=cmd_keys)
    p = user.add_parser(
        "set-pin",
        help="set a user's PIN for shared terminals: 6 to 12 digits "
        "(a site may ask for more, or allow 4, with [access] pin_min_length)",
        description="Asks for the new PIN twice at the terminal, or reads it from standard "
        "input with --pin-stdin (for scripts).",
        epilog="backroom user set-pin maria --pin-stdin",
    )
    p.add_argument("name", metavar="USER")
    p.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    p.set_defaults(func=cmd_set_pin)
    p = user.add_parser(
        "badge",
        help="give a user a badge code (print it: label badge NAME)",
        epilog="backroom user badge maria\nbackroom user badge maria --renew",
    )
    p.add_argument("name", metavar="USER")
    p.add_argument("--renew", action="store_true", help="a new code; the old badge stops working")
    _output(p)
    p.set_defaults(func=cmd_badge)
    p = user.add_parser(
        "deactivate",
        help="switch a user off: no login, no posting",
        epilog="backroom user deactivate tomasz",
    )
    p.add_argument("name", metavar="USER")
    _output(p)
    p.set_defaults(func=cmd_deactivate)

    p = sub.add_parser(
        "audit",
        help="moves and events by user, newest first",
        epilog="backroom audit --user maria --since 2026-01-01\nbackroom audit --limit 20 --json",
    )
    p.add_argument("--user", dest="who", metavar="NAME", help="only what NAME did")
    p.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--limit", type=positive_number, default=100, metavar="N")
    _output(p)
    p.set_defaults(func=cmd_audit)


def _output(parser) -> None:
    """--format text|json, --json its alias."""
    from backroom.tui.cli.context import add_output

    add_output(parser, "text", "json")


def _admin(ctx: Context):
    from backroom.models.masterdata.adding import get_user

    return get_user(ctx.user)


def cmd_add_key(ctx: Context) -> int:
    from backroom.models.people.users import add_key

    text = small_text_file(ctx.args.keyfile, "Key file", KEY_FILE_LIMIT)
    ctx.open()
    added = add_key(ctx.args.name, text, by=_admin(ctx))
    ctx.emit(
        [k.as_dict() for k in added],
        "\n".join(f"Key {k.fingerprint} ({k.algorithm}) added for {k.user}" for k in added),
    )
    return 0


def cmd_keys(ctx: Context) -> int:
    from backroom.models.masterdata.adding import get_user
    from backroom.models.people.users import keys_for

    ctx.open()
    get_user(ctx.args.name)
    keys = keys_for(ctx.args.name)
    ctx.emit(
        [k.as_dict() for k in keys],
        lambda: table(
            ["FINGERPRINT", "TYPE", "COMMENT"],
            [(k.fingerprint, k.algorithm, k.comment) for k in keys],
        ),
    )
    return 0


def _read_pin(ctx: Context) -> str:
    if ctx.args.pin_stdin:
        return sys.stdin.readline().strip()
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the PIN: give it on stdin with --pin-stdin")
    first = getpass.getpass(f"New PIN for {ctx.args.name}: ")
    if getpass.getpass("Same PIN again: ") != first:
        raise UsageError("the two PINs differ; nothing was changed")
    return first


def cmd_set_pin(ctx: Context) -> int:
    from backroom.models.people.users import check_pin_format, set_pin

    try:
        pin = _read_pin(ctx)
    except UsageError as exc:
        print(f"backroom: {exc}", file=sys.stderr)
        return 2
    ctx.open()
    check_pin_format(pin)
    set_pin(ctx.args.name, pin, by=_admin(ctx))
    print(f"PIN set for {ctx.args.name}")
    return 0


def cmd_badge(ctx: Context) -> int:
    from backroom.models.people.users import assign_badge
    from backroom.models.rules.codes import BADGE_PREFIX

    ctx.open()
    token = assign_badge(ctx.args.name, by=_admin(ctx), renew=ctx.args.renew)
    code = BADGE_PREFIX + token
    ctx.emit(
        {"name": ctx.args.name, "badge": code},
        f"Badge of {ctx.args.name}: {code} (print it with 'backroom label badge {ctx.args.name}')",
    )
    return 0


def cmd_deactivate(ctx: Context) -> int:
    from backroom.models.people.users import deactivate

    ctx.open()
    user = deactivate(ctx.args.name, by=_admin(ctx))
    ctx.emit({"name": user.name, "active": user.active}, f"User {user.name} is deactivated")
    return 0


def cmd_audit(ctx: Context) -> int:
    from backroom.models.people.audit import audit_page

    ctx.open()
    a = ctx.args
    lines = []
    after = None
    while len(lines) < a.limit:
        page = audit_page(a.who, a.since, after, limit=min(200, a.limit - len(lines)))
        lines += page.lines
        after = page.after
        if after is None:
            break
    ctx.emit(
        [line.as_dict() for line in lines],
        lambda: table(
            ["TIME", "USER", "KIND", "WHAT", "DETAIL"],
            [
                (f"{x.time:%Y-%m-%d %H:%M:%S}", x.user or "-", x.kind, x.what, x.detail)
                for x in lines
            ],
        ),
    )
    return 0
