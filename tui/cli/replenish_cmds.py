"""replenish: pick faces with their minimum and maximum, and the report of the faces below
their minimum with the reserve stock that would fill them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from backroom.tui.cli.context import Context, table, whole_number

if TYPE_CHECKING:
    from backroom.models.replenishment import Face, Replenishment

RAW = argparse.RawDescriptionHelpFormatter


def register(sub) -> None:
    top = sub.add_parser("replenish", help="pick faces: their levels, and what to bring to them")
    replenish = top.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = replenish.add_parser(
        "report",
        help="pick faces below their minimum, what to bring from where, and faces with "
        "no reserve to fill them from",
        epilog="examples:\n  backroom replenish report\n  backroom replenish report --json",
        formatter_class=RAW,
    )
    p.add_argument("--item", metavar="ITEM", help="only this item's pick faces")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_report)
    face = replenish.add_parser("face", help="set, clear or list pick faces")
    faces = face.add_subparsers(dest="face_action", metavar="ACTION", required=True)
    _register_face(faces)


def _register_face(faces) -> None:
    p = faces.add_parser(
        "set",
        help="make LOC the pick face of ITEM, kept between --min and --max base units",
        epilog="examples:\n  backroom replenish face set PK-5004 A-02-01 --min 120 --max 600",
        formatter_class=RAW,
    )
    p.add_argument("item", metavar="ITEM", help="the item's SKU or GTIN")
    p.add_argument("location", metavar="LOC", help="the bin it is picked from")
    p.add_argument(
        "--min", dest="min_qty", type=whole_number, required=True, metavar="N",
        help="below this many base units (free, not allocated) the face is filled",
    )  # fmt: skip
    p.add_argument(
        "--max", dest="max_qty", type=whole_number, required=True, metavar="M",
        help="the face is filled up to this many base units",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the pick face as JSON")
    p.set_defaults(func=cmd_set)
    p = faces.add_parser(
        "clear",
        help="LOC is no longer a pick face of ITEM",
        epilog="examples:\n  backroom replenish face clear FD-1008 D-05-03",
        formatter_class=RAW,
    )
    p.add_argument("item", metavar="ITEM", help="the item's SKU or GTIN")
    p.add_argument("location", metavar="LOC", help="the pick face's bin")
    p.add_argument("--json", action="store_true", help="print what was cleared as JSON")
    p.set_defaults(func=cmd_clear)
    p = faces.add_parser(
        "list",
        help="every pick face in walking order, with its levels and what it holds",
        epilog="examples:\n  backroom replenish face list --json",
        formatter_class=RAW,
    )
    p.add_argument("--item", metavar="ITEM", help="only this item's pick faces")
    p.add_argument("--json", action="store_true", help="print the pick faces as JSON")
    p.set_defaults(func=cmd_list)


def cmd_report(ctx: Context) -> int:
    from backroom.models.replenishment import needs

    ctx.open()
    found = needs(ctx.args.item)
    ctx.emit(found.as_dict(), lambda: report_text(found))
    return 0


def report_text(found: Replenishment) -> str:
    """The report as a person reads it: a table of faces below minimum, then the faces
    that no reserve can fill."""
    if not found.faces:
        return "Every pick face holds at least its minimum"
    rows = []
    for f in found.faces:
        parts = [f"{n.qty} {n.from_location}" + (f" lot {n.lot}" if n.lot else "") for n in f.needs]
        if f.missing:
            parts.append(f"{f.missing} missing")
        face = f.face
        rows.append(
            (face.location, face.item, face.on_hand, face.allocated, face.min_qty,
             face.max_qty, f.to_bring, ", ".join(parts), "yes" if f.pending else "")
        )  # fmt: skip
    headers = ["FACE", "ITEM", "ON HAND", "ALLOCATED", "MIN", "MAX", "TO BRING", "FROM", "RAISED"]
    text = table(headers, rows)
    if found.no_reserve:
        lines = [
            f"  {f.face.item} at {f.face.location}: {f.missing} {f.face.unit} to bring"
            for f in found.no_reserve
        ]
        text += "\nNo reserve to replenish from:\n" + "\n".join(lines)
    return text


def cmd_set(ctx: Context) -> int:
    from backroom.models.masterdata.adding import get_user
    from backroom.models.replenishment import set_face

    ctx.open()
    a = ctx.args
    face = set_face(a.item, a.location, min_qty=a.min_qty, max_qty=a.max_qty, by=get_user(ctx.user))
    ctx.emit(
        face.as_dict(),
        f"{face.location} is the pick face of {face.item}: kept between {face.min_qty} and "
        f"{face.max_qty} {face.unit}, holds {face.free} free",
    )
    return 0


def cmd_clear(ctx: Context) -> int:
    from backroom.models.masterdata.adding import get_user
    from backroom.models.replenishment import clear_face

    ctx.open()
    a = ctx.args
    clear_face(a.item, a.location, by=get_user(ctx.user))
    ctx.emit(
        {"item": a.item, "location": a.location, "cleared": True},
        f"{a.location} is no longer a pick face of {a.item}",
    )
    return 0


def cmd_list(ctx: Context) -> int:
    from backroom.models.replenishment import list_faces

    ctx.open()
    faces = list_faces(ctx.args.item)
    ctx.emit([f.as_dict() for f in faces], lambda: faces_text(faces))
    return 0


def faces_text(faces: list[Face]) -> str:
    """The pick faces as a table."""
    return table(
        ["FACE", "ITEM", "MIN", "MAX", "ON HAND", "ALLOCATED", "FREE", "BELOW MIN"],
        [
            (f.location, f.item, f.min_qty, f.max_qty, f.on_hand, f.allocated, f.free,
             "yes" if f.below_min else "")
            for f in faces
        ],
    )  # fmt: skip
