"""Every top-level command: its one-line help and the modules that define it.

`backroom --help` lists these without importing any command module, and a command's
run imports only its own modules (and the domain they need): start-up time. A test
checks this table against what the modules register.
"""

from __future__ import annotations

# name: (help, modules under backroom.tui.cli that register it, in order)
COMMANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "init": ("create the database (and its virtual locations)", ("setup_cmds",)),
    "demo": ("build a believable demo warehouse, then open it", ("setup_cmds",)),
    "verify": (
        "check the ledger: quants, zero sums, hash chains, signed checkpoints",
        ("setup_cmds",),
    ),
    "signing-key": ("the key that signs the ledger's checkpoints", ("setup_cmds",)),
    "item": ("items: add, list", ("masterdata_cmds",)),
    "location": ("locations: add, list", ("masterdata_cmds",)),
    "lot": ("lots: add, list, status", ("masterdata_cmds",)),
    "user": ("users: add, list", ("masterdata_cmds", "people_cmds")),
    "receive": ("receive stock from a supplier", ("stock_cmds",)),
    "move": ("move stock between locations", ("stock_cmds",)),
    "adjust": ("correct stock by a signed DELTA (-3, +2)", ("stock_cmds",)),
    "count": ("record a count; posts the difference", ("stock_cmds",)),
    "scrap": ("write stock off to scrap", ("stock_cmds",)),
    "reverse": ("post the reversal of a move", ("stock_cmds",)),
    "stock": ("stock on hand", ("stock_cmds",)),
    "moves": ("the ledger, newest first", ("stock_cmds",)),
    "scan": ("how a scanned code is read and what it resolves to", ("scan_cmds",)),
    "scanner": ("scanner set-up: test", ("scan_cmds",)),
    "label": ("print or save labels", ("label_cmds",)),
    "consignee": ("ship-to parties", ("parties_cmds",)),
    "carrier": ("carriers and their services", ("parties_cmds",)),
    "shipment": ("transport shipments", ("goods_out_cmds",)),
    "load": ("vehicle departures grouping shipments", ("dispatch_cmds",)),
    "manifest": ("a carrier's end-of-day manifest", ("dispatch_cmds",)),
    "transform": (
        "production, repack or kitting: consume input lots, produce output lots",
        ("trace_cmds",),
    ),
    "return": ("receive goods back from a customer into quarantine", ("trace_cmds",)),
    "trace": ("where a lot (or serial) came from and where it went", ("trace_cmds",)),
    "recall": (
        "recall a lot and every lot made from it; prints the recall report",
        ("trace_cmds",),
    ),
    "recall-report": ("the recall report of a lot, changing nothing", ("trace_cmds",)),
    "one-step": (
        "one step back, one step forward: a lot's suppliers and customers",
        ("trace_cmds",),
    ),
    "trace-events": (
        "receiving, transformation and shipping events of a date range, as CSV",
        ("trace_cmds",),
    ),
    "audit": ("moves and events by user, newest first", ("masterdata_cmds", "people_cmds")),
    "serve": ("serve the TUI over SSH or the web", ("serve_cmds",)),
    "session": (
        "the sessions of the running servers: list, attach (read-only), end",
        ("session_cmds",),
    ),
    "import": (
        "import items, locations, lots, opening stock or consignees from a CSV file",
        ("data_cmds",),
    ),
    "export": ("export as CSV or JSON (streamed), or EPCIS 2.0 JSON-LD", ("data_cmds",)),
    "backup": ("a consistent copy of the database while others keep working", ("data_cmds",)),
    "restore": ("put a backup in place of the database, then verify it", ("data_cmds",)),
    "supplier": ("suppliers goods come from", ("goods_in_cmds",)),
    "po": ("purchase orders: goods expected in", ("goods_in_cmds",)),
    "asn": ("advance shipping notices: pallets announced by SSCC", ("goods_in_cmds",)),
    "putaway": ("directed put-away: rules, capacities, suggestions", ("putaway_cmds",)),
    "cycle": (
        "cycle counts: ABC classes, plans, blind counts, approvals",
        ("counting_cmds",),
    ),
    "replenish": ("pick faces: their levels, and what to bring to them", ("replenish_cmds",)),
    "task": ("the task queue: what to do next, and the lead's board", ("task_cmds",)),
    "batch": ("pick batches: several shipments in one walk, one tote each", ("batch_cmds",)),
    "completion": ("print the shell's Tab-completion script for backroom", ("completion",)),
    "doctor": (
        "check security: file modes, PIN lengths, badge hashes, weak settings "
        "(exit 1 if anything needs fixing)",
        ("doctor_cmds",),
    ),
}
