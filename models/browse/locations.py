"""Locations: as a tree, a level at a time, or as one list in walking order."""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw
from peewee import JOIN, fn

from backroom.models.browse.query import PAGE, Page, _page, _path_under, walk
from backroom.models.masterdata.adding import get_location
from backroom.models.schema import Location


@dataclass(frozen=True)
class LocationNode:
    """A location in the tree, and whether it has children to expand. (No stock figure:
    a dispatch area's quants run to the hundred thousand; Enter shows its stock.)"""

    id: int
    code: str
    name: str
    kind: str
    quarantine: bool
    active: bool
    path: str
    has_children: bool


def location_children(
    parent: str | None = None, after: str | None = None, limit: int = 500
) -> list[LocationNode]:
    """The locations directly under PARENT (a code; None for the top level), by code."""
    if parent is None:
        where = Location.parent.is_null()
    else:
        where = Location.parent == get_location(parent).id
    return _location_nodes(where, after, limit)


def location_node(code: str) -> LocationNode:
    """One location as the tree shows it."""
    return _location_nodes(Location.id == get_location(code).id, None, 1)[0]


def _location_nodes(where: pw.Expression, after: str | None, limit: int) -> list[LocationNode]:
    Child = Location.alias("child")
    has_children = fn.EXISTS(Child.select(Child.id).where(Child.parent == Location.id))
    query = Location.select(
        Location.id,
        Location.code,
        Location.name,
        Location.kind,
        Location.quarantine,
        Location.active,
        Location.path,
        has_children,
    ).where(where)
    if after is not None:
        query = query.where(Location.code > after)
    rows = list(query.order_by(Location.code).limit(limit).tuples())
    return [
        LocationNode(i, code, name, kind, bool(q), bool(a), path, bool(kids))
        for i, code, name, kind, q, a, path, kids in rows
    ]


def location_ancestors(code: str) -> list[str]:
    """The codes from the top of the tree down to CODE, CODE last."""
    return get_location(code).path.split("/")


# --- one list, in walking order ---------------------------------------------------------


@dataclass(frozen=True)
class LocationLine:
    """A location in walking order (by path), with its parent's code."""

    code: str
    name: str
    kind: str
    path: str
    parent: str | None
    quarantine: bool
    active: bool

    @property
    def key(self) -> str:
        return self.code

    @property
    def after(self) -> str:
        return self.path

    def as_dict(self) -> dict[str, object]:
        """The location as `backroom location list --json` prints it."""
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "path": self.path,
            "parent": self.parent,
            "quarantine": self.quarantine,
            "active": self.active,
        }


def _location_lines(
    where: pw.Expression | None, after: object | None, limit: int
) -> list[LocationLine]:
    Parent = Location.alias("parent")
    query = Location.select(
        Location.code,
        Location.name,
        Location.kind,
        Location.path,
        Parent.code,
        Location.quarantine,
        Location.active,
    ).join_from(Location, Parent, JOIN.LEFT_OUTER, on=(Location.parent == Parent.id))
    if where is not None:
        query = query.where(where)
    if after is not None:
        query = query.where(Location.path > str(after))
    rows = query.order_by(Location.path).limit(limit).tuples()
    return [LocationLine(*row[:5], bool(row[5]), bool(row[6])) for row in rows]


def locations_page(
    under: str | None = None, after: object | None = None, limit: int = PAGE
) -> Page[LocationLine]:
    """Locations in walking order (by path), all or UNDER a code and that one too;
    continue after path `after`."""
    where = _path_under(Location.path, get_location(under).path) if under else None
    return _page(_location_lines(where, after, limit), limit)


def list_locations(under: str | None = None, limit: int | None = None) -> list[LocationLine]:
    """Locations in walking order, all or those under UNDER (and UNDER itself)."""
    return walk(lambda after, size: locations_page(under, after, size), limit)


def location_line(code: str) -> LocationLine:
    """One location as the list shows it."""
    return _location_lines(Location.id == get_location(code).id, None, 1)[0]
