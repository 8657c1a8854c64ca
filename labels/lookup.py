"""What goes on each kind of label, read from the database: locations, items, lots,
serial numbers, users' badges, logistic units, command codes and the scanner test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from backroom.labels.content import (
    BadgeContent,
    CommandContent,
    Content,
    ItemContent,
    LocationContent,
    LogisticContent,
    LotContent,
    ScannerTestContent,
)
from backroom.labels.sizes import LabelSize, parse_size
from backroom.models.config import Config
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import find_lot, get_item, get_location, get_user
from backroom.models.people.users import assign_badge
from backroom.models.rules.codes import (
    BADGE_PREFIX,
    COMMANDS,
    SCANNER_TEST_TEXT,
    command_code,
    quantity_code,
)
from backroom.models.rules.identifiers import make_sscc, parse_sscc
from backroom.models.schema import Location

KINDS = ("location", "item", "lot", "serial", "sscc", "badge", "commands", "scanner-test")
# Kinds that need a KEY (a code, SKU, lot number, SSCC or user name).
KEYED = ("location", "item", "lot", "serial", "sscc", "badge")
DEFAULT_SIZES = {
    "location": "100x50",
    "item": "100x50",
    "lot": "100x50",
    "serial": "100x50",
    "sscc": "100x150",
    "badge": "57x32",
    "commands": "a4",
    "scanner-test": "a4",
}
COMMAND_QUANTITIES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 24, 50, 100)


def default_size(kind: str, config: Config | None = None) -> LabelSize:
    """The size a kind is printed at unless told otherwise ([labels.sizes] KIND = "WxH")."""
    configured = config.get(f"labels.sizes.{kind}") if config else None
    return parse_size(str(configured or DEFAULT_SIZES[kind]))


def location_contents(code: str, *, under: bool = False) -> list[LocationContent]:
    """The location with CODE; with under=True also every location below it, in walking
    order (every bin of an aisle)."""
    loc = get_location(code)
    if not under:
        return [LocationContent(loc.code, loc.name)]
    below = loc.path + "/"
    query = (
        Location.select(Location.code, Location.name, Location.path)
        .where((Location.id == loc.id) | Location.path.startswith(below))
        .where(Location.active)
        .order_by(Location.path)
    )
    # startswith is a case-blind LIKE: aisle 'a' is not under aisle 'A'.
    return [
        LocationContent(code, name)
        for code, name, path in query.tuples()
        if path == loc.path or path.startswith(below)
    ]


def item_content(key: str) -> ItemContent:
    """The item with this SKU or GTIN."""
    item = get_item(key)
    return ItemContent(item.sku, item.name, item.gtin)


def lot_content(number: str, item: str | None = None) -> LotContent:
    """Lot NUMBER (of ITEM where the number is not unique)."""
    lot = find_lot(number, item)
    it = lot.item
    return LotContent(it.sku, it.name, lot.number, it.gtin, lot.expiry, serial=False)


def serial_content(number: str, item: str | None = None) -> LotContent:
    """Serial NUMBER of a serial-tracked item."""
    lot = find_lot(number, item)
    it = lot.item
    if it.tracking != "serial":
        raise Refused(
            f"Item {it.sku} is tracked by {it.tracking}, not by serial number: "
            f"print a lot label for {number}"
        )
    return LotContent(it.sku, it.name, lot.number, it.gtin, lot.expiry, serial=True)


def badge_content(
    name: str, *, by: str | None, site: str = "", renew: bool = False
) -> BadgeContent:
    """The badge of user NAME; gives the user a badge token first if needed."""
    user = get_user(name)
    user.badge = assign_badge(name, by=get_user(by) if by else None, renew=renew)
    return BadgeContent(user.name, user.role, BADGE_PREFIX + user.badge, site)


def command_content() -> CommandContent:
    """The sheet of command codes: CONFIRM, CANCEL, BACK and the usual quantities."""
    entries = [(name, command_code(name)) for name in COMMANDS]
    entries += [(f"QTY {q}", quantity_code(q)) for q in COMMAND_QUANTITIES]
    return CommandContent(tuple(entries))


def scanner_test_content() -> ScannerTestContent:
    """The scanner test label."""
    return ScannerTestContent(SCANNER_TEST_TEXT)


@dataclass(frozen=True)
class Shipping:
    """What the person gives for a logistic label until shipments fill it in."""

    ship_to: tuple[str, ...] = ()
    postal_code: str | None = None
    carrier: str = ""
    contents: tuple[str, ...] = ()


def site_address(config: Config) -> tuple[str, ...]:
    """The ship-from block: site name, then site.address (a list of lines or a string)."""
    address = config.get("site.address", ())
    lines = address.splitlines() if isinstance(address, str) else [str(a) for a in address]
    return (config.site_name, *(line for line in lines if line.strip()))


def new_sscc(config: Config, serial: int, extension: int = 0) -> str:
    """An SSCC from the site's GS1 company prefix and a serial reference."""
    prefix = config.gs1_company_prefix
    if not prefix:
        raise Refused("Set site.gs1_company_prefix in the configuration to number SSCCs")
    return make_sscc(str(prefix), serial, extension)


def logistic_content(
    sscc: str, config: Config, shipping: Shipping | None = None
) -> LogisticContent:
    """The logistic label of SSCC. The one place its data is gathered: from the parcel
    with that SSCC (ship-to, carrier, contents), where what the person gave wins."""
    from backroom.models.goods_out.orders import parcel_view
    from backroom.models.goods_out.parties import ConsigneeInfo
    from backroom.models.schema.shipping import Parcel

    number = parse_sscc(sscc)
    given = shipping or Shipping()
    parcel = Parcel.get_or_none(Parcel.sscc == number)
    if parcel is not None:
        shipment = parcel.shipment
        to = ConsigneeInfo.of(shipment.consignee)
        carrier = shipment.carrier.name if shipment.carrier_id else ""
        if carrier and shipment.service:
            carrier += f" {shipment.service}"
        view = parcel_view(parcel)
        held = [
            f"{c.qty} x {c.item}"
            + (f" lot {c.lot}" if c.lot else "")
            + (f" exp {c.expiry.isoformat()}" if c.expiry else "")
            for c in view.contents
        ]
        weight = f", {view.weight_text}" if view.weight_g else ""
        found = Shipping(
            to.address_block(),
            to.postal_code,
            carrier,
            (f"{shipment.number}, {view.kind}{weight}", *held),
        )
        given = Shipping(
            given.ship_to or found.ship_to,
            given.postal_code or found.postal_code,
            given.carrier or found.carrier,
            given.contents or found.contents,
        )
    return LogisticContent(
        number,
        ship_from=site_address(config),
        ship_to=given.ship_to,
        ship_to_postal_code=given.postal_code,
        carrier=given.carrier,
        contents=given.contents,
    )


def gather(
    kind: str,
    keys: Sequence[str] = (),
    *,
    config: Config,
    item: str | None = None,
    under: bool = False,
    user: str | None = None,
    renew: bool = False,
    shipping: Shipping | None = None,
) -> list[Content]:
    """The contents of the labels of KIND for KEYS, in order. Needs an open database
    for every kind but commands and scanner-test."""
    if kind not in KINDS:
        raise Refused(f"Label kind {kind!r} is not one of {', '.join(KINDS)}")
    if kind in KEYED and not keys:
        raise Refused(f"A {kind} label needs a KEY")
    if kind == "commands":
        return [command_content()]
    if kind == "scanner-test":
        return [scanner_test_content()]
    contents: list[Content] = []
    for key in keys:
        if kind == "location":
            contents += location_contents(key, under=under)
        elif kind == "item":
            contents.append(item_content(key))
        elif kind == "lot":
            contents.append(lot_content(key, item))
        elif kind == "serial":
            contents.append(serial_content(key, item))
        elif kind == "badge":
            contents.append(badge_content(key, by=user, site=config.site_name, renew=renew))
        else:
            contents.append(logistic_content(key, config, shipping))
    return contents
