"""The identifiers people type, scan and print, one rule each: the GS1 check digit,
GTINs, GLNs, SSCCs, SKUs, location codes and lot numbers.

biip (the GS1 library scanners/ and labels/ read with) costs about 80 ms to import, and
this module sits under master data, which nearly every CLI command loads; so the mod-10
check digit is computed here (tests hold it to biip's) and biip is imported only inside
the function that needs it.
"""

from __future__ import annotations

from backroom.models.errors import Refused
from backroom.models.rules.codes import BADGE_PREFIX, COMMAND_PREFIX, SHIPMENT_PREFIX
from backroom.models.rules.text import check_text

GTIN_LENGTHS = (8, 12, 13, 14)
SSCC_LENGTH = 18
# GS1 company prefixes run from 6 (a U.P.C. company prefix) to 12 digits; the SSCC's
# serial reference takes what the prefix leaves of its 16 digits.
COMPANY_PREFIX_LENGTHS = range(6, 13)
SYMBOLOGY_ID = "]C1"  # what a scanner set to send AIM identifiers puts before GS1-128 data

# Codes Backroom prints and reads for itself (rules/codes.py); no SKU or location code may
# start with them, so that a scan means one thing.
RESERVED_PREFIXES = (COMMAND_PREFIX, BADGE_PREFIX, SHIPMENT_PREFIX)
CODE_MAX = 64
# GS1 AIs (10) and (21) take the GS1 AI encodable character set 82 only, so that every
# lot Backroom keeps can be printed in a GS1 barcode.
GS1_CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
LOT_MAX = 20
GS = "\x1d"  # a GS1 group separator: never part of a code, it ends a barcode field


def is_digits(text: str) -> bool:
    """True when TEXT is ASCII digits only (str.isdigit also takes "²" and "٣")."""
    return text.isascii() and text.isdigit()


# --- the GS1 check digit -------------------------------------------------------------------


def check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit of DIGITS (a GTIN, SSCC or GLN without its last digit)."""
    if not is_digits(digits):
        raise ValueError(f"{digits!r} is not digits")
    # Weights 3 and 1 alternate from the right-most digit, which weighs 3.
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return -total % 10


def with_check_digit(digits: str) -> str:
    """DIGITS followed by their GS1 check digit."""
    return digits + str(check_digit(digits))


def has_good_check_digit(digits: str) -> bool:
    """True when DIGITS (two or more ASCII digits) end in their GS1 check digit."""
    return len(digits) > 1 and is_digits(digits) and check_digit(digits[:-1]) == int(digits[-1])


# --- GTIN ----------------------------------------------------------------------------------


def gtin_problem(text: str) -> str | None:
    """What is wrong with a typed GTIN, in words short enough for under a form field;
    None when it is right or empty."""
    digits = text.strip()
    if not digits:
        return None
    if not is_digits(digits) or len(digits) not in GTIN_LENGTHS:
        return "8, 12, 13 or 14 digits"
    expected = check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        return f"Check digit should be {expected}, not {digits[-1]}: a typing error?"
    return None


def normalize_gtin(text: str) -> str:
    """A GTIN-8/12/13/14 as its 14-digit form; refuses a bad length or check digit."""
    from biip import ParseError  # biip judges; imported here, see the module docstring
    from biip.gtin import Gtin

    value = text.strip()
    if not is_digits(value) or len(value) not in GTIN_LENGTHS:
        raise Refused(f"GTIN {text!r} must be 8, 12, 13 or 14 digits")
    try:
        gtin = Gtin.parse(value)
    except ParseError as exc:
        raise Refused(f"GTIN {text!r} is not valid: {exc}") from exc
    return gtin.as_gtin_14()


def check_gln(text: str) -> str:
    """A GLN (global location number) stripped: 13 digits with a good check digit."""
    from biip import ParseError  # biip judges; imported here, see the module docstring
    from biip.gln import Gln

    value = text.strip()
    if not is_digits(value) or len(value) != 13:
        raise Refused(f"GLN {text!r} must be 13 digits")
    try:
        Gln.parse(value)
    except ParseError as exc:
        raise Refused(f"GLN {text!r} is not valid: {exc}") from exc
    return value


# --- SSCC ----------------------------------------------------------------------------------


def make_sscc(company_prefix: str, serial: int, extension: int = 0) -> str:
    """An SSCC-18: extension digit, GS1 company prefix (6 to 12 digits), serial reference
    (the 16 digits the prefix leaves, zero-padded) and check digit."""
    prefix = str(company_prefix).strip()
    if not is_digits(prefix) or len(prefix) not in COMPANY_PREFIX_LENGTHS:
        raise Refused(
            f"GS1 company prefix {company_prefix!r} must be 6 to 12 digits "
            "(set site.gs1_company_prefix in the configuration)"
        )
    if isinstance(extension, bool) or not isinstance(extension, int) or not 0 <= extension <= 9:
        raise Refused(f"SSCC extension digit {extension!r} must be 0 to 9")
    room = 16 - len(prefix)
    if isinstance(serial, bool) or not isinstance(serial, int) or not 0 <= serial < 10**room:
        raise Refused(
            f"SSCC serial reference {serial!r} does not fit the {room} digits "
            f"left by company prefix {prefix}"
        )
    return with_check_digit(f"{extension}{prefix}{serial:0{room}d}")


def parse_sscc(text: str) -> str:
    """The 18 digits of an SSCC as typed or scanned: '(00)3761…', '003761…' (20 digits,
    with the AI), ']C1003761…' (with a scanner's symbology identifier) or 18 digits,
    spaces allowed; refuses a wrong length or check digit."""
    value = text.strip().replace(" ", "")
    value = value.removeprefix(SYMBOLOGY_ID)
    if value.startswith("(00)"):
        value = value[4:]
    elif len(value) == SSCC_LENGTH + 2 and value.startswith("00"):
        value = value[2:]
    if not is_digits(value) or len(value) != SSCC_LENGTH:
        raise Refused(f"SSCC {text.strip()!r} must be 18 digits")
    if not has_good_check_digit(value):
        raise Refused(f"SSCC {value} has a wrong check digit: scan it again")
    return value


def is_sscc(digits: str) -> bool:
    """True when DIGITS, exactly as given, are an 18-digit SSCC with a good check digit."""
    return len(digits) == SSCC_LENGTH and has_good_check_digit(digits)


def spaced_sscc(sscc: str) -> str:
    """An SSCC grouped for reading: extension digit, two groups of eight, check digit."""
    return f"{sscc[0]} {sscc[1:9]} {sscc[9:17]} {sscc[17]}"


# --- SKUs, location codes, lot numbers -------------------------------------------------------


def _check_not_reserved(code: str, what: str) -> None:
    for prefix in RESERVED_PREFIXES:
        if code.upper().startswith(prefix):
            raise Refused(f"{what} {code!r} starts with {prefix!r}, which Backroom reserves")


def check_sku(sku: str) -> str:
    """SKU stripped: 1 to 64 characters without spaces, not a code Backroom reserves."""
    sku = sku.strip()
    if not sku or len(sku) > CODE_MAX or any(c.isspace() or c == GS for c in sku):
        raise Refused(f"SKU {sku!r} must be 1 to 64 characters without spaces")
    check_text(sku, "A SKU")
    _check_not_reserved(sku, "SKU")
    return sku


def check_location_code(code: str) -> str:
    """CODE stripped: 1 to 64 characters without spaces or '/' (it separates a location's
    path), not a code Backroom reserves."""
    code = code.strip()
    if not code or len(code) > CODE_MAX or any(c.isspace() or c in "/" + GS for c in code):
        raise Refused(f"Location code {code!r} must be 1 to 64 characters without spaces or '/'")
    check_text(code, "A location code")
    _check_not_reserved(code, "Location code")
    return code


def check_lot_number(number: str) -> str:
    """A lot or serial number as GS1 AI (10)/(21) allows: 1 to 20 characters of set 82."""
    number = number.strip()
    if not number or len(number) > LOT_MAX:
        raise Refused(f"Lot number {number!r} must be 1 to 20 characters")
    bad = sorted({c for c in number if c not in GS1_CSET82})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise Refused(f"Lot number {number!r} has characters a GS1 barcode cannot carry: {shown}")
    return number
