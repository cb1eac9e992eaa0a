"""The sensitivity summary: each run's headline estimates, written as ``sensitivity/<run>.csv``
and read back by the build's index through the same definition of its columns."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from helpers.analysis.pooling import GroupFit
from helpers.data.escape import write_csv
from helpers.data.paths import project_path

__all__ = [
    "HEADLINE_COLUMNS",
    "HEADLINE_GROUPS",
    "HEADLINE_METHODS",
    "SENSITIVITY_FOLDER",
    "headline",
    "read_headline",
    "write_headline",
]

#: The folder, under a run's output folder, that holds its sensitivity summary.
SENSITIVITY_FOLDER = "sensitivity"


#: The groups whose estimates the sensitivity comparison sets side by side.
HEADLINE_COLUMNS = [
    "run",
    "kind",
    "key",
    "group",
    "method",
    "model",
    "k",
    "events",
    "n",
    "proportion",
    "ci_low",
    "ci_high",
    "converged",
]


HEADLINE_GROUPS = (
    ("modality", "topical_sts"),
    ("modality", "intralesional_sts"),
    ("family", "laser"),
    ("modality", "eswl"),
)


#: The two rows of each headline group.
HEADLINE_METHODS = ("crude", "primary model")


def headline(fits: dict[tuple[str, str], GroupFit], run: str) -> pd.DataFrame:
    """The estimates the sensitivity comparison shows for one run.

    Per headline group (:data:`HEADLINE_GROUPS`) that has studies: the crude proportion
    and the model shown (:data:`HEADLINE_METHODS`).

    Parameters
    ----------
    fits : dict
        ``{(kind, key): GroupFit}`` (:func:`helpers.analysis.pooling.fit_groups`).
    run : str
        The run's name (the notebook's ``run_name``).

    Returns
    -------
    DataFrame
        Two rows per group, the columns of :data:`HEADLINE_COLUMNS`. The model row of a
        single study says "single study", with no estimate and ``converged`` False.
    """
    rows = []
    for kind, key in HEADLINE_GROUPS:
        fit = fits.get((kind, key))
        if fit is None:
            continue
        for method, r in zip(HEADLINE_METHODS, (fit.crude, fit.result), strict=True):
            single = fit.single and method != "crude"
            rows.append(
                {
                    "run": run,
                    "kind": kind,
                    "key": key,
                    "group": fit.label,
                    "method": method,
                    "model": "crude" if method == "crude" else fit.model_shown,
                    "k": r.k,
                    "events": r.events,
                    "n": r.n,
                    "proportion": math.nan if single else r.proportion,
                    "ci_low": math.nan if single else r.ci_low,
                    "ci_high": math.nan if single else r.ci_high,
                    "converged": bool(r.converged) and not single,
                }
            )
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def write_headline(frame: pd.DataFrame, output_dir, run: str):
    """Write ``sensitivity/<run>.csv`` under ``output_dir`` (nothing when it is None).

    Parameters
    ----------
    frame : DataFrame
        The run's :func:`headline`.
    output_dir : str or Path or None
        The run's output folder (relative paths from the project root).
    run : str
        The run's name, the file's name.

    Returns
    -------
    Path or None
        The file written (numbers rounded to 6 decimals), or None.
    """

    if output_dir is None:
        return None
    return write_csv(
        frame, project_path(output_dir) / SENSITIVITY_FOLDER / f"{run}.csv", decimals=6
    )


def read_headline(path: Path) -> pd.DataFrame:
    """Read a run's sensitivity summary as :func:`write_headline` wrote it.

    Parameters
    ----------
    path : Path
        A ``sensitivity/<run>.csv``.

    Returns
    -------
    DataFrame
        Every text as written ("NA" or "None" is a label, not a missing value).

    Raises
    ------
    ValueError
        When the file does not hold :data:`HEADLINE_COLUMNS`.
    """
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    missing = [c for c in HEADLINE_COLUMNS if c not in frame.columns]
    if missing and not frame.empty:
        raise ValueError(f"{path.name}: no column(s) {', '.join(missing)}")
    return frame
