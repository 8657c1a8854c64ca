"""Packing: parcels (boxes, pallets) numbered with an SSCC-18, and the picked stock put
into them, so that a trace reads lot -> parcel -> shipment -> consignee.

An SSCC is the extension digit, the site's GS1 company prefix, a serial reference from
the 'sscc' counter, and a GS1 mod-10 check digit.
"""

from __future__ import annotations

from dataclasses import dataclass

from backroom.models.db import run_write
from backroom.models.errors import NotFound, Refused
from backroom.models.goods_out.orders import ParcelView, get_shipment, next_value, parcel_view
from backroom.models.goods_out.status import check_status, settle, unpacked
from backroom.models.masterdata.adding import get_item, get_lot, log_event
from backroom.models.people.roles import acting
from backroom.models.rules.identifiers import make_sscc, parse_sscc
from backroom.models.rules.text import check_text
from backroom.models.rules.tracking import check_lot_given
from backroom.models.schema import Item, Lot
from backroom.models.schema.shipping import PARCEL_KINDS, Parcel, ParcelContent, Shipment
from backroom.models.stock.requests import at_most_once

MAX_WEIGHT_G = 5_000_000  # 5 t: more than any pallet a forklift takes


def get_parcel(sscc: str) -> Parcel:
    """The parcel with this SSCC."""
    value = parse_sscc(sscc)
    row = Parcel.get_or_none(Parcel.sscc == value)
    if row is None:
        raise NotFound(f"No parcel with SSCC {value}")
    return row


def _check_weight(weight_g: int | None) -> None:
    if weight_g is None:
        return
    if isinstance(weight_g, bool) or not isinstance(weight_g, int) or weight_g <= 0:
        raise Refused(f"Weight must be a positive number of grams, not {weight_g!r}")
    if weight_g > MAX_WEIGHT_G:
        raise Refused(f"{weight_g / 1000:g} kg is more than any parcel weighs: check the scale")


def _new_parcel(shipment: Shipment, company_prefix: str | None, kind: str, weight_g: int | None):
    if kind not in PARCEL_KINDS:
        raise Refused(f"Parcel kind {kind!r} is not one of {', '.join(PARCEL_KINDS)}")
    _check_weight(weight_g)
    if not company_prefix:
        raise Refused("Set site.gs1_company_prefix in the configuration to number parcels")
    make_sscc(company_prefix, 0)  # refuse a bad prefix before using up a serial
    sscc = make_sscc(company_prefix, next_value("sscc"))
    return Parcel.create(shipment=shipment, sscc=sscc, kind=kind, weight_g=weight_g)


def new_parcel(
    number: str,
    *,
    company_prefix: str | None,
    user: str,
    kind: str = "box",
    weight_g: int | None = None,
) -> ParcelView:
    """Open an empty parcel for the shipment, with a new SSCC."""

    def _open() -> ParcelView:
        who = acting(user, "pack")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("allocated", "picking"), "open a parcel")
        parcel = _new_parcel(shipment, company_prefix, kind, weight_g)
        log_event("shipment.parcel", shipment.number, who, sscc=parcel.sscc, kind=kind)
        return parcel_view(parcel)

    return run_write(_open)


@dataclass(frozen=True)
class PackResult:
    """The parcel after packing, and how many picked units still wait for a parcel."""

    shipment: str
    status: str
    parcel: ParcelView
    unpacked: int

    @property
    def text(self) -> str:
        """What happened, in a short sentence."""
        held = sum(c.qty for c in self.parcel.contents)
        left = f"{self.unpacked} left to pack" if self.unpacked else "all packed"
        return f"Parcel {self.parcel.sscc} holds {held}; {left} (shipment {self.status})"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "shipment": self.shipment,
            "status": self.status,
            "parcel": self.parcel.as_dict(),
            "unpacked": self.unpacked,
        }


def _parcel_of(shipment: Shipment, sscc: str) -> Parcel:
    parcel = get_parcel(sscc)
    if parcel.shipment_id != shipment.id:
        raise Refused(f"Parcel {parcel.sscc} belongs to shipment {parcel.shipment.number}")
    return parcel


def pack(
    number: str,
    *,
    item: str,
    qty: int,
    user: str,
    lot: str | None = None,
    parcel: str | None = None,
    company_prefix: str | None = None,
    kind: str = "box",
    request_id: str | None = None,
) -> PackResult:
    """Put QTY of picked ITEM (LOT) into the parcel with SSCC PARCEL, or into a new one."""
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise Refused(f"Quantity must be a positive whole number, not {qty!r}")

    def _pack() -> PackResult:
        who = acting(user, "pack")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("picking",), "pack")
        it = get_item(item)
        the_lot = _lot_to_pack(shipment, it, lot)
        waiting = unpacked(shipment).get((it.id, the_lot.id if the_lot else 0), 0)
        what = f"{it.sku} lot {the_lot.number}" if the_lot else it.sku
        if not waiting:
            raise Refused(f"Nothing of {what} is picked and waiting to be packed")
        if qty > waiting:
            raise Refused(f"Only {waiting} {it.unit} of {what} are picked and not yet packed")
        box = (
            _parcel_of(shipment, parcel)
            if parcel
            else _new_parcel(shipment, company_prefix, kind, None)
        )
        _put(box, it, the_lot, qty)
        log_event(
            "shipment.pack",
            shipment.number,
            who,
            sscc=box.sscc,
            item=it.sku,
            lot=the_lot.number if the_lot else None,
            qty=qty,
        )
        settle(shipment, who)
        left = sum(unpacked(shipment).values())
        return PackResult(shipment.number, shipment.status, parcel_view(box), left)

    asked = (number, item, qty, lot, parcel, company_prefix, kind)
    return at_most_once(request_id, "pack", asked, user, _pack)


def _lot_to_pack(shipment: Shipment, item: Item, lot: str | None) -> Lot | None:
    if item.tracking == "none":
        check_lot_given(item, lot)
        return None
    if lot:
        return get_lot(item, lot.strip())
    waiting = [
        lot_id for (item_id, lot_id), qty in unpacked(shipment).items() if item_id == item.id
    ]
    if len(waiting) == 1:
        return Lot.get_by_id(waiting[0])
    if not waiting:
        raise Refused(f"Nothing of {item.sku} is picked and waiting to be packed")
    raise Refused(f"Several lots of {item.sku} wait to be packed: scan the lot")


def _put(box: Parcel, item: Item, lot: Lot | None, qty: int) -> None:
    content = ParcelContent.get_or_none(
        (ParcelContent.parcel == box)
        & (ParcelContent.item == item)
        & (ParcelContent.lot.is_null() if lot is None else ParcelContent.lot == lot)
    )
    if content is None:
        ParcelContent.create(parcel=box, item=item, lot=lot, qty=qty)
    else:
        ParcelContent.update(qty=ParcelContent.qty + qty).where(
            ParcelContent.id == content.id
        ).execute()


def pack_all(
    number: str,
    *,
    user: str,
    company_prefix: str | None = None,
    parcel: str | None = None,
    kind: str = "box",
    weight_g: int | None = None,
    request_id: str | None = None,
) -> PackResult:
    """Put everything picked and not yet packed into one parcel (new unless PARCEL)."""

    def _pack_all() -> PackResult:
        who = acting(user, "pack")
        shipment = get_shipment(number, lock=True)
        check_status(shipment, ("picking",), "pack")
        waiting = unpacked(shipment)
        if not waiting:
            raise Refused(f"Nothing picked for {shipment.number} waits to be packed")
        if parcel:
            box = _parcel_of(shipment, parcel)
            if weight_g is not None:
                _check_weight(weight_g)
                Parcel.update(weight_g=weight_g).where(Parcel.id == box.id).execute()
        else:
            box = _new_parcel(shipment, company_prefix, kind, weight_g)
        for (item_id, lot_id), qty in sorted(waiting.items()):
            _put(box, Item.get_by_id(item_id), Lot.get_by_id(lot_id) if lot_id else None, qty)
        log_event("shipment.pack", shipment.number, who, sscc=box.sscc, units=sum(waiting.values()))
        settle(shipment, who)
        return PackResult(
            shipment.number, shipment.status, parcel_view(Parcel.get_by_id(box.id)), 0
        )

    asked = (number, company_prefix, parcel, kind, weight_g)
    return at_most_once(request_id, "pack", asked, user, _pack_all)


def set_weight(sscc: str, weight_g: int, *, user: str) -> ParcelView:
    """Record what the parcel weighs, in grams (before it is shipped)."""
    _check_weight(weight_g)

    def _weigh() -> ParcelView:
        who = acting(user, "pack")
        parcel = get_parcel(sscc)
        shipment = parcel.shipment
        check_status(shipment, ("allocated", "picking", "packed"), "weigh its parcels")
        Parcel.update(weight_g=weight_g).where(Parcel.id == parcel.id).execute()
        log_event("shipment.weight", shipment.number, who, sscc=parcel.sscc, weight_g=weight_g)
        return parcel_view(Parcel.get_by_id(parcel.id))

    return run_write(_weigh)


def set_tracking(sscc: str, tracking: str, *, user: str) -> ParcelView:
    """Record the carrier's tracking number of the parcel."""
    value = check_text(tracking, "A tracking number").strip()
    if not value or len(value) > 64 or any(c.isspace() for c in value):
        raise Refused(f"Tracking number {tracking!r} must be 1 to 64 characters without spaces")

    def _track() -> ParcelView:
        who = acting(user, "pack")
        parcel = get_parcel(sscc)
        check_status(parcel.shipment, ("picking", "packed", "shipped"), "give a tracking number")
        Parcel.update(tracking_number=value).where(Parcel.id == parcel.id).execute()
        log_event(
            "shipment.tracking", parcel.shipment.number, who, sscc=parcel.sscc, tracking=value
        )
        return parcel_view(Parcel.get_by_id(parcel.id))

    return run_write(_track)
