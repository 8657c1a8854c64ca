"""One row of the move table as posting writes it and verify reads it back, and the hash
that chains it to the move before: the one place a move's stored content is listed.

Since schema v8 the hash also covers what a person reads on the move: the item's SKU,
the lot number, both location codes and the user's name (`MoveNames`). Those are not
columns of the move: verify takes them from the master data, so renaming a user or
swapping two lots' numbers behind Backroom's back breaks every hash that names them.
Moves posted before v8 keep their hash over ids alone (`hash_is_right()` without names).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, NamedTuple

from backroom.models.rules.dates import stored_time


def time_text(time: dt.datetime) -> str:
    """The one textual form of a move's time, stored and hashed alike."""
    return time.isoformat(sep=" ", timespec="microseconds")


class MoveNames(NamedTuple):
    """What a person reads on a move, covered by its hash since schema v8."""

    sku: str
    lot: str | None
    from_code: str
    to_code: str
    user: str


class MoveRow(NamedTuple):
    """A move by ids, in the move table's column order; every column but the hash is
    content the hash covers."""

    id: int
    time: str  # time_text of the move's UTC time
    kind: str
    item_id: int
    lot_id: int | None
    qty: int
    from_location_id: int
    to_location_id: int
    user_id: int
    reference: str | None
    note: str | None
    reverses_id: int | None
    prev_hash: str  # the hash of the move before (GENESIS_HASH for the first)
    hash: str

    @classmethod
    def sealed(cls, *content: Any) -> MoveRow:
        """The row of CONTENT (every column but the hash, in order) with its hash."""
        if len(content) != len(cls._fields) - 1:
            raise TypeError(f"a move row has {len(cls._fields) - 1} columns before its hash")
        return cls(*content, content_hash(content))

    @classmethod
    def sealed_with(cls, names: MoveNames, *content: Any) -> MoveRow:
        """The row of CONTENT with its hash over the content and NAMES (schema v8 on)."""
        if len(content) != len(cls._fields) - 1:
            raise TypeError(f"a move row has {len(cls._fields) - 1} columns before its hash")
        return cls(*content, named_hash(content, names))

    @classmethod
    def stored(cls, values: tuple[Any, ...]) -> MoveRow:
        """The row as the database hands it back (its time as text or a datetime)."""
        return cls(values[0], time_text(stored_time(values[1])), *values[2:])

    def hash_is_right(self, names: MoveNames | None = None) -> bool:
        """True when the stored hash is the hash of the row's content (and NAMES, for a
        move posted since schema v8)."""
        if names is None:
            return content_hash(self[:-1]) == self.hash
        return named_hash(self[:-1], names) == self.hash


def content_hash(content: tuple[Any, ...]) -> str:
    """SHA-256 over a move's content and the previous move's hash."""
    # JSON keeps None apart from "" and lets no text stand in for a field boundary, so
    # nothing can be shifted between reference and note without the hash changing.
    text = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def named_hash(content: tuple[Any, ...], names: MoveNames) -> str:
    """SHA-256 over a move's content, what a person reads on it, and the previous hash."""
    return content_hash((*content, "names", *names))


COLUMNS = MoveRow._fields  # the move table's columns, named as in the schema
_QUOTED = ", ".join(f'"{column}"' for column in COLUMNS)
INSERT_MOVE = f'INSERT INTO "move" ({_QUOTED}) VALUES ({", ".join("?" * len(COLUMNS))})'
