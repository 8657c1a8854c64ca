"""What a screen does with the keys that come while it takes an entry: its ScanInputs
share one KeyHold, which holds every key from an Enter until the screen has read that
entry; then the held keys go to the field they belong to now, up to the next Enter.

The operation forms and the pallet count share this, so that a fix to it (a resume
that came twice typed the next entry into the same field: 58 and 40 became 5840)
holds for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backroom.tui.widgets.scan_input import KeyHold, ScanInput

if TYPE_CHECKING:
    from textual.screen import Screen

    _Base = Screen
else:
    _Base = object


class HeldEntries(_Base):
    """Mix into a Screen that makes `self.hold` and calls `entry_arrived` first in its
    Input.Submitted handler; `held_field` says where held keys go."""

    hold: KeyHold
    _busy: bool = False

    @property
    def busy(self) -> bool:
        """Taking an entry (or an action): keys that arrive meanwhile are held."""
        return self._busy

    @busy.setter
    def busy(self, value: bool) -> None:
        self._busy = value
        if value:
            self.hold.on = True  # a key's action (Ctrl+O, Ctrl+S) is being taken too
        else:
            # After the handler that cleared it has moved the cursor on (also when a
            # failed worker is said: tui/worker_errors.py).
            self.call_later(self._resume)

    def entry_arrived(self) -> None:
        """An entry's Enter has reached the screen: the next resume may hand on keys."""
        self.hold.entering = False

    def held_field(self) -> ScanInput | None:
        """The field held keys go to now; None hands them back to the app."""
        raise NotImplementedError

    def _resume(self) -> None:
        """Hand the held keys to the field they belong to, unless busy again or an
        entry is still on its way to the screen (taking it ends in another resume)."""
        if self._busy or (self.hold.entering and self.app.screen is self):
            return
        target = self.held_field() if self.app.screen is self else None
        if target is None:
            self.hold.release(self.app)  # to the dialog that opened meanwhile
            return
        key = self.hold.replay(target)
        if key is not None:
            self.call_later(self._run_held_key, key)

    async def _run_held_key(self, key: str) -> None:
        """A screen key that waited for the keys before it: run it, then go on with the
        keys after it (held meanwhile, unless its action is still being taken)."""
        active = self.active_bindings.get(key)
        if active is not None and active.enabled:
            await active.node.run_action(active.binding.action)
        if not self._busy:
            self._resume()
