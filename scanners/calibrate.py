"""The scanner test: what the test label should give, what arrived, and what is wrong.

`diagnose` is pure: it names each fault (keyboard layout, Caps Lock, GS lost or
substituted, extra prefix or suffix, lost characters) and the station settings
that fix what settings can fix. The rest needs the scanner's own configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from backroom.scanners.keyboards import LAYOUTS, US, Layout, retype
from backroom.scanners.settings import SUFFIX_NAMES
from backroom.scanners.symbology import split_aim

GS = "\x1d"
# Characters that never belong to a prefix or suffix: the line ends the CLI reads.
LINE_ENDS = "\r\n"


@dataclass(frozen=True)
class Fault:
    """One thing wrong with how the scanner's codes arrive."""

    code: str  # layout, caps-lock, gs-lost, gs-substituted, prefix, suffix, garbled, ...
    message: str
    fixed_by_settings: bool  # True: the suggested station settings take care of it


@dataclass(frozen=True)
class Diagnosis:
    """The verdict of one scanner test, and the station settings it suggests."""

    expected: str
    received: str
    faults: tuple[Fault, ...]
    notes: tuple[str, ...]  # things worth knowing that are not faults
    prefix: str = ""
    suffix: str = "\r"
    gs_substitutes: tuple[str, ...] = ()
    symbology: str | None = None  # the AIM identifier the scanner sent, if any

    @property
    def ok(self) -> bool:
        """True when the codes arrive exactly as printed."""
        return not self.faults

    @property
    def needs_scanner_fix(self) -> bool:
        """True when some fault can only be fixed on the scanner or the computer."""
        return any(not f.fixed_by_settings for f in self.faults)

    def settings_table(self) -> dict[str, object]:
        """The [scanner.stations.NAME] values that match this scanner."""
        suffix = next((n for n, c in SUFFIX_NAMES.items() if c == self.suffix), self.suffix)
        return {
            "prefix": self.prefix,
            "suffix": suffix,
            "gs_substitutes": list(self.gs_substitutes),
        }

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "ok": self.ok,
            "expected": self.expected,
            "received": self.received,
            "faults": [f.__dict__ for f in self.faults],
            "notes": list(self.notes),
            "symbology": self.symbology,
            "settings": self.settings_table(),
        }


@dataclass(frozen=True)
class _Reading:
    """RECEIVED aligned against the expected text as one layout pairing predicts it."""

    scanner: Layout
    computer: Layout
    caps_lock: bool
    predicted: str
    lead: str  # arrived before the text
    trail: str  # arrived after it
    gs: str | None  # what arrived in the GS's place (None: could not tell)
    wrong: tuple[tuple[str, str], ...]  # (predicted, arrived) pieces that differ

    @property
    def cost(self) -> int:
        return sum(max(len(a), len(b)) for a, b in self.wrong)

    @property
    def layout_changed(self) -> bool:
        return self.scanner is not self.computer


def diagnose(expected: str, received: str) -> Diagnosis:
    """Compare what the test label holds with what arrived; name every fault."""
    received = received.rstrip(LINE_ENDS)
    if not received:
        fault = Fault("nothing", "Nothing arrived: scan the scanner test label", False)
        return Diagnosis(expected, received, (fault,), ())
    best = min(_readings(expected, received), key=lambda r: (r.cost, r.layout_changed))
    similarity = 1 - best.cost / max(len(expected), 1)
    if similarity < 0.5:
        message = (
            "This does not look like the scanner test label: scan the label that "
            "starts with Aq1Zw2 (or check the scanner's keyboard settings)"
        )
        return Diagnosis(expected, received, (Fault("unrecognised", message, False),), ())
    symbology, prefix = _lead(best.lead)
    notes = (
        [f"The scanner sends AIM symbology identifiers ({symbology}): good, Backroom reads them"]
        if symbology
        else []
    )
    faults = _framing_faults(prefix, best.trail)
    faults.extend(_typing_faults(expected, best))
    gs_fault, substitutes = _gs_fault(expected, best)
    if gs_fault:
        faults.append(gs_fault)
    if best.wrong:
        faults.append(_garbled_fault(best))
    suffix = _suffix(best.trail)
    return Diagnosis(
        expected,
        received,
        tuple(faults),
        tuple(notes),
        prefix=prefix,
        suffix=suffix,
        gs_substitutes=substitutes,
        symbology=symbology,
    )


def _framing_faults(prefix: str, trail: str) -> list[Fault]:
    """What the scanner sends before and after each code."""
    faults = []
    if prefix:
        faults.append(
            Fault(
                "prefix",
                f"The scanner sends {prefix!r} before each code: this station will "
                "take it as the start of a scan",
                True,
            )
        )
    if trail:
        what = "Tab" if trail == "\t" else repr(trail)
        faults.append(
            Fault(
                "suffix",
                f"The scanner sends {what} after each code: this station will take it "
                "as the end of a scan",
                True,
            )
        )
    return faults


def _typing_faults(expected: str, best: _Reading) -> list[Fault]:
    """Keyboard layout and case: what the computer makes of the keys the scanner sends."""
    faults = []
    if best.layout_changed:
        faults.append(_layout_fault(expected, best))
    if best.caps_lock:
        faults.append(
            Fault(
                "caps-lock",
                "Letters arrive with upper and lower case swapped: Caps Lock is on "
                "(turn it off) or the scanner is set to invert case",
                False,
            )
        )
    return faults


def _readings(expected: str, received: str) -> list[_Reading]:
    pairings = [(US, US)] + [(s, c) for s in LAYOUTS for c in LAYOUTS if s is not c]
    return [
        _align(expected, received, scanner, computer, caps)
        for scanner, computer in pairings
        for caps in (False, True)
    ]


def _align(expected: str, received: str, scanner: Layout, computer: Layout, caps: bool) -> _Reading:
    predicted = retype(expected, scanner, computer, caps_lock=caps)
    ops = SequenceMatcher(None, predicted, received, autojunk=False).get_opcodes()
    lead = trail = ""
    if ops and ops[0][0] == "insert":
        lead = received[ops[0][3] : ops[0][4]]
        ops = ops[1:]
    if ops and ops[-1][0] == "insert" and ops[-1][1] == len(predicted):
        trail = received[ops[-1][3] : ops[-1][4]]
        ops = ops[:-1]
    gs_at = predicted.find(GS)
    gs: str | None = None if gs_at >= 0 else ""
    wrong = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            if i1 <= gs_at < i2:
                gs = GS
            continue
        if predicted[i1:i2] == GS:
            gs = received[j1:j2]
            continue
        wrong.append((predicted[i1:i2], received[j1:j2]))
    return _Reading(scanner, computer, caps, predicted, lead, trail, gs, tuple(wrong))


def _lead(lead: str) -> tuple[str | None, str]:
    """The AIM identifier and the prefix in what arrived before the text."""
    if len(lead) >= 3 and split_aim(lead[-3:])[0] is not None:
        return lead[-3:], lead[:-3]
    symbology, rest = split_aim(lead)
    if symbology is not None:
        return symbology.code, rest
    return None, lead


def _suffix(trail: str) -> str:
    return trail if trail else SUFFIX_NAMES["enter"]


def _gs_fault(expected: str, best: _Reading) -> tuple[Fault | None, tuple[str, ...]]:
    if GS not in expected or best.gs == GS:
        return None, ()
    if best.gs is None:
        message = "Could not tell what arrived for the group separator (GS): scan again"
        return Fault("gs-unclear", message, False), ()
    if best.gs == "":
        message = (
            "The group separator (GS, Ctrl+]) did not arrive: GS1 codes with a lot or "
            "serial number will be misread. Set the scanner to transmit GS (FNC1), or a "
            "substitute such as '~', then run this test again"
        )
        return Fault("gs-lost", message, False), ()
    substitute = best.gs
    message = f"The group separator (GS) arrives as {substitute!r}: this station will read it as GS"
    if len(substitute) == 1 and substitute.isprintable():
        message += f" (a {substitute!r} inside any other code will be read as GS too)"
    return Fault("gs-substituted", message, True), (substitute,)


def _layout_fault(expected: str, best: _Reading) -> Fault:
    pairs = []
    for sent in expected:
        got = retype(sent, best.scanner, best.computer)
        if sent != got and (sent, got) not in pairs:
            pairs.append((sent, got))
    # Show the telling ones first: digits and the quote/at swap people recognise.
    pairs.sort(key=lambda p: (not p[0].isdigit() and p[0] not in '"@', expected.index(p[0])))
    examples = ", ".join(
        f"{sent!r} arrives as {got!r}" if got else f"{sent!r} is lost" for sent, got in pairs[:3]
    )
    return Fault(
        "layout",
        f"Keyboard layout mismatch: the scanner types for a {best.scanner.name} keyboard "
        f"but this computer uses {best.computer.name} ({examples}). Set the scanner's "
        f"keyboard country to {best.computer.name} (see its manual), or the computer's "
        f"layout to {best.scanner.name}",
        False,
    )


def _garbled_fault(best: _Reading) -> Fault:
    lost = all(not got for _, got in best.wrong)
    shown = ", ".join(
        f"{sent!r} lost"
        if not got
        else f"{sent!r} arrived as {got!r}"
        if sent
        else f"extra {got!r}"
        for sent, got in best.wrong[:4]
    )
    if lost:
        message = (
            f"Characters were lost ({shown}): set an inter-character delay on the scanner "
            "(over SSH or remote desktop a fast scanner can outrun the connection)"
        )
        return Fault("lost", message, False)
    message = (
        f"Some characters arrived wrong ({shown}): scan again; if it persists, check the "
        "scanner's keyboard settings"
    )
    return Fault("garbled", message, False)
