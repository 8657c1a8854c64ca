"""models/rules/tracking.py: one sentence for a lot given or missing, wherever it is."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from backroom.models.errors import Refused
from backroom.models.rules.tracking import check_lot_given, check_takes_lots, lot_word

FLOUR = SimpleNamespace(sku="FLOUR", tracking="none")
MILK = SimpleNamespace(sku="MILK", tracking="lot")
PHONE = SimpleNamespace(sku="PHONE", tracking="serial")


@pytest.mark.parametrize("lot", ["L1", " ", SimpleNamespace(number="L1")])
def test_a_lot_for_an_untracked_item_is_refused(lot):
    with pytest.raises(Refused, match=r"^Item FLOUR is not lot-tracked: give no lot$"):
        check_lot_given(FLOUR, lot)


@pytest.mark.parametrize("lot", [None, ""])
def test_no_lot_is_right_for_an_untracked_item_and_wrong_for_a_tracked_one(lot):
    check_lot_given(FLOUR, lot)
    with pytest.raises(Refused, match=r"^Item MILK is lot-tracked: give the lot$"):
        check_lot_given(MILK, lot)
    with pytest.raises(Refused, match=r"^Item PHONE is serial-tracked: give the serial number$"):
        check_lot_given(PHONE, lot)


def test_the_advice_for_a_missing_lot_may_fit_the_place():
    with pytest.raises(Refused, match=r"^Item MILK is lot-tracked: give the lot that came back$"):
        check_lot_given(MILK, None, missing="give the lot that came back")
    check_lot_given(MILK, "L1", missing="give the lot that came back")


def test_only_tracked_items_take_lots():
    check_takes_lots(MILK)
    check_takes_lots(PHONE)
    with pytest.raises(Refused, match=r"^Item FLOUR is not lot-tracked; it has no lots$"):
        check_takes_lots(FLOUR)
    assert (lot_word(MILK), lot_word(PHONE)) == ("lot", "serial number")
