"""An AI's value and a code's set of AIs, checked as the GS1 Syntax Dictionary says.

`value_problem` checks one value: characters, length, each component's content.
`pairing_problem` refuses AIs that may not stand together; `companions_missing` names
the AIs a code (or the scans of one form together) lacks. GS1 evaluates both pairings
over everything marked on one physical item, so companions found only on one scan are a
warning there, and the form's check across its scans decides.
"""

from __future__ import annotations

from collections.abc import Iterable

from backroom.scanners.gs1_rules.linters import CHARACTER_SETS, lint
from backroom.scanners.gs1_rules.table import AISpec, Component, matches, spec

CSET_WORDS = {"N": "digits", "X": "characters", "Y": "characters", "Z": "characters"}
NAMED_CHARACTERS = {" ": "a space", "\t": "a tab", "\x1d": "a group separator"}


def value_problem(ai_spec: AISpec, value: str, name: str) -> str | None:
    """Why VALUE is not a valid value of the AI, in words, or None."""
    label = f"({ai_spec.ai}) {name}"
    position = 0
    for component in ai_spec.components:
        if position == len(value) and component.optional:
            break
        part = _part(component, value[position:])
        if part is None:
            return f"{label} must be {shape(ai_spec)}, not {quoted(value)}"
        if (bad := _outside(component, part)) is not None:
            return f"{label} {quoted(value)} holds {bad}"
        for linter in component.linters:
            if (reason := lint(linter, part)) is not None:
                shown = value if part == value else part
                return f"{label} {shown} {reason}"
        position += len(part)
    if position != len(value):
        return f"{label} must be {shape(ai_spec)}, not {quoted(value)}"
    return None


def _part(component: Component, rest: str) -> str | None:
    """The part of REST this component takes, None when REST is too short."""
    if component.minimum == component.maximum:
        return rest[: component.maximum] if len(rest) >= component.maximum else None
    part = rest[: component.maximum]
    return part if len(part) >= component.minimum else None


def _outside(component: Component, part: str) -> str | None:
    allowed = CHARACTER_SETS[component.cset]
    bad = next((c for c in part if c not in allowed), None)
    if bad is None:
        return None
    if component.cset == "N":
        return f"{_character(bad)}: only digits may stand in it"
    return f"{_character(bad)}, which GS1 does not allow in it"


def _character(c: str) -> str:
    if c in NAMED_CHARACTERS:
        return NAMED_CHARACTERS[c]
    return repr(c) if c.isprintable() else f"the control character {ord(c):#04x}"


def shape(ai_spec: AISpec) -> str:
    """The AI's format in words: "6 digits, then optionally 6 digits"."""
    words = []
    for component in ai_spec.components:
        kind = CSET_WORDS[component.cset]
        if component.maximum == 1:
            kind = kind[:-1]
        count = (
            str(component.maximum)
            if component.minimum == component.maximum
            else f"up to {component.maximum}"
        )
        words.append(("optionally followed by " if component.optional else "") + f"{count} {kind}")
    return ", ".join(words)


def quoted(text: str) -> str:
    """TEXT quoted for a message, shortened, the GS shown."""
    shown = text if len(text) <= 24 else text[:21] + "..."
    return repr(shown.replace("\x1d", "<GS>"))


# --- AIs that stand together ---------------------------------------------------------


def pairing_problem(ais: Iterable[str], names: dict[str, str]) -> str | None:
    """The first pair of AIs that GS1 does not allow in one code, in words, or None."""
    present = list(dict.fromkeys(ais))
    for index, ai in enumerate(present):
        for other in present[index + 1 :]:
            if _excludes(ai, other) or _excludes(other, ai):
                return (
                    f"({ai}) {names.get(ai, ai)} and ({other}) {names.get(other, other)} "
                    f"cannot stand together in one code (GS1 does not allow it): "
                    f"the label is wrong"
                )
    return None


def _excludes(ai: str, other: str) -> bool:
    ai_spec = spec(ai)
    return ai_spec is not None and any(matches(other, p) for p in ai_spec.excludes)


def companions_missing(ais: Iterable[str], names: dict[str, str]) -> list[str]:
    """For each requirement the AIs leave unmet, what is missing, in words."""
    present = list(dict.fromkeys(ais))
    missing = []
    for ai in present:
        ai_spec = spec(ai)
        if ai_spec is None:
            continue
        for alternatives in ai_spec.requires:
            if any(all(_present(part, present) for part in alt) for alt in alternatives):
                continue
            wanted = " or ".join(" with ".join(f"({part})" for part in alt) for alt in alternatives)
            missing.append(
                f"({ai}) {names.get(ai, ai_spec.title)} needs {wanted} beside it: "
                f"scan the code that carries it"
            )
    return missing


def _present(pattern: str, present: list[str]) -> bool:
    return any(matches(ai, pattern) for ai in present)
