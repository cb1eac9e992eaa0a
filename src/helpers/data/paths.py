"""Where the project's folders are.

The package is installed in editable mode from ``src/``, so the project root is three
levels above this file. ``CALCINOSIS_PROJECT_ROOT`` overrides it (for a copy of the
package installed elsewhere).
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
        ``path`` if absolute, else :data:`PROJECT_ROOT` joined with it.
    """
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path
