"""Who may do what: the least role each operation needs, checked in models/ for every
caller (TUI, command line, SSH, web), so that hiding a key is never the only guard.

Roles rank viewer < operator < lead < admin; each may do what the ones below it may.
"viewer" is not stored: it is what an unknown login gets where the configuration
allows read-only access (``[access] unknown_users = "read-only"``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from backroom.models.config import Config, ProcessSetting
from backroom.models.errors import DomainError, NotFound, Refused
from backroom.models.rules.dates import stored_time
from backroom.models.schema import User, utcnow

# The person an operation is done as (what acting() gives); screens name it by this.
Acting = User

VIEWER = "viewer"
RANKS = (VIEWER, "operator", "lead", "admin")
ARTICLES = {VIEWER: "a viewer", "operator": "an operator", "lead": "a lead", "admin": "an admin"}


@dataclass(frozen=True)
class Permission:
    """The least role an operation needs, and how a refusal names the operation."""

    role: str
    doing: str  # "adjusting stock": fits "... needs a lead"


def _p(role: str, doing: str) -> Permission:
    return Permission(role, doing)


# Operation name -> the least role. Other modules call require(user, NAME) with these.
PERMISSIONS: dict[str, Permission] = {
    # Looking is open to everyone with access, unknown users included where allowed.
    "browse": _p(VIEWER, "looking at stock"),
    # The floor: goods in, moves, picking, packing, counting.
    "receive": _p("operator", "receiving stock"),
    "transfer": _p("operator", "moving stock"),
    "count": _p("operator", "counting stock"),
    "pick": _p("operator", "picking"),
    "pack": _p("operator", "packing parcels"),
    "label.print": _p("operator", "printing labels"),
    # Receiving makes the lot a scan names, so creating a lot alone is an operator's too.
    "lot.add": _p("operator", "adding a lot"),
    # Undoing one's own move just posted (Ctrl+Z), within REVERSE_OWN_MINUTES.
    "reverse.own": _p("operator", "undoing a move"),
    # Tasks (models/tasks/): taking, doing, skipping the work the queue hands out.
    "task.work": _p("operator", "working on tasks"),
    # Leads: corrections, lot status, master data, shipments, traceability, reports.
    "count.approve": _p("lead", "posting a large count difference"),
    # Cycle counts: plans, ABC classes and the day's counts (models/counting/).
    "count.plan": _p("lead", "planning cycle counts"),
    "adjust": _p("lead", "adjusting stock"),
    "scrap": _p("lead", "scrapping stock"),
    "reverse": _p("lead", "reversing a move"),
    "lot.status": _p("lead", "changing a lot's status"),
    "lot.edit": _p("lead", "changing a lot"),
    "item.add": _p("lead", "adding an item"),
    "item.edit": _p("lead", "changing an item"),
    "location.add": _p("lead", "adding a location"),
    "location.edit": _p("lead", "changing a location"),
    "transform": _p("lead", "production and repacking"),
    "return": _p("lead", "receiving a customer return"),
    "recall": _p("lead", "recalling a lot"),
    "shipment": _p("lead", "managing shipments"),
    "partner": _p("lead", "adding consignees and carriers"),
    "ship": _p("lead", "shipping"),
    "report": _p("lead", "running reports"),
    # Making tasks by hand, giving them to people, changing their priority, cancelling.
    "task.manage": _p("lead", "managing tasks"),
    # Goods in: purchase orders and ASNs, and receiving beyond an order's tolerance.
    "purchase": _p("lead", "managing purchase orders"),
    "receive.over": _p("lead", "receiving more than was ordered"),
    # Replenishment: which bins are pick faces, and the least and most each holds.
    "replenish.manage": _p("lead", "setting pick faces and their levels"),
    # Admins: people, printers, settings.
    "user.manage": _p("admin", "managing users"),
    "user.pin": _p("admin", "setting PINs"),
    "user.badge": _p("admin", "issuing badges"),
    "user.key": _p("admin", "registering SSH keys"),
    "printer.manage": _p("admin", "changing printers"),
    "settings": _p("admin", "changing settings"),
    # Reads that reach past the floor: every user's history, whole files, the database.
    "audit": _p("lead", "reading the audit trail"),
    "audit.own": _p("operator", "reading one's own audit trail"),
    "trace.events": _p("lead", "reading lot events"),
    "export": _p("lead", "exporting data"),
    "import": _p("lead", "importing data"),
    "backup": _p("lead", "backing up the database"),
    # A restore puts back old users, roles and PINs with the stock: an admin's call.
    "restore": _p("admin", "restoring a backup"),
    "serve": _p("admin", "serving Backroom over SSH or the web"),
    "session": _p("admin", "listing and ending people's sessions"),
    "session.watch": _p("lead", "watching a person's session to help"),
    "init": _p("admin", "setting up an existing database again"),
}

# An operator may undo a move of their own this many minutes after posting it.
REVERSE_OWN_MINUTES = 15
DEFAULT_COUNT_THRESHOLD = 10


def rank(role: str) -> int:
    """The place of ROLE in viewer < operator < lead < admin (an unknown role is a viewer)."""
    return RANKS.index(role) if role in RANKS else 0


def visitor(name: str) -> User:
    """An unsaved user with the viewer role: someone Backroom does not know."""
    return User(name=name, role=VIEWER)


def _who(user: User) -> str:
    if user.id is None:
        return f"Unknown user {user.name!r}:"
    return f"User {user.name} is {ARTICLES.get(user.role, user.role)}:"


def allowed(user: User | None, operation: str) -> bool:
    """True when USER may do OPERATION (None is Backroom itself, which may do anything)."""
    if operation not in PERMISSIONS:
        raise KeyError(f"no permission is defined for operation {operation!r}")
    if user is None:
        return True
    return rank(user.role) >= rank(PERMISSIONS[operation].role)


def require(user: User | None, operation: str, *, doing: str | None = None) -> User | None:
    """Refuse OPERATION unless USER's role reaches the one it needs; returns USER.

    None stands for Backroom itself (init, demo, imports): people always come as a User.
    DOING replaces the table's wording, for a refusal with figures in it.
    """
    if allowed(user, operation):
        return user
    assert user is not None
    need = PERMISSIONS[operation]
    raise Refused(f"{_who(user)} {doing or need.doing} needs {ARTICLES[need.role]}")


def acting(name: str, operation: str) -> User:
    """The user NAME, allowed to do OPERATION. Someone unknown is a viewer, and a
    deactivated user is refused."""
    user = User.get_or_none(User.name == name)
    if user is None:
        user = visitor(name)
    elif not user.active:
        raise Refused(f"User {name!r} is deactivated")
    require(user, operation)
    return user


def permit(name: str, operation: str, rules: Policy | None = None) -> User:
    """The user NAME, allowed to do OPERATION: refused when deactivated, and when unknown
    unless the policy lets unknown users look (then only what a viewer may do)."""
    user = User.get_or_none(User.name == name)
    if user is None:
        if (rules or policy()).unknown_users != "read-only":
            raise Refused(f"Unknown user {name!r}: an admin adds it with 'backroom user add'")
        user = visitor(name)
    elif not user.active:
        raise Refused(f"User {name!r} is deactivated")
    require(user, operation)
    return user


def admit(name: str, rules: Policy | None = None) -> tuple[str, bool]:
    """Who a session opened as NAME works as: (name, read_only). A known user works as
    themselves; an unknown one is refused, or may look where the policy allows it."""
    user = User.get_or_none(User.name == name)
    if user is not None:
        if not user.active:
            raise Refused(f"User {name!r} is deactivated")
        return user.name, False
    if (rules or policy()).unknown_users == "read-only":
        return name, True
    raise NotFound(
        f"Unknown user {name!r}: an admin adds it with 'backroom user add {name} --role operator'"
    )


def own_recent(user: User, posted_by: int, posted_at: dt.datetime | str) -> bool:
    """True when USER posted the move (by user id) less than REVERSE_OWN_MINUTES ago."""
    age = utcnow() - stored_time(posted_at)
    return posted_by == user.id and age < dt.timedelta(minutes=REVERSE_OWN_MINUTES)


# --- the site's policy, from the configuration ---------------------------------------------


@dataclass(frozen=True)
class Policy:
    """Access rules a site sets in its configuration."""

    # A count whose difference (in base units) is above this needs a lead.
    count_threshold: int = DEFAULT_COUNT_THRESHOLD
    # "refuse" or "read-only": what a login name Backroom does not know gets.
    unknown_users: str = "refuse"

    @classmethod
    def from_config(cls, config: Config) -> Policy:
        """The policy in CONFIG ([roles] count_threshold, [access] unknown_users)."""
        threshold = config.get("roles.count_threshold", DEFAULT_COUNT_THRESHOLD)
        unknown = config.get("access.unknown_users", "refuse")
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
            raise DomainError(f"[roles] count_threshold must be a whole number >= 0: {threshold!r}")
        if unknown not in ("refuse", "read-only"):
            raise DomainError(f'[access] unknown_users is "refuse" or "read-only", not {unknown!r}')
        return cls(threshold, unknown)


_policy = ProcessSetting(Policy.from_config, Policy)


def configure(config: Config) -> Policy:
    """Use CONFIG's policy in this process (the TUI and the servers call this)."""
    return _policy.configure(config)


def policy() -> Policy:
    """This process's policy: as configured, else from the standard config files."""
    return _policy.get()


def require_count(user: User, difference: int) -> None:
    """Refuse a count difference above the site's threshold to anyone below a lead: the
    count is not posted, and a lead counts again (no count waits half-posted)."""
    limit = policy().count_threshold
    if abs(difference) > limit:
        doing = f"posting a count difference of {difference:+d} (more than {limit})"
        require(user, "count.approve", doing=doing)
