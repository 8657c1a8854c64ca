"""What people expect of a command line: a log file, --verbose, an internal error told
apart from a refusal, quiet when the reader of a pipe goes away, and a missing driver
that names its install command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from backroom.tui.cli import main
from backroom.tui.cli.context import Context

BACKROOM = [sys.executable, "-m", "backroom"]


@pytest.fixture
def state(tmp_path, monkeypatch):
    """An XDG state folder of this test's own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state" / "backroom"


def test_every_command_is_logged_without_the_database_password(state, sqlite_url, capsys):
    assert main(["--db", sqlite_url, "init"]) == 0
    main(["--db", "postgresql://ann:s3cret@127.0.0.1:1/none", "stock"])
    log = (state / "backroom.log").read_text()
    assert f"backroom --db {sqlite_url} init" in log
    assert "postgresql://ann:***@127.0.0.1:1/none stock" in log
    assert "s3cret" not in log
    assert (state / "backroom.log").stat().st_mode & 0o777 == 0o600
    assert (state).stat().st_mode & 0o777 == 0o700


def test_verbose_says_on_stderr_what_the_log_gets(state, sqlite_url, capsys):
    main(["--db", sqlite_url, "init"])
    capsys.readouterr()
    assert main(["-v", "--db", sqlite_url, "verify"]) == 0
    assert f"backroom: backroom -v --db {sqlite_url} verify" in capsys.readouterr().err
    assert main(["--db", sqlite_url, "verify"]) == 0
    assert capsys.readouterr().err == ""


def test_an_internal_error_exits_3_with_one_line_and_the_traceback_in_the_log(
    state, sqlite_url, capsys, monkeypatch
):
    main(["--db", sqlite_url, "init"])
    capsys.readouterr()

    def broken(self, **_kw):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(Context, "open", broken)
    assert main(["--db", sqlite_url, "stock"]) == 3
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "backroom: internal error: RuntimeError: the disk is on fire; "
        f"the details are in {state / 'backroom.log'}"
    ]
    log = (state / "backroom.log").read_text()
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: the disk is on fire" in log


def test_a_refusal_still_exits_1(state, tmp_path, capsys):
    assert main(["--db", f"sqlite:///{tmp_path / 'none.db'}", "stock"]) == 1
    assert "No Backroom database" in capsys.readouterr().err


def test_postgresql_without_its_driver_names_the_install_command(state, capsys, monkeypatch):
    import backroom.models.db as database

    real = database.importlib.util.find_spec
    monkeypatch.setattr(
        database.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "psycopg2" else real(name, *a),
    )
    assert main(["--db", "postgresql://backroom@127.0.0.1:1/none", "stock"]) == 1
    assert "pip install 'backroom[postgres]'" in capsys.readouterr().err


def test_a_reader_that_stops_early_gets_no_traceback(state, tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    # Without a terminal (a script, CI) the demo is built and no TUI opens: it used to
    # open one anyway and spin on a missing screen.
    built = subprocess.run(
        [*BACKROOM, "--db", url, "demo"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    assert "No terminal here: run 'backroom' in one to open the demo" in built.stderr
    pipeline = f"{' '.join(BACKROOM)} --db {url} moves --limit 1000 | head -n 1"
    done = subprocess.run(["bash", "-c", pipeline], capture_output=True, text=True, check=True)
    assert done.stdout.split()[:3] == ["ID", "TIME", "(UTC)"]
    assert done.stderr == ""


def test_table_columns_line_up_in_terminal_cells_for_japanese_names():
    from rich.cells import cell_len

    from backroom.tui.cli.context import table

    text = table(["SKU", "NAME", "QTY"], [["TEA-1", "緑茶 ティーバッグ", 12], ["OAT", "Oats", 3]])
    lines = text.splitlines()
    # The quantity column ends in the same terminal column on every line.
    assert {cell_len(line) for line in lines} == {cell_len(lines[0])}
    assert lines[2].endswith(" 12") and lines[3].endswith("  3")


def test_the_tui_in_a_pipe_says_it_needs_a_terminal_instead_of_hanging(state, sqlite_url):
    subprocess.run([*BACKROOM, "--db", sqlite_url, "init"], check=True, capture_output=True)
    done = subprocess.run(
        [*BACKROOM, "--db", sqlite_url],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "needs a terminal" in done.stderr


def _json_error(err: str) -> dict:
    import json

    (line,) = err.splitlines()
    return json.loads(line)["error"]


def test_under_json_a_refusal_is_json_on_stderr_with_a_stable_code(state, sqlite_url, capsys):
    main(["--db", sqlite_url, "init"])
    capsys.readouterr()
    assert main(["--db", sqlite_url, "stock", "--item", "NOPE", "--json"]) == 1
    error = _json_error(capsys.readouterr().err)
    assert error["code"] == "not_found"
    assert "NOPE" in error["message"]
    assert main(["--db", sqlite_url, "stock", "--item", "NOPE"]) == 1
    assert capsys.readouterr().err.startswith("backroom: ")


def test_under_json_usage_and_internal_errors_are_json_too(state, sqlite_url, capsys, monkeypatch):
    with pytest.raises(SystemExit) as ended:
        main(["--db", sqlite_url, "stock", "--json", "--limit", "many"])
    assert ended.value.code == 2
    assert _json_error(capsys.readouterr().err)["code"] == "usage"

    def broken(self, **_kw):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(Context, "open", broken)
    assert main(["--db", sqlite_url, "stock", "--json"]) == 3
    error = _json_error(capsys.readouterr().err)
    assert error["code"] == "internal"
    assert "RuntimeError: the disk is on fire" in error["message"]
