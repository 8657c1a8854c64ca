"""scanners/ stays free of Textual: the TUI imports it, never the other way round."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import importlib, pkgutil, sys
import backroom.scanners as scanners
for module in pkgutil.walk_packages(scanners.__path__, "backroom.scanners."):
    importlib.import_module(module.name)
loaded = sorted(
    m for m in sys.modules
    if m.split(".")[0] == "textual" or m.startswith(("backroom.tui", "backroom.labels"))
)
print(" ".join(loaded))
"""


def test_no_scanners_module_imports_textual_or_the_tui():
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
