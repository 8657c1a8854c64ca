"""How much CPU a `backroom` command costs before it does anything: start-up time.

    .venv/bin/python bench/startup_bench.py [--runs 20] [--venv DIR]

Installs Backroom from a freshly built wheel into its own venv (as a user's pipx or
`uv tool install` would: compiled bytecode, no editable-install finder), builds the small
demo warehouse, then runs each command RUNS times and reports the least and the median
CPU time (user + system of the child, from wait4). The least is the figure to compare:
on a shared machine the others only add noise. A bare interpreter and an import of
peewee and biip are timed beside them for scale.

Nothing here is asserted in a test: it is a measurement, run by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_ms(argv: list[str], env: dict[str, str]) -> float:
    """CPU milliseconds (user + system) ARGV took, its output thrown away."""
    with open(os.devnull, "w") as null:
        child = subprocess.Popen(argv, stdout=null, stderr=null, env=env)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 141):
        raise SystemExit(f"{argv} exited {child.returncode}")
    return (usage.ru_utime + usage.ru_stime) * 1000


def install(venv: Path) -> Path:
    """A venv at VENV with Backroom installed from a wheel of this tree; its python."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    wheels = Path(tempfile.mkdtemp(prefix="backroom-wheel-"))
    pip = [str(python), "-m", "pip", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)], check=True)
    wheel = next(wheels.glob("backroom-*.whl"))
    subprocess.run([*pip, "install", "--force-reinstall", f"{wheel}[postgres]"], check=True)
    return python


def measure(python: Path, runs: int) -> list[tuple[str, float, float]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    folder = Path(tempfile.mkdtemp(prefix="backroom-start-"))
    env["BACKROOM_DB"] = f"sqlite:///{folder / 'demo.db'}"
    backroom = str(python.with_name("backroom"))
    subprocess.run([backroom, "demo", "--no-tui"], env=env, check=True, capture_output=True)
    cases = {
        "python -c pass": [str(python), "-c", "pass"],
        "python -c 'import peewee'": [str(python), "-c", "import peewee"],
        "python -c 'import biip'": [str(python), "-c", "import biip"],
        "backroom --help": [backroom, "--help"],
        "backroom --version": [backroom, "--version"],
        "backroom stock --json": [backroom, "stock", "--json"],
        "backroom scan A-01-01": [backroom, "scan", "A-01-01"],
        "backroom scan (GS1-128, a GTIN)": [backroom, "scan", "]C10109521234001713"],
        "backroom receive --help": [backroom, "receive", "--help"],
    }
    results = []
    for name, argv in cases.items():
        cpu_ms(argv, env)  # the first run writes bytecode caches
        times = [cpu_ms(argv, env) for _ in range(runs)]
        results.append((name, min(times), statistics.median(times)))
        print(f"{name:34} least {min(times):6.1f} ms  median {statistics.median(times):6.1f} ms")
    return results


def main() -> None:
    ask = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ask.add_argument("--runs", type=int, default=20, help="runs of each command (20)")
    ask.add_argument("--venv", type=Path, help="the venv to install into (a new one)")
    args = ask.parse_args()
    venv = args.venv or Path(tempfile.mkdtemp(prefix="backroom-venv-"))
    python = install(venv)
    print(
        f"{dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}, {args.runs} runs each"
    )
    measure(python, args.runs)


if __name__ == "__main__":
    main()
