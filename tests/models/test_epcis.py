"""EPCIS 2.0 export, validated against GS1's published JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from backroom.models.browse import LocationFrom, LocationTo
from backroom.models.config import Config
from backroom.models.data.epcis import Identifiers, epcis_document
from backroom.models.errors import Refused
from backroom.models.goods_out.orders import add_line, create_shipment
from backroom.models.goods_out.parties import add_consignee
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.schema import Move
from backroom.models.stock.operations import adjust, count, receive, reverse, scrap, transfer

USER = "tester"
PREFIX = "9521234"
SITE = Config({"site": {"gs1_company_prefix": PREFIX, "gln": "9521234000009"}})
# GS1's schema and examples lie beside the project, in shared/epcis/ (see SOURCE.md there):
# the nearest such folder above this file, so a git worktree finds it as the main copy does.
EPCIS_DIR = next(
    (
        up / "shared" / "epcis"
        for up in Path(__file__).resolve().parents
        if (up / "shared" / "epcis" / "EPCIS-JSON-Schema.json").is_file()
    ),
    Path(__file__).resolve().parents[3] / "shared" / "epcis",
)


@pytest.fixture(scope="module")
def validator():
    schema_file = EPCIS_DIR / "EPCIS-JSON-Schema.json"
    if not schema_file.is_file():
        pytest.skip(f"GS1's EPCIS 2.0 JSON Schema is not at {schema_file} (see shared/epcis)")
    from jsonschema import Draft7Validator

    schema = json.loads(schema_file.read_text())
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def assert_valid(validator, document: dict) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def events(document: dict, kind: str, step: str | None = None) -> list[dict]:
    return [
        e
        for e in document["epcisBody"]["eventList"]
        if e["type"] == kind and (step is None or e.get("bizStep") == step)
    ]


def test_gs1s_own_examples_pass_the_validator(validator):
    for example in sorted(EPCIS_DIR.glob("*.jsonld")):
        assert_valid(validator, json.loads(example.read_text()))


@pytest.fixture
def traded(warehouse) -> None:
    """Oats under the site's prefix, a foreign GTIN, an item without one; received,
    put away, scrapped, one move reversed, and a shipment packed into a parcel."""
    add_item(ItemSpec("OAT-500", "Oats", gtin="9521234000174", tracking="lot", unit="pcs"))
    add_item(ItemSpec("TEA", "Tea", gtin="5412345000013", tracking="lot"))
    add_location("DISPATCH")
    receive("OAT-500", 40, "A1", user=USER, lot="L/26", expiry=dt.date(2027, 3, 31), ref="PO-7")
    receive("TEA", 10, "A1", user=USER, lot="T1")
    receive("FLOUR", 5000, "A1", user=USER)
    transfer("OAT-500", 10, "A1", "A2", user=USER, lot="L/26")
    transfer("TEA", 2, "A1", "QC", user=USER, lot="T1")
    scrap("FLOUR", 200, "A1", user=USER, reason="torn bag")
    wrong = transfer("FLOUR", 100, "A1", "A2", user=USER)
    reverse(wrong.id, user=USER, reason="wrong shelf")
    add_consignee(
        "Bakery Janssens",
        address="Kerkstraat 12",
        postal_code="9000",
        city="Gent",
        country="BE",
        gln="5412345000020",
        user=USER,
    )
    _ship_oats()


def _ship_oats() -> None:
    from backroom.models.goods_out.allocation import allocate
    from backroom.models.goods_out.dispatch import ship
    from backroom.models.goods_out.packing import pack_all
    from backroom.models.goods_out.picking import pick_all

    number = create_shipment("Bakery Janssens", user=USER)
    add_line(number, "OAT-500", 6, user=USER)
    allocate(number, user=USER)
    pick_all(number, user=USER)
    pack_all(number, user=USER, company_prefix=PREFIX)
    ship(number, user=USER)


def test_the_ledger_as_epcis_passes_gs1s_schema(validator, traded):
    document = epcis_document(config=SITE)
    assert_valid(validator, document)
    assert_valid(validator, epcis_document(config=None))  # no prefix: Digital Link URIs


def test_receiving_observes_the_lot_as_lgtin_where_it_was_received(traded):
    received = events(epcis_document(config=SITE), "ObjectEvent", "receiving")[0]
    # The supplier commissioned the lot: a receipt observes it, and carries no ILMD.
    assert received["action"] == "OBSERVE"
    assert received["quantityList"] == [
        {"epcClass": "urn:epc:class:lgtin:9521234.000017.L%2F26", "quantity": 40}
    ]
    assert received["bizLocation"] == {"id": "urn:epc:id:sgln:9521234.00000.A1"}
    assert "ilmd" not in received
    assert received["bizTransactionList"] == [
        {"bizTransaction": "urn:epcglobal:cbv:bt:9521234000009:PO-7"}
    ]


def test_a_gtin_of_another_company_and_an_item_without_gtin_keep_usable_uris(traded):
    classes = {
        q["epcClass"]
        for e in events(epcis_document(config=SITE), "ObjectEvent", "receiving")
        for q in e["quantityList"]
    }
    assert "https://id.gs1.org/01/05412345000013/10/T1" in classes
    assert "urn:backroom:sku:FLOUR" in classes
    assert Identifiers(PREFIX).item_class("X", "09521234000174", None) == (
        "urn:epc:idpat:sgtin:9521234.000017.*"
    )


def test_moves_map_to_storing_holding_destroying_and_a_reversal_declares_an_error(traded):
    document = epcis_document(config=SITE)
    assert [e["disposition"] for e in events(document, "ObjectEvent", "holding")] == [
        "non_sellable_other"
    ]
    destroyed = events(document, "ObjectEvent", "destroying")
    assert [(e["action"], e["quantityList"][0]["uom"]) for e in destroyed] == [("DELETE", "GRM")]
    storing = events(document, "ObjectEvent", "storing")
    undone = [e for e in storing if "errorDeclaration" in e]
    assert len(undone) == 1
    assert undone[0]["errorDeclaration"]["reason"] == "did_not_occur"
    # The declaration repeats the event it declares erroneous, under the same id.
    assert sum(e["eventID"] == undone[0]["eventID"] for e in storing) == 2


def test_shipping_names_the_consignee_and_packing_aggregates_into_the_sscc(traded):
    document = epcis_document(config=SITE)
    shipped = events(document, "ObjectEvent", "shipping")
    assert [e["destinationList"] for e in shipped] == [
        [
            {"type": "owning_party", "destination": "https://id.gs1.org/417/5412345000020"},
            {"type": "location", "destination": "https://id.gs1.org/414/5412345000020"},
        ]
    ]
    assert shipped[0]["disposition"] == "in_transit"
    (packed,) = events(document, "AggregationEvent")
    assert packed["parentID"].startswith("urn:epc:id:sscc:9521234.0")
    assert packed["childQuantityList"] == [
        {"epcClass": "urn:epc:class:lgtin:9521234.000017.L%2F26", "quantity": 6}
    ]


def test_a_transformation_is_one_event_with_inputs_and_outputs(validator, traded):
    transform = pytest.importorskip("backroom.models.trace.transform")
    add_item(ItemSpec("MUESLI", "Muesli", gtin="9521234000181", tracking="lot"))
    transform.transform(
        "A2",
        [transform.Line("OAT-500", "L/26", 4)],
        [transform.Line("MUESLI", "MU-1", 8)],
        user=USER,
        expiry=dt.date(2027, 1, 31),
    )
    document = epcis_document(config=SITE)
    assert_valid(validator, document)
    (made,) = events(document, "TransformationEvent")
    assert made["inputQuantityList"] == [
        {"epcClass": "urn:epc:class:lgtin:9521234.000017.L%2F26", "quantity": 4}
    ]
    assert made["outputQuantityList"] == [
        {"epcClass": "urn:epc:class:lgtin:9521234.000018.MU-1", "quantity": 8}
    ]
    assert made["bizStep"] == "creating_class_instance"
    assert made["ilmd"] == {"cbvmda:itemExpirationDate": "2027-01-31"}
    # Its consume and produce moves are not told a second time.
    assert not events(document, "ObjectEvent", "other")


def test_since_and_lot_narrow_the_document(traded):
    lot_only = epcis_document(config=SITE, lot="T1")
    classes = {q["epcClass"] for e in events(lot_only, "ObjectEvent") for q in e["quantityList"]}
    assert classes == {"https://id.gs1.org/01/05412345000013/10/T1"}
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert epcis_document(config=SITE, since=tomorrow)["epcisBody"]["eventList"] == []


def sgln(code: str) -> dict[str, str]:
    return {"id": f"urn:epc:id:sgln:9521234.00000.{code}"}


def test_a_count_carries_the_quantity_counted_at_its_location(validator, traded):
    count("OAT-500", 3, "A2", user=USER, lot="L/26")  # the ledger expected more there
    count("TEA", 9, "A1", user=USER, lot="T1")  # and fewer here
    document = epcis_document(config=SITE)
    assert_valid(validator, document)
    counted = events(document, "ObjectEvent", "cycle_counting")
    assert [(e["quantityList"][0]["quantity"], e["bizLocation"]) for e in counted] == [
        (3, sgln("A2")),
        (9, sgln("A1")),
    ]
    assert {(e["action"], e["disposition"]) for e in counted} == {
        ("OBSERVE", "sellable_accessible")
    }


def test_an_adjustment_says_where_and_whether_the_units_were_found_or_are_missing(
    validator, traded
):
    adjust("TEA", -2, "A1", user=USER, lot="T1", reason="broken box")
    adjust("TEA", 1, "QC", user=USER, lot="T1", reason="found behind the shelf")
    document = epcis_document(config=SITE)
    assert_valid(validator, document)
    taken = events(document, "ObjectEvent", "stock_taking")
    assert [
        (e["quantityList"][0]["quantity"], e["bizLocation"], e["disposition"]) for e in taken
    ] == [(2, sgln("A1"), "unknown"), (1, sgln("QC"), "non_sellable_other")]


def test_a_pick_is_read_at_the_bin_it_was_taken_from(traded):
    (bin_code, to_code) = (
        Move.select(LocationFrom.code, LocationTo.code)
        .join_from(Move, LocationFrom, on=(Move.from_location == LocationFrom.id))
        .join_from(Move, LocationTo, on=(Move.to_location == LocationTo.id))
        .where(Move.kind == "pick")
        .tuples()
        .get()
    )
    (picked,) = events(epcis_document(config=SITE), "ObjectEvent", "picking")
    assert picked["readPoint"] == sgln(bin_code)
    assert picked["bizLocation"] == sgln(to_code) and bin_code != to_code


def test_event_times_carry_the_sites_time_zone_offset(validator, traded):
    from zoneinfo import ZoneInfo

    site = Config({"site": {**SITE.get("site"), "timezone": "Europe/Brussels"}})
    document = epcis_document(config=site)
    assert_valid(validator, document)
    zone = ZoneInfo("Europe/Brussels")
    for event in document["epcisBody"]["eventList"]:
        utc = dt.datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00"))
        offset = utc.astimezone(zone).utcoffset()
        hours = int(offset.total_seconds() // 3600)
        assert event["eventTimeZoneOffset"] == f"+{hours:02d}:00"
    assert {
        e["eventTimeZoneOffset"] for e in events(epcis_document(config=SITE), "ObjectEvent")
    } == {"+00:00"}
    with pytest.raises(Refused, match=r"site\.timezone 'Mars/Olympus' is not a time zone"):
        epcis_document(config=Config({"site": {"timezone": "Mars/Olympus"}}))
