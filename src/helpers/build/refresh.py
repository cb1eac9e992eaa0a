"""Re-execute the notebooks in place, to refresh the outputs nbval compares."""

from __future__ import annotations

import os
from pathlib import Path

from helpers.build import params_cells
from helpers.build.config import report_notebooks
from helpers.build.console import LOG
from helpers.build.execute import strip_volatile
from helpers.build.kernel import KERNEL_NAME
from helpers.build.lock import FolderLock
from helpers.data import paths

__all__ = ["RefreshFailed", "refresh_notebooks"]


class RefreshFailed(RuntimeError):
    """A notebook failed while its stored outputs were refreshed (it is left as it was)."""


def refresh_notebooks(notebooks_dir: Path | None = None, log=None, wait: bool = False) -> None:
    """Re-execute each notebook in place with its default parameters, for nbval's stored outputs.

    A notebook whose execution fails is left as it was, and :class:`RefreshFailed` names it
    and the failing cell. Each notebook's ``parameters`` cell is first set from the
    specification (:func:`~helpers.build.params_cells.write_parameters_cell`), and its
    volatile metadata are removed before it is written back (atomically).

    Parameters
    ----------
    notebooks_dir : Path, optional
        The folder whose report notebooks (``NN_name.ipynb``,
        :func:`~helpers.build.config.report_notebooks`) are executed, in name order; None:
        :data:`helpers.data.paths.NOTEBOOKS_DIR`. A scratch notebook (``Untitled.ipynb``) is
        left alone.
    log : callable, optional
        Called with each progress line; None: :data:`~helpers.build.console.LOG`'s ``info``.
    wait : bool
        Wait for another refresh of the folder to finish instead of failing at once.

    Raises
    ------
    RefreshFailed
        When a cell raises; the notebooks before it are refreshed, the rest left as they were.
    FolderBusy
        When another refresh holds the folder's lock and ``wait`` is False, or the lock
        file is not a plain file.
    """
    import nbformat  # imported here: the command line starts without it
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    log = log or LOG.info

    folder = Path(notebooks_dir or paths.NOTEBOOKS_DIR)
    with FolderLock(folder, wait=wait, log=log, what="notebook refresh"):
        for nb_path in report_notebooks(folder):
            log(f"executing {nb_path.name} in place ...")
            nb = nbformat.read(nb_path, as_version=4)
            params_cells.write_parameters_cell(nb, nb_path.stem)
            try:
                NotebookClient(
                    nb,
                    kernel_name=KERNEL_NAME,
                    resources={"metadata": {"path": str(nb_path.parent)}},
                ).execute()
            except CellExecutionError as exc:
                detail = "\n".join(str(exc.evalue or exc).strip().splitlines()[:12])
                raise RefreshFailed(
                    f"{nb_path.name}: a cell raised {exc.ename}: {detail}; "
                    "the notebook is left as it was"
                ) from None
            strip_volatile(nb)
            tmp = nb_path.with_name(f".{nb_path.name}.tmp")
            nbformat.write(nb, tmp)
            os.replace(tmp, nb_path)
