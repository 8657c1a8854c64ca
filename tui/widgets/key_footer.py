"""The footer of keys, rebuilt only when the keys it shows change.

Textual's Footer rebuilds all its key widgets whenever the screen's bindings are
looked at again: on every focus change, screen change and refresh. On a 200-column
screen that is ~40 widgets restyled, ~25 ms each time and six times as a list
opens. The keys shown rarely differ between those moments, so this footer compares
first.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A Footer that keeps its widgets while the keys shown stay the same."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None
        self._pending = False  # a rebuild is on its way and will read the keys then

    def _keys_shown(self) -> tuple:
        """What the footer would show: each binding's key, words and state."""
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show or binding.action == "command_palette"
        )

    def compose(self):
        if self._bindings_ready:
            self._shown = self._keys_shown()
            self._pending = False
        return super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if not (screen.app.app_focus and self.is_attached and screen is self.screen):
            super().bindings_changed(screen)
            return
        if self._pending or (self._bindings_ready and self._keys_shown() == self._shown):
            return
        self._pending = True
        super().bindings_changed(screen)
