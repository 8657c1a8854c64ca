"""Every sub-command and the permission it needs (models/people/roles.py PERMISSIONS),
checked once by main() after the database is open and before the command runs. The
domain functions keep their own checks; this one also covers the reads, which have none.

A sub-command missing here is refused (tests/tui/test_cli_identity.py walks the parser
so none is forgotten). None means the command touches no data and opens no database:
the help, --version, a scanner's set-up, label sheets that hold no data, a CSV template.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from backroom.models.errors import DatabaseUnavailable, Refused
from backroom.tui.cli import identity
from backroom.tui.cli.context import Context

Need = str | None
# Label kinds whose sheets come from the configuration alone.
DATALESS_LABELS = ("commands", "scanner-test", "printers")


def _label(args: argparse.Namespace, acting: str) -> Need:
    if args.kind in DATALESS_LABELS:
        return None
    return "user.badge" if args.kind == "badge" else "label.print"


def _import(args: argparse.Namespace, acting: str) -> Need:
    return None if args.template else "import"


def _audit(args: argparse.Namespace, acting: str) -> Need:
    return "audit.own" if args.who == acting else "audit"


COMMANDS: dict[str, Need | Callable[[argparse.Namespace, str], Need]] = {
    # A new database is its creator's; an existing one is set up again by an admin.
    "init": "init",
    "demo": "init",
    "verify": "report",
    "doctor": "report",
    # Writes a key file where the OS lets its caller write; the database is not opened.
    "signing-key create": None,
    # Prints a shell script; opens nothing.
    "completion": None,
    "item add": "item.add",
    "item list": "browse",
    "item pack": "item.edit",
    "item pack-list": "browse",
    "item pack-remove": "item.edit",
    "putaway rule": "location.add",
    "putaway rules": "browse",
    "putaway suggest": "browse",
    "putaway capacity": "location.add",
    "putaway category": "item.edit",
    # Cycle counts: leads plan and decide; operators count blind (models/counting/).
    "cycle classify": "count.plan",
    "cycle plan add": "count.plan",
    "cycle plan list": "browse",
    "cycle plan stop": "count.plan",
    "cycle plan start": "count.plan",
    "cycle generate": "count.plan",
    "cycle due": "browse",
    "cycle prompt": "count",
    "cycle record": "count",
    "cycle empty": "count",
    "cycle variances": "count.approve",
    "cycle approve": "count.approve",
    "cycle reject": "count.approve",
    "cycle accuracy": "report",
    "replenish report": "report",
    "replenish face set": "replenish.manage",
    "replenish face clear": "replenish.manage",
    "replenish face list": "browse",
    "location add": "location.add",
    "location list": "browse",
    "lot add": "lot.add",
    "lot list": "browse",
    "lot status": "lot.status",
    "user add": "user.manage",
    "user list": "browse",
    "user add-key": "user.key",
    "user keys": "user.key",
    "user set-pin": "user.pin",
    "user badge": "user.badge",
    "user deactivate": "user.manage",
    "receive": "receive",
    "move": "transfer",
    "adjust": "adjust",
    "count": "count",
    "scrap": "scrap",
    "reverse": "reverse.own",  # the domain lets an operator undo only their own move
    "stock": "browse",
    "moves": "browse",
    "scan": "browse",
    "scanner test": None,  # compares a scan with the test label; writes only the config
    "label": _label,
    "consignee add": "partner",
    "consignee list": "browse",
    "carrier add": "partner",
    "carrier list": "browse",
    "shipment create": "shipment",
    "shipment add-line": "shipment",
    "shipment allocate": "shipment",
    "shipment pick": "pick",
    "shipment pack": "pack",
    "shipment weigh": "pack",
    "shipment track": "pack",
    "shipment ship": "ship",
    "shipment deliver": "ship",
    "shipment cancel": "shipment",
    "shipment show": "browse",
    "shipment list": "browse",
    "shipment document": "label.print",
    "load create": "shipment",
    "load add": "shipment",
    "load show": "browse",
    "manifest": "ship",
    "transform": "transform",
    "return": "return",
    "trace": "browse",
    "recall": "recall",
    "recall-report": "browse",
    "one-step": "browse",
    "trace-events": "trace.events",
    "audit": _audit,
    # Its sessions act as the people it lets in: only the site's own account serves.
    "serve ssh": "serve",
    "serve web": "serve",
    # The sessions of the servers running here (their control socket: tui/serve/control.py).
    "session list": "session",
    "session attach": "session.watch",
    "session end": "session",
    "import": _import,
    "export": "export",
    "backup": "backup",
    "restore": "restore",
    # Goods in: suppliers, purchase orders, ASNs, receiving against them.
    "supplier add": "partner",
    "supplier list": "browse",
    "po create": "purchase",
    "po add-line": "purchase",
    "po confirm": "purchase",
    "po cancel": "purchase",
    "po close": "purchase",
    "po show": "browse",
    "po list": "browse",
    "po receive": "receive",
    "po import": "purchase",
    "po report": "report",
    "asn import": "purchase",
    "asn show": "browse",
    "asn receive": "receive",
    "asn report": "report",
    # The task queue: the floor takes and does tasks; a lead makes, gives and cancels them.
    "task list": "browse",
    "task board": "browse",
    "task next": "task.work",
    "task done": "task.work",
    "task skip": "task.work",
    "task add": "task.manage",
    "task assign": "task.manage",
    "task priority": "task.manage",
    "task cancel": "task.manage",
    "task scope": "task.manage",
    # Pick batches: a lead makes and cancels them; the floor takes and picks them.
    "batch list": "browse",
    "batch show": "browse",
    "batch create": "task.manage",
    "batch wave": "task.manage",
    "batch cancel": "task.manage",
    "batch take": "task.work",
    "batch release": "task.work",
    "batch tote": "task.work",
    "batch pick": "task.work",
}
# Made by the command, when there is none yet.
CREATING = ("init", "demo")
# Run by the site's account itself, whichever Backroom user it names.
SITE_ACCOUNT = ("serve ssh", "serve web")
# Take the database file themselves: main() lets go of it first.
EXCLUSIVE = ("restore",)


@dataclass(frozen=True)
class Admission:
    """What main() found out before the command ran."""

    acting: str  # the Backroom user the command acts as
    permission: str | None  # what it was checked for; None: it touches no data
    caller: identity.Caller | None


def need_of(path: str, args: argparse.Namespace, acting: str) -> Need:
    """The permission the command at PATH ("item add") needs with ARGS."""
    if path not in COMMANDS:
        raise Refused(f"'backroom {path}' has no permission defined: it is refused")
    rule = COMMANDS[path]
    return rule(args, acting) if callable(rule) else rule


def admit_command(ctx: Context, path: str) -> Admission:
    """Open the database, prove who acts and check the command's permission; refused
    (DomainError) when any of it fails. Nothing has run yet."""
    from backroom.models.db import db

    if path in COMMANDS and need_of(path, ctx.args, identity.account_name(ctx.config)) is None:
        return Admission(identity.account_name(ctx.config), None, None)
    try:
        new = _open(ctx, path)
    except DatabaseUnavailable:
        if path in EXCLUSIVE and identity.owns_file(ctx.db_url):
            # A database too damaged to open is restored by the account owning its file.
            return _admitted(ctx, Admission(identity.account_name(ctx.config), path, None))
        raise
    caller = identity.who_runs(ctx.config, ctx.db_url)
    if path in SITE_ACCOUNT:
        if not caller.site_admin:
            raise Refused(
                f"Serving needs the database's own account (its owner, or root), not "
                f"{caller.known_by}: its sessions act as the people it lets in"
            )
        return _admitted(ctx, Admission(caller.name, "serve", caller))
    acting = identity.acting_name(caller, identity.named_user(ctx.args.user))
    permission = need_of(path, ctx.args, acting)
    # The site's account acting as itself could read or rewrite the file anyway; a
    # database made just now has no one to protect yet.
    if not new and not (caller.site_admin and acting == caller.name):
        from backroom.models.people import roles

        roles.permit(acting, permission or "browse")
    admission = _admitted(ctx, Admission(acting, permission, caller))
    if path in EXCLUSIVE:
        db.close()
    return admission


def _open(ctx: Context, path: str) -> bool:
    """Open the command's database; True when it was made just now (init, demo)."""
    if path not in CREATING:
        ctx.open()
        return False
    try:
        ctx.open()
        return False
    except DatabaseUnavailable:
        ctx.open(create=True)
        return True


def admit_terminal(ctx: Context) -> Admission:
    """The TUI: open the database and prove who it opens as. A shared terminal (--login)
    asks each person for a badge or PIN itself; the TUI then admits or refuses the user."""
    ctx.open()
    if getattr(ctx.args, "login", False) or ctx.config.get("terminal.shared", False):
        return Admission("", None, None)
    caller = identity.who_runs(ctx.config, ctx.db_url)
    acting = identity.acting_name(caller, identity.named_user(ctx.args.user))
    return _admitted(ctx, Admission(acting, "browse", caller))


def _admitted(ctx: Context, admission: Admission) -> Admission:
    ctx.acting_as = admission.acting
    return admission
