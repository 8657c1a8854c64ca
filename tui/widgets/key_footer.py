"""The footer of keys: this screen's own keys first, then F1 Help and the keys that work
anywhere, as many as fit whole on one line (a 40-column handheld included); F1 lists
the rest.

Textual's Footer shows the focused widget's keys, then the screen's, then the app's,
and cuts the line where the terminal ends: at 40 columns Ctrl+O (short pick) and the
F-keys fell off. Here the keys are ranked (the most particular first: a Pick screen's
Ctrl+O before the Post and Esc every form has), a key that does not fit whole is left
out rather than cut, and F1 Help always has its place.

Textual's Footer also rebuilds all its key widgets whenever the screen's bindings are
looked at again: on every focus change, screen change and refresh, ~25 ms each time on
a wide screen. The keys shown rarely differ between those moments, so this footer
compares first.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Below this width the footer uses the short words; where a description has none, the
# full one is used.
NARROW = 60
SHORT_WORDS = {
    "Clear/back": "Back",
    "Undo last": "Undo",
    "Short pick": "Short",
    "Print label": "Print",
    "New parcel": "Parcel",
    "Save settings": "Save",
    "Save CSV": "CSV",
    "Save PDF": "PDF",
    "palette": "Palette",
}
KEY_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "delete": "Del",
    "backspace": "Backspace",
    "question_mark": "?",
    "slash": "/",
    "space": "Space",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}


def key_label(key: str, *, short: bool = False) -> str:
    """KEY as a person reads it: Ctrl+S (short: ^S), Esc, F5, ?."""
    *modifiers, name = key.split("+")
    shown = KEY_NAMES.get(name, name.upper() if name[:1] == "f" and name[1:].isdigit() else name)
    if len(shown) == 1 and modifiers:
        shown = shown.upper()
    for modifier in reversed(modifiers):
        if modifier == "ctrl":
            shown = f"^{shown}" if short else f"Ctrl+{shown}"
        else:
            shown = f"{modifier.capitalize()}+{shown}"
    return shown


@dataclass(frozen=True)
class ShownKey:
    key: str
    label: str
    words: str
    action: str
    enabled: bool
    tooltip: str

    @property
    def width(self) -> int:
        """Columns taken in the compact footer, the space after it included."""
        return len(self.label) + 1 + len(self.words) + 1


def _declared_rank(node: DOMNode) -> dict[str, int]:
    """Binding key -> rank on NODE: those of its most derived class first (a Pick
    screen's Ctrl+O before what every form has), each class's in the order it declares
    them; Quit last (on a handheld over SSH it ends the session)."""
    rank: dict[str, int] = {}
    for depth, cls in enumerate(type(node).__mro__):
        for n, binding in enumerate(vars(cls).get("BINDINGS", ())):
            if not isinstance(binding, Binding):
                continue
            late = 10_000 if binding.action == "quit" else 0
            for key in binding.key.split(","):
                rank.setdefault(key.strip(), late + depth * 100 + n)
    return rank


def ranked_keys(screen: Screen, *, short: bool) -> list[ShownKey]:
    """The keys worth a place in SCREEN's footer, most wanted first."""
    app = screen.app
    ranked: list[tuple[tuple[int, int], ShownKey]] = []
    ranks: dict[int, dict[str, int]] = {}
    for order, (node, binding, enabled, tooltip) in enumerate(screen.active_bindings.values()):
        palette = binding.action == "command_palette"
        if not (binding.show or palette) or binding.system:
            continue
        if palette and not (app.ENABLE_COMMAND_PALETTE and app.use_command_palette):
            continue
        words = binding.description or binding.action
        if short or palette:
            words = SHORT_WORDS.get(words, words)
        shown = ShownKey(
            binding.key,
            key_label(binding.key, short=True),
            words,
            binding.action,
            enabled,
            tooltip or binding.tooltip or binding.description,
        )
        if id(node) not in ranks:
            ranks[id(node)] = _declared_rank(node)
        rank = ranks[id(node)].get(binding.key, 99 + order)
        if palette:
            group = 4
        elif node is app:
            group = 2 if binding.action == "help" else 3
        else:
            group = 1
        ranked.append(((group, rank), shown))
    ranked.sort(key=lambda pair: pair[0])
    return [shown for _rank, shown in ranked]


def fitting(keys: list[ShownKey], width: int) -> list[ShownKey]:
    """KEYS, most wanted first, that fit whole in WIDTH columns; F1 Help kept always."""
    help_keys = [k for k in keys if k.action == "help"][:1]
    room = width + 1 - sum(k.width for k in help_keys)  # the last key needs no space after
    chosen = []
    for key in keys:
        if key in help_keys:
            chosen.append(key)
        elif key.width <= room:
            chosen.append(key)
            room -= key.width
    return chosen


class KeyFooter(Footer):
    """The screen's keys first, as many as fit whole; widgets kept while they stay."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        kwargs.setdefault("show_command_palette", False)  # ranked with the others instead
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None
        self._pending = False  # a rebuild is on its way and will read the keys then

    def _keys_shown(self) -> tuple:
        """What the footer would show: each key's words and state, at this width."""
        width = self.app.size.width
        return tuple(fitting(ranked_keys(self.screen, short=width < NARROW), width))

    def compose(self):
        if not self._bindings_ready:
            return
        self._shown = self._keys_shown()
        self._pending = False
        self.styles.grid_size_columns = len(self._shown)
        for key in self._shown:
            yield FooterKey(
                key.key,
                key.label,
                key.words,
                key.action,
                disabled=not key.enabled,
                tooltip=key.tooltip,
            ).data_bind(compact=Footer.compact)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and not self._pending and self._keys_shown() != self._shown:
            self._pending = True
            self.call_after_refresh(self.recompose)

    def bindings_changed(self, screen: Screen) -> None:
        if not (screen.app.app_focus and self.is_attached and screen is self.screen):
            super().bindings_changed(screen)
            return
        if self._pending or (self._bindings_ready and self._keys_shown() == self._shown):
            return
        self._pending = True
        super().bindings_changed(screen)
