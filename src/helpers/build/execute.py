"""One report run executed: papermill in a staging folder, then HTML, then the run's folder
replaced."""

from __future__ import annotations

import copy
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.build.config import Run, declared_parameters
from helpers.build.files import RUNS, STAGING, inside, remove, write_file
from helpers.build.html import to_html
from helpers.build.kernel import KERNEL_NAME
from helpers.build.pdf import print_pdf
from helpers.data import paths
from helpers.data.errors import SetupError

__all__ = ["RunResult", "execute_in_worker", "execute_run", "strip_volatile", "worker_start"]

#: Notebook and cell metadata that change on every execution and carry no meaning.
_VOLATILE_CELL_KEYS = ("execution", "papermill")


_VOLATILE_NB_PAPERMILL_KEYS = (
    "start_time",
    "end_time",
    "duration",
    "exception",
    "input_path",
    "output_path",
)


@dataclass
class RunResult:
    """What happened to a run in this build."""

    name: str
    notebook: str
    title: str
    parameters: dict
    status: str  # "ok" or "failed"
    seconds: float
    error: str = ""
    files: dict = field(default_factory=dict)
    data_checksum: str = ""
    fingerprint: str = ""
    rebuilt: bool = True  # False: carried over from an earlier build (``--only`` built other runs)


def strip_volatile(nb) -> None:
    """Remove execution timestamps, absolute paths and random ids from a notebook, in place.

    Parameters
    ----------
    nb : NotebookNode
        An executed notebook: each cell's ``execution`` and ``papermill`` metadata go, the
        injected-parameters cell gets a fixed id, and papermill's notebook metadata lose
        their times, paths, exception and environment variables.
    """
    for cell in nb.cells:
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
    pm = nb.metadata.get("papermill")
    if pm is not None:
        for key in _VOLATILE_NB_PAPERMILL_KEYS:
            pm.pop(key, None)
        pm.pop("environment_variables", None)


def _shown_path(folder: Path) -> Path:
    """A folder as a notebook is given it: relative to the project root when inside it."""
    root = paths.PROJECT_ROOT.resolve()
    return folder.relative_to(root) if folder.is_relative_to(root) else folder


def _describe_failure(exc: BaseException) -> str:

    from papermill.exceptions import (
        PapermillExecutionError,  # imported here: the command line starts without it
    )

    if isinstance(exc, PapermillExecutionError):
        first = str(exc.evalue).strip().splitlines()
        detail = "\n".join(first[:12]) + ("\n  …" if len(first) > 12 else "")
        return (
            f"cell {exc.cell_index} (execution count {exc.exec_count}) raised {exc.ename}: {detail}"
        )
    return f"{type(exc).__name__}: {exc}"


def execute_run(run: Run, output_dir: Path, checksum: str, progress: bool = False) -> RunResult:
    """Execute one run and, only if everything succeeds, make its staging folder the run's folder.

    The run works in ``<output_dir>/.staging/new/<name>/``: the executed notebook, both HTML
    files, and whatever the notebook writes to its ``output_dir`` parameter (when it
    declares one, the build points it there). Nothing in ``<output_dir>/runs/<name>/``
    changes until the whole run has succeeded; then the staging folder replaces it (the old
    folder moves to ``.staging/old/<name>`` and is deleted). When a cell fails, the executed
    notebook is kept as ``runs/<name>/<name>.failed.ipynb`` and the last good report stays.

    Parameters
    ----------
    run : Run
        The run: notebook, parameters, title.
    output_dir : Path
        The output folder (``reports/``); every path written or removed lies inside it.
    checksum : str
        The SHA-256 of the run's data, shown (first 16 characters) in the report's header.
    progress : bool
        Show papermill's progress bar.

    Returns
    -------
    RunResult
        Status ``"ok"`` with the run's files (``notebook``, ``full``, ``reviewer`` and the
        ``artifacts`` the notebook wrote, relative to the output folder), or ``"failed"``
        with the error (the failing cell and its exception); seconds of wall time either
        way. Any ``Exception`` during the run becomes a failed result.

    Raises
    ------
    SetupError
        When the run's staging or final folder would lie outside the output folder
        (checked before the run starts).

    Long: one ``try`` whose ``finally`` removes the staging folder however the run ends,
    and whose every failure (papermill, the HTML, the swap) becomes the same failed result;
    split, each part would repeat that cleanup and that result.
    """
    import nbformat  # imported here: the command line starts without it
    import papermill as pm

    start = time.perf_counter()
    title = run.title or run.name
    staging = inside(output_dir, output_dir / STAGING / "new" / run.name)
    final = inside(output_dir, output_dir / RUNS / run.name)
    failed_path = final / f"{run.name}.failed.ipynb"

    def failed(error: str) -> RunResult:
        return RunResult(
            run.name,
            run.notebook.name,
            title,
            run.parameters,
            "failed",
            time.perf_counter() - start,
            error,
        )

    try:
        remove(output_dir, staging)
        staging.mkdir(parents=True)
        parameters = copy.deepcopy(run.parameters)
        if "output_dir" in declared_parameters(run.notebook):
            parameters["output_dir"] = str(_shown_path(staging))
        executed = staging / f"{run.name}.ipynb"
        try:
            pm.execute_notebook(
                str(run.notebook),
                str(executed),
                parameters=parameters,
                kernel_name=KERNEL_NAME,
                cwd=str(paths.PROJECT_ROOT),
                progress_bar=progress,
                log_output=False,
                request_save_on_cell_execute=False,
            )
        except Exception as exc:
            # papermill raises on a failing cell; keep the failed notebook aside
            if executed.exists():
                nb = nbformat.read(executed, as_version=4)
                strip_volatile(nb)
                inside(output_dir, final).mkdir(parents=True, exist_ok=True)
                write_file(output_dir, failed_path, nbformat.writes(nb) + "\n")
            return failed(_describe_failure(exc))
        nb = nbformat.read(executed, as_version=4)
        strip_volatile(nb)
        nbformat.write(nb, executed)
        # the notebook was given the staging folder; the report names the run's own
        shown_folder = {}
        if "output_dir" in parameters:
            shown_folder[str(parameters["output_dir"])] = str(_shown_path(final))
        for key, reviewer in (("full", False), ("reviewer", True)):
            target = staging / Path(run.files[key]).name
            if target.exists():
                return failed(
                    f"the notebook wrote {target.name} into its output folder, where the build "
                    "writes the report"
                )
            page = to_html(nb, title, reviewer, run=run, checksum=checksum, replace=shown_folder)
            target.write_text(page, encoding="utf-8")
        # The reviewer report printed, in the staging folder: a failed print fails the run.
        print_pdf(
            staging / Path(run.files["reviewer"]).name,
            staging / Path(run.files["pdf"]).name,
            title,
            run.name,
        )
        artifacts = sorted(
            p.relative_to(staging).as_posix()
            for p in staging.rglob("*")
            if p.is_file() and p.name not in {Path(f).name for f in run.files.values()}
        )
        # The swap: the old folder is moved aside, the new one takes its place, the old one goes.
        old = inside(output_dir, output_dir / STAGING / "old" / run.name)
        remove(output_dir, old)
        old.parent.mkdir(parents=True, exist_ok=True)
        if final.exists() or final.is_symlink():
            os.replace(final, old)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, final)
        remove(output_dir, old)
        files = dict(run.files) | {"artifacts": [f"{run.folder}/{a}" for a in artifacts]}
        return RunResult(
            run.name,
            run.notebook.name,
            title,
            run.parameters,
            "ok",
            time.perf_counter() - start,
            files=files,
        )
    except Exception as exc:
        return failed(_describe_failure(exc))
    finally:
        try:
            remove(output_dir, staging)
        except (OSError, SetupError):
            pass


def worker_start() -> None:
    """In each worker: end when the build's process ends (Linux), however it ends."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers still end when their queue closes
        pass


def execute_in_worker(args):
    """Worker: one run in a separate process (each run starts its own kernel).

    Parameters
    ----------
    args : tuple of (Run, Path, str)
        The run, the output folder and the run's data checksum, as for
        :func:`execute_run`, in one tuple.

    Returns
    -------
    RunResult
        What :func:`execute_run` returns, without a progress bar.
    """
    run, output_dir, checksum = args
    return execute_run(run, output_dir, checksum)
