"""Build the reports: execute every notebook with papermill, convert to HTML, write the index.

Usage::

    python -m helpers.build                   # every run in reports.yaml (what `make report` does)
    python -m helpers.build --only 01_extraction
    python -m helpers.build --wait            # wait for a build already running in the folder
    # re-execute notebooks/ in place (stored outputs for nbval)
    python -m helpers.build --refresh-notebooks

``reports.yaml`` lists the report runs (:mod:`helpers.build.config` checks it: run names, the
notebooks' declared parameters, their values). Notebooks execute with the project root as
working directory, so a relative path among the parameters (``data_dir: tests/fixtures/...``)
is relative to the project root. Each run has a folder of its own,
``reports/runs/<name>/``, holding everything the run wrote:

- ``<name>.ipynb``: the executed notebook;
- ``<name>.html``: the full report, code shown;
- ``<name>-reviewer.html``: the reviewer's report, code hidden;
- ``<name>-reviewer.pdf``: the reviewer's report printed by Chromium (:mod:`helpers.build.pdf`);
- what the notebook writes to its ``output_dir`` (``claims_audit.csv``, ``figures/``,
  ``sensitivity/``), which the build points at the run's folder;

each page headed by the run's title and a navigation bar that every build rewrites for
every run (:mod:`helpers.build.nav`: the index, previous and next in the runs file's order,
the run's versions and files); and ``reports/index.html`` links them all, with each run's
parameters and status, the data checksum and the build time (``SOURCE_DATE_EPOCH`` when
set, for reproducible builds). ``reports/build.json`` records the same for tools.

Nothing is lost, nothing is half-written:

- one build at a time: the build holds a lock on the output folder
  (:mod:`helpers.build.lock`); a second build exits naming the running one, or waits
  (``--wait``); a lock left by a killed build is found stale and cleared;
- the data of every run are validated once, before any notebook executes
  (:func:`helpers.load_review`); a run whose data are invalid fails with the problems
  listed, and executes nothing;
- a run is executed in a staging folder (``reports/.staging/new/<name>``) and replaces its
  folder only when everything succeeded; a failing run keeps its last good report, its
  failed execution is saved as ``runs/<name>/<name>.failed.ipynb``, the index marks it
  failed with the reason, the other runs are still built, and the command exits 1
  naming the notebook and the failing cell;
- every path the build deletes or replaces is checked to lie inside the output folder;
- a run that is gone (no longer in ``reports.yaml``, its notebook deleted) loses its folder at
  the next build, only if the last build recorded it there (:func:`remove_gone_runs`); a
  run ``--only`` did not select is still a run, and is kept.

Exit status: 0 when every run is built; 1 when a run failed (bad data, a failing cell);
2 for a bad ``reports.yaml``, option or environment (``SOURCE_DATE_EPOCH``, an output
folder that cannot be written); 3 when another build holds the folder. No traceback.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from helpers.build.clock import build_time
from helpers.build.config import ConfigError, Run, check_run_name, load_config
from helpers.build.console import LOG
from helpers.build.execute import RunResult, execute_in_worker, worker_start
from helpers.build.files import RUNS, STAGING, check_output_dir, remove, write_file
from helpers.build.fingerprints import earlier_results, from_manifest, run_data_dir, run_fingerprint
from helpers.build.index import write_index
from helpers.build.lock import FolderLock
from helpers.build.nav import write_navigation
from helpers.build.pdf import check_chromium
from helpers.data import paths
from helpers.data.appraisals import load_appraisals
from helpers.data.digests import data_checksum, helpers_digest
from helpers.data.errors import DataValidationError
from helpers.data.loader import load_review
from helpers.report import paper_page

__all__ = ["build", "indent", "remove_gone_runs"]


def build(
    runs: list[Run] | None = None,
    output_dir: Path | None = None,
    only: list[str] | None = None,
    log=None,
    force: bool = False,
    jobs: int | None = None,
    wait: bool = False,
) -> list[RunResult]:
    """Execute the runs, write their reports and the index; return the results.

    Runs are independent (each reads the data itself), so they execute in parallel, one
    kernel per worker (``jobs``, default: the machine's cores). A run whose fingerprint
    (notebook, title, parameters and the files they name, data, helpers, lock file)
    matches the last good build, and whose files are all still there, is skipped and said
    to be; ``force=True`` rebuilds everything. The output folder is locked for the whole
    build (``wait=True`` waits for a build already running there).

    Parameters
    ----------
    runs : list of Run, optional
        Every run (default: :func:`~helpers.build.config.load_config` of ``reports.yaml``).
    output_dir : Path, optional
        Where the reports go (default: the project's ``reports/``; a relative path is
        relative to the project root); checked by
        :func:`~helpers.build.files.check_output_dir`.
    only : list of str, optional
        Names of the runs to build; the others are not touched, and the index keeps their
        last recorded result.
    log : callable, optional
        Called with each progress line (default: ``LOG.info``, the build's logger,
        :mod:`helpers.build.console`).
    force : bool
        Rebuild runs whose fingerprint is unchanged too.
    jobs : int, optional
        Parallel workers, never more than the runs to execute (default: the machine's cores).
    wait : bool
        Wait for a build already holding the output folder instead of failing at once.

    Returns
    -------
    list of RunResult
        One per run built (``only``'s, or every run), in the order of ``runs``: executed
        (``rebuilt`` True), failed on invalid data (``seconds`` 0.0, nothing executed), or
        skipped as unchanged (the result recorded in ``build.json``, ``rebuilt`` False).

    Raises
    ------
    ConfigError
        For a bad runs file, ``only`` naming no run, no runs at all, or ``jobs`` below 1.
    SetupError
        For a bad ``SOURCE_DATE_EPOCH``, an output folder the build cannot use, or no
        Chromium to print the reviewer reports with (:func:`~helpers.build.pdf.check_chromium`).
    FolderBusy
        When another build holds the output folder and ``wait`` is False.

    Long: one locked section, from clearing a killed build's staging folder to writing the
    index; split, each step would take the folder, the fingerprints and the results so far,
    and the lock would be held across calls.
    """
    log = log or LOG.info
    output_dir = check_output_dir(paths.project_path(output_dir or paths.REPORTS_DIR))
    built = build_time()  # checked before anything runs
    all_runs = load_config() if runs is None else runs
    runs = all_runs
    if only:
        unknown = sorted(set(only) - {r.name for r in all_runs})
        if unknown:
            raise ConfigError(
                f"no run named {', '.join(map(repr, unknown))}; "
                f"runs: {', '.join(r.name for r in all_runs)}"
            )
        runs = [r for r in all_runs if r.name in only]
    if not runs:
        raise ConfigError(
            "no report runs: reports.yaml lists none and notebooks/ holds no notebook"
        )
    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs must be 1 or more, not {jobs}")
    with FolderLock(output_dir, wait=wait, log=log):
        remove(output_dir, output_dir / STAGING)  # what a killed build left behind
        # Same inputs, same bytes: kernels inherit a fixed hash seed (set and dict-of-set orders).
        os.environ["PYTHONHASHSEED"] = "0"
        checksum = data_checksum()
        code = helpers_digest()
        run_checksums = {r.name: data_checksum(run_data_dir(r)) for r in runs}
        prints = {r.name: run_fingerprint(r, run_checksums[r.name], code) for r in runs}
        earlier = earlier_results(output_dir)
        results: dict[str, RunResult] = {}
        todo = []
        for run in runs:
            before = earlier.get(run.name, {})
            files = before.get("files") or {}
            present = all(
                (output_dir / f).is_file() for k, f in files.items() if k != "artifacts"
            ) and all((output_dir / a).is_file() for a in files.get("artifacts", []))
            if (
                not force
                and before.get("status") == "ok"
                and before.get("fingerprint") == prints[run.name]
                and files
                and present
            ):
                results[run.name] = from_manifest(before)
                log(f"[skip] {run.name}: unchanged since the last good build")
            else:
                todo.append(run)
        # The data of the runs to build are validated first (the gate, once per folder); a run
        # whose data are invalid fails here, and executes nothing.
        invalid = _invalid_data(todo)
        for run in [r for r in todo if r.name in invalid]:
            todo.remove(run)
            results[run.name] = RunResult(
                run.name,
                run.notebook.name,
                run.title or run.name,
                run.parameters,
                "failed",
                0.0,
                invalid[run.name],
            )
            log(
                f"[fail] {run.name}: its input is invalid; nothing executed\n"
                f"    {indent(invalid[run.name])}",
            )
        if todo:
            check_chromium()  # every run prints its reviewer report to PDF: say so before any runs
        jobs = max(1, min(jobs or (os.cpu_count() or 1), len(todo) or 1))
        done = 0
        if todo:
            log(f"building {len(todo)} run(s) on {jobs} worker(s) ...")
            # Workers are started fresh ("spawn"), so they do not inherit the folder's lock, and
            # they end with the build (worker_start): a killed build leaves no worker holding the
            # lock or still replacing run folders.
            with ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=worker_start,
            ) as pool:
                futures = {
                    pool.submit(execute_in_worker, (run, output_dir, run_checksums[run.name])): run
                    for run in todo
                }
                for future in as_completed(futures):
                    run = futures[future]
                    result = future.result()
                    result.data_checksum = run_checksums[run.name]
                    result.fingerprint = prints[run.name] if result.status == "ok" else ""
                    results[run.name] = result
                    done += 1
                    if result.status == "ok":
                        log(f"[{done}/{len(todo)}] {run.name}: ok ({result.seconds:.1f} s)")
                    else:
                        log(
                            f"[{done}/{len(todo)}] {run.name}: FAILED ({result.seconds:.1f} s)\n"
                            f"    {run.notebook.name}: "
                            f"{result.error}",
                        )
        remove(output_dir, output_dir / STAGING)
        remove_gone_runs(output_dir, all_runs, earlier, log)
        write_file(output_dir, output_dir / paper_page.PAGE_NAME, paper_page.render())
        # every page's bar, built or not: the runs file's order and the files there now
        write_navigation(all_runs, output_dir)
        ordered = [results[r.name] for r in runs]
        index = write_index(
            _with_earlier_results(ordered, all_runs, output_dir), output_dir, checksum, built
        )
    log(f"index: {index}")
    return ordered


def remove_gone_runs(output_dir: Path, runs: list[Run], earlier: dict, log) -> list[str]:
    """Remove the folders of the runs the last build made that are no longer runs.

    A run is gone when the runs file no longer lists it and no report notebook gives it a
    default run (its notebook deleted or renamed, ``Untitled.ipynb`` no longer built). Only
    what the build itself made is removed: the folder ``runs/<name>/`` of a run recorded in
    the last build's ``build.json``, whose name is a run name
    (:func:`~helpers.build.config.check_run_name`) and not a current run's but for case, and
    whose recorded files all lie in that folder. A folder under ``runs/`` that no build
    recorded is left alone (and named in the log); nothing outside the output folder is ever
    touched (:func:`~helpers.build.files.remove`). Runs merely not selected by ``--only``
    are runs, so they are kept.

    Parameters
    ----------
    output_dir : Path
        The output folder.
    runs : list of Run
        Every run of the runs file (not only those selected).
    earlier : dict
        The last build's runs by name (:func:`~helpers.build.fingerprints.earlier_results`).
    log : callable
        Called with one line per folder removed or left alone.

    Returns
    -------
    list of str
        The names of the runs whose folders were removed, sorted.
    """
    names = {r.name for r in runs}
    folded = {n.lower() for n in names}  # on a case-insensitive disk, Run and run share a folder
    removed = []
    for name, entry in sorted(earlier.items()):
        if name.lower() in folded or check_run_name(name):
            continue
        folder = f"{RUNS}/{name}/"
        files = entry.get("files") or {}
        recorded = [f for k, f in files.items() if k != "artifacts"] + list(
            files.get("artifacts", [])
        )
        if not all(f.startswith(folder) for f in recorded):
            continue
        if (output_dir / RUNS / name).exists() or (output_dir / RUNS / name).is_symlink():
            remove(output_dir, output_dir / RUNS / name)
            log(f"[gone] {name}: no longer a run; removed {folder}")
        removed.append(name)
    try:
        left = sorted(p.name for p in (output_dir / RUNS).iterdir())
    except OSError:
        left = []
    for name in left:
        if name not in names and name not in earlier:
            log(f"[kept] {RUNS}/{name}/: not a run, and no build recorded it; left alone")
    return removed


def indent(text: str) -> str:
    """Indent every line but the first by four spaces, to nest a message under its heading.

    Parameters
    ----------
    text : str
        A message, possibly of several lines.

    Returns
    -------
    str
        ``text`` with four spaces after each newline.

    Examples
    --------
    >>> print("error: " + indent("two problems:\\nfirst"))
    error: two problems:
        first
    """
    return text.replace("\n", "\n    ")


def _invalid_data(runs: list[Run]) -> dict[str, str]:
    """Validate each data folder the runs read, once (:func:`helpers.load_review`, cached for
    the kernels), and each appraisal file a run names
    (:func:`helpers.data.appraisals.load_appraisals`); return, for each run whose input is
    invalid, the problems."""

    problems: dict[Path, str] = {}
    out = {}
    for run in runs:
        folder = run_data_dir(run)
        if folder not in problems:
            try:
                load_review(folder)
                problems[folder] = ""
            except DataValidationError as exc:
                problems[folder] = str(exc)
        if problems[folder]:
            out[run.name] = problems[folder]
        elif run.parameters.get("appraisal_path") is not None:
            # an input file of its own, checked the same way
            try:
                load_appraisals(
                    paths.project_path(run.parameters["appraisal_path"]), load_review(folder)
                )
            except DataValidationError as exc:
                out[run.name] = str(exc)
    return out


def _with_earlier_results(
    results: list[RunResult], runs: list[Run], output_dir: Path
) -> list[RunResult]:
    """This build's results, plus the last recorded result of each run it did not rebuild."""
    done = {r.name: r for r in results}
    earlier = earlier_results(output_dir)
    merged = []
    for run in runs:
        if run.name in done:
            merged.append(done[run.name])
        elif run.name in earlier:
            merged.append(from_manifest(earlier[run.name]))
    return merged
