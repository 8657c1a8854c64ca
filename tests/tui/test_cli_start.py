"""The command line starts light and completes in the shell.

`backroom --help` and a Tab on a command name import no command module and no domain
(tui/cli/commands.py lists the commands); a command builds only its own module. The
completion scripts are tried in the real shells: bash and fish answer a Tab
non-interactively, zsh is checked for syntax.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backroom.tui.cli.commands import COMMANDS
from backroom.tui.cli.main import build_parser, main

BIN = Path(sys.executable).parent
HEAVY = ("peewee", "biip", "textual", "PIL", "psycopg2")


def _top_level(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {a.dest: a.help for a in sub._choices_actions}


def test_the_command_table_is_what_the_modules_register():
    """Each command's help and module in commands.py are what the full build has."""
    full = _top_level(build_parser())
    assert full == {name: about for name, (about, _) in COMMANDS.items()}
    for name, (_, modules) in COMMANDS.items():
        built = build_parser([name])
        sub = next(a for a in built._actions if isinstance(a, argparse._SubParsersAction))
        assert sub.choices[name].add_help, f"{name}: not built by {modules}"


def test_a_command_builds_only_its_own_module():
    words = ["--db", "sqlite:///x.db", "-v", "receive", "FD-1001", "5", "--to", "A"]
    args = build_parser(words).parse_args(words)
    assert (args.command_path, args.qty, args.to) == ("receive", 5, "A")
    sub = next(a for a in build_parser(words)._actions if isinstance(a, argparse._SubParsersAction))
    assert "move" in sub.choices  # stock_cmds' own
    assert "shipment" not in sub.choices  # goods_out_cmds is not imported


def _modules_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(sorted({{m.split('.')[0] for m in sys.modules}}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    return [m for m in HEAVY if f"'{m}'" in out.stdout]


def test_help_and_a_command_name_tab_import_nothing_heavy():
    help_run = (
        "from backroom.tui.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert _modules_after(help_run) == []
    # A Tab on a command name builds the parser of the words typed so far:
    parser_only = "from backroom.tui.cli.main import build_parser\nbuild_parser(['rec'])"
    assert _modules_after(parser_only) == []


def test_an_unknown_command_is_a_usage_error_naming_the_commands(capsys):
    with pytest.raises(SystemExit) as ended:
        main(["recieve", "X", "1"])
    assert ended.value.code == 2
    assert "invalid choice: 'recieve'" in capsys.readouterr().err


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}


BASH_TAB = r"""
eval "$(backroom completion bash)"
tab() {
    COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
    read -ra COMP_WORDS <<< "$1"; [[ "$1" == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _python_argcomplete backroom
    echo "${COMPREPLY[*]}"
}
tab "backroom rec"
tab "backroom receive --t"
tab "backroom shipment p"
tab "backroom --db sqlite:///x.db sto"
"""


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")
def test_bash_completes_commands_sub_commands_and_options():
    out = subprocess.run(
        ["bash", "-c", BASH_TAB], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert [line.strip() for line in out.stdout.splitlines()] == [
        "receive recall recall-report",
        "--to",
        "pick pack",
        "stock",
    ]


@pytest.mark.skipif(not shutil.which("fish"), reason="needs fish (.ci/run installs it)")
def test_fish_completes_a_command_name():
    script = "backroom completion fish | source; complete -C 'backroom shipment al'"
    out = subprocess.run(
        ["fish", "-c", script], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert [line.split("\t")[0] for line in out.stdout.splitlines()] == ["allocate"]


@pytest.mark.skipif(not shutil.which("zsh"), reason="needs zsh (.ci/run installs it)")
def test_the_zsh_script_is_valid_zsh(tmp_path):
    script = tmp_path / "_backroom"
    code = subprocess.run(
        [str(BIN / "backroom"), "completion", "zsh"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=True,
    ).stdout
    script.write_text(code)
    assert "#compdef backroom" in code
    checked = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_a_scan_of_a_bin_loads_no_gs1_library(tmp_path):
    """biip costs ~120 ms to import: only a code that is GS1 pays for it."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    assert main(["--db", url, "init"]) == 0
    assert main(["--db", url, "location", "add", "A-01"]) == 0
    run = f"from backroom.tui.cli.main import main\nmain(['--db', {url!r}, 'scan', 'A-01'])"
    assert "biip" not in _modules_after(run)
    gs1 = f"from backroom.tui.cli.main import main\nmain(['--db', {url!r}, 'scan', ']C110L1'])"
    assert "biip" in _modules_after(gs1)
