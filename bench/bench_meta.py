"""Benchmark of helpers.meta: the GLMM on 10,000 simulated studies, and notebook 04's statistics.

Run: .venv/bin/python bench/bench_meta.py
Prints the median of several repeats (wall clock, this machine) for each case. The
simulation has a fixed seed, so every run fits the same data.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from helpers import load_review, meta, pooling

SEED = 20210624
REPEATS = 5


def simulate(k: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 60, size=k)
    logits = 0.8 + 0.9 * rng.standard_normal(k)
    return rng.binomial(n, 1 / (1 + np.exp(-logits))), n


def timed(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    x, n = simulate(10_000)
    for nodes in (7, 20, "auto"):
        result = meta.pool_proportions(x, n, method="glmm", nodes=nodes)
        seconds = timed(lambda: meta.pool_proportions(x, n, method="glmm", nodes=nodes))
        print(f"glmm, 10,000 studies, nodes={nodes!s:>4} (used {result.nodes}): {seconds:.3f} s "
              f"(estimate {result.estimate:.4f}, tau2 {result.tau2:.4f})")
    review = load_review()

    def notebook_statistics():
        for setting in ({}, {"unknown": "exclude"}, {"outcome": "complete"}):
            data = pooling.events_per_study(review, **setting)
            pooling.pool_groups(data, review)
            pooling.subgroup_test(data, "disease_category")
            pooling.subgroup_test(data, "size_band")

    print(f"notebook 04 statistics (all groups, all methods, subgroup tests): {timed(notebook_statistics):.3f} s")


if __name__ == "__main__":
    main()
