"""Help (F1, or `?`): what a person on the floor needs, in that order. The keys of the
screen underneath, what it wants scanned (field by field on a form), the command codes
a scanner can send, then the keys that work anywhere. Textual's own keys (cursor
movement, scrolling) are left to one line at the end: everybody knows the arrows.

Everything is read from the live screen: its bindings, and a form's FIELDS and hints."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import ClassVar

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from backroom.models.rules.codes import COMMANDS, QUANTITY_PREFIX, command_code
from backroom.tui.widgets.key_footer import key_label

Rows = list[tuple[str, str]]

# What each kind of field takes beyond its hint (the hint is what the field itself shows).
MORE_PER_KIND = {
    "item": "a GS1 label also fills lot, expiry and quantity",
    "lot": "a lot several items carry asks which item",
    "qty": f"or scan {QUANTITY_PREFIX}n",
    "delta": "signed",
}
# The command codes in a form (tui/screens/stock/operation_form.py, _apply) ...
IN_A_FORM = {
    "CONFIRM": "post, as Ctrl+S",
    "CANCEL": "clear the form; on an empty one leave, as Esc",
    "BACK": "back to the field before",
}
# ... and anywhere else (tui/scan_open.py).
ELSEWHERE = {
    "CONFIRM": "nothing to confirm outside a form",
    "CANCEL": "back to home",
    "BACK": "close this screen",
}
SCAN_ANYWHERE: Rows = [
    ("Location", "its stock, by location"),
    ("Item", "its stock (SKU, GTIN or GS1 label)"),
    ("Lot", "its trace"),
    ("Parcel", "its shipment (SSCC)"),
    ("Shipment", "the shipment (SHP-...)"),
    ("Pallet", "receiving it, as its ASN announced it (SSCC)"),
    ("Order", "receiving against it (PO-..., or its ASN's number)"),
    ("Badge", "logs its holder in, on a shared terminal"),
]


@cache
def _textual_keys(base: type[DOMNode]) -> frozenset[tuple[str, str]]:
    """(key, action) of every binding Textual's own class BASE comes with."""
    merged = base._merge_bindings()
    return frozenset((b.key, b.action) for bs in merged.key_to_bindings.values() for b in bs)


@cache
def _backroom_keys(cls: type[DOMNode]) -> frozenset[tuple[str, str]]:
    """(key, action) of every binding Backroom's classes in CLS's ancestry declare."""
    found = set()
    for c in cls.__mro__:
        if c.__module__.startswith("backroom."):
            for b in vars(c).get("BINDINGS", ()):
                if isinstance(b, Binding):
                    found.update((key.strip(), b.action) for key in b.key.split(","))
    return frozenset(found)


def is_textual(node: DOMNode, binding: Binding) -> bool:
    """True when BINDING is one Textual gives NODE's widget class, not one Backroom made
    (Backroom's Ctrl+Q is Textual's too, but Backroom chose it)."""
    pair = (binding.key, binding.action)
    if pair in _backroom_keys(type(node)):
        return False
    base = next(c for c in type(node).__mro__ if c.__module__.startswith("textual."))
    return pair in _textual_keys(base)


def _add(rows: dict[tuple[str, str], list[str]], binding: Binding) -> None:
    """One row per action: its keys together (F1 and ? both open help)."""
    text = binding.description or binding.action.replace("_", " ")
    if binding.action == "command_palette":
        text = "Command palette: every screen and operation"
    keys = rows.setdefault((binding.action, text), [])
    # `?` opens help in a field too, where Textual leaves its binding out (tui/app.py).
    labels = [key_label(binding.key), "?"] if binding.action == "help" else [key_label(binding.key)]
    keys.extend(label for label in labels if label not in keys)


def describe_keys(screen: Screen) -> tuple[Rows, Rows, list[str]]:
    """The keys active on SCREEN: (its own, the app's anywhere, Textual's own keys)."""
    own: dict[tuple[str, str], list[str]] = {}
    anywhere: dict[tuple[str, str], list[str]] = {}
    textual: list[str] = []
    for active in screen.active_bindings.values():
        node, binding = active.node, active.binding
        if binding.system or not active.enabled:
            continue
        if is_textual(node, binding):
            # Only the plain keys: every field also has a dozen Ctrl/Shift variants.
            if "+" not in binding.key and key_label(binding.key) not in textual:
                textual.append(key_label(binding.key))
            continue
        _add(anywhere if node is screen.app else own, binding)
    own_rows = [(" ".join(keys), text) for (_action, text), keys in own.items()]
    # Help first, Quit last (over SSH on a handheld it ends the session).
    first = sorted(anywhere.items(), key=lambda row: {"help": 0, "quit": 2}.get(row[0][0], 1))
    anywhere_rows = [(" ".join(keys), text) for (_action, text), keys in first]
    return own_rows, anywhere_rows, textual


def describe_scans(screen: Screen) -> Rows:
    """What SCREEN expects to be scanned: a form field by field, else what opens what."""
    fields = getattr(screen, "FIELDS", ())
    hint = getattr(screen, "_hint", None)
    if not fields or hint is None:
        return SCAN_ANYWHERE
    rows = []
    for f in fields:
        text = hint(f)
        if more := MORE_PER_KIND.get(f.kind):
            text += f"; {more}"
        if f.optional:
            text += " (may stay empty)"
        rows.append((f.label, text))
    return rows


def describe_commands(screen: Screen) -> Rows:
    """The command codes a scanner can send (from the command sheet), for SCREEN."""
    in_a_form = bool(getattr(screen, "FIELDS", ()))
    words = IN_A_FORM if in_a_form else ELSEWHERE
    rows = [(command_code(name), words.get(name, "see the command sheet")) for name in COMMANDS]
    if in_a_form:
        rows.append((f"{QUANTITY_PREFIX}n", "the quantity is n"))
    return rows


def _table(rows: Rows) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, style="bold")
    table.add_column(ratio=1)
    for key, text in rows:
        table.add_row(key, text)
    return table


def _section(title: str, body: RenderableType) -> Iterable[RenderableType]:
    yield Text(title, style="bold underline")
    yield body
    yield Text("")


def help_text(screen: Screen) -> Group:
    """Everything help says about SCREEN, in the order the floor needs it."""
    own, anywhere, textual = describe_keys(screen)
    title = getattr(screen, "TITLE", None) or type(screen).__name__.removesuffix("Screen")
    scan_title = "Scan, field by field" if getattr(screen, "FIELDS", ()) else "Scan to open"
    parts: list[RenderableType] = []
    parts += _section(f"Keys — {title}", _table(own) if own else Text("(none of its own)"))
    parts += _section(scan_title, _table(describe_scans(screen)))
    parts += _section("Command codes (scan)", _table(describe_commands(screen)))
    parts += _section("Keys anywhere", _table(anywhere))
    if textual:
        parts.append(Text(f"Also, in fields and lists: {' '.join(textual)}", style="dim"))
    return Group(*parts)


class HelpText(Static):
    """Help laid out for the width it has: keys in a column, their words wrapping beside
    them. `render()` is that text, so what a test reads is what the person sees."""

    def __init__(self, body: RenderableType, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._body = body

    def _laid_out(self, width: int) -> Text:
        console = Console(width=max(width, 20), color_system="truecolor", force_terminal=True)
        lines = console.render_lines(self._body, console.options, pad=False)
        return Text("\n").join(Text.assemble(*((s.text, s.style) for s in line)) for line in lines)

    def render(self) -> Text:
        return self._laid_out(self.content_region.width or self.app.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._laid_out(width).split())


class HelpScreen(ModalScreen[None]):
    """Help on the current screen; Esc, F1, ? or q closes it, the arrows scroll it."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar = [
        Binding("escape,f1,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static("Esc closes · ↑ ↓ PgDn scroll", id="help-hint")
            yield HelpText(help_text(self._under), id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help", VerticalScroll).focus()
