"""`python -m backroom`: the same as the `backroom` command.

This file is the `backroom` package's own: the build maps the repository's top
folder to `backroom`, so `models/` installs as `backroom.models`, and so on.
"""

import sys

from backroom.tui.cli import main

if __name__ == "__main__":
    sys.exit(main())
