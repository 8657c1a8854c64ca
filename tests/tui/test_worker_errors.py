"""A worker that fails with something other than a refusal: said on the screen with the
bell, logged with its traceback, and the form takes Enter again."""

from __future__ import annotations

import ast
import importlib
import logging
from pathlib import Path

import pytest

import backroom.tui.screens.stock.operate as operate
from backroom.models.browse.stock import on_hand
from backroom.models.errors import Refused
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.schema import Move
from backroom.tui.app import BackroomApp
from backroom.tui.screens.stock.operate import ReceiveScreen
from backroom.tui.session import Session
from backroom.tui.worker_errors import PassesWorkerFailuresOn, failure_text
from tests.conftest import TEST_USER
from tests.tui.conftest import settle, shortcut
from tests.tui.test_browse_helpers import catch_bells

TUI = Path(__file__).resolve().parents[2] / "tui"


@pytest.fixture
def warehouse(sqlite_database):
    add_location("A-02")
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"))
    return sqlite_database


async def _enter(pilot, *entries: str) -> None:
    for text in entries:
        if text:
            await pilot.press(*text)
        await pilot.press("enter")
        await settle(pilot)


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_a_failed_posting_is_said_and_the_next_enter_posts(warehouse, monkeypatch, caplog):
    real_receive = operate.receive

    def broken(*args, **kwargs):
        raise RuntimeError("printer spool full")

    monkeypatch.setattr(operate, "receive", broken)
    bells = catch_bells(monkeypatch)
    caplog.set_level(logging.ERROR, logger="backroom")
    app = BackroomApp(Session(TEST_USER, warehouse))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "r")
        screen = app.screen
        assert isinstance(screen, ReceiveScreen)
        await _enter(pilot, "TAPE-48", "5", "A-02")
        assert _text(app, "#message") == (
            "✗ Something went wrong: RuntimeError: printer spool full (logged)"
        )
        assert bells == [1]
        assert screen.busy is False
        assert Move.select().count() == 0
        failed = [r for r in caplog.records if r.name == "backroom"]
        assert len(failed) == 1 and failed[0].levelno == logging.ERROR
        assert failed[0].exc_info is not None and failed[0].exc_info[0] is RuntimeError

        monkeypatch.setattr(operate, "receive", real_receive)
        await _enter(pilot, "")  # the location is still there: Enter takes it and posts
        assert "Posted move" in _text(app, "#result")
        assert screen.busy is False
    assert on_hand("TAPE-48", location="A-02") == 5
    assert Move.select().count() == 1


def test_a_refusal_is_said_as_it_is_anything_else_short():
    assert failure_text(Refused("Only 20 TAPE-48 at A-01")) == "Only 20 TAPE-48 at A-01"
    assert failure_text(KeyError("sku")) == "Something went wrong: KeyError: 'sku' (logged)"
    assert failure_text(ValueError()) == "Something went wrong: ValueError (logged)"


def _starts_workers(cls: ast.ClassDef) -> bool:
    for node in ast.walk(cls):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if isinstance(target, ast.Name) and target.id == "work":
                    return True
        started_here = isinstance(node, ast.Attribute) and node.attr == "run_worker"
        if started_here and isinstance(node.value, ast.Name) and node.value.id == "self":
            return True
    return False


def _worker_classes() -> list[tuple[str, str]]:
    found = []
    for path in sorted(TUI.rglob("*.py")):
        module = "backroom." + ".".join(path.relative_to(TUI.parent).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and _starts_workers(node):
                found.append((module, node.name))
    return found


def test_every_screen_and_widget_with_workers_passes_failures_on_to_the_app():
    """Textual tells only the node that started a worker; the app says the failure."""
    classes = _worker_classes()
    assert len(classes) > 10
    missing = []
    for module, name in classes:
        cls = getattr(importlib.import_module(module), name)
        if not issubclass(cls, BackroomApp | PassesWorkerFailuresOn):
            missing.append(f"{module}:{name}")
    assert missing == []


def test_every_worker_keeps_the_app_running_when_it_fails():
    """exit_on_error=False on every worker: a failure is said, not the end of the app."""
    crashing = []
    for path in sorted(TUI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            named = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if named not in ("work", "run_worker"):
                continue
            keep = [k for k in node.keywords if k.arg == "exit_on_error"]
            if not keep or not isinstance(keep[0].value, ast.Constant) or keep[0].value.value:
                crashing.append(f"{path.relative_to(TUI.parent)}:{node.lineno}")
    assert crashing == []
