"""Installed, Backroom is one import package, `backroom`: distributions that own the
generic names its folders have in the repository (labels, models, tui, scanners) cannot
touch it, and `python -m backroom` runs the command line."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_FOLDERS = ("models", "scanners", "labels", "tui")
# PyPI has distributions of these names; each installs a top-level package of its name.
GENERIC_NAMES = ("labels", "models", "tui", "scanners")
NOT_SOURCE = (
    ".git",
    ".venv",
    "build",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    "*.db*",
)


def test_every_package_folder_is_listed_for_the_build():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {"backroom"} | {
        "backroom." + ".".join(init.parent.relative_to(ROOT).parts)
        for folder in PACKAGE_FOLDERS
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert found == listed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Backroom's wheel, built from a copy of this checkout (a build writes build/ and
    egg-info folders where it runs, and the checkout is not the test's to write in)."""
    out = tmp_path_factory.mktemp("wheel")
    tree = tmp_path_factory.mktemp("tree") / "backroom"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(tree)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("backroom-*.whl"))


def test_the_wheel_installs_one_top_level_name(wheel):
    with zipfile.ZipFile(wheel) as whl:
        tops = {name.split("/")[0] for name in whl.namelist()}
        styles = [n for n in whl.namelist() if n.endswith(".tcss")]
    assert {t for t in tops if not t.endswith(".dist-info")} == {"backroom"}
    assert "backroom/tui/screens/stock/operate.tcss" in styles


def _record_line(path: str, data: bytes) -> list[str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [path, f"sha256={digest}", str(len(data))]


def _generic_wheel(folder: Path, name: str) -> Path:
    """A wheel of a distribution NAME whose top-level package is NAME, as PyPI's are."""
    dist = f"{name}-9.9.9.dist-info"
    files = {
        f"{name}/__init__.py": f"WHO = {name!r}\n".encode(),
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 9.9.9\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        writer.writerow(_record_line(path, data))
    writer.writerow([f"{dist}/RECORD", "", ""])
    target = folder / f"{name}-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(target, "w") as whl:
        for path, data in files.items():
            whl.writestr(path, data)
        whl.writestr(f"{dist}/RECORD", record.getvalue())
    return target


def _changed_files(site: Path) -> list[str]:
    """Backroom's installed files whose content differs from what its RECORD says."""
    record = next(site.glob("backroom-*.dist-info")) / "RECORD"
    changed = []
    for path, digest, _size in csv.reader(record.read_text().splitlines()):
        if not digest or path.startswith(".."):  # the console script lives elsewhere
            continue
        data = (site / path).read_bytes() if (site / path).exists() else b""
        if _record_line(path, data)[1] != digest:
            changed.append(path)
    return changed


def test_distributions_with_generic_names_change_nothing_of_backroom(wheel, tmp_path):
    site = tmp_path / "site"
    generic = [_generic_wheel(tmp_path, name) for name in GENERIC_NAMES]
    for whl in (wheel, *generic):
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "-U", "-t", str(site), whl],
            check=True,
            capture_output=True,
        )
    assert _changed_files(site) == []
    probe = (
        "import backroom.models.stock.ledger as l, labels, models, tui; "
        "print(l.__file__); print(labels.WHO, models.WHO, tui.WHO)"
    )
    # Run from the target folder alone: the checkout's editable install must not answer.
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    ledger_file, names = done.stdout.splitlines()
    assert ledger_file == str(site / "backroom" / "models" / "stock" / "ledger.py")
    assert names == "labels models tui"


def test_python_dash_m_backroom_runs_the_command_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "backroom", "--db", f"sqlite:///{tmp_path / 'w.db'}", "init"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "w.db").exists()


def test_version_is_the_installed_distributions():
    from importlib.metadata import version

    done = subprocess.run(
        [sys.executable, "-m", "backroom", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f"backroom {version('backroom')}"
