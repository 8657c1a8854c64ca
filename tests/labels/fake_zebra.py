"""A pretend network label printer on 127.0.0.1: it keeps every job it is sent and
answers `~HS` with the three strings of a Zebra host status, in the state a test puts
it in. Use it as a context manager: it stops serving at the end, whatever happens."""

from __future__ import annotations

import socketserver
import threading

ASK = b"~HS"

# How the printer behaves:
#   ready            answers; shows the job in its buffer once, then done
#   printing         answers; labels keep printing (5 to go) whenever asked after the job
#   paper_out        answers "paper out" from the start
#   paper_out_later  ready until the job arrives, then "paper out" with the job waiting
#   head_open        answers "head up" from the start
#   silent           takes everything, never answers
#   silent_later     answers until the job arrives, then never again
#   hang_up          closes every connection at once
BEHAVIOURS = (
    "ready",
    "printing",
    "paper_out",
    "paper_out_later",
    "head_open",
    "silent",
    "silent_later",
    "hang_up",
)


def host_status(
    *,
    paper_out: int = 0,
    paused: int = 0,
    formats: int = 0,
    partial: int = 0,
    head_up: int = 0,
    ribbon_out: int = 0,
    thermal: int = 0,
    labels: int = 0,
) -> bytes:
    """A ~HS answer as a Zebra sends it: <STX>fields<ETX><CR><LF>, three times."""
    one = f"030,{paper_out},{paused},0406,{formats:03d},0,0,{partial},000,0,0,0"
    two = f"001,0,{head_up},{ribbon_out},{thermal},2,0,0,{labels:08d},1,000"
    three = "1234,0"
    return b"".join(b"\x02" + text.encode() + b"\x03\r\n" for text in (one, two, three))


class FakeZebra:
    """The printer; `port` to print to, `jobs` what it was sent (without the ~HS)."""

    def __init__(self, behaviour: str = "ready") -> None:
        assert behaviour in BEHAVIOURS, behaviour
        self.behaviour = behaviour
        self.jobs: list[bytes] = []
        self.done = threading.Event()
        printer = self

        class Connection(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                printer.serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Connection)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeZebra:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def answer(self, job: bytes, after_job: int) -> bytes | None:
        """The answer to a ~HS that comes after JOB (b'' before it), the AFTER_JOB-th."""
        state = self.behaviour
        if state == "silent" or (state == "silent_later" and job):
            return None
        if state == "paper_out" or (state == "paper_out_later" and job):
            return host_status(paper_out=1, formats=1 if job else 0)
        if state == "head_open":
            return host_status(head_up=1)
        if state == "printing" and job:
            return host_status(labels=5)
        return host_status(formats=1 if job and after_job == 1 else 0)

    def serve(self, conn) -> None:
        if self.behaviour == "hang_up":
            return
        conn.settimeout(5)
        job, unread, after_job = b"", b"", 0
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                break
            if not data:
                break
            unread += data
            while ASK in unread:
                before, _, unread = unread.partition(ASK)
                job += before
                after_job += 1 if job else 0
                reply = self.answer(job, after_job)
                if reply is not None:
                    conn.sendall(reply)
        job += unread
        if job:
            self.jobs.append(job)
            self.done.set()

    def wait(self, count: int = 1) -> list[bytes]:
        """The jobs, once COUNT have come (a few seconds at most)."""
        assert self.done.wait(5), "the printer got nothing"
        while len(self.jobs) < count:
            self.done.clear()
            assert self.done.wait(5), "the printer got too few jobs"
        return self.jobs
