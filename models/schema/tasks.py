"""Tasks: work the system asks for (put away, replenish, count, pick, move), which one
person takes at a time (models/tasks/). Completing a task posts ordinary moves.

Priority: a whole number, LOWER IS MORE URGENT (1 before 5); 5 is the default.
"""

from __future__ import annotations

import peewee as pw

from backroom.models.schema import BaseModel, Item, Location, Lot, User, utcnow

TASK_KINDS = ("put_away", "replenish", "count", "pick", "move")
# open -> assigned -> in_progress -> done / cancelled / skipped
TASK_STATUSES = ("open", "assigned", "in_progress", "done", "cancelled", "skipped")
HELD = ("assigned", "in_progress")  # someone has it
FINISHED = ("done", "cancelled", "skipped")
DEFAULT_PRIORITY = 5


class Task(BaseModel):
    """One piece of work. Where it starts is FROM_LOCATION, which every task has (the
    shelf a pick or a move takes from, the dock a put-away starts at, the bin a count
    counts); QTY is in the item's base unit (none for a count); DONE_QTY is what the
    person confirmed."""

    kind = pw.CharField(max_length=16)
    item = pw.ForeignKeyField(Item, null=True, on_delete="RESTRICT", index=False)
    lot = pw.ForeignKeyField(Lot, null=True, on_delete="RESTRICT", index=False)
    from_location = pw.ForeignKeyField(Location, null=True, on_delete="RESTRICT", index=False)
    to_location = pw.ForeignKeyField(Location, null=True, on_delete="RESTRICT", index=False)
    qty = pw.IntegerField(null=True)
    done_qty = pw.IntegerField(null=True)
    priority = pw.IntegerField(default=DEFAULT_PRIORITY)
    due = pw.DateTimeField(null=True)
    status = pw.CharField(max_length=16, default="open")
    reason = pw.TextField(null=True)  # why it was skipped or cancelled
    created_at = pw.DateTimeField(default=utcnow)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    taken_by = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    taken_at = pw.DateTimeField(null=True)
    heartbeat_at = pw.DateTimeField(null=True)  # the holder's last sign of life
    done_at = pw.DateTimeField(null=True)
    # What made it: "replenish", "recount", "putaway", "batch:B-0001", "manual".
    source = pw.CharField(max_length=64, default="manual")
    ref = pw.CharField(max_length=64, null=True)  # what it serves: a shipment, a count plan
    # The task whose unfinished rest this one is (a part confirmed, the rest still to do).
    rest_of = pw.ForeignKeyField("self", null=True, on_delete="RESTRICT", index=False)

    class Meta:
        indexes = (
            # the next-task query: open tasks by urgency
            (("status", "priority", "due"), False),
            # what a person holds; the abandoned ones; today's throughput
            (("taken_by", "status"), False),
            (("status", "heartbeat_at"), False),
            (("status", "done_at"), False),
            (("source", "ref"), False),
            (("from_location", "status"), False),
            (("to_location", "status"), False),
        )

    @property
    def number(self) -> str:
        """How people name the task: T-42."""
        return f"T-{self.id}"


class OperatorScope(BaseModel):
    """What USER may be given: task KINDS (comma-separated; none = any) in ZONE and what
    is under it (none = anywhere). A user with no scope row may take any task; with
    several rows, a task that fits any one of them."""

    user = pw.ForeignKeyField(User, on_delete="RESTRICT", index=True)
    kinds = pw.CharField(max_length=200, null=True)
    zone = pw.ForeignKeyField(Location, null=True, on_delete="RESTRICT", index=False)


TASK_TABLES: list[type[BaseModel]] = [Task, OperatorScope]
