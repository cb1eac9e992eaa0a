"""The sensitivity summary: each run's pooled estimates, written as ``sensitivity/<run>.csv``
and read back by the build's index through the same definition of its columns.

The file holds every group the run pooled (each modality and family with studies): the
front page shows the primary analysis's groups in full, and the sensitivity comparison the
groups of :data:`HEADLINE_GROUPS` of every run. Its ``analysis`` column says whether the run
is the primary analysis (every choice the paper's, the default model) or a sensitivity
analysis, so the build never has to know a run by its name."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from helpers.analysis.pooling import GroupFit, Settings
from helpers.data.escape import write_csv
from helpers.data.paths import project_path

__all__ = [
    "HEADLINE_COLUMNS",
    "HEADLINE_GROUPS",
    "HEADLINE_METHODS",
    "PRIMARY",
    "SENSITIVITY",
    "SENSITIVITY_FOLDER",
    "analysis_kind",
    "headline",
    "read_headline",
    "write_headline",
]

#: The folder, under a run's output folder, that holds its sensitivity summary.
SENSITIVITY_FOLDER = "sensitivity"


#: The columns of a run's summary: the group, the role of the row (:data:`HEADLINE_METHODS`),
#: the model shown, the counts, the estimate with its confidence and prediction intervals
#: (proportions), whether it is estimable, the run's kind of analysis (:func:`analysis_kind`)
#: and the fit's note (why a fallback, what the reader should know).
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
    "pi_low",
    "pi_high",
    "analysis",
    "note",
]

#: The ``analysis`` of a run with every choice the paper's and the default model.
PRIMARY = "primary"
#: The ``analysis`` of a run that changes any of them.
SENSITIVITY = "sensitivity"

#: The groups whose estimates the sensitivity comparison sets side by side.
HEADLINE_GROUPS = (
    ("modality", "topical_sts"),
    ("modality", "intralesional_sts"),
    ("family", "laser"),
    ("modality", "eswl"),
)


#: The two rows of each headline group.
HEADLINE_METHODS = ("crude", "primary model")


def analysis_kind(settings: Settings | None) -> str:
    """Whether a run's settings make it the primary analysis or a sensitivity analysis.

    Parameters
    ----------
    settings : Settings or None
        The run's meta-analysis settings; None when not known.

    Returns
    -------
    str
        :data:`PRIMARY` when every setting is the default of
        :class:`~helpers.analysis.pooling.Settings` (the paper's choices, the default
        model), :data:`SENSITIVITY` when any differs, "" when ``settings`` is None.

    Examples
    --------
    >>> analysis_kind(Settings()), analysis_kind(Settings(unknown="exclude")), analysis_kind(None)
    ('primary', 'sensitivity', '')
    """
    if settings is None:
        return ""
    return PRIMARY if vars(settings) == vars(Settings()) else SENSITIVITY


def headline(
    fits: dict[tuple[str, str], GroupFit], run: str, settings: Settings | None = None
) -> pd.DataFrame:
    """The estimates the front page and the sensitivity comparison show for one run.

    Per group that has studies (every modality and family of ``fits``, in its order): the
    crude proportion and the model shown (:data:`HEADLINE_METHODS`).

    Parameters
    ----------
    fits : dict
        ``{(kind, key): GroupFit}`` (:func:`helpers.analysis.pooling.fit_groups`).
    run : str
        The run's name (the notebook's ``run_name``).
    settings : Settings, optional
        The run's settings, which decide its ``analysis`` (:func:`analysis_kind`); without
        them the column is empty.

    Returns
    -------
    DataFrame
        Two rows per group, the columns of :data:`HEADLINE_COLUMNS`. The model row of a
        single study says "single study", with no estimate and ``converged`` False; the
        crude row has no prediction interval.
    """
    kind_of_analysis = analysis_kind(settings)
    rows = []
    for (kind, key), fit in fits.items():
        for method, r in zip(HEADLINE_METHODS, (fit.crude, fit.result), strict=True):
            crude = method == "crude"
            single = fit.single and not crude
            rows.append(
                {
                    "run": run,
                    "kind": kind,
                    "key": key,
                    "group": fit.label,
                    "method": method,
                    "model": "crude" if crude else fit.model_shown,
                    "k": r.k,
                    "events": r.events,
                    "n": r.n,
                    "proportion": math.nan if single else r.proportion,
                    "ci_low": math.nan if single else r.ci_low,
                    "ci_high": math.nan if single else r.ci_high,
                    "converged": bool(r.converged) and not single,
                    "pi_low": math.nan if single or crude else r.pi_low,
                    "pi_high": math.nan if single or crude else r.pi_high,
                    "analysis": kind_of_analysis,
                    "note": "" if crude else fit.note,
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
