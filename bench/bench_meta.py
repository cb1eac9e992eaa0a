"""Benchmark of helpers.analysis.meta: the GLMM on 2,000 and 10,000 simulated studies beside
lme4's glmer, notebook 04's statistics, and every model on the review's distinct data sets.

Run: .venv/bin/python bench/bench_meta.py   (or make bench)

Prints the median of several repeats (wall clock, this machine) for each case. The
simulation has a fixed seed, so every run fits the same data. The GLMM is timed doing
what ``glmer`` does (the estimates and their standard errors: ``profile=False``); when R
with lme4 is installed (Debian: r-base-core r-cran-lme4), ``glmer(nAGQ = q)`` is timed on
the same data in the same run, and the ratio printed. Without R the lme4 column says so.
"""

from __future__ import annotations

import itertools
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from helpers import load_review
from helpers.analysis import meta, pooling

SEED = 20210624
REPEATS = 5
SIZES = (2_000, 10_000)
NODES = (7, 20)

GLMER = """
suppressMessages(library(lme4))
d <- read.csv(commandArgs(TRUE)[1]); d$study <- factor(seq_len(nrow(d)))
q <- as.integer(commandArgs(TRUE)[2]); reps <- as.integer(commandArgs(TRUE)[3])
ts <- numeric(reps)
for (r in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]
  f <- glmer(cbind(x, n - x) ~ 1 + (1 | study), data = d, family = binomial, nAGQ = q)
  ts[r] <- proc.time()[["elapsed"]] - t0
}
cat(median(ts), fixef(f)[[1]], VarCorr(f)$study[1], "\\n")
"""


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


def glmer_seconds(x, n, nodes: int, folder: Path) -> tuple[float, float, float] | None:
    """Median seconds of glmer(nAGQ = nodes) on the same data, its intercept and
    tau²; None without R."""
    if shutil.which("Rscript") is None:
        return None
    data = folder / f"sim{len(x)}.csv"
    data.write_text("x,n\n" + "".join(f"{a},{b}\n" for a, b in zip(x, n, strict=True)))
    script = folder / "glmer.R"
    script.write_text(GLMER)
    done = subprocess.run(
        ["Rscript", str(script), str(data), str(nodes), str(REPEATS)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return None
    seconds, beta, tau2 = (float(v) for v in done.stdout.split())
    return seconds, beta, tau2


def distinct_data_sets(review) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every data set the analytic choices give, once: each group of each combination of
    the choices (:data:`pooling.OUTCOMES` x :data:`pooling.UNKNOWN` x :data:`pooling.UNITS`
    x abstracts x case series), and each of its leave-one-out subsets; deduplicated by the
    sorted (events, n) pairs, in the order first met."""
    seen: dict[tuple, None] = {}
    for outcome, unknown, unit, abstracts, case_series in itertools.product(
        pooling.OUTCOMES, pooling.UNKNOWN, pooling.UNITS, (False, True), (False, True)
    ):
        data = pooling.events_per_study(
            review,
            outcome=outcome,
            unknown=unknown,
            unit=unit,
            exclude_abstracts=abstracts,
            case_series_only=case_series,
        )
        for _, _, _, part in pooling.group_parts(data, review):
            pairs = list(zip(part["events"].tolist(), part["n"].tolist(), strict=True))
            subsets = [pairs] + (
                [pairs[:i] + pairs[i + 1 :] for i in range(len(pairs))] if len(pairs) > 1 else []
            )
            for subset in subsets:
                seen.setdefault(tuple(sorted(subset)), None)
    return [tuple(zip(*pairs, strict=True)) for pairs in seen]


def fit_every_model(data_sets) -> list:
    """Every model of :data:`pooling.ALL_MODELS` on every data set (``profile=False``,
    prediction intervals on t), as the multiverse fits them."""
    return [
        meta.pool_proportions(
            events, n, method=method, test=test, pi_type=pooling.PI_TYPE, profile=False
        )
        for events, n in data_sets
        for method, test in pooling.ALL_MODELS
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for k in SIZES:
            x, n = simulate(k)
            fixed = {}
            for nodes in (*NODES, "auto"):
                result = meta.pool_proportions(x, n, method="glmm", nodes=nodes, profile=False)
                seconds = timed(
                    lambda nodes=nodes, x=x, n=n: meta.pool_proportions(
                        x, n, method="glmm", nodes=nodes, profile=False
                    )
                )
                line = (
                    f"glmm, {k:>6,} studies, nodes={nodes!s:>4} (used {result.nodes:>3}): "
                    f"{seconds:.3f} s "
                    f"(estimate {result.estimate:.5f}, tau2 {result.tau2:.5f})"
                )
                if nodes == "auto":
                    line += f"; {seconds / fixed[20]:.2f}x the 20-node time"
                else:
                    fixed[nodes] = seconds
                    reference = glmer_seconds(x, n, nodes, Path(tmp))
                    if reference is None:
                        line += "; lme4's glmer: not timed (no R with lme4 here)"
                    else:
                        r_seconds, r_beta, r_tau2 = reference
                        line += (
                            f"; glmer {r_seconds:.3f} s "
                            f"(estimate {r_beta:.5f}, tau2 {r_tau2:.5f}): "
                            f"ours is {r_seconds / seconds:.1f}x as fast"
                        )
                print(line)
    review = load_review()

    def notebook_statistics():
        for setting in ({}, {"unknown": "exclude"}, {"outcome": "complete"}):
            data = pooling.events_per_study(review, **setting)
            pooling.fit_groups(data, review)  # the GLMM with its profile intervals
            pooling.pool_every_method(data, review)
            pooling.subgroup_test(data, "disease_category")
            pooling.subgroup_test(data, "size_band")

    print(
        "notebook 04 statistics (all groups, all methods, subgroup tests): "
        f"{timed(notebook_statistics, 3):.3f} s"
    )
    topical = pooling.events_per_study(review).query("modality == 'topical_sts'")
    seconds = timed(
        lambda: meta.pool_proportions(
            topical["events"], topical["n"], method="glmm", pi_type=pooling.PI_TYPE, profile=False
        ),
        20,
    )
    print(f"glmm, the {len(topical)} topical-STS studies, one fit: {1000 * seconds:.1f} ms")
    data_sets = distinct_data_sets(review)
    for label, methods in (
        ("the GLMM", [m for m in pooling.ALL_MODELS if m[0] == "glmm"]),
        ("the other models", [m for m in pooling.ALL_MODELS if m[0] != "glmm"]),
    ):
        seconds = timed(
            lambda methods=methods: [
                meta.pool_proportions(
                    events, n, method=method, test=test, pi_type=pooling.PI_TYPE, profile=False
                )
                for events, n in data_sets
                for method, test in methods
            ],
            3,
        )
        print(
            f"the review's {len(data_sets)} distinct data sets, {label} "
            f"({len(methods)} model{'s' if len(methods) > 1 else ''}): {seconds:.3f} s"
        )


if __name__ == "__main__":
    main()
