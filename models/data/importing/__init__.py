"""Importing items, locations, lots, opening stock and consignees from CSV files.

A file is read whole and every row is checked against the database first, writing
nothing: the result is a plan, with every wrong row named by its line number (the
header is line 1). Only a plan without problems is applied, in one write
transaction, so a file goes in whole or not at all. Opening stock is posted as
receipts from the virtual supplier location OPENING ("Opening balance").

csv_rows reads a file and checks its columns, plans holds the plan/apply machinery,
one module per kind plans and applies its rows, and whole_file ties them together.
"""

from backroom.models.data.importing.csv_rows import (
    KINDS,
    LAYOUTS,
    Column,
    Problem,
    Record,
    check_kind,
    decode,
    read_records,
    sniff_delimiter,
    template,
)
from backroom.models.data.importing.opening_stock import opening_location
from backroom.models.data.importing.plans import (
    OPENING,
    ImportPlan,
    ImportRefused,
    ImportResult,
    Planned,
    Progress,
)
from backroom.models.data.importing.whole_file import apply_import, import_file, plan_import

__all__ = [
    "KINDS",
    "LAYOUTS",
    "OPENING",
    "Column",
    "ImportPlan",
    "ImportRefused",
    "ImportResult",
    "Planned",
    "Problem",
    "Progress",
    "Record",
    "apply_import",
    "check_kind",
    "decode",
    "import_file",
    "opening_location",
    "plan_import",
    "read_records",
    "sniff_delimiter",
    "template",
]
