"""What a run depends on, as one digest: an unchanged run is not built again."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers.build.config import Run
from helpers.build.execute import RunResult
from helpers.data import paths
from helpers.data.digests import data_checksum
from helpers.report.params import PATH_PARAMETERS

__all__ = ["earlier_results", "from_manifest", "run_data_dir", "run_fingerprint"]


def run_data_dir(run: Run) -> Path:
    """The data folder a run reads (its ``data_dir`` parameter, relative to the project root).

    Parameters
    ----------
    run : Run
        The run.

    Returns
    -------
    Path
        :data:`helpers.data.paths.DATA_DIR` when the run sets no ``data_dir``, else that
        folder (an absolute path kept as it is).
    """
    return paths.data_folder(run.parameters.get("data_dir"))


def _content_digest(path: Path) -> str:
    """What a file or folder named by a parameter holds (a folder: :func:`data_checksum`)."""
    try:
        if path.is_dir():
            return "folder " + data_checksum(path)
        if path.is_file():
            return "file " + hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable {exc.errno}"
    return "missing"


def run_fingerprint(run: Run, data_checksum_: str, code_digest: str) -> str:
    """What a run's output depends on, as one digest.

    The notebook, title, parameters and the content of every file or folder they name, the
    data, the helpers and the locked environment.

    Parameters
    ----------
    run : Run
        The run.
    data_checksum_ : str
        The checksum of the run's data folder (:func:`helpers.data.digests.data_checksum`).
    code_digest : str
        The digest of the helpers' code (:func:`helpers.data.digests.helpers_digest`).

    Returns
    -------
    str
        The SHA-256, in hexadecimal, over the notebook's bytes, the title and parameters (as
        sorted JSON), the data checksum, the content of every path parameter, the code digest
        and ``requirements.lock`` when present.
    """

    h = hashlib.sha256()
    h.update(run.notebook.read_bytes())
    h.update(
        json.dumps(
            {"title": run.title, "parameters": run.parameters}, sort_keys=True, default=str
        ).encode()
    )
    h.update(data_checksum_.encode())
    for name in PATH_PARAMETERS:
        value = run.parameters.get(name)
        if isinstance(value, str):
            h.update(f"{name}: {_content_digest(paths.project_path(value))}".encode())
    h.update(code_digest.encode())
    lock = paths.PROJECT_ROOT / "requirements.lock"
    if lock.is_file():
        h.update(lock.read_bytes())
    return h.hexdigest()


def earlier_results(output_dir: Path) -> dict:
    """The runs recorded by the last build in this folder.

    Nothing when its manifest is unreadable (missing, not JSON, or without ``runs``).

    Parameters
    ----------
    output_dir : Path
        The output folder, holding the last build's ``build.json``.

    Returns
    -------
    dict
        Run name to its entry in ``build.json`` (a dict), for the entries
        :func:`from_manifest` accepts.
    """
    manifest = output_dir / "build.json"
    try:
        runs = json.loads(manifest.read_text(encoding="utf-8"))["runs"]
        entries = {
            r["name"]: r for r in runs if isinstance(r, dict) and isinstance(r.get("name"), str)
        }
        return {name: r for name, r in entries.items() if from_manifest(r) is not None}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def from_manifest(entry: dict) -> RunResult | None:
    """A run recorded in ``build.json``, or None when the entry is not one this build wrote.

    Parameters
    ----------
    entry : dict
        One of the manifest's ``runs`` (keys not of :class:`RunResult` ignored).

    Returns
    -------
    RunResult or None
        The result, marked not rebuilt (``seconds`` 0 when absent); None when a required
        field is missing or a field has the wrong type (``parameters`` and ``files`` not
        dicts, a text or a file name not a string).
    """
    fields = {k: v for k, v in entry.items() if k in RunResult.__dataclass_fields__}
    try:
        result = RunResult(**({"seconds": 0.0} | fields | {"rebuilt": False}))
    except TypeError:
        return None
    ok = (
        isinstance(result.parameters, dict)
        and isinstance(result.files, dict)
        and all(isinstance(v, str) for k, v in result.files.items() if k != "artifacts")
        and all(isinstance(a, str) for a in result.files.get("artifacts", []))
        and all(
            isinstance(getattr(result, k), str)
            for k in ("name", "notebook", "title", "status", "error")
        )
    )
    return result if ok else None
