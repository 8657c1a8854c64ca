"""tui/ asks the domain and never the database: no module under it imports peewee or
Backroom's tables at run time, or calls a query method. (Type hints may name a table.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TUI = Path(__file__).resolve().parents[2] / "tui"
DATABASE_LIBRARIES = {"peewee", "playhouse"}
TABLES = ("backroom.models.schema", "models.schema")
# peewee's query builders; names the screens have no other use for.
QUERY_METHODS = {"select", "get_or_none", "get_by_id", "insert_many", "execute_sql", "where"}


def _runtime_nodes(tree: ast.Module):
    """Every node, leaving out the bodies of `if TYPE_CHECKING:` blocks."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        ):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    return [n for n in ast.walk(tree) if id(n) not in skipped]


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module]
    return []


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in _runtime_nodes(tree):
        for name in _imported(node):
            if name.split(".")[0] in DATABASE_LIBRARIES or name.startswith(TABLES):
                found.append(f"{path.name}:{node.lineno} imports {name}")
        called = node.func if isinstance(node, ast.Call) else None
        if isinstance(called, ast.Attribute) and called.attr in QUERY_METHODS:
            found.append(f"{path.name}:{node.lineno} calls .{node.func.attr}()")
    return found


MODULES = sorted(TUI.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(TUI)) for p in MODULES])
def test_no_tui_module_touches_the_database_itself(path):
    assert _problems(path) == []


def test_the_check_catches_a_query(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "from typing import TYPE_CHECKING\n"
        "from backroom.models.schema import Item\n"
        "if TYPE_CHECKING:\n    from backroom.models.schema import Lot\n"
        "def f():\n    import peewee\n    return Item.select().where(Item.sku == 'x')\n"
    )
    assert _problems(sneaky) == [
        "sneaky.py:2 imports backroom.models.schema",
        "sneaky.py:6 imports peewee",
        "sneaky.py:7 calls .where()",
        "sneaky.py:7 calls .select()",
    ]
