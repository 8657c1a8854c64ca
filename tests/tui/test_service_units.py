"""The systemd units shipped for `serve ssh` and `serve web` start a command that
Backroom's own command line accepts, as the account and folders they name."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest

from backroom.tui.cli.main import build_parser

UNITS = Path(__file__).resolve().parents[2] / "tui" / "serve" / "units"


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read(UNITS / name)
    return unit


@pytest.mark.parametrize(
    ("name", "action"), [("backroom-ssh.service", "ssh"), ("backroom-web.service", "web")]
)
def test_each_unit_runs_a_serve_command_backroom_accepts(name, action):
    service = _unit(name)["Service"]
    program, *argv = shlex.split(service["ExecStart"])
    assert Path(program).name == "backroom"
    args = build_parser().parse_args(argv)
    assert (args.command, args.action) == ("serve", action)
    assert service["User"] == "backroom"
    assert service["StateDirectory"] == "backroom"
    assert "XDG_DATA_HOME=/var/lib" in service["Environment"].split()
    assert service["UMask"] == "0027"
