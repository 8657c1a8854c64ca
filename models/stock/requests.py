"""Request ids: a posting happens at most once, however often it is confirmed.

The id is made when the person confirms (the TUI's form, a shipment action, the CLI's
`--request-id`, or a fresh one when none is given). The posting writes it to
`posting_request`, where it is unique, in the same transaction as its moves. A retry
with the same id (a reconnect, a second Enter, a worker run again after "database is
locked", a script run twice) finds that row and gets the first result back; nothing is
posted again.

Ids are kept for a retention period (`[requests] keep_days`, 7 days by default, at
least 1: far longer than any retry can come late, a held session being ended after
minutes), then pruned: when a server starts, and by a posting at most once an hour in
each process. The database refuses deleting an id younger than 12 hours.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import peewee as pw

from backroom.models.db import db, run_write
from backroom.models.errors import Refused
from backroom.models.schema import BaseModel, utcnow

REQUEST_ID_MOST = 64
DEFAULT_KEEP_DAYS = 7
LEAST_KEEP_DAYS = 1  # a retry comes within minutes (a reconnect); a day is ample
GUARD_HOURS = 12  # the database refuses deleting ids younger than this
PRUNE_EVERY_SECONDS = 3600.0  # a posting prunes at most this often per process
T = TypeVar("T")
_keep_days = DEFAULT_KEEP_DAYS
_last_pruned = 0.0  # time.monotonic() of this process's last pruning; 0: never


class PostingRequest(BaseModel):
    """One confirmed posting: its id, what was asked, by whom, and what came of it."""

    request_id = pw.CharField(max_length=REQUEST_ID_MOST, unique=True)
    kind = pw.CharField(max_length=32)
    # SHA-256 of what was asked, so an id reused for something else is refused.
    asked = pw.CharField(max_length=64)
    result = pw.TextField()  # the first result, as JSON (see _encode)
    user = pw.CharField(max_length=64)
    time = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "posting_request"


def create_request_table() -> None:
    """The migration step's work: the table of request ids."""
    db.create_tables([PostingRequest], safe=True)


def create_time_index_and_prune_guard() -> None:
    """The migration step's work: an index on when (pruning finds old ids without
    reading the table), and deletes allowed, but only of ids older than GUARD_HOURS."""
    from backroom.models.db import is_postgres, is_sqlite

    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "posting_request_time" ON "posting_request" ("time")'
    )
    refuse = f"posting_request keeps ids younger than {GUARD_HOURS} hours"
    if is_sqlite():
        db.execute_sql('DROP TRIGGER IF EXISTS "posting_request_no_delete"')
        db.execute_sql(
            'CREATE TRIGGER IF NOT EXISTS "posting_request_young_kept" '
            'BEFORE DELETE ON "posting_request" '
            f"WHEN OLD.\"time\" > datetime('now', '-{GUARD_HOURS} hours') "
            f"BEGIN SELECT RAISE(ABORT, '{refuse}'); END"
        )
    elif is_postgres():
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION backroom_young_request_kept() RETURNS trigger AS $$ "
            f"BEGIN IF OLD.\"time\" > (now() AT TIME ZONE 'utc') - interval '{GUARD_HOURS} hours' "
            f"THEN RAISE EXCEPTION '{refuse}'; END IF; RETURN OLD; END; "
            "$$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            'CREATE OR REPLACE TRIGGER "posting_request_append_only" BEFORE UPDATE '
            'ON "posting_request" FOR EACH ROW EXECUTE FUNCTION backroom_append_only()'
        )
        db.execute_sql(
            'CREATE OR REPLACE TRIGGER "posting_request_young_kept" BEFORE DELETE '
            'ON "posting_request" FOR EACH ROW EXECUTE FUNCTION backroom_young_request_kept()'
        )


def configure(config: Any) -> int:
    """Use CONFIG's retention ([requests] keep_days) in this process; the days kept."""
    global _keep_days
    _keep_days = keep_days(config.get("requests.keep_days", DEFAULT_KEEP_DAYS))
    return _keep_days


def keep_days(value: object) -> int:
    """VALUE as the days request ids are kept: a whole number, at least LEAST_KEEP_DAYS."""
    if isinstance(value, bool) or not isinstance(value, int) or value < LEAST_KEEP_DAYS:
        raise Refused(
            f"[requests] keep_days is a whole number of days, at least {LEAST_KEEP_DAYS} "
            f"(a retry must still find its id), not {value!r}"
        )
    return value


def prune_requests(days: int | None = None) -> int:
    """Delete the request ids older than DAYS (the configured retention); how many."""
    global _last_pruned
    days = _keep_days if days is None else keep_days(days)
    gone = run_write(lambda: _delete_older_than(days))
    _last_pruned = time.monotonic()
    return gone


def _delete_older_than(days: int) -> int:
    before = utcnow() - dt.timedelta(days=days)
    return PostingRequest.delete().where(PostingRequest.time < before).execute()


def _prune_now_and_then() -> None:
    """Inside a posting's transaction: prune once per PRUNE_EVERY_SECONDS per process
    (the index on time makes it cheap when there is nothing old)."""
    global _last_pruned
    now = time.monotonic()
    if _last_pruned and now - _last_pruned < PRUNE_EVERY_SECONDS:
        return
    _last_pruned = now
    _delete_older_than(_keep_days)


def new_request_id() -> str:
    """A fresh request id, made when a person confirms."""
    return uuid.uuid4().hex


def check_request_id(text: str) -> str:
    """TEXT as a request id: 1 to 64 visible characters, no spaces."""
    value = text.strip()
    if not value or len(value) > REQUEST_ID_MOST or not value.isprintable() or " " in value:
        raise Refused(
            f"A request id is 1 to {REQUEST_ID_MOST} characters without spaces, not {text!r}"
        )
    return value


# The confirmation being carried out in this thread: its id, and how many postings it
# has made so far. Its first posting takes the id itself, further ones "ID.2", "ID.3":
# the same on every retry, so each of them is at most once too.
_confirming: ContextVar[list | None] = ContextVar("confirming", default=None)


@contextmanager
def confirmed(request_id: str) -> Iterator[None]:
    """The postings made inside carry REQUEST_ID, the id made as the person confirmed
    (the TUI's forms wrap their work in it, rather than pass the id through each call)."""
    token = _confirming.set([check_request_id(request_id), 0])
    try:
        yield
    finally:
        _confirming.reset(token)


def _ambient_id() -> str:
    """The id for a posting given none: the confirmation's, or a new one."""
    confirming = _confirming.get()
    if confirming is None:
        return new_request_id()
    confirming[1] += 1
    rid, n = confirming
    return rid if n == 1 else f"{rid[: REQUEST_ID_MOST - 8]}.{n}"


def at_most_once(
    request_id: str | None,
    kind: str,
    asked: tuple[object, ...],
    user: str,
    posting: Callable[[], T],
) -> T:
    """Run POSTING (the body of a write transaction) once for REQUEST_ID; run again
    with the same id, return the first result instead. ASKED is what the person asked
    for (the operation's arguments); the same id with something else asked is refused."""
    rid = _ambient_id() if request_id is None else check_request_id(request_id)
    digest = _digest(kind, asked)

    from backroom.models.stock.ledger import lock_head  # only where a posting is made

    def _once() -> T:
        lock_head()  # racing retries of one id wait here for the first to commit
        first = PostingRequest.get_or_none(PostingRequest.request_id == rid)
        if first is not None:
            _check_same(first, rid, kind, digest, user)
            return _decode(json.loads(first.result))
        result = posting()
        PostingRequest.insert(
            request_id=rid,
            kind=kind,
            asked=digest,
            result=json.dumps(_encode(result)),
            user=user,
            time=utcnow(),
        ).execute()
        _prune_now_and_then()
        return result

    return run_write(_once)


def _digest(kind: str, asked: tuple[object, ...]) -> str:
    text = json.dumps([kind, *asked], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _check_same(first: PostingRequest, rid: str, kind: str, digest: str, user: str) -> None:
    if first.user != user:
        raise Refused(f"Request id {rid} belongs to a posting by another user; use a new one")
    if first.kind != kind or first.asked != digest:
        when = f"{first.time:%Y-%m-%d %H:%M}"
        raise Refused(
            f"Request id {rid} was used for a different {first.kind} at {when}; use a new one"
        )


# Results are dataclasses of the domain (PostedMove, CountResult, PickResult, ...), kept
# as tagged JSON. Only classes of backroom.models are ever rebuilt from it.
_OWN = "backroom.models."


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"@class": f"{cls.__module__}:{cls.__qualname__}", "fields": fields}
    if isinstance(value, dt.datetime):
        return {"@datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"@date": value.isoformat()}
    if isinstance(value, tuple):
        return {"@tuple": [_encode(part) for part in value]}
    if isinstance(value, list):
        return [_encode(part) for part in value]
    if isinstance(value, dict):
        return {"@dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"Cannot keep a {type(value).__name__} as a posting's result")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(part) for part in value]
    if not isinstance(value, dict):
        return value
    if "@class" in value:
        cls = _own_class(value["@class"])
        return cls(**{name: _decode(part) for name, part in value["fields"].items()})
    if "@datetime" in value:
        return dt.datetime.fromisoformat(value["@datetime"])
    if "@date" in value:
        return dt.date.fromisoformat(value["@date"])
    if "@tuple" in value:
        return tuple(_decode(part) for part in value["@tuple"])
    if "@dict" in value:
        return {_hashable(_decode(k)): _decode(v) for k, v in value["@dict"]}
    raise ValueError(f"Unknown stored result {value!r}")


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _own_class(name: str) -> type:
    module, _, qualname = name.partition(":")
    if not module.startswith(_OWN):
        raise ValueError(f"A stored result names {name}, which is not Backroom's")
    cls: Any = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"A stored result names {name}, which is not a result")
    return cls
