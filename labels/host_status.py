"""What a Zebra printer says of itself: its answer to `~HS` (host status return), read
field by field as the ZPL II Programming Guide lays it out, and the exchange that tells
whether the printer took a job.

The answer is three strings, each `<STX>...<ETX><CR><LF>`:

    1  aaa,b,c,dddd,eee,f,g,h,iii,j,k,l   interface settings, paper out, pause,
       label length (dots), formats in the receive buffer, buffer full, diagnostic
       mode, partial format, unused, corrupt RAM, under / over temperature
    2  mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www   function settings, unused, head up, ribbon
       out, thermal transfer, print mode, print width mode, label waiting, labels
       remaining in the batch, format while printing, graphics stored
    3  xxxx,y                             password, static RAM installed

`~HS` is a control command: the printer answers it as soon as it arrives, ahead of
the formats still waiting in its buffer, so asking again shows the job going through.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass

ASK = b"~HS"
FRAME = re.compile(rb"\x02([^\x02\x03]*)\x03")
POLL_S = 0.2  # between two questions while the printer still holds the job


class NoAnswer(Exception):
    """The printer gave no status: WHY says how (no reply in time, or it hung up)."""


@dataclass(frozen=True)
class HostStatus:
    """The fields of a ~HS answer that say whether a job prints."""

    paper_out: bool
    paused: bool
    label_length_dots: int
    formats_in_buffer: int
    buffer_full: bool
    partial_format: bool
    corrupt_ram: bool
    under_temperature: bool
    over_temperature: bool
    head_up: bool
    ribbon_out: bool
    thermal_transfer: bool
    labels_remaining: int

    def problems(self) -> list[str]:
        """What keeps the printer from printing, as the person at it would say it."""
        said = [
            (self.paper_out, "is out of paper"),
            (self.head_up, "has its print head open"),
            # A direct thermal printer has no ribbon to run out of.
            (self.ribbon_out and self.thermal_transfer, "is out of ribbon"),
            (self.paused, "is paused"),
            (self.over_temperature, "has a print head too hot to print"),
            (self.corrupt_ram, "has lost its configuration (corrupt RAM)"),
        ]
        return [words for is_so, words in said if is_so]

    @property
    def holds_work(self) -> bool:
        """Part of a job is still in the printer: being received, waiting or printing."""
        return (
            self.partial_format
            or self.buffer_full
            or self.formats_in_buffer > 0
            or self.labels_remaining > 0
        )


def parse(reply: bytes) -> HostStatus:
    """The status in a ~HS answer; ValueError when it is not one."""
    frames = FRAME.findall(reply)
    if len(frames) < 3:
        raise ValueError(f"a host status has three strings, not {len(frames)}")
    one = frames[0].decode("ascii", "replace").split(",")
    two = frames[1].decode("ascii", "replace").split(",")
    if len(one) < 12 or len(two) < 11:
        raise ValueError("a host status string is too short")

    def flag(value: str) -> bool:
        if value.strip() not in ("0", "1"):
            raise ValueError(f"{value!r} is not a flag (0 or 1)")
        return value.strip() == "1"

    def number(value: str) -> int:
        if not value.strip().isdigit():
            raise ValueError(f"{value!r} is not a count")
        return int(value)

    return HostStatus(
        paper_out=flag(one[1]),
        paused=flag(one[2]),
        label_length_dots=number(one[3]),
        formats_in_buffer=number(one[4]),
        buffer_full=flag(one[5]),
        partial_format=flag(one[7]),
        corrupt_ram=flag(one[9]),
        under_temperature=flag(one[10]),
        over_temperature=flag(one[11]),
        head_up=flag(two[2]),
        ribbon_out=flag(two[3]),
        thermal_transfer=flag(two[4]),
        labels_remaining=number(two[8]),
    )


def ask(conn: socket.socket, deadline: float) -> HostStatus:
    """Send ~HS on CONN and read the three strings of the answer before DEADLINE."""
    conn.sendall(ASK)
    reply = b""
    while len(FRAME.findall(reply)) < 3:
        left = deadline - time.monotonic()
        if left <= 0:
            raise NoAnswer("no status reply")
        conn.settimeout(left)
        try:
            chunk = conn.recv(4096)
        except TimeoutError as exc:
            raise NoAnswer("no status reply") from exc
        if not chunk:
            raise NoAnswer("it closed the connection without a status reply")
        reply += chunk
    try:
        return parse(reply)
    except ValueError as exc:
        raise NoAnswer(f"its status reply is not a Zebra host status: {exc}") from exc


def until_taken(conn: socket.socket, deadline: float) -> HostStatus:
    """Ask until the printer holds none of the job any more, a problem stops it, or
    DEADLINE passes; the last status."""
    while True:
        status = ask(conn, deadline)
        if status.problems() or not status.holds_work:
            return status
        if time.monotonic() + POLL_S >= deadline:
            return status
        time.sleep(POLL_S)  # a printer tells nothing unasked: ask again in a moment
