"""ABC classes: which items are picked most, from the pick moves of the last 90 days.

Items carry no value in Backroom (the Item table has none), so the classes follow
pick frequency: the number of pick moves, each one a trip to the shelf and a chance
to take the wrong item or count. A is the most picked items that together make 80%
of the picks, B the next 15%, C the rest and every item not picked at all ([counting]
a_share and b_share). Ties are broken by units picked, then by SKU, so the same
history always gives the same classes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from peewee import fn

from backroom.models.counting import counting_rules
from backroom.models.db import run_write
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import log_event
from backroom.models.people.roles import require
from backroom.models.schema import Item, Move, User, utcnow
from backroom.models.schema.counting import ItemClass


@dataclass(frozen=True)
class ClassedItem:
    """An item's class and the picks it was classed on."""

    item: str
    abc: str
    picks: int
    units: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def picks_since(since: dt.datetime) -> dict[int, tuple[int, int]]:
    """Item id -> (pick moves, units picked) since SINCE."""
    query = (
        Move.select(Move.item, fn.COUNT(Move.id), fn.SUM(Move.qty))
        .where((Move.kind == "pick") & (Move.time >= since))
        .group_by(Move.item)
    )
    return {item: (moves, int(units or 0)) for item, moves, units in query.tuples()}


def rank_classes(picks: dict[str, tuple[int, int]], a_share: int, b_share: int) -> dict[str, str]:
    """SKU -> class, from SKU -> (picks, units): A while the picks ranked before an item
    make less than A_SHARE percent of all picks, then B up to A_SHARE + B_SHARE, then C."""
    total = sum(p for p, _ in picks.values())
    ranked = sorted(picks, key=lambda sku: (-picks[sku][0], -picks[sku][1], sku))
    classes: dict[str, str] = {}
    before = 0
    for sku in ranked:
        moves = picks[sku][0]
        if moves == 0:
            classes[sku] = "C"
        elif before * 100 < a_share * total:
            classes[sku] = "A"
        elif before * 100 < (a_share + b_share) * total:
            classes[sku] = "B"
        else:
            classes[sku] = "C"
        before += moves
    return classes


def classify(
    days: int | None = None, *, by: User | None = None, now: dt.datetime | None = None
) -> list[ClassedItem]:
    """Class every active item A, B or C from its picks in the DAYS (default [counting]
    window_days, 90) before NOW; replaces the classes kept so far."""
    require(by, "count.plan")
    rules = counting_rules()
    window = rules.window_days if days is None else days
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise Refused(f"The pick window is a whole number of days, at least 1, not {window!r}")
    moment = now or utcnow()

    def _classify() -> list[ClassedItem]:
        counted = picks_since(moment - dt.timedelta(days=window))
        items = list(Item.select().where(Item.active).order_by(Item.sku))
        picks = {it.sku: counted.get(it.id, (0, 0)) for it in items}
        classes = rank_classes(picks, rules.a_share, rules.b_share)
        ItemClass.delete().execute()
        rows = [
            {
                "item": it.id,
                "abc": classes[it.sku],
                "computed_at": moment,
                "window_days": window,
                "picks": picks[it.sku][0],
                "units": picks[it.sku][1],
            }
            for it in items
        ]
        for start in range(0, len(rows), 500):
            ItemClass.insert_many(rows[start : start + 500]).execute()
        found = [ClassedItem(it.sku, classes[it.sku], *picks[it.sku]) for it in items]
        tally = {abc: sum(1 for c in found if c.abc == abc) for abc in "ABC"}
        log_event("count.classify", "items", by, window_days=window, **tally)
        return sorted(found, key=lambda c: (c.abc, -c.picks, c.item))

    return run_write(_classify)


def item_classes() -> dict[int, str]:
    """Item id -> its class as last computed (items never classed are not in it)."""
    return dict(ItemClass.select(ItemClass.item, ItemClass.abc).tuples())


def last_classified() -> dt.datetime | None:
    """When the classes were last computed, if ever."""
    return ItemClass.select(fn.MAX(ItemClass.computed_at)).scalar()
