"""The small demo's pick faces with their minimum and maximum, so that the replenishment
report has something in it: tape's empty pick face, filled from reserve (its need is
raised as the face is set); an item kept in one bin only, below its minimum with no
reserve to bring; and a face that is full enough."""

from __future__ import annotations

from backroom.models.demo.blocks import CATALOGUE, DISPATCH, QUARANTINE
from backroom.models.demo.putaway import PICK_FACE_UNITS, PICK_FACES
from backroom.models.masterdata.adding import get_user
from backroom.models.replenishment import set_face

Stock = dict[tuple[str, str | None, str], int]  # (sku, lot, location) -> qty
TAPE_MIN = 120


def add_pick_faces(
    lead: str, faces: list[str], stock: Stock, bins: dict[str, list[str]], held: set
) -> list[str]:
    """Levels on the first put-away pick face, on the one bin of an item stored nowhere
    else, and on the fullest bin of another item. Returns the faces' codes."""
    by = get_user(lead)
    made: list[str] = []
    if faces:
        set_face(PICK_FACES[0], faces[0], min_qty=TAPE_MIN, max_qty=PICK_FACE_UNITS, by=by)
        made.append(faces[0])
    kept = _kept(stock, held)
    storage = {code for codes in bins.values() for code in codes}
    alone = next((s for s, p in sorted(kept.items()) if len(p) == 1 and set(p) <= storage), None)
    if alone is not None:
        (where, qty), *_ = kept[alone].items()
        least = (qty // 10 + 2) * 10  # a little more than it holds: below its minimum
        set_face(alone, where, min_qty=least, max_qty=least * 3, by=by)
        made.append(where)
    others = [(q, s, loc) for s, p in kept.items() if s != alone for loc, q in p.items()]
    fullest = max((o for o in others if o[2] in storage), default=None)
    if fullest is not None:
        qty, sku, where = fullest
        set_face(sku, where, min_qty=max(qty // 4, 1), max_qty=qty + qty // 2, by=by)
        made.append(where)
    return made


def _kept(stock: Stock, held: set) -> dict[str, dict[str, int]]:
    """{sku: {location: qty}} of the stock that could be picked or brought to a face: no
    serials, no lots on hold, nothing at dispatch or in quarantine, and not the items of
    the put-away pick faces (set apart above)."""
    serial = {p.sku for p in CATALOGUE if p.tracking == "serial"}
    kept: dict[str, dict[str, int]] = {}
    for (sku, lot, where), qty in sorted(stock.items(), key=lambda kv: (kv[0][0], kv[0][2])):
        if qty <= 0 or where in (DISPATCH, QUARANTINE) or sku in serial or sku in PICK_FACES:
            continue
        if lot is not None and (sku, lot) in held:
            continue
        kept.setdefault(sku, {})
        kept[sku][where] = kept[sku].get(where, 0) + qty
    return kept
