"""The demo's cycle counting: one ABC plan over the whole site, so that `backroom cycle
generate` hands out the day's counts on the demo warehouse."""

from __future__ import annotations

from backroom.models.counting.plans import add_plan
from backroom.models.masterdata.adding import get_user

DEMO_PLAN = "ABC"


def add_count_plan(lead: str) -> None:
    """An ABC plan: A items every 7 days, B every 30, C every 90, the whole site."""
    add_plan(DEMO_PLAN, "abc", days=(7, 30, 90), by=get_user(lead))
