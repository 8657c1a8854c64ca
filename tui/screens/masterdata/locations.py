"""Locations as a tree, each level read from the database when it is opened."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Tree
from textual.widgets.tree import TreeNode

from backroom.models.browse import (
    LocationNode,
    location_ancestors,
    location_children,
    location_node,
)
from backroom.models.db import db, describe_error
from backroom.models.errors import DomainError
from backroom.tui import navigation
from backroom.tui.label_target import LabelTarget
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.search_bar import SearchBar
from backroom.tui.widgets.status_line import StatusLine
from backroom.tui.worker_errors import PassesWorkerFailuresOn

# Children read per request; a level with more offers "more…" at its end.
CHILDREN_PAGE = 200


def node_label(node: LocationNode) -> Text:
    """Code, name, and what is special about a location."""
    text = Text(node.code, style="bold" if node.active else "dim")
    if node.name:
        text.append(f"  {node.name}", style="" if node.active else "dim")
    marks = []
    if node.kind != "internal":
        marks.append(node.kind)
    if node.quarantine:
        marks.append("quarantine")
    if not node.active:
        marks.append("inactive")
    if marks:
        text.append(f"  [{', '.join(marks)}]", style="italic")
    return text


class LocationTree(Tree[LocationNode | str]):
    """The location tree: right opens a level, left closes it or goes to the parent."""

    BINDINGS: ClassVar = [
        Binding("right", "open", "Open", show=False, id="tree.open"),
        Binding("left", "close", "Close", show=False, id="tree.close"),
    ]

    def action_open(self) -> None:
        """Open the level under the cursor."""
        node = self.cursor_node
        if node is not None and node.allow_expand and not node.is_expanded:
            node.expand()

    def action_close(self) -> None:
        """Close the level under the cursor, or go up to its parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)


class LocationsScreen(PassesWorkerFailuresOn, Screen):
    """The location tree: Enter shows the stock below a location; e edits, n adds."""

    CSS_PATH = "locations.tcss"
    TITLE = "Locations"
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="back"),
        Binding("slash", "search", "Find", id="search"),
        Binding("e", "edit", "Edit", id="locations.edit"),
        Binding("n", "new", "New here", id="locations.new"),
        Binding("s", "stock", "Stock", show=False, id="locations.stock"),
        Binding("m", "moves", "Moves", id="locations.moves"),
        Binding("r", "reload", "Refresh", show=False, id="locations.reload"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield SearchBar(placeholder="Find a location: its code, Enter", live=False, id="search")
        yield StatusLine("Reading…", id="status")
        tree = LocationTree("Locations", id="locations")
        tree.show_root = False
        tree.auto_expand = False
        tree.guide_depth = 2
        yield tree
        yield KeyFooter()

    @property
    def tree(self) -> LocationTree:
        """The tree."""
        return self.query_one(LocationTree)

    @property
    def status(self) -> StatusLine:
        """The line under the search."""
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        self.tree.focus()
        self.action_reload()

    def action_reload(self, reveal: str | None = None) -> None:
        """Read the tree again from the top (opened down to REVEAL, a location code)."""
        self._load_tree(reveal)

    # --- reading levels ---------------------------------------------------------------

    @work(thread=True, group="locations", exclusive=True, exit_on_error=False)
    def _load_tree(self, reveal: str | None) -> None:
        """The top level, and every level down to REVEAL."""
        try:
            with db.connection_context():
                chain = location_ancestors(reveal) if reveal else []
                levels = []
                for parent, target in zip([None, *chain[:-1]], chain or [None], strict=True):
                    children = location_children(parent, None, CHILDREN_PAGE + 1)
                    if target and all(c.code != target for c in children[:CHILDREN_PAGE]):
                        children = [*children[: CHILDREN_PAGE - 1], location_node(target)]
                    levels.append(children)
        except DomainError as exc:
            self.app.call_from_thread(self.status.error, str(exc))
            return
        except Exception as exc:
            self.app.call_from_thread(self.status.error, describe_error(exc))
            return
        self.app.call_from_thread(self._build, levels, chain)

    def _build(self, levels: list[list[LocationNode]], chain: list[str]) -> None:
        self.tree.clear()
        node = self.tree.root
        for depth, children in enumerate(levels):
            self._add(node, children)
            if depth >= len(chain):
                break
            found = next(
                c
                for c in node.children
                if isinstance(c.data, LocationNode) and c.data.code == chain[depth]
            )
            if depth < len(chain) - 1:
                found.expand()
                node = found
            else:
                # The tree knows the line of a new node only once it has laid it out.
                self.call_after_refresh(self._put_cursor, found)
        if not chain:
            self.status.say("→ opens, ← closes, Enter: stock there")

    def _put_cursor(self, node: TreeNode) -> None:
        self.tree.move_cursor(node)
        self.tree.scroll_to_node(node, animate=False)

    def _add(self, node: TreeNode, children: list[LocationNode]) -> None:
        for stale in [c for c in node.children if c.data == "more"]:
            stale.remove()
        for child in children[:CHILDREN_PAGE]:
            node.add(node_label(child), data=child, allow_expand=child.has_children)
        if len(children) > CHILDREN_PAGE:
            node.add_leaf(Text("more…", style="italic"), data="more")

    @work(thread=True, group="locations-level", exit_on_error=False)
    def _read_level(self, node: TreeNode, parent: str | None, after: str | None) -> None:
        try:
            with db.connection_context():
                children = location_children(parent, after, CHILDREN_PAGE + 1)
        except DomainError as exc:
            self.app.call_from_thread(self.status.error, str(exc))
            return
        except Exception as exc:
            self.app.call_from_thread(self.status.error, describe_error(exc))
            return
        self.app.call_from_thread(self._add, node, children)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        node = event.node
        if isinstance(node.data, LocationNode) and not node.children:
            self._read_level(node, node.data.code, None)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        node = event.node
        if node.data == "more" and node.parent is not None:
            parent = node.parent
            codes = [c.data.code for c in parent.children if isinstance(c.data, LocationNode)]
            code = parent.data.code if isinstance(parent.data, LocationNode) else None
            self._read_level(parent, code, codes[-1] if codes else None)
            return
        self.action_stock()

    # --- finding a location -------------------------------------------------------------

    def on_search_bar_search(self, event: SearchBar.Search) -> None:
        code = event.text.strip()
        if code:
            self.action_reload(reveal=code)
            self.tree.focus()

    # --- actions ------------------------------------------------------------------------

    def _current(self) -> LocationNode | None:
        node = self.tree.cursor_node
        return node.data if node is not None and isinstance(node.data, LocationNode) else None

    def label_target(self) -> LabelTarget | None:
        """F10: the label of the location under the cursor."""
        node = self._current()
        return LabelTarget("location", node.code) if node else None

    def action_back(self) -> None:
        """Back to the screen before."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_search(self) -> None:
        """Type a code to find."""
        self.query_one(SearchBar).focus()

    def action_stock(self) -> None:
        """Stock on hand at this location and below it."""
        loc = self._current()
        if loc is not None:
            self.app.push_screen(navigation.stock_screen(f"loc:{loc.code}", grouping="location"))

    def action_moves(self) -> None:
        """The ledger at this location and below it."""
        loc = self._current()
        if loc is not None:
            self.app.push_screen(navigation.ledger_screen(f"loc:{loc.code}"))

    def action_edit(self) -> None:
        """Edit the location under the cursor."""
        loc = self._current()
        if loc is not None:
            self.app.push_screen(navigation.location_form(loc.code), self._saved)

    def action_new(self) -> None:
        """A new location under the one under the cursor."""
        loc = self._current()
        parent = loc.code if loc is not None and loc.kind == "internal" else ""
        self.app.push_screen(navigation.location_form(parent=parent), self._saved)

    def _saved(self, code: str | None) -> None:
        if code:
            self.action_reload(reveal=code)
            self.status.done(f"Location {code} saved")
