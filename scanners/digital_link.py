"""GS1 Digital Link URIs taken apart as the GS1 Digital Link standard says.

https://id.gs1.org/01/09521101530001/10/ABC1?17=271231 carries the primary key (01)
and its qualifier (10) in the path, in the order the key allows, and data attributes
(17) in the query. Anything else is refused with its reason: a scheme that is not
http(s) in one case, a path whose AIs are not a key and its qualifiers in order, an
empty value, an unknown or repeated AI, an attribute that belongs in the path. The
values are then checked as element strings are (`gs1.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus

from backroom.models.rules.identifiers import is_digits
from backroom.scanners.gs1_rules.table import AISpec, spec

URI_CHARACTERS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
)
BAD_IN_DOMAIN = frozenset("_~?#@!$&'()*+,;=%")
SCHEMES = ("https://", "HTTPS://", "http://", "HTTP://")


@dataclass(frozen=True)
class LinkParts:
    """What a Digital Link names: (AI, value) pairs, path first, or why it cannot."""

    pairs: tuple[tuple[str, str], ...] = ()
    problem: str | None = None


def split_link(uri: str) -> LinkParts:
    """The (AI, value) pairs of a GS1 Digital Link URI: key, qualifiers, attributes."""
    shown = uri if len(uri) <= 60 else uri[:57] + "..."
    if (bad := next((c for c in uri if c not in URI_CHARACTERS), None)) is not None:
        what = "a space" if bad == " " else repr(bad)
        return LinkParts(problem=f"The web address {shown!r} holds {what}, which a link cannot")
    scheme = next((s for s in SCHEMES if uri.startswith(s)), None)
    if scheme is None:
        return LinkParts(
            problem=f"The web address {shown!r} must start with https:// or http:// "
            f"(all small or all capital letters) to be a GS1 Digital Link"
        )
    rest = uri[len(scheme) :].split("#", 1)[0]
    domain, slash, rest = rest.partition("/")
    if not domain or not slash or any(c in BAD_IN_DOMAIN for c in domain):
        return LinkParts(problem=f"The web address {shown!r} has no valid domain and path")
    path, _, query = rest.partition("?")
    pairs, problem = _path_pairs(path.split("/"))
    if problem and not pairs and "no GS1 key" in problem:
        return LinkParts(
            problem=f"The web address {shown!r} is not a GS1 Digital Link: it {problem}"
        )
    if problem:
        return LinkParts(problem=f"The GS1 Digital Link {shown!r} {problem}")
    attributes, problem = _query_pairs(query, [ai for ai, _ in pairs])
    if problem:
        return LinkParts(problem=f"The GS1 Digital Link {shown!r} {problem}")
    return LinkParts(pairs=tuple(pairs + attributes))


def _path_pairs(segments: list[str]) -> tuple[list[tuple[str, str]], str | None]:
    """The key and its qualifiers: the longest run of /AI/value pairs at the end of the
    path that starts with a primary key (what comes before it is the site's own path)."""
    if any(s == "" for s in segments):
        return [], "has an empty part in its path (two slashes together, or one at the end)"
    start = None
    for index in range(len(segments) - 2, -1, -2):
        ai_spec = spec(segments[index])
        if ai_spec is None:
            break
        if ai_spec.dl_keys is not None:
            start = index
            break
    if start is None:
        return [], "names no GS1 key (such as /01/ and a GTIN) in its path"
    run = segments[start:]
    pairs = [(run[i], unquote(run[i + 1])) for i in range(0, len(run), 2)]
    if any("\x00" in value for _, value in pairs):
        return [], "holds a NUL character in its path"
    key = spec(pairs[0][0])
    qualifiers = [ai for ai, _ in pairs[1:]]
    if key is not None and not qualifies(key, qualifiers):
        allowed = " or ".join("/".join(f"({q})" for q in seq) for seq in key.dl_keys or () if seq)
        order = f": ({key.ai}) takes {allowed}, in that order" if allowed else ""
        named = "".join(f"({q})" for q in qualifiers)
        return [], f"has {named} after ({key.ai}) in its path, which GS1 does not allow{order}"
    return pairs, None


def qualifies(key: AISpec, qualifiers: list[str]) -> bool:
    """True when QUALIFIERS follow, in order, one of the KEY's qualifier sequences."""
    for sequence in key.dl_keys or ((),):
        remaining = iter(sequence)
        if all(q in remaining for q in qualifiers):  # each found after the one before
            return True
    return False


def _query_pairs(query: str, path_ais: list[str]) -> tuple[list[tuple[str, str]], str | None]:
    """The data attributes in the query; other parameters (non-numeric) are not GS1's."""
    pairs: list[tuple[str, str]] = []
    seen = list(path_ais)
    key = spec(path_ais[0])
    for parameter in filter(None, query.split("&")):
        name, equals, raw = parameter.partition("=")
        if not equals or not is_digits(name):
            continue
        ai_spec = spec(name)
        if ai_spec is None:
            return [], f"holds ?{name}=, but ({name}) is not a GS1 application identifier"
        if not raw:
            return [], f"gives ({name}) an empty value"
        if name in seen:
            return [], f"gives ({name}) twice"
        if not ai_spec.dl_attribute:
            return [], f"gives ({name}) in its query, where GS1 does not allow it"
        if key is not None and any(
            qualifies(key, [*path_ais[1:i], name, *path_ais[i:]])
            for i in range(1, len(path_ais) + 1)
        ):
            return [], f"gives ({name}) in its query: it belongs in the path, after ({key.ai})"
        value = unquote_plus(raw)
        if "\x00" in value:
            return [], f"holds a NUL character in ({name})"
        seen.append(name)
        pairs.append((name, value))
    return pairs, None
