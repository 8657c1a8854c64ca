"""A served TUI ends when its server goes, however the server goes.

Each server holds the write end of one pipe, its lifeline; every TUI it starts gets the
read end (its number in BACKROOM_LIFELINE) and watches it from a thread. The kernel
closes the write end when the server ends, SIGKILL included, so the TUI reads end of
file and ends too: with a shell in between (textual-serve's), and with SIGHUP ignored
(a server started under nohup passes that on), where a hung-up terminal alone leaves
the TUI spinning on a dead terminal. As a second line, the server's direct children
get the kernel's parent-death signal (prctl PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

ENV = "BACKROOM_LIFELINE"
PR_SET_PDEATHSIG = 1
# The status a TUI ends with when its server has gone (128 + SIGHUP, as a hang-up).
SERVER_GONE = 128 + signal.SIGHUP
# Signals a server may have been started ignoring (nohup, some service managers); a TUI
# must not inherit that, or it outlives the hang-up of its terminal.
RESTORED = (signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


# Loaded here, not between fork and exec, where loading a library is not safe.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
SIG_DFL = 0
_ours: Lifeline | None = None


def lifeline() -> Lifeline:
    """This server process's lifeline, made on first use and kept until it ends."""
    global _ours
    if _ours is None:
        _ours = Lifeline()
    return _ours


class Lifeline:
    """The server's end: one pipe, made when the server starts."""

    def __init__(self) -> None:
        # Both ends are not inherited; only the read end is passed, child by child.
        self.read_fd, self.write_fd = os.pipe()

    @property
    def pass_fds(self) -> tuple[int]:
        """For the child's Popen: the one descriptor it keeps."""
        return (self.read_fd,)

    def env(self) -> dict[str, str]:
        """For the child's environment: where its lifeline is."""
        return {ENV: str(self.read_fd)}


def child_setup(parent: int) -> None:
    """In a served TUI's process, between fork and exec: default signal handling again,
    and SIGKILL when PARENT (the server) dies; if it died already, end now."""
    if _LIBC is not None:
        # libc's own signal(): Python's refuses outside the main thread, and the server
        # may start its children from another one.
        for sig in RESTORED:
            _LIBC.signal(int(sig), SIG_DFL)
        _LIBC.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(SERVER_GONE)


def watch() -> None:
    """In the served TUI: end this process when the server's lifeline breaks. Does
    nothing in a TUI that no server started."""
    fd_text = os.environ.pop(ENV, None)
    if not fd_text or not fd_text.isdigit():
        return
    fd = int(fd_text)
    try:
        os.set_inheritable(fd, False)  # not passed on to what the TUI runs (lp, ...)
    except OSError:
        return  # no such descriptor: nothing to watch
    threading.Thread(target=_wait_for_end, args=(fd,), name="lifeline", daemon=True).start()


def _wait_for_end(fd: int) -> None:
    while True:
        try:
            if not os.read(fd, 1):
                break  # end of file: every write end is closed, the server is gone
        except InterruptedError:
            continue
        except OSError:
            break
    os._exit(SERVER_GONE)
