"""The house rules, checked on the source: imports point one way and go round in no
loop, modules stay under 600 lines and functions under 60.

Imports are read with `ast`, at module level and inside functions alike (an import in a
function that closes a loop is still a loop, only later). Imports under
`if TYPE_CHECKING:` never run, so they close no loop; they still count for the
direction rules.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOMS = ("models", "scanners", "labels", "tui")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


@dataclass(frozen=True)
class Import:
    """One import statement's target, as a module name, and whether it runs."""

    module: str
    line: int
    runs: bool  # False under `if TYPE_CHECKING:`


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("backroom", *parts))


@cache
def _sources() -> dict[str, Path]:
    """Every module of the rooms, by its import name."""
    found = {}
    for room in ROOMS:
        for path in sorted((ROOT / room).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, here: str) -> list[str]:
    """The modules NODE imports: `from backroom.x import y` is backroom.x.y when that is
    a module, else backroom.x."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: counted from this module's package
        package = here.split(".")[: -node.level]
        base = ".".join([*package, base] if base else package)
    modules = _sources()
    return [
        f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
        for alias in node.names
    ]


def _imports_in(tree: ast.AST, here: str, runs: bool = True) -> list[Import]:
    found: list[Import] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.body:
                found += _imports_in(ast.Module(body=[child], type_ignores=[]), here, False)
            for child in node.orelse:
                found += _imports_in(ast.Module(body=[child], type_ignores=[]), here, runs)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            found += [Import(m, node.lineno, runs) for m in _targets(node, here)]
        else:
            found += _imports_in(node, here, runs)
    return found


@cache
def _tree(module: str) -> ast.Module:
    return ast.parse(_sources()[module].read_text(encoding="utf-8"))


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    """Everything MODULE imports, anywhere in it."""
    return tuple(_imports_in(_tree(module), module))


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the rooms it imports when it runs."""
    modules = _sources()
    return {
        name: {i.module for i in imports_of(name) if i.runs and i.module in modules}
        for name in modules
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import loop, as the modules in order with the first repeated; None if none."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (loop := visit(nxt)):
                return loop
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (loop := visit(start)):
            return loop
    return None


def test_the_graph_reads_imports_inside_functions_too():
    graph = import_graph()
    assert "backroom.tui.navigation" in graph["backroom.tui.app"]
    # the CLI imports the TUI only when a command opens it
    assert "backroom.tui.run" in graph["backroom.tui.cli.main"]


def test_find_cycle_names_the_loop():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_loops():
    loop = find_cycle(import_graph())
    assert loop is None, "import loop: " + " -> ".join(loop or [])


def _violations(room: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for module in _sources():
        if not module.startswith(f"backroom.{room}."):
            continue
        for imp in imports_of(module):
            if any(imp.module == f or imp.module.startswith(f + ".") for f in forbidden):
                bad.append(f"{module}:{imp.line} imports {imp.module}")
    return bad


@pytest.mark.parametrize(
    ("room", "forbidden"),
    [
        ("models", ("backroom.scanners", "backroom.labels", "backroom.tui", "textual")),
        ("scanners", ("backroom.tui", "textual")),
        ("labels", ("backroom.tui", "textual")),
    ],
)
def test_imports_point_one_way(room, forbidden):
    """tui -> scanners, labels -> models; nothing below the TUI imports Textual."""
    assert _violations(room, forbidden) == []


# Screen modules other screens are made from; any other screen is opened through
# tui/navigation.py, which imports it when first asked.
SCREEN_BASES = {
    "backroom.tui.screens.data.data_job",
    "backroom.tui.screens.dialogs",
    "backroom.tui.screens.stock.operation_form",
    "backroom.tui.screens.goods_out.shipments_form",
}


def test_screens_open_each_other_through_navigation():
    """A screen module imports no other screen module but the bases it is made from."""
    screens = "backroom.tui.screens."
    bad = [
        f"{module}:{imp.line} imports {imp.module}"
        for module in _sources()
        if module.startswith(screens)
        for imp in imports_of(module)
        if imp.module.startswith(screens)
        and imp.module in _sources()
        and imp.module not in SCREEN_BASES
        and imp.module != module
        and _sources()[imp.module].name != "__init__.py"
    ]
    assert bad == []


def _long_functions(module: str) -> list[str]:
    long = []
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                long.append(f"{node.name} ({lines} lines, from line {node.lineno})")
    return long


@pytest.mark.parametrize("module", sorted(_sources()))
def test_modules_and_functions_stay_short(module):
    """Modules under 600 lines, functions under 60 (def to last line, docstring in)."""
    lines = len(_sources()[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines"
    long = _long_functions(module)
    assert not long, f"{module}: " + "; ".join(long)


def test_a_command_that_opens_no_screen_imports_no_textual():
    """The CLI's start-up: every command module loaded, and none of the heavy libraries
    the TUI and the label printers need."""
    probe = (
        "import sys; from backroom.tui.cli.main import build_parser; build_parser(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'textual', 'PIL', 'barcode', 'asyncssh', 'textual_serve'}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# Fast start (issue #19): what `backroom --help` and `backroom stock --json` never import.
# Each is imported where it is used; a module added back at start-up fails here.
SCREENS_AND_PRINTERS = ("textual", "textual_serve", "PIL", "barcode", "asyncssh")
LEFT_OUT_OF_HELP = (
    *SCREENS_AND_PRINTERS,
    "peewee",  # and with it the domain
    "psycopg2",
    "psycopg",
    "biip",
    "rich",
    "logging",  # the log starts once a command runs
    "json",
    "dataclasses",
    "decimal",
    "backroom.models.rules.text",
    "backroom.tui.cli.stock_cmds",  # no command module for --help
)
LEFT_OUT_OF_STOCK = (
    *SCREENS_AND_PRINTERS,
    "psycopg2",  # SQLite: no PostgreSQL driver (models/drivers.py)
    "psycopg",
    "logging.handlers",  # the log file has its own handler (tui/cli/logs.py)
    "biip",
    "rich",  # a table is not printed under --json
    "backroom.scanners",
    "backroom.labels",
    "backroom.models.stock.ledger",  # posting and the moves list only
    "backroom.models.browse.ledger",
    "backroom.models.masterdata.adding",  # the writes' module
    "backroom.models.schema.shipping",
)


def _modules_loaded_by(words: list[str], tmp_path: Path) -> set[str]:
    """The modules a fresh interpreter holds after running `backroom WORDS`."""
    listing = tmp_path / "modules.txt"
    probe = (
        "import sys\nfrom backroom.tui.cli.main import main\n"
        f"try:\n    status = main({words!r})\nexcept SystemExit as end:\n    status = end.code\n"
        f"open({str(listing)!r}, 'w').write(' '.join(sys.modules))\n"
        "raise SystemExit(status)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return set(listing.read_text().split())


def _among(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    """NAMES that LOADED holds, a package counting when any module of it is there."""
    return [n for n in names if any(m == n or m.startswith(f"{n}.") for m in loaded)]


def test_help_imports_neither_the_domain_nor_a_library_it_does_not_need(tmp_path):
    loaded = _modules_loaded_by(["--help"], tmp_path)
    assert "backroom.tui.cli.main" in loaded and "argparse" in loaded  # it did run
    assert _among(loaded, LEFT_OUT_OF_HELP) == []


def test_stock_as_json_on_sqlite_imports_only_what_it_reads_with(tmp_path):
    from backroom.tui.cli.main import main

    url = f"sqlite:///{tmp_path / 'w.db'}"
    assert main(["--db", url, "init"]) == 0
    loaded = _modules_loaded_by(["--db", url, "stock", "--json"], tmp_path)
    assert {"peewee", "backroom.models.browse.stock", "json"} <= loaded  # it did list
    assert _among(loaded, LEFT_OUT_OF_STOCK) == []


# What `backroom scan` of a bin leaves out: the keyboard assembler (unframe lives in
# settings), the calibration, the GS1 tables and rules, biip, and any dataclass of the
# scanners (each compiled ~4 M instructions of methods at import: models/values.py).
LEFT_OUT_OF_SCAN = (
    *SCREENS_AND_PRINTERS,
    "psycopg2",
    "biip",
    "rich",
    "backroom.scanners.keystream",
    "backroom.scanners.calibrate",
    "backroom.scanners.entry",
    "backroom.scanners.gs1_rules",
    "backroom.scanners.digital_link",
    "backroom.labels",
)


def test_scan_of_a_bin_imports_no_assembler_no_gs1_tables_and_defines_no_dataclass(tmp_path):
    import dataclasses
    import importlib
    import inspect

    from backroom.tui.cli.main import main

    url = f"sqlite:///{tmp_path / 'w.db'}"
    assert main(["--db", url, "init"]) == 0
    assert main(["--db", url, "location", "add", "A-01-01"]) == 0
    loaded = _modules_loaded_by(["--db", url, "scan", "A-01-01"], tmp_path)
    assert {"backroom.scanners.resolve", "backroom.scanners.results"} <= loaded  # it did scan
    assert _among(loaded, LEFT_OUT_OF_SCAN) == []
    scanners = [m for m in loaded if m.startswith("backroom.scanners.")]
    classes = [
        f"{name}.{cls.__name__}"
        for name in scanners
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass)
        if cls.__module__ == name and dataclasses.is_dataclass(cls)
    ]
    assert classes == []
