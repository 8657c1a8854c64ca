"""Long commands show a bar with the rate and the time left on a terminal, and nothing
in a pipe or under --json."""

from __future__ import annotations

import io

from rich.console import Console

from backroom.tui.cli.progress import progress_of, shown


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100, color_system=None), out


def test_on_a_terminal_the_bar_says_done_of_total_the_rate_and_the_time_left():
    console, out = _terminal()
    with progress_of("importing stock", console=console) as report:
        for done in range(0, 5001, 500):
            report(done, 5000)
    last = [line for line in out.getvalue().splitlines() if "importing stock" in line][-1]
    assert "5000/5000" in last
    assert "/s" in last and "left" in last


def test_a_phase_names_itself():
    console, out = _terminal()
    with progress_of("building the demo", console=console) as report:
        report(3, 10, "moves")
    assert "moves" in out.getvalue()


def test_nothing_is_shown_in_a_pipe_or_under_json():
    console, out = _terminal()
    assert shown(False, console)
    assert not shown(True, console)
    with progress_of("exporting moves", off=True, console=console) as report:
        report(1, 2)
    assert out.getvalue() == ""
    piped = Console(file=io.StringIO(), force_terminal=False)
    assert not shown(False, piped)
