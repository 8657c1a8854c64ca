"""The scrolling box a form's fields sit in, out of the focus chain.

Textual's VerticalScroll takes focus (to scroll by keys), so Tab from a form's last field
landed on the box itself: nothing looked focused, and what the person typed next went
to the app as a scan. A form scrolls to its focused field anyway.
"""

from __future__ import annotations

from textual.containers import VerticalScroll


class FormFields(VerticalScroll, can_focus=False):
    """A form's fields: Tab goes from the last field back to the first."""
