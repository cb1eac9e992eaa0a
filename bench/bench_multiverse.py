"""Benchmark of the multiverse (helpers.analysis.multiverse): every specification of the
review, and of the synthetic review 10 times its size.

Run: .venv/bin/python bench/bench_multiverse.py [--repeats N] [--full-scale]   (or make bench)

Prints, for each case, the specifications, the distinct fits (each distinct set of studies
once per model) and the median wall-clock seconds of the repeats, in one process
(``workers=1``) and on every core (``workers=None``). The synthetic review
(:func:`helpers.data.synthetic.make_review`, fixed seed) is timed without the
leave-one-out specifications, whose number grows with the square of the studies (some
12,800 distinct fits at 10x, GLMMs of a hundred studies among them); ``--full-scale`` times
it with them too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from helpers import load_review
from helpers.analysis import multiverse
from helpers.data import synthetic

REPEATS = 3
SCALE = 10


def timed(review, repeats: int, **options) -> tuple[float, multiverse.Multiverse]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = multiverse.multiverse(review, **options)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def report(name: str, review, repeats: int, **options) -> None:
    for workers in (1, None):
        seconds, result = timed(review, repeats, workers=workers, **options)
        cores = "1 process" if workers == 1 else f"{os.cpu_count()} processes"
        print(
            f"{name:<44} {len(result.table):>8,} specifications {result.fits:>7,} distinct fits "
            f"{cores:>12}: {seconds:7.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=REPEATS, help="repeats per case (median)")
    parser.add_argument(
        "--full-scale",
        action="store_true",
        help=f"also time the {SCALE}x review with its leave-one-out specifications (minutes)",
    )
    args = parser.parse_args()
    print(f"multiverse, median of {args.repeats} repeats (wall clock, this machine)")
    report("the review", load_review(), args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        grown = load_review(synthetic.make_review(Path(tmp) / "data", SCALE), cache=False)
        report(f"synthetic {SCALE}x, no leave-one-out", grown, args.repeats, leave_one_out=False)
        if args.full_scale:
            report(f"synthetic {SCALE}x, every specification", grown, 1)


if __name__ == "__main__":
    main()
