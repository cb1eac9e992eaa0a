"""Where a build writes: every path it deletes or replaces checked to lie inside the output
folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from helpers.data import paths
from helpers.data.errors import SetupError

__all__ = ["RUNS", "STAGING", "check_output_dir", "inside", "remove", "write_file"]

STAGING = ".staging"


RUNS = "runs"


def inside(output_dir: Path, path: Path) -> Path:
    """``path``, checked to lie inside ``output_dir``.

    Its last component is not resolved, so a symbolic link there is the link itself, never
    its target.

    Parameters
    ----------
    output_dir : Path
        The output folder (links in it resolved).
    path : Path
        A path the build means to delete, replace or write.

    Returns
    -------
    Path
        ``path`` with its folder's links resolved and its last component as given.

    Raises
    ------
    SetupError
        When the path would leave the output folder (every path the build deletes,
        replaces or writes goes through here).
    """
    root = Path(os.path.realpath(output_dir))
    target = Path(os.path.realpath(path.parent)) / path.name
    if path.name in ("", ".", "..") or not target.is_relative_to(root) or target == root:
        raise SetupError(
            f"refusing to touch {path}: it is not inside the output folder {output_dir}"
        )
    return target


def remove(output_dir: Path, path: Path) -> None:
    """Delete a file, a link or a folder inside the output folder.

    A link is removed, never followed.

    Parameters
    ----------
    output_dir : Path
        The output folder.
    path : Path
        What to delete (a folder with everything in it); nothing happens when it is absent.

    Raises
    ------
    SetupError
        When ``path`` is not inside the output folder (:func:`inside`).
    """
    path = inside(output_dir, path)
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def write_file(output_dir: Path, path: Path, content: str) -> None:
    """Write a file of the output folder atomically.

    A new temporary file (created, never opened through a link) replaces the file when
    complete, so the old file stays whole until then.

    Parameters
    ----------
    output_dir : Path
        The output folder.
    path : Path
        The file, inside the output folder; its folder must exist.
    content : str
        The text, written as UTF-8 (the file's mode is 0o644).

    Raises
    ------
    SetupError
        When ``path`` is not inside the output folder (:func:`inside`).
    """

    target = inside(output_dir, path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def check_output_dir(output_dir: Path) -> Path:
    """The output folder, checked: a folder (or absent), not the project or one of its sources.

    Parameters
    ----------
    output_dir : Path or str
        The folder the reports are to go to.

    Returns
    -------
    Path
        ``output_dir`` as a :class:`~pathlib.Path`, unchanged (not resolved).

    Raises
    ------
    SetupError
        When it is a file, or is (or holds) the project root, or lies inside the data,
        notebooks, sources, tests, ``.git`` or ``.venv``.
    """
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise SetupError(f"the output folder {output_dir} is a file, not a folder")
    real = Path(os.path.realpath(output_dir))
    root = Path(os.path.realpath(paths.PROJECT_ROOT))
    if root.is_relative_to(real):
        raise SetupError(
            f"the output folder {output_dir} holds the project itself; choose a folder of its own "
            "(the default is reports/)"
        )
    for part in ("data", "notebooks", "src", "tests", ".git", ".venv"):
        if real.is_relative_to(root / part):
            raise SetupError(
                f"the output folder {output_dir} lies inside the project's {part}/; "
                "choose a folder of its own (the default is reports/)"
            )
    return output_dir
