"""Label timings: a lot label to PNG, a label to ZPL, a 500-label PDF sheet.

Run by hand:  .venv/bin/python bench/labels_bench.py [--repeat 200]
Targets (issue 7): a PNG lot label <= 20 ms, a ZPL label <= 1 ms, a 500-label PDF
sheet <= 15 s. Every label has its own lot number, so no cache hides the work of fitting
its text; the figures are medians from layout to finished bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import platform
import statistics
import time
from collections.abc import Callable

from backroom.labels.content import LocationContent, LotContent
from backroom.labels.pdf_labels import sheets_pdf
from backroom.labels.render import to_image, to_png
from backroom.labels.sizes import LabelSize
from backroom.labels.templates.by_kind import layout
from backroom.labels.zpl import to_zpl

GTIN = "05901234123457"
EXPIRY = dt.date(2031, 4, 24)


def lot(n: int) -> LotContent:
    return LotContent("WIDGET-7", "Blue widget, large, galvanised", f"L{n:06d}-B", GTIN, EXPIRY)


_numbers = itertools.count()


def timed(fn: Callable[[int], object], repeat: int) -> list[float]:
    """Milliseconds per call of FN(n), each with a number never used before (so no
    cached text measurement helps), after a few warm-up calls."""
    for _ in range(5):
        fn(next(_numbers))
    times = []
    for _ in range(repeat):
        n = next(_numbers)
        started = time.perf_counter()
        fn(n)
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, times: list[float], target_ms: float) -> None:
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    verdict = "ok" if median <= target_ms else "OVER"
    print(f"{name:<34} {median:9.3f} {p95:9.3f} {target_ms:9.1f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--sheet-labels", type=int, default=500)
    args = parser.parse_args()
    print(f"{platform.node()}  {platform.processor() or platform.machine()}  ")
    print(f"Python {platform.python_version()}  {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'':<34} {'median ms':>9} {'p95 ms':>9} {'target':>9}")
    size = LabelSize(100, 50)
    for dpi in (203, 300):
        report(
            f"PNG lot label 100x50 @{dpi}",
            timed(lambda n, d=dpi: to_png(layout(lot(n), size, d)[0]), args.repeat),
            20,
        )
    for dpi in (203, 300):
        report(
            f"ZPL lot label 100x50 @{dpi}",
            timed(lambda n, d=dpi: to_zpl(layout(lot(n), size, d)), args.repeat),
            1,
        )
    drawing = layout(lot(1), size, 203)
    report("ZPL from a laid-out label", timed(lambda _n: to_zpl(drawing), args.repeat), 1)

    # A lot label keeps GS1's symbol and text sizes: 100x50 is the smallest it is tested at.
    for name, make, sheet_size in (
        (
            "location",
            lambda n: LocationContent(f"A-{n // 100:02d}-{n % 100:02d}"),
            LabelSize(57, 32),
        ),
        ("lot", lambda n: lot(next(_numbers)), size),
    ):
        started = time.perf_counter()
        images = [to_image(layout(make(n), sheet_size, 300)[0]) for n in range(args.sheet_labels)]
        pdf = sheets_pdf(images, sheet_size, "a4")
        seconds = time.perf_counter() - started
        verdict = "ok" if seconds <= 15 else "OVER"
        print(
            f"{args.sheet_labels} {name} labels {sheet_size} @300 on A4 sheets: {seconds:.2f} s "
            f"(target 15 s) {verdict}; {len(pdf) / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
