"""Forms to create and edit items, locations and lots, each field checked as you leave it.

A form gathers text; the model functions decide (models.masterdata to create,
models.editing to change). Checks that need no database run at once; those that
do (is this SKU taken? is that a supplier?) run in a worker as you leave the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Header, Input, Label, Select, Static

from backroom.models.db import db, describe_error
from backroom.models.errors import DomainError, Refused
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_lot,
    find_lot,
    get_item,
    get_location,
)
from backroom.models.masterdata.checks import (
    LOCATION_KINDS,
    LOT_STATUSES,
    TRACKING,
    check_date,
    check_days,
    check_gtin,
    check_location_field,
    check_name_field,
    check_reason_field,
    check_sku_field,
    check_supplier_lot_field,
    check_unit_field,
    gtin_taken,
    location_taken,
    lot_item_problem,
    lot_taken,
    refusal,
    sku_taken,
)
from backroom.models.masterdata.editing import update_item, update_location, update_lot
from backroom.models.people.roles import acting
from backroom.models.rules.dates import optional_date
from backroom.models.rules.identifiers import check_lot_number
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.widgets.plain import plain
from backroom.tui.widgets.status_line import StatusLine
from backroom.tui.worker_errors import PassesWorkerFailuresOn

if TYPE_CHECKING:
    from backroom.models.people.roles import Acting

Values = dict[str, object]


@dataclass(frozen=True)
class Field:
    """One field of a form: how it is typed and what it must hold."""

    name: str
    label: str
    kind: str = "text"  # "text", "choice" or "flag"
    choices: tuple[str, ...] = ()
    placeholder: str = ""
    required: bool = False
    fixed: bool = False  # a code: typed once, then never changed
    edit_only: bool = False
    check: Callable[[str], str | None] | None = None  # needs no database
    lookup: bool = False  # checked against the database as you leave it


# --- the form ---------------------------------------------------------------------------


class FormScreen(PassesWorkerFailuresOn, Screen[str | None]):
    """A form: Ctrl+S saves, Esc cancels; each field is checked as you leave it."""

    CSS_PATH = "forms.tcss"
    WHAT: ClassVar[str] = "thing"
    FIELDS: ClassVar[tuple[Field, ...]] = ()
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, key: str | None = None) -> None:
        super().__init__()
        self.key = key
        self.editing = key is not None
        self.title = f"Edit {self.WHAT} {key}" if self.editing else f"New {self.WHAT}"

    # --- for each form -----------------------------------------------------------------

    def read(self, key: str) -> Values:
        """The stored values of the thing being edited (runs in a worker)."""
        raise NotImplementedError

    def defaults(self) -> Values:
        """The values of a new thing."""
        return {}

    def lookup(self, name: str, value: str, values: Values) -> str | None:
        """A check of NAME against the database, or None when it is fine (in a worker)."""
        return None

    def write(self, values: Values, user: Acting) -> str:
        """Create or change the thing; returns its key (runs in a worker)."""
        raise NotImplementedError

    # --- layout ------------------------------------------------------------------------

    def fields(self) -> list[Field]:
        """The fields this form shows: edit-only ones only when editing."""
        return [f for f in self.FIELDS if self.editing or not f.edit_only]

    def compose(self) -> ComposeResult:
        yield Header()
        yield StatusLine(self._hint(), id="form-status")
        with VerticalScroll(id="form"):
            for field in self.fields():
                with Horizontal(classes="field", id=f"row-{field.name}"):
                    if field.kind != "flag":
                        yield Label(field.label, classes="field-label")
                    else:
                        yield Label("", classes="field-label")
                    with Vertical(classes="field-input"):
                        yield self._widget(field)
                        yield Static("", classes="field-error", id=f"e-{field.name}", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield KeyFooter()

    def _hint(self) -> str:
        if self.editing:
            return "Ctrl+S saves, Esc cancels"
        return "* is needed · Ctrl+S saves, Esc cancels"

    def _widget(self, field: Field):
        wid = f"f-{field.name}"
        label = field.label + (" *" if field.required else "")
        if field.kind == "choice":
            return Select([(c, c) for c in field.choices], allow_blank=False, id=wid, prompt=label)
        if field.kind == "flag":
            return Checkbox(field.label, value=True, id=wid)
        return Input(placeholder=field.placeholder or label, id=wid)

    def on_mount(self) -> None:
        if self.editing:
            self.query_one("#form").loading = True
            self._load()
        else:
            self._fill(self.defaults())

    @work(thread=True, exclusive=True, group="form-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            with db.connection_context():
                values = self.read(self.key or "")
        except DomainError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except Exception as exc:
            self.app.call_from_thread(self._failed, describe_error(exc))
            return
        self.app.call_from_thread(self._fill, values)

    def _failed(self, reason: str) -> None:
        self.query_one("#form").loading = False
        self.query_one(StatusLine).error(reason)

    def _fill(self, values: Values) -> None:
        self.query_one("#form").loading = False
        for field in self.fields():
            widget = self.query_one(f"#f-{field.name}")
            value = values.get(field.name)
            if field.kind == "flag":
                widget.value = bool(value) if value is not None else True  # type: ignore[attr-defined]
            elif field.kind == "choice":
                if value is not None:
                    widget.value = value  # type: ignore[attr-defined]
            else:
                widget.value = "" if value is None else str(value)  # type: ignore[attr-defined]
            if field.fixed and self.editing:
                widget.disabled = True
        first = next((f for f in self.fields() if not (f.fixed and self.editing)), None)
        if first is not None:
            self.query_one(f"#f-{first.name}").focus()

    # --- values and checks -------------------------------------------------------------

    def values(self) -> Values:
        """What the form holds now: text, choices and yes/no."""
        found: Values = {}
        for field in self.fields():
            widget = self.query_one(f"#f-{field.name}")
            value = widget.value  # type: ignore[attr-defined]
            found[field.name] = value.strip() if isinstance(value, str) else value
        return found

    def field(self, name: str) -> Field:
        """The field called NAME."""
        return next(f for f in self.fields() if f.name == name)

    def local_error(self, field: Field, value: object) -> str | None:
        """What is wrong with VALUE for FIELD, without the database."""
        if field.kind != "text":
            return None
        text = str(value or "")
        if field.required and not text:
            return f"{field.label} is needed"
        if field.check is not None:
            return field.check(text)
        return None

    def show_error(self, name: str, error: str | None) -> None:
        """Show ERROR under field NAME (None clears it)."""
        note = self.query_one(f"#e-{name}", Static)
        note.update(plain(error))
        note.display = bool(error)
        self.query_one(f"#row-{name}").set_class(bool(error), "-invalid")

    @on(Input.Blurred)
    def _left_field(self, event: Input.Blurred) -> None:
        name = (event.input.id or "")[2:]
        if not name or event.input.disabled:
            return
        field = self.field(name)
        error = self.local_error(field, event.value.strip())
        self.show_error(name, error)
        if error is None and field.lookup and event.value.strip():
            self._lookup(name, event.value.strip(), self.values())

    @on(Input.Changed)
    def _typing(self, event: Input.Changed) -> None:
        name = (event.input.id or "")[2:]
        # Clear the error as soon as the field is right again.
        if (
            name
            and self.query_one(f"#row-{name}").has_class("-invalid")
            and self.local_error(self.field(name), event.value.strip()) is None
        ):
            self.show_error(name, None)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @work(thread=True, group="form-lookup", exit_on_error=False)
    def _lookup(self, name: str, value: str, values: Values) -> None:
        try:
            with db.connection_context():
                error = self.lookup(name, value, values)
        except DomainError as exc:
            error = str(exc)
        except Exception as exc:
            error = describe_error(exc)
        self.app.call_from_thread(self._looked_up, name, value, error)

    def _looked_up(self, name: str, value: str, error: str | None) -> None:
        if self.values().get(name) == value:  # not typed over meanwhile
            self.show_error(name, error)

    # --- saving ------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        """Check every field, then save in a worker."""
        values = self.values()
        first_bad = None
        for field in self.fields():
            if field.fixed and self.editing:
                continue
            error = self.local_error(field, values[field.name])
            self.show_error(field.name, error)
            if error and first_bad is None:
                first_bad = field.name
        if first_bad is not None:
            self.query_one(StatusLine).error("Some fields need fixing: see the notes in red")
            self.query_one(f"#f-{first_bad}").focus()
            return
        self.query_one(StatusLine).say("Saving…")
        self._save(values)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _save(self, values: Values) -> None:
        try:
            with db.connection_context():
                operation = f"{self.WHAT}.{'edit' if self.editing else 'add'}"
                user = acting(self.app.session.user, operation)  # type: ignore[attr-defined]
                key = self.write(values, user)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        except Exception as exc:
            self.app.call_from_thread(self._refused, describe_error(exc))
            return
        self.app.call_from_thread(self.dismiss, key)

    def _refused(self, reason: str) -> None:
        self.query_one(StatusLine).error(reason)
        self.query_one("#form", VerticalScroll).scroll_home(animate=False)

    def action_cancel(self) -> None:
        """Close the form without saving."""
        self.dismiss(None)


# --- items ------------------------------------------------------------------------------


class ItemForm(FormScreen):
    """A new item, or an item's name, GTIN, unit, tracking, shelf life and active flag."""

    WHAT = "item"
    FIELDS = (
        Field("sku", "SKU", required=True, fixed=True, check=check_sku_field, lookup=True),
        Field("name", "Name", required=True, check=check_name_field),
        Field(
            "gtin",
            "GTIN",
            placeholder="8, 12, 13 or 14 digits",
            check=check_gtin,
            lookup=True,
        ),
        Field("unit", "Unit", required=True, placeholder="pcs, g, ml…", check=check_unit_field),
        Field("tracking", "Tracking", kind="choice", choices=TRACKING),
        Field("shelf_life_days", "Shelf life (days)", check=check_days),
        Field("active", "Active", kind="flag", edit_only=True),
    )

    def read(self, key: str) -> Values:
        item = get_item(key)
        return {
            "sku": item.sku,
            "name": item.name,
            "gtin": item.gtin or "",
            "unit": item.unit,
            "tracking": item.tracking,
            "shelf_life_days": item.shelf_life_days or "",
            "active": item.active,
        }

    def defaults(self) -> Values:
        return {"unit": "pcs", "tracking": "none"}

    def lookup(self, name: str, value: str, values: Values) -> str | None:
        if name == "sku" and not self.editing:
            return sku_taken(value)
        if name == "gtin":
            return gtin_taken(value, str(self.key or values.get("sku") or ""))
        return None

    def write(self, values: Values, user: Acting) -> str:
        days = str(values["shelf_life_days"] or "")
        shelf_life = int(days) if days else None
        if self.editing:
            item = update_item(
                self.key or "",
                by=user,
                name=values["name"],
                gtin=values["gtin"] or None,
                unit=values["unit"],
                tracking=values["tracking"],
                shelf_life_days=shelf_life,
                active=values["active"],
            )
            return item.sku
        spec = ItemSpec(
            str(values["sku"]),
            str(values["name"]),
            gtin=str(values["gtin"]) or None,
            unit=str(values["unit"]),
            tracking=str(values["tracking"]),
            shelf_life_days=shelf_life,
        )
        return add_item(spec, by=user).sku


# --- locations --------------------------------------------------------------------------


class LocationForm(FormScreen):
    """A new location (under a parent), or a location's name, parent, kind and flags."""

    WHAT = "location"
    FIELDS = (
        Field("code", "Code", required=True, fixed=True, check=check_location_field, lookup=True),
        Field("name", "Name", check=check_name_field),
        Field("parent", "Parent", placeholder="code above it (empty: top level)", lookup=True),
        Field("kind", "Kind", kind="choice", choices=LOCATION_KINDS),
        Field("quarantine", "Quarantine area", kind="flag"),
        Field("active", "Active", kind="flag", edit_only=True),
    )

    def __init__(self, key: str | None = None, *, parent: str = "") -> None:
        super().__init__(key)
        self.parent_code = parent

    def read(self, key: str) -> Values:
        loc = get_location(key)
        return {
            "code": loc.code,
            "name": loc.name,
            "parent": loc.parent.code if loc.parent_id else "",
            "kind": loc.kind,
            "quarantine": loc.quarantine,
            "active": loc.active,
        }

    def defaults(self) -> Values:
        return {"parent": self.parent_code, "kind": "internal", "quarantine": False}

    def lookup(self, name: str, value: str, values: Values) -> str | None:
        if name == "code" and not self.editing and (taken := location_taken(value)):
            return taken
        if name == "parent":
            parent = get_location(value)
            if self.editing:
                me = get_location(self.key or "")
                if parent.id == me.id or parent.path.startswith(me.path + "/"):
                    return f"{parent.code} is inside {me.code}: it cannot be its parent"
        return None

    def write(self, values: Values, user: Acting) -> str:
        if self.editing:
            loc = update_location(
                self.key or "",
                by=user,
                name=values["name"],
                parent=values["parent"] or None,
                kind=values["kind"],
                quarantine=values["quarantine"],
                active=values["active"],
            )
            return loc.code
        return add_location(
            str(values["code"]),
            name=str(values["name"]),
            parent=str(values["parent"]) or None,
            kind=str(values["kind"]),
            quarantine=bool(values["quarantine"]),
            by=user,
        ).code


# --- lots -------------------------------------------------------------------------------


class LotForm(FormScreen):
    """A new lot of a lot-tracked item, or a lot's dates, supplier and status."""

    WHAT = "lot"
    FIELDS = (
        Field("item", "Item", required=True, fixed=True, placeholder="SKU or GTIN", lookup=True),
        Field(
            "number",
            "Lot number",
            required=True,
            fixed=True,
            check=refusal(check_lot_number),
            lookup=True,
        ),
        Field("expiry", "Expiry", placeholder="YYYY-MM-DD", check=check_date),
        Field("production_date", "Produced", placeholder="YYYY-MM-DD", check=check_date),
        Field("supplier", "Supplier", placeholder="supplier location code", lookup=True),
        Field("supplier_lot", "Supplier's lot", check=check_supplier_lot_field),
        Field("status", "Status", kind="choice", choices=LOT_STATUSES, edit_only=True),
        Field(
            "reason",
            "Reason",
            placeholder="why the status changes",
            edit_only=True,
            check=check_reason_field,
        ),
    )

    def __init__(
        self, item: str | None = None, number: str | None = None, *, item_hint: str = ""
    ) -> None:
        super().__init__(f"{item}/{number}" if item and number else None)
        self.lot_item = item
        self.lot_number = number
        self.item_hint = item_hint

    def _lot(self):
        return find_lot(self.lot_number or "", self.lot_item)

    def read(self, key: str) -> Values:
        lot = self._lot()
        return {
            "item": lot.item.sku,
            "number": lot.number,
            "expiry": lot.expiry.isoformat() if lot.expiry else "",
            "production_date": lot.production_date.isoformat() if lot.production_date else "",
            "supplier": lot.supplier.code if lot.supplier_id else "",
            "supplier_lot": lot.supplier_lot or "",
            "status": lot.status,
            "reason": "",
        }

    def defaults(self) -> Values:
        return {"item": self.item_hint}

    def lookup(self, name: str, value: str, values: Values) -> str | None:
        if name == "item" and not self.editing and (problem := lot_item_problem(value)):
            return problem
        if name == "number" and not self.editing and values.get("item"):
            return lot_taken(str(values["item"]), value)
        if name == "supplier":
            supplier = get_location(value)
            if supplier.kind != "supplier":
                return f"{supplier.code} is not a supplier location"
        return None

    def write(self, values: Values, user: Acting) -> str:
        expiry = optional_date(str(values["expiry"]), "Expiry")
        made = optional_date(str(values["production_date"]), "Production date")
        supplier = str(values["supplier"]) or None
        if self.editing:
            lot = update_lot(
                self.lot_item or "",
                self.lot_number or "",
                by=user,
                expiry=expiry,
                production_date=made,
                supplier=supplier,
                supplier_lot=values["supplier_lot"] or None,
                status=values["status"],
                reason=values["reason"] or None,
            )
            return f"{lot.item.sku}/{lot.number}"
        item = get_item(str(values["item"]))
        supplier_loc = get_location(supplier) if supplier else None
        if supplier_loc is not None and supplier_loc.kind != "supplier":
            raise Refused(f"{supplier_loc.code} is not a supplier location")
        lot = add_lot(
            item,
            str(values["number"]),
            expiry=expiry,
            production_date=made,
            supplier=supplier_loc,
            supplier_lot=str(values["supplier_lot"]) or None,
            by=user,
        )
        return f"{item.sku}/{lot.number}"
