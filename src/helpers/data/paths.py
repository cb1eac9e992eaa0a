"""Where the project's folders are, and the one rule for relative paths.

The package is installed in editable mode from ``src/``, so the project root is three
levels above this file. ``CALCINOSIS_PROJECT_ROOT`` overrides it (for a copy of the
package installed elsewhere).

A relative path is read one way everywhere: **relative to the project root**, whatever
the current directory is (JupyterLab's is the notebook's folder, ``notebooks/``; a
papermill run's is wherever it was started). That holds for every notebook parameter
(``data_dir``, ``appraisal_path``, ``output_dir``), for the paths of ``reports.yaml`` and of
any runs file given with ``--config``, and for every helper that takes a path
(:func:`helpers.load_review`, :func:`helpers.data.appraisals.load_appraisals`, ...): each
reads it through :func:`project_path` (or :func:`data_folder`). Only a path typed as a
command-line option (``python -m helpers.build --config``, ``--output-dir``,
``python -m helpers.validate FOLDER``, ``python -m helpers.update --data``) is relative
to the current directory, as for any command: :func:`command_line_path` makes it absolute.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "DATA_PACKAGE",
    "NOTEBOOKS_DIR",
    "PROJECT_ROOT",
    "REPORTS_CONFIG",
    "REPORTS_DIR",
    "command_line_path",
    "data_folder",
    "project_path",
]

PROJECT_ROOT = Path(os.environ.get("CALCINOSIS_PROJECT_ROOT", Path(__file__).resolve().parents[3]))
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
REPORTS_CONFIG = PROJECT_ROOT / "reports.yaml"
#: The data dictionary, which is also the schema every data folder is validated against.
DATA_PACKAGE = DATA_DIR / "datapackage.yaml"


def project_path(path: str | os.PathLike) -> Path:
    """A path relative to the project root (absolute paths are kept).

    Parameters
    ----------
    path : str or path-like
        A path, relative to the project root or absolute.

    Returns
    -------
    Path
        ``path`` if absolute, else :data:`PROJECT_ROOT` joined with it (whatever the
        current directory is).

    Examples
    --------
    >>> project_path("data") == DATA_DIR
    True
    >>> project_path("/tmp/x")
    PosixPath('/tmp/x')
    """
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path


def data_folder(data_dir: str | os.PathLike | None = None) -> Path:
    """The data folder a helper reads: the project's ``data/``, or ``data_dir`` read by
    :func:`project_path`.

    Parameters
    ----------
    data_dir : str or path-like, optional
        A data folder, relative to the project root or absolute; None (or empty) is
        :data:`DATA_DIR`.

    Returns
    -------
    Path
        The folder (not checked to exist).

    Examples
    --------
    >>> data_folder() == data_folder("data") == DATA_DIR
    True
    """
    return project_path(data_dir) if data_dir else DATA_DIR


def command_line_path(text: str | os.PathLike) -> Path:
    """A path typed as a command-line option, relative to the current directory as for any
    command, made absolute so that the helpers (which read a relative path against the
    project root) read it as typed.

    Parameters
    ----------
    text : str or path-like
        The option's value.

    Returns
    -------
    Path
        The absolute path (``..`` folded, links not followed).
    """
    return Path(os.path.abspath(text))
