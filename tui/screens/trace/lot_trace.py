"""The trace of a lot as a tree: upstream to the suppliers, downstream to the customers.

Scan or type a lot (or serial) number; the tree shows where it came from (receipts,
the transformations that made it and their input lots) and where it went (stock on
hand, shipments, returns, movements, the transformations it went into and the lots
made from it). Space opens and closes a branch; Enter on a leaf, or g anywhere, goes
to the move, shipment, location or lot the node names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Input, Tree
from textual.widgets.tree import TreeNode

from backroom.models.db import db
from backroom.models.errors import DomainError
from backroom.models.masterdata.adding import find_lot
from backroom.models.trace.report import LotFacts, LotInfo, Trace, TransformFacts
from backroom.models.trace.walk import trace
from backroom.scanners.entry import lot_named
from backroom.scanners.settings import ScannerSettings
from backroom.tui import navigation
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.message_line import MessageLine
from backroom.tui.widgets.scan_input import ScanInput
from backroom.tui.worker_errors import PassesWorkerFailuresOn

# A branch with more leaves than this opens closed, so a big lot's tree stays readable.
OPEN_LIMIT = 12


@dataclass(frozen=True)
class Jump:
    """Where a node leads: a move id, a shipment number, a location code or a lot."""

    kind: str  # "move", "shipment", "location", "lot"
    key: str
    item: str | None = None


@dataclass(frozen=True)
class Pending:
    """Leaves of a big branch, added when the branch is first opened."""

    leaves: tuple[tuple[str, Jump], ...]


def _lot_label(info: LotInfo, extra: str = "") -> Text:
    label = Text.assemble((info.label, "bold"), f" · {info.status}")
    if info.status != "released":
        label.stylize("red" if info.status in ("recalled", "blocked") else "yellow", 0)
    if info.expiry:
        label.append(f" · exp {info.expiry.isoformat()}")
    if extra:
        label.append(f" · {extra}")
    return label


def _branch(
    node: TreeNode, label: str, leaves: tuple[tuple[str, Jump], ...], *, opened: bool = True
) -> None:
    """A branch of LEAVES: open and filled when short, else closed and filled on opening."""
    if opened and len(leaves) <= OPEN_LIMIT:
        branch = node.add(label, expand=True)
        for text, jump in leaves:
            branch.add_leaf(text, data=jump)
    else:
        node.add(label, data=Pending(leaves), allow_expand=True)


class TraceTree:
    """Fills a Textual Tree from a Trace; kept apart from the screen so it reads as a
    plain walk of the genealogy."""

    def __init__(self, found: Trace) -> None:
        self.found = found
        self.facts: dict[int, LotFacts] = {
            f.info.id: f for f in (found.root, *found.upstream, *found.downstream)
        }

    def fill(self, tree: Tree) -> None:
        root = self.found.root
        tree.clear()
        tree.root.set_label(_lot_label(root.info))
        tree.root.data = Jump("lot", root.info.number, root.info.item)
        up = tree.root.add("Upstream: where it came from", expand=True)
        self._upstream(up, root, {root.info.id})
        if not up.children:
            up.add_leaf("no receipt and no transformation made it")
        down = tree.root.add("Downstream: where it went", expand=True)
        self._downstream(down, root, {root.info.id}, moves=True)
        tree.root.expand()

    # --- upstream -------------------------------------------------------------------

    def _upstream(self, node: TreeNode, facts: LotFacts, seen: set[int]) -> None:
        for r in facts.receipts:
            supplier_lot = f" · supplier lot {r.supplier_lot}" if r.supplier_lot else ""
            undone = " (reversed)" if r.reversed else ""
            node.add_leaf(
                f"Received {r.time:%Y-%m-%d} from {r.supplier_name} · {r.qty}"
                f"{supplier_lot}{undone}",
                data=Jump("move", str(r.move_id)),
            )
        for tid in facts.made_by:
            t = self.found.transformations[tid]
            branch = node.add(self._transformation_label("Made by", t), expand=True)
            for line in t.inputs:
                self._line(branch, line.item, line.lot, line.lot_id, line.qty, "used", seen, True)

    # --- downstream -----------------------------------------------------------------

    def _downstream(
        self, node: TreeNode, facts: LotFacts, seen: set[int], *, moves: bool = False
    ) -> None:
        if facts.on_hand:
            where = node.add(f"On hand {facts.on_hand_total}", expand=len(facts.on_hand) <= 4)
            for o in facts.on_hand:
                cage = " (quarantine)" if o.quarantine else ""
                where.add_leaf(f"{o.location} · {o.qty}{cage}", data=Jump("location", o.location))
        else:
            node.add_leaf("On hand: none")
        if facts.shipments:
            count = len(facts.shipments)
            word = "shipment" if count == 1 else "shipments"
            leaves = tuple(
                (
                    f"{s.time:%Y-%m-%d} {s.shipment or '–'} · "
                    f"{s.consignee or 'no consignee on record'} · {s.qty}"
                    + (" (reversed)" if s.reversed else ""),
                    Jump("shipment", s.shipment or "", str(s.move_id)),
                )
                for s in facts.shipments
            )
            _branch(node, f"Shipped {facts.shipped} in {count} {word}", leaves)
        if facts.returns:
            back = node.add(f"Returned {facts.returned}", expand=True)
            for r in facts.returns:
                against = f" on {r.shipment}" if r.shipment else ""
                back.add_leaf(
                    f"{r.time:%Y-%m-%d} by {r.consignee or '?'}{against} · {r.qty} into "
                    f"{r.to_location}",
                    data=Jump("move", str(r.move_id)),
                )
        if moves and self.found.moves:
            leaves = tuple(
                (
                    f"{m.time:%Y-%m-%d %H:%M} {m.kind} {m.qty} {m.from_location} → {m.to_location}",
                    Jump("move", str(m.id)),
                )
                for m in self.found.moves
            )
            _branch(node, f"Movements ({len(self.found.moves)})", leaves, opened=False)
        for tid in facts.used_in:
            t = self.found.transformations[tid]
            branch = node.add(self._transformation_label("Went into", t), expand=True)
            for line in t.outputs:
                self._line(branch, line.item, line.lot, line.lot_id, line.qty, "made", seen, False)

    # --- shared -----------------------------------------------------------------------

    @staticmethod
    def _transformation_label(verb: str, t: TransformFacts) -> str:
        ref = f" ({t.reference})" if t.reference else ""
        return f"{verb} {t.number}{ref}: {t.kind} {t.time:%Y-%m-%d} at {t.location}"

    def _line(
        self,
        branch: TreeNode,
        item: str,
        lot: str | None,
        lot_id: int | None,
        qty: int,
        verb: str,
        seen: set[int],
        upstream: bool,
    ) -> None:
        facts = self.facts.get(lot_id) if lot_id is not None else None
        if facts is None:
            branch.add_leaf(f"{item}{' lot ' + lot if lot else ''} · {qty} {verb}")
            return
        if lot_id in seen:
            # The same lot twice on one path: a cycle (rework); show it, do not follow it.
            branch.add_leaf(
                _lot_label(facts.info, f"{qty} {verb} · see above"),
                data=Jump("lot", facts.info.number, facts.info.item),
            )
            return
        node = branch.add(
            _lot_label(facts.info, f"{qty} {verb}"),
            data=Jump("lot", facts.info.number, facts.info.item),
            expand=True,
        )
        if upstream:
            self._upstream(node, facts, seen | {lot_id})
        else:
            self._downstream(node, facts, seen | {lot_id})


class TraceScreen(PassesWorkerFailuresOn, Screen):
    """A lot's trace as a tree; scan another lot to trace it."""

    CSS_PATH = "lot_trace.tcss"
    TITLE = "Trace"
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="trace.back"),
        Binding("slash", "ask", "Other lot", id="trace.ask"),
        Binding("g", "jump", "Go to", id="trace.jump"),
        Binding("r", "recall", "Recall", id="trace.recall"),
        Binding("e", "expand_all", "Open all", id="trace.expand", show=False),
    ]

    def __init__(self, lot: str = "", item: str | None = None) -> None:
        super().__init__()
        self.lot = lot
        self.item = item
        self.found: Trace | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield ScanInput(id="trace-lot", placeholder="scan or type a lot or serial (or SKU LOT)")
        yield MessageLine("", id="trace-summary", classes="message")
        yield Tree("", id="trace-tree")
        yield KeyFooter()

    @property
    def tree(self) -> Tree:
        return self.query_one("#trace-tree", Tree)

    def on_mount(self) -> None:
        self.tree.auto_expand = False
        self.tree.show_root = True
        if self.lot:
            self.query_one("#trace-lot", ScanInput).value = self.lot
            self.tree.focus()
            self.load(self.lot, self.item)
        else:
            self.query_one("#trace-lot", ScanInput).focus()
            self.say("Scan or type the lot to trace")

    def on_resize(self) -> None:
        # Narrower guides on a handheld: the labels matter more than the lines.
        self.tree.guide_depth = 2 if self.size.width < 60 else 4

    # --- loading ----------------------------------------------------------------------

    @on(Input.Submitted, "#trace-lot")
    def _asked(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.input.scan_text if isinstance(event.input, ScanInput) else event.value
        if text.strip():
            self.find(text, self.app.session.scanner)

    @work(thread=True, exclusive=True, group="trace", exit_on_error=False)
    def find(self, text: str, settings: ScannerSettings) -> None:
        """Resolve what was scanned or typed to a lot, then trace it."""
        try:
            with db.connection_context():
                item, number = lot_named(text, settings)
                found = trace(find_lot(number, item))
        except DomainError as exc:
            self.app.call_from_thread(self.error, str(exc))
            return
        self.app.call_from_thread(self._show, found)

    @work(thread=True, exclusive=True, group="trace", exit_on_error=False)
    def load(self, number: str, item: str | None) -> None:
        """Trace lot NUMBER (of ITEM)."""
        try:
            with db.connection_context():
                found = trace(find_lot(number, item))
        except DomainError as exc:
            self.app.call_from_thread(self.error, str(exc))
            return
        self.app.call_from_thread(self._show, found)

    def _show(self, found: Trace) -> None:
        self.found = found
        info = found.root.info
        self.lot, self.item = info.number, info.item
        self.sub_title = info.label
        field = self.query_one("#trace-lot", ScanInput)
        field.value = f"{info.item} {info.number}"
        TraceTree(found).fill(self.tree)
        customers = {s.consignee or s.shipment for _f, s in found.reached()}
        up, down, reached = len(found.upstream), len(found.downstream), len(customers)
        self.say(
            f"{info.label} ({info.item_name}) · {info.status} · on hand "
            f"{found.root.on_hand_total} · {up} source lot{'' if up == 1 else 's'} · "
            f"{down} lot{'' if down == 1 else 's'} made from it · "
            f"{reached} customer{'' if reached == 1 else 's'} reached"
        )
        self.tree.focus()
        self.tree.move_cursor(self.tree.root)

    # --- feedback ---------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.query_one("#trace-summary", MessageLine).say(text)

    def error(self, text: str) -> None:
        """Show TEXT above the tree, with the bell."""
        self.query_one("#trace-summary", MessageLine).error(text)
        self.query_one("#trace-lot", ScanInput).focus()

    # --- keys -------------------------------------------------------------------------

    def action_back(self) -> None:
        """Leave the trace."""
        self.app.pop_screen()

    def action_ask(self) -> None:
        """Go to the lot field to trace another lot."""
        field = self.query_one("#trace-lot", ScanInput)
        field.value = ""
        field.focus()

    def action_expand_all(self) -> None:
        """Open every branch."""
        self.tree.root.expand_all()

    @on(Tree.NodeExpanded, "#trace-tree")
    def _opened(self, event: Tree.NodeExpanded) -> None:
        node = event.node
        if isinstance(node.data, Pending):
            leaves, node.data = node.data.leaves, None
            for text, jump in leaves:
                node.add_leaf(text, data=jump)

    @on(Tree.NodeSelected, "#trace-tree")
    def _selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        node = event.node
        if node.allow_expand and node is not self.tree.root and not isinstance(node.data, Jump):
            node.toggle()
        elif isinstance(node.data, Jump) and node is not self.tree.root:
            self.go(node.data)

    def action_jump(self) -> None:
        """Go to what the node under the cursor names."""
        node = self.tree.cursor_node
        if node is not None and isinstance(node.data, Jump):
            self.go(node.data)

    def go(self, jump: Jump) -> None:
        """Open the screen of a move, shipment, location or lot."""
        if jump.kind == "lot":
            if (jump.key, jump.item) != (self.lot, self.item):
                self.app.push_screen(TraceScreen(jump.key, jump.item))
            return
        if jump.kind == "location":
            self.app.push_screen(navigation.stock_screen(search=jump.key, grouping="location"))
            return
        if jump.kind == "shipment" and jump.key.startswith("SHP-"):
            self.app.push_screen(navigation.shipment_screen(jump.key))
            return
        move_id = int(jump.item if jump.kind == "shipment" else jump.key)
        self.app.push_screen(navigation.move_screen(move_id))

    def action_recall(self) -> None:
        """Open the recall screen for this lot."""
        if self.found is None:
            return
        info = self.found.root.info
        self.app.push_screen(navigation.recall_screen(info.number, info.item))
