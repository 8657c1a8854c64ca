"""Users by name."""

from __future__ import annotations

from dataclasses import dataclass

from backroom.models.browse.query import PAGE, Page, _page, walk
from backroom.models.schema import User


@dataclass(frozen=True)
class UserLine:
    """A user, the role it works in, and whether it may still log in."""

    name: str
    role: str
    active: bool

    @property
    def key(self) -> str:
        return self.name

    @property
    def after(self) -> str:
        return self.name

    def as_dict(self) -> dict[str, object]:
        """The user as `backroom user list --json` prints it."""
        return {"name": self.name, "role": self.role, "active": self.active}


def users_page(text: str = "", after: object | None = None, limit: int = PAGE) -> Page[UserLine]:
    """Users by name, those whose name starts with TEXT; continue after name `after`."""
    query = User.select(User.name, User.role, User.active)
    if text.strip():
        query = query.where(User.name.startswith(text.strip()))
    if after is not None:
        query = query.where(User.name > str(after))
    rows = query.order_by(User.name).limit(limit).tuples()
    return _page([UserLine(name, role, bool(active)) for name, role, active in rows], limit)


def list_users(text: str = "", limit: int | None = None) -> list[UserLine]:
    """Users by name, all of them or those whose name starts with TEXT."""
    return walk(lambda after, size: users_page(text, after, size), limit)
