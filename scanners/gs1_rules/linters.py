"""The GS1 Barcode Syntax Dictionary's content checks ("linters"), one function each.

Each takes one component of an AI's value (its characters and length already checked)
and returns None when it is right, else a reason a person can act on, such as
"has a wrong check digit: it should end in 8". The code lists some of them look values
up in (ISO 3166, ISO 4217, package types) come with the dictionary (`table.py`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable

from backroom.models.rules.identifiers import check_digit, is_digits
from backroom.scanners.gs1_rules.table import code_list

Linter = Callable[[str], "str | None"]
# The character sets of the dictionary's component types.
CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
CSET39 = frozenset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
CSET64 = frozenset("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
DIGITS = frozenset("0123456789")
CHARACTER_SETS = {"N": DIGITS, "X": CSET82, "Y": CSET39, "Z": CSET64}
# The North American coupon linters decode a whole coupon offer; Backroom neither prints
# nor receives coupons, so (8110) and (8112) get their characters and length checked only.
NOT_CHECKED = frozenset({"couponcode", "couponposoffer"})
GCP_MIN = 4  # the shortest GS1 Company Prefix has four digits
ALPHA_CHECK = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CSET82_ORDER = sorted(CSET82)  # GS1's weights follow the set's ASCII order
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def csum(value: str) -> str | None:
    """The GS1 mod-10 check digit at the end of a key."""
    expected = check_digit(value[:-1])
    if int(value[-1]) != expected:
        return f"has a wrong check digit: it should end in {expected}"
    return None


def csumalpha(value: str) -> str | None:
    """The two check characters of an alphanumeric key (GMN, (8013) and (8014))."""
    if len(value) < 2:
        return "is too short to carry its two check characters"
    primes = _primes(len(value) - 2)
    body = value[:-2]
    total = sum(CSET82_ORDER.index(c) * p for c, p in zip(body, reversed(primes), strict=True))
    total %= 1021
    pair = ALPHA_CHECK[total >> 5] + ALPHA_CHECK[total & 31]
    if value[-2:] != pair:
        return f"has wrong check characters: it should end in {pair}"
    return None


def _primes(count: int) -> list[int]:
    found: list[int] = []
    candidate = 2
    while len(found) < count:
        if all(candidate % p for p in found if p * p <= candidate):
            found.append(candidate)
        candidate += 1
    return found


def gcppos1(value: str) -> str | None:
    """A GS1 Company Prefix (at least four digits) at the start."""
    if len(value) < GCP_MIN or not is_digits(value[:GCP_MIN]):
        return "does not start with a GS1 Company Prefix (four digits or more)"
    return None


def gcppos2(value: str) -> str | None:
    """A GS1 Company Prefix from the second character (after an indicator digit)."""
    return gcppos1(value[1:])


def yymmd0(value: str) -> str | None:
    """A YYMMDD date; day 00 stands for the last day of the month."""
    return _date(full_year(int(value[:2])), value[2:4], value[4:6], day_zero=True)


def yymmdd(value: str) -> str | None:
    """A YYMMDD date with a real day (00 not allowed)."""
    return _date(full_year(int(value[:2])), value[2:4], value[4:6], day_zero=False)


def full_year(yy: int) -> int:
    """The year of a two-digit YY: at most 49 years back, 50 ahead (GS1's rule)."""
    now = dt.date.today().year
    year = now - now % 100 + yy
    if year - now > 50:
        return year - 100
    if now - year >= 50:
        return year + 100
    return year


def yyyymmd0(value: str) -> str | None:
    """A YYYYMMDD date; day 00 stands for the last day of the month."""
    return _date(int(value[:4]), value[4:6], value[6:8], day_zero=True)


def yyyymmdd(value: str) -> str | None:
    """A YYYYMMDD date with a real day."""
    return _date(int(value[:4]), value[4:6], value[6:8], day_zero=False)


def _date(year: int, mm: str, dd: str, *, day_zero: bool) -> str | None:
    month, day = int(mm), int(dd)
    if not 1 <= month <= 12:
        return f"is not a date: there is no month {mm}"
    if day == 0:
        return None if day_zero else "is not a date: day 00 is not allowed here"
    last = 29 if month == 2 and calendar.isleap(year) else DAYS_IN_MONTH[month - 1]
    if day > last:
        return f"is not a date: {calendar.month_name[month]} {year} has {last} days"
    return None


def hh(value: str) -> str | None:
    """An hour of the day, 00 to 23."""
    return None if int(value) <= 23 else f"is not an hour of the day: {value}"


def mi(value: str) -> str | None:
    """A minute, 00 to 59."""
    return None if int(value) <= 59 else f"is not a minute: {value}"


def ss(value: str) -> str | None:
    """A second, 00 to 59."""
    return None if int(value) <= 59 else f"is not a second: {value}"


def hhmi(value: str) -> str | None:
    """A time of day as HHMM."""
    if int(value[:2]) > 23 or int(value[2:]) > 59:
        return f"is not a time of day: {value[:2]}:{value[2:]}"
    return None


def iso3166(value: str) -> str | None:
    """An ISO 3166-1 numeric country code."""
    return None if value in code_list("iso3166") else "is not an ISO 3166 country code"


def iso3166999(value: str) -> str | None:
    """An ISO 3166-1 numeric country code, or 999 (unknown country)."""
    if value == "999" or value in code_list("iso3166"):
        return None
    return "is neither an ISO 3166 country code nor 999"


def iso3166alpha2(value: str) -> str | None:
    """An ISO 3166-1 two-letter country code."""
    if value in code_list("iso3166alpha2"):
        return None
    return "is not an ISO 3166 two-letter country code"


def iso4217(value: str) -> str | None:
    """An ISO 4217 numeric currency code."""
    return None if value in code_list("iso4217") else "is not an ISO 4217 currency code"


def iso5218(value: str) -> str | None:
    """An ISO/IEC 5218 sex code: 0, 1, 2 or 9."""
    return None if value in "0129" else "is not a sex code (0, 1, 2 or 9)"


def packagetype(value: str) -> str | None:
    """A GS1 PackageTypeCode."""
    return None if value in code_list("packagetype") else "is not a GS1 package type code"


def zero(value: str) -> str | None:
    """The digit 0."""
    return None if value == "0" else "must be 0"


def nonzero(value: str) -> str | None:
    """A number other than zero."""
    return None if int(value) != 0 else "must not be zero"


def nozeroprefix(value: str) -> str | None:
    """A number that does not start with 0."""
    return "must not start with 0" if value.startswith("0") else None


def winding(value: str) -> str | None:
    """A roll's winding direction: 0 face out, 1 face in, 9 undefined."""
    return None if value in "019" else "is not a winding direction (0, 1 or 9)"


def yesno(value: str) -> str | None:
    """0 for no, 1 for yes."""
    return None if value in "01" else "must be 0 (no) or 1 (yes)"


def hyphen(value: str) -> str | None:
    """Hyphens only (a minus sign after a temperature)."""
    return None if set(value) <= {"-"} else "may only be a hyphen (minus sign)"


def hasnondigit(value: str) -> str | None:
    """At least one character that is not a digit."""
    return "must hold at least one character that is not a digit" if is_digits(value) else None


def mediatype(value: str) -> str | None:
    """An AIDC media type: 01-10 or 80-99."""
    number = int(value)
    return None if 1 <= number <= 10 or 80 <= number <= 99 else "is not an AIDC media type"


def importeridx(value: str) -> str | None:
    """An EU 2018/574 importer index: one of -, _, 0-9, A-Z, a-z."""
    if len(value) == 1 and value.isascii() and (value.isalnum() or value in "-_"):
        return None
    return "is not an importer index (one letter, digit, - or _)"


def pieceoftotal(value: str) -> str | None:
    """Piece number then total of pieces, of equal width, neither zero, piece <= total."""
    if not is_digits(value) or len(value) % 2:
        return "must be a piece number and a total of the same number of digits"
    piece, total = int(value[: len(value) // 2]), int(value[len(value) // 2 :])
    if piece == 0 or total == 0:
        return "must not have piece number or total zero"
    return None if piece <= total else f"has piece {piece} of only {total}"


def posinseqslash(value: str) -> str | None:
    """A position in a sequence as POS/END, neither with a leading zero, POS <= END."""
    pos, slash, end = value.partition("/")
    if not slash or not is_digits(pos) or not is_digits(end):
        return "must be a position and a total, such as 1/2"
    if pos.startswith("0") or end.startswith("0"):
        return "must not have numbers starting with 0"
    return None if int(pos) <= int(end) else f"has position {pos} of only {end}"


def latitude(value: str) -> str | None:
    """A WGS84 latitude as ten digits, 0000000000 to 1800000000."""
    return None if int(value) <= 1_800_000_000 else "is not a latitude"


def longitude(value: str) -> str | None:
    """A WGS84 longitude as ten digits, 0000000000 to 3600000000."""
    return None if int(value) <= 3_600_000_000 else "is not a longitude"


def pcenc(value: str) -> str | None:
    """Percent-encoding: each % followed by two hexadecimal digits."""
    hexdigits = set("0123456789abcdefABCDEF")
    position = value.find("%")
    while position != -1:
        if len(value) < position + 3 or not set(value[position + 1 : position + 3]) <= hexdigits:
            return "has a % not followed by two hexadecimal digits"
        position = value.find("%", position + 3)
    return None


def iban(value: str) -> str | None:
    """An IBAN: country, two check digits and the account, mod-97 check."""
    if not 5 <= len(value) <= 34 or not (value.isascii() and value.isalnum()):
        return "is not an IBAN"
    if value != value.upper():
        return "is not an IBAN: its letters must be capitals"
    if value[:2] not in code_list("iso3166alpha2"):
        return "is not an IBAN: it does not start with a country code"
    rearranged = value[4:] + value[:4]
    number = int("".join(str(int(c, 36)) for c in rearranged))
    return None if number % 97 == 1 else "has wrong IBAN check digits"


LINTERS: dict[str, Linter] = {
    f.__name__: f
    for f in (
        csum, csumalpha, gcppos1, gcppos2, yymmd0, yymmdd, yyyymmd0, yyyymmdd, hh, mi, ss,
        hhmi, iso3166, iso3166999, iso3166alpha2, iso4217, iso5218, packagetype, zero,
        nonzero, nozeroprefix, winding, yesno, hyphen, hasnondigit, mediatype, importeridx,
        pieceoftotal, posinseqslash, latitude, longitude, pcenc, iban,
    )
}  # fmt: skip


def lint(name: str, value: str) -> str | None:
    """The reason VALUE fails the linter NAME, or None (also for linters not checked)."""
    if name in NOT_CHECKED:
        return None
    return LINTERS[name](value)
