"""A supplier's pallet label scanned anywhere names the announced pallet, until it is in."""

from __future__ import annotations

from backroom.models.goods_in.asn import AnnouncedLine, AsnDraft, announce
from backroom.models.goods_in.receiving import receive_pallet
from backroom.scanners import ResolvedPallet, ScanError, parse, resolve
from tests.models.goods_in.conftest import pallet_sscc
from tests.models.support import USER


def test_an_announced_pallet_resolves_until_it_is_received(order):
    sscc = pallet_sscc(31)
    announce(AsnDraft("DA-31", order.number, (AnnouncedLine(sscc, "FLOUR", 500),)), user=USER)
    found = resolve(parse("]C100" + sscc))
    assert isinstance(found, ResolvedPallet)
    assert (found.sscc, found.asn, found.order) == (sscc, "DA-31", order.number)
    receive_pallet(sscc, "A1", user=USER)
    after = resolve(parse("00" + sscc))
    assert isinstance(after, ScanError) and after.message == f"No parcel with SSCC {sscc}"
