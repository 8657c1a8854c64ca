"""Request ids are kept for a retention period, then pruned: an old id is gone, a
recent one still returns its first result, and the database keeps young ids whatever
asks it to delete them."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest

from backroom.models.config import Config
from backroom.models.errors import Refused
from backroom.models.schema import Move, utcnow
from backroom.models.stock import requests
from backroom.models.stock.operations import receive
from backroom.models.stock.requests import PostingRequest, prune_requests
from tests.models.support import USER, on_shelf


def _ids() -> set[str]:
    return {r.request_id for r in PostingRequest.select(PostingRequest.request_id)}


@pytest.fixture
def an_old_and_a_new_receipt(warehouse, monkeypatch):
    """A receipt confirmed 8 days ago (id "old-1") and one confirmed now ("new-1")."""
    eight_days_ago = utcnow() - dt.timedelta(days=8)
    monkeypatch.setattr(requests, "_last_pruned", 1.0)  # no pruning on these writes
    with monkeypatch.context() as m:
        m.setattr(requests, "utcnow", lambda: eight_days_ago)
        receive("FLOUR", 5, "A1", user=USER, request_id="old-1")
    first = receive("FLOUR", 3, "A1", user=USER, request_id="new-1")
    return first


def test_pruning_drops_old_ids_and_a_recent_one_still_deduplicates(an_old_and_a_new_receipt):
    assert _ids() == {"old-1", "new-1"}
    assert prune_requests() == 1  # the default: 7 days kept
    assert _ids() == {"new-1"}
    again = receive("FLOUR", 3, "A1", user=USER, request_id="new-1")
    assert again == an_old_and_a_new_receipt
    assert on_shelf() == {("FLOUR", None, "A1"): 8}
    assert Move.select().count() == 2


def test_a_posting_prunes_now_and_then(an_old_and_a_new_receipt, monkeypatch):
    receive("FLOUR", 1, "A1", user=USER, request_id="new-2")  # pruned within the hour
    assert "old-1" in _ids()
    monkeypatch.setattr(requests, "_last_pruned", 0.0)  # this process has not pruned yet
    receive("FLOUR", 1, "A1", user=USER, request_id="new-3")
    assert _ids() == {"new-1", "new-2", "new-3"}


def test_a_longer_retention_keeps_the_old_id(an_old_and_a_new_receipt):
    assert prune_requests(days=30) == 0
    assert _ids() == {"old-1", "new-1"}


def test_the_database_keeps_young_ids(an_old_and_a_new_receipt):
    with pytest.raises(pw.DatabaseError, match="keeps ids younger than 12 hours"):
        PostingRequest.delete().where(PostingRequest.request_id == "new-1").execute()
    with pytest.raises(pw.DatabaseError, match="append-only"):
        PostingRequest.update(result="{}").where(PostingRequest.request_id == "old-1").execute()
    assert _ids() == {"old-1", "new-1"}


@pytest.mark.parametrize("days", [0, -3, 1.5, "7", True])
def test_a_retention_shorter_than_a_day_or_not_a_number_is_refused(days):
    with pytest.raises(Refused, match="keep_days is a whole number of days, at least 1"):
        requests.configure(Config({"requests": {"keep_days": days}}))


def test_the_retention_is_configured(warehouse, monkeypatch):
    monkeypatch.setattr(requests, "_keep_days", requests.DEFAULT_KEEP_DAYS)
    assert requests.configure(Config({"requests": {"keep_days": 30}})) == 30
    assert requests.configure(Config({})) == requests.DEFAULT_KEEP_DAYS
