"""Tab completion (argcomplete) for bash, zsh and fish.

`backroom completion SHELL` prints the script a shell sources once; at each Tab the
shell runs `backroom` again with `_ARGCOMPLETE` set, and `complete()` answers from the
argparse tree. Only the command being typed is built in full (tui/cli/commands.py),
so a Tab costs what a `--help` does.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

SHELLS = ("bash", "zsh", "fish")
HOW_TO_LOAD = {
    "bash": 'eval "$(backroom completion bash)"      # in ~/.bashrc',
    "zsh": 'eval "$(backroom completion zsh)"       # in ~/.zshrc, after compinit',
    "fish": "backroom completion fish | source        # in ~/.config/fish/config.fish",
}


def asked() -> bool:
    """Whether this run is a shell asking for completions, not a person's command."""
    return "_ARGCOMPLETE" in os.environ


def complete(build_parser: Callable) -> None:
    """Answer the shell's completion request from the parser of the words typed so far.
    argcomplete writes the answers to the shell and ends the process."""
    import shlex

    import argcomplete

    line = os.environ.get("COMP_LINE", "")
    point = int(os.environ.get("COMP_POINT", len(line)))
    try:
        words = shlex.split(line[:point])[1:]
    except ValueError:  # an open quote: complete as if it were closed
        words = line[:point].split()[1:]
    argcomplete.autocomplete(build_parser(words), always_complete_options="long")


def register(sub) -> None:
    p = sub.add_parser(
        "completion",
        help="print the shell's Tab-completion script for backroom",
        description="Print the Tab-completion script for SHELL. Load it from the shell's "
        "start-up file:\n  " + "\n  ".join(HOW_TO_LOAD.values()),
        epilog="examples:\n  backroom completion bash\n  backroom completion fish",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(func=cmd_completion)


def cmd_completion(ctx) -> int:

    import argcomplete

    print(argcomplete.shellcode(["backroom"], shell=ctx.args.shell), end="")
    return 0
