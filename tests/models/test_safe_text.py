"""Safe text: names, codes, references, reasons and notes refuse control characters,
bidirectional overrides and line breaks (where one line is meant), naming the field and
the character; letters of any script stay welcome; nothing is written on a refusal."""

from __future__ import annotations

import pytest

from backroom.models.errors import NotFound, Refused
from backroom.models.goods_out.parties import add_carrier, add_consignee
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_lot,
    add_user,
    get_item,
    get_user,
)
from backroom.models.masterdata.editing import update_item, update_location
from backroom.models.rules.text import check_text, printable, text_problem
from backroom.models.stock.operations import adjust, receive
from tests.models.support import ledger_state

USER = "tester"
HOSTILE = [
    ("\x1b]0;PWNED\x07\x1b[2J", "U+001B (ESC)"),
    ("pay\u202eFDP.exe", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("a\u2066b", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    ("two\nlines", "U+000A (line break)"),
    ("cr\rhere", "U+000D (carriage return)"),
    ("nul\x00cut", "U+0000 (NUL)"),
    ("del\x7f", "U+007F (DEL)"),
    ("csi\x9b31m", "U+009B (a control character)"),
    ("para\u2029graph", "U+2029 (PARAGRAPH SEPARATOR)"),
    ("bad\udcffbyte", "U+DCFF (a byte that is not UTF-8)"),
]


@pytest.mark.parametrize(("text", "named"), HOSTILE, ids=[n for _, n in HOSTILE])
def test_a_control_character_is_named_as_u_plus_its_code(text, named):
    assert text_problem(text) == named
    with pytest.raises(Refused, match=r"^The note must be one line of plain text, without U\+"):
        check_text(text, "The note")


@pytest.mark.parametrize(
    "text", ["Łódź", "日本の倉庫", "Ελλάδα", "عربى", "Crème brûlée", "a b-c_d"]
)
def test_letters_of_every_script_are_plain_text(text):
    assert check_text(text, "A name") == text
    assert printable(text) == text


def test_a_multi_line_field_takes_line_breaks_but_not_escapes():
    assert check_text("Kerkstraat 12\nUnit 4", "The address", lines=True)
    with pytest.raises(Refused, match=r"The address may not hold U\+001B \(ESC\)"):
        check_text("Kerkstraat\x1b[2J", "The address", lines=True)


def test_printable_shows_every_control_character_as_an_escape_that_json_reads_back():
    import json

    for text, _ in HOSTILE:
        shown = printable(text)
        assert not text_problem(shown), shown
        if "\udcff" not in text:
            assert json.loads(f'"{shown}"') == text


def test_an_item_named_with_terminal_escapes_is_refused_and_not_stored(warehouse):
    before = ledger_state()
    with pytest.raises(Refused, match=r"The name of item EVIL .* U\+001B \(ESC\)"):
        add_item(ItemSpec("EVIL", "\x1b]0;PWNED\x07\x1b[2J"), by=get_user(USER))
    with pytest.raises(Refused, match=r"A SKU .* U\+202E"):
        add_item(ItemSpec("AB\u202eC", "Fine name"), by=get_user(USER))
    assert ledger_state() == before
    with pytest.raises(NotFound, match="Unknown item"):
        get_item("EVIL")


def test_every_kind_of_name_refuses_a_bidirectional_override(warehouse):
    admin = get_user(USER)
    rlo = "\u202e"
    attempts = [
        lambda: add_location(f"B{rlo}1", by=admin),
        lambda: add_location("B1", name=f"Bay {rlo}1", by=admin),
        lambda: add_user(f"eve{rlo}", by=admin),
        lambda: update_item("FLOUR", name=f"Flour{rlo}", by=admin),
        lambda: update_item("FLOUR", unit=f"g{rlo}", by=admin),
        lambda: update_location("A1", name=f"Aisle{rlo}", by=admin),
        lambda: add_lot(get_item("MILK"), "L-9", supplier_lot=f"X{rlo}", by=admin),
        lambda: add_carrier("DHL", name=f"DHL{rlo}", user=USER),
        lambda: add_carrier(f"D{rlo}L", name="DHL", user=USER),
        lambda: add_consignee(
            f"Shop{rlo}",
            address="Street 1",
            postal_code="1000",
            city="Gent",
            country="BE",
            user=USER,
        ),
        lambda: add_consignee(
            "Shop",
            address="Street 1",
            postal_code="1000",
            city=f"Ge{rlo}nt",
            country="BE",
            user=USER,
        ),
    ]
    before = ledger_state()
    for attempt in attempts:
        with pytest.raises(Refused, match=r"U\+202E \(RIGHT-TO-LEFT OVERRIDE\)"):
            attempt()
    assert ledger_state() == before


def test_a_consignee_address_keeps_its_lines(warehouse):
    added = add_consignee(
        "Bakery Łódź",
        address="ul. Piotrkowska 1\nlok. 2",
        postal_code="90-001",
        city="Łódź",
        country="PL",
        user=USER,
    )
    assert added.address == ("ul. Piotrkowska 1", "lok. 2")


def test_a_reason_or_reference_with_a_control_character_posts_nothing(warehouse):
    before = ledger_state()
    with pytest.raises(Refused, match=r"The reason must be one line .* U\+000A \(line break\)"):
        adjust("FLOUR", -1, "A1", reason="broken\nreally", user=USER)
    with pytest.raises(Refused, match=r"The reference must be one line .* U\+001B"):
        receive("FLOUR", 5, "A1", ref="PO\x1b[1m", user=USER)
    assert ledger_state() == before


def test_a_name_longer_than_its_column_is_refused(warehouse):
    with pytest.raises(Refused, match="at most 200"):
        add_item(ItemSpec("LONG", "x" * 201), by=get_user(USER))
