"""Key streams as they reach the terminal: a local scanner's burst, an SSH session's
batches and fixed intervals, a person typing. Each is a list of (character, time)."""

from __future__ import annotations

import random

from backroom.scanners.keystream import KeyScan, ScanAssembler

Stream = list[tuple[str, float]]


def burst(text: str, start: float = 100.0, interval: float = 0.004) -> Stream:
    """A scanner on a local keyboard port: a few milliseconds between keys."""
    return [(c, start + i * interval) for i, c in enumerate(text)]


def ssh_batched(text: str, start: float = 100.0, batch: int = 6, gap: float = 0.12) -> Stream:
    """Over SSH: keys arrive in packets, every key of a packet at the same moment."""
    return [(c, start + (i // batch) * gap) for i, c in enumerate(text)]


def ssh_obscured(text: str, start: float = 100.0) -> Stream:
    """OpenSSH's keystroke obscuring: one key per 20 ms tick, whoever types."""
    return [(c, start + i * 0.020) for i, c in enumerate(text)]


def human(text: str, start: float = 100.0, seed: int = 1) -> Stream:
    """A person typing: 150 to 400 ms between keys."""
    rng = random.Random(seed)
    stream, t = [], start
    for c in text:
        stream.append((c, t))
        t += rng.uniform(0.15, 0.4)
    return stream


def replay(assembler: ScanAssembler, *streams: Stream) -> list[KeyScan]:
    """Feed the streams in time order; the scans that came out."""
    keys = sorted((key for stream in streams for key in stream), key=lambda k: k[1])
    return [scan for c, t in keys if (scan := assembler.feed(c, t)) is not None]
