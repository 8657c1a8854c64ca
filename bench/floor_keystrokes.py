"""Drive the floor screens in tmux at 40x16 by scans alone, and count what it took.

    .venv/bin/python bench/floor_keystrokes.py

A fresh database gets two bins, an item, stock and one allocated shipment. Then, in a
real `backroom` under tmux (a 40x16 terminal, as a handheld has), four tasks are done
the way a person with a scanner does them: receive, put away, count, pick. A scan is
one trigger pull: its keys are sent in one burst ending in Enter. A key is one key a
person presses (a digit of a typed quantity, Enter, a screen's letter). Each task must
end with its posting on screen and in the ledger, or the script stops.

Nothing here is asserted in a test: it is a measurement, run by hand.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKROOM = ROOT / ".venv" / "bin" / "backroom"
SESSION = "floorbench"


@dataclass
class Task:
    name: str
    scans: int = 0
    keys: int = 0
    screens: list[str] = field(default_factory=list)


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(text: str, seconds: float = 20.0) -> str:
    """Until TEXT is on screen (the state), not for a fixed time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        shown = screen()
        if text in shown:
            return shown
        time.sleep(0.05)
    raise SystemExit(f"never saw {text!r}; the screen was:\n{screen()}")


def scan(task: Task, code: str) -> None:
    tmux("send-keys", "-t", SESSION, "-l", code)
    tmux("send-keys", "-t", SESSION, "Enter")
    task.scans += 1


def press(task: Task, *keys: str) -> None:
    for key in keys:
        tmux("send-keys", "-t", SESSION, key)
        task.keys += 1


def back_home(task: Task) -> None:
    """Esc on the emptied form goes home; the next letter waits for it, as a person
    does (Esc and a letter sent together read as Alt+letter)."""
    press(task, "Escape")
    wait_for("Receipts today")


def typed(task: Task, text: str) -> None:
    """A person typing TEXT on the keypad, then Enter."""
    for char in text:
        press(task, char)
    press(task, "Enter")


def backroom(db: str, *args: str) -> None:
    subprocess.run([str(BACKROOM), "--db", db, "--user", "tester", *args], check=True,
                   capture_output=True, text=True)  # fmt: skip


def set_up(db: str) -> None:
    backroom(db, "init")
    for code in ("A-01", "B-02"):
        backroom(db, "location", "add", code)
    backroom(db, "item", "add", "TAPE-48", "--name", "Packing tape", "--gtin", "5412345000013")
    backroom(db, "receive", "TAPE-48", "30", "--to", "A-01")
    backroom(db, "consignee", "add", "Kaufhaus Sued", "--address", "Marktplatz 1",
             "--postal-code", "80331", "--city", "Muenchen", "--country", "DE")  # fmt: skip
    backroom(db, "shipment", "create", "--consignee", "Kaufhaus Sued")
    backroom(db, "shipment", "add-line", "SHP-000001", "TAPE-48", "6")
    backroom(db, "shipment", "allocate", "SHP-000001")


def run_tasks() -> list[Task]:
    receive, put_away, count, pick = (Task(n) for n in ("receive", "put away", "count", "pick"))
    wait_for("Receive")
    press(receive, "r")
    wait_for("Item")
    scan(receive, "5412345000013")  # the item's EAN-13
    wait_for("✓")
    typed(receive, "12")
    scan(receive, "A-01")
    receive.screens.append(wait_for("Posted move"))
    back_home(receive)

    press(put_away, "m")
    wait_for("From location")
    scan(put_away, "A-01")
    scan(put_away, "5412345000013")
    wait_for("A-01 holds")
    typed(put_away, "10")
    scan(put_away, "B-02")
    put_away.screens.append(wait_for("Posted move"))
    back_home(put_away)

    press(count, "c")
    wait_for("Counted")
    scan(count, "B-02")
    scan(count, "5412345000013")
    typed(count, "10")
    count.screens.append(wait_for("matches"))
    back_home(count)

    press(pick, "p")
    wait_for("scan shipment")
    scan(pick, "SHP-000001")
    wait_for("Next:")
    scan(pick, "A-01")
    scan(pick, "5412345000013")
    wait_for("To pick at")
    typed(pick, "6")
    pick.screens.append(wait_for("Picked 6"))
    return [receive, put_away, count, pick]


def main() -> int:
    if shutil.which("tmux") is None:
        print("needs tmux", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="floorbench-"))
    db = f"sqlite:///{folder / 'floor.db'}"
    set_up(db)
    env = {**os.environ, "XDG_STATE_HOME": str(folder)}
    cmd = f"{BACKROOM} --db {db} --user tester"
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "40", "-y", "16", cmd],
                   check=True, env=env)  # fmt: skip
    try:
        tasks = run_tasks()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], check=False)
    print(f"# floor tasks at 40x16, {dt.date.today()}, {platform.node()}, {os.cpu_count()} cores")
    print("| task | scans | keys | actions |")
    print("|---|---|---|---|")
    for task in tasks:
        print(f"| {task.name} | {task.scans} | {task.keys} | {task.scans + task.keys} |")
    for task in tasks:
        print(f"\n## {task.name}: the screen when it was posted\n```\n{task.screens[-1]}```")
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
