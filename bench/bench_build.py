"""Benchmark of the report build: clean build, no-change rebuild, the papermill floor, and scale.

Run: .venv/bin/python bench/bench_build.py [--scale]

- clean build: every run of reports.yaml, forced, into an empty folder (parallel workers);
- no-change rebuild: the same command again (every run skipped);
- floor: papermill executing a notebook that only imports the libraries the reports
  import, once per report run, with the same workers; the ratio clean/floor says how
  much of the build is the reports' own work;
- --scale: one run per notebook on synthetic reviews 1x, 10x and 100x the real one
  (helpers.data.synthetic, fixed seed), to show how build time grows with the studies.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from helpers.build import pipeline as build
from helpers.build.kernel import KERNEL_NAME
from helpers.data import paths, synthetic

FLOOR_SOURCE = """import matplotlib
import numpy, pandas, scipy, statsmodels.api, seaborn
import frictionless, yaml
import helpers, helpers.data.loader, helpers.analysis.claims, helpers.analysis.table2, \
helpers.analysis.meta
import helpers.analysis.pooling, helpers.report.forest, helpers.report.figures, helpers.analysis.rob
import helpers.analysis.prisma, helpers.report.tables, helpers.report.params
matplotlib.use("module://matplotlib_inline.backend_inline")"""


def _floor_one(args):
    import papermill as pm

    src, out = args
    pm.execute_notebook(
        src, out, kernel_name=KERNEL_NAME, progress_bar=False, cwd=str(paths.PROJECT_ROOT)
    )


def floor(runs: int, jobs: int) -> float:
    tmp = Path(tempfile.mkdtemp())
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": KERNEL_NAME, "display_name": KERNEL_NAME, "language": "python"}
        }
    )
    nb.cells = [nbformat.v4.new_code_cell(FLOOR_SOURCE)]
    src = tmp / "floor.ipynb"
    nbformat.write(nb, src)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_floor_one, [(str(src), str(tmp / f"out{i}.ipynb")) for i in range(runs)]))
    seconds = time.perf_counter() - start
    shutil.rmtree(tmp)
    return seconds


def timed_build(**kwargs) -> float:
    start = time.perf_counter()
    results = build.build(log=lambda *a, **k: None, **kwargs)
    seconds = time.perf_counter() - start
    failed = [r.name for r in results if r.status != "ok"]
    if failed:
        raise SystemExit(f"runs failed: {failed}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scale", action="store_true", help="also build synthetic reviews 1x, 10x and 100x"
    )
    args = parser.parse_args()
    import os

    jobs = os.cpu_count() or 1
    runs = build.load_config()
    out = Path(tempfile.mkdtemp()) / "reports"
    clean = timed_build(output_dir=out, force=True)
    again = timed_build(output_dir=out)
    base = floor(len(runs), jobs)
    print(f"{len(runs)} report runs, {jobs} workers")
    print(f"clean build:        {clean:6.1f} s")
    print(f"no-change rebuild:  {again:6.2f} s")
    print(f"floor (papermill, imports only, {len(runs)} runs): {base:6.1f} s")
    print(f"clean build / floor: {clean / base:.2f}")
    if args.scale:
        one_per_notebook = [
            build.Run(nb.stem, nb, {}, nb.stem)
            for nb in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
        ]
        for factor in (1, 10, 100):
            data = Path(tempfile.mkdtemp()) / "data"
            synthetic.make_review(data, factor)
            scaled = [
                build.Run(r.name, r.notebook, {"data_dir": str(data)}, r.title)
                for r in one_per_notebook
            ]
            seconds = timed_build(
                runs=scaled, output_dir=Path(tempfile.mkdtemp()) / "reports", force=True
            )
            print(
                f"scale {factor:>3}x ({40 * factor:>5} studies), "
                f"one run per notebook: {seconds:6.1f} s"
            )


if __name__ == "__main__":
    main()
