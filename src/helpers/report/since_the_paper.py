"""What changed since the paper, as a file and as a table to read: ``since_the_paper.csv``
written by notebook 07 and read back by the build's index through the same definition of its
columns (:data:`helpers.analysis.changes.THEN_AND_NOW_COLUMNS`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from helpers.analysis.changes import THEN_AND_NOW_COLUMNS, WHEN, studies_added
from helpers.analysis.pooling import SINGLE_STUDY, interval_text
from helpers.data.escape import markdown, read_csv, write_csv
from helpers.data.loader import Review
from helpers.data.paths import project_path
from helpers.data.printed import IMPROVEMENT
from helpers.data.values import is_missing
from helpers.report.tables import StyledTable, text_table

if TYPE_CHECKING:  # for annotations only: IPython is imported where it is used
    from IPython.display import Markdown

__all__ = [
    "SIDE_BY_SIDE_COLUMNS",
    "SINCE_THE_PAPER_CSV",
    "TEXT_COLUMNS",
    "read_since_the_paper",
    "show_added",
    "side_by_side",
    "write_since_the_paper",
]

#: The file notebook 07 writes to its output folder.
SINCE_THE_PAPER_CSV = "since_the_paper.csv"

#: The columns of :data:`~helpers.analysis.changes.THEN_AND_NOW_COLUMNS` that hold text; the
#: others are numbers.
TEXT_COLUMNS = (
    "modality",
    "label",
    *(f"edition_{when}" for when in WHEN),
    *(f"model_{when}" for when in WHEN),
    "added",
)

#: The columns of :func:`side_by_side`.
SIDE_BY_SIDE_COLUMNS = [
    "modality",
    *(f"{what}: {when}" for what in ("studies", "patients", "responders") for when in WHEN),
    *(f"pooled: {when}" for when in WHEN),
    "added since the paper",
]


def write_since_the_paper(frame: pd.DataFrame, output_dir) -> Path | None:
    """Write ``since_the_paper.csv`` under ``output_dir`` (nothing when it is None).

    Parameters
    ----------
    frame : DataFrame
        :func:`helpers.analysis.changes.then_and_now`; only its
        :data:`~helpers.analysis.changes.THEN_AND_NOW_COLUMNS` are written.
    output_dir : str or Path or None
        The notebook's output folder (relative paths from the project root).

    Returns
    -------
    Path or None
        The file written (numbers rounded to 6 decimals, text that a spreadsheet would read
        as a formula neutralised: :func:`helpers.data.escape.write_csv`), or None.
    """
    if output_dir is None:
        return None
    return write_csv(
        frame[THEN_AND_NOW_COLUMNS], project_path(output_dir) / SINCE_THE_PAPER_CSV, decimals=6
    )


def read_since_the_paper(path: Path) -> pd.DataFrame:
    """Read ``since_the_paper.csv`` as :func:`write_since_the_paper` wrote it.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    DataFrame
        The columns of :data:`~helpers.analysis.changes.THEN_AND_NOW_COLUMNS`: each text as it
        was before it was written (an empty text stays empty; "NA" is a label, not a missing
        value; the ``'`` that kept a formula from running is removed), each missing number
        NaN.

    Raises
    ------
    ValueError
        When the file does not hold those columns.
    """
    return read_csv(path, THEN_AND_NOW_COLUMNS, TEXT_COLUMNS)


def _change(now, change) -> str:
    return f"{now} (+{change})" if change > 0 else f"{now} ({change})" if change < 0 else f"{now}"


def _pooled(row, when: str) -> str:
    model = row[f"model_{when}"]
    if is_missing(model) or model == "":
        return "–"
    if model == SINGLE_STUDY:
        return "single study, not pooled"
    if is_missing(row[f"proportion_{when}"]):
        return model
    text = interval_text(row[f"proportion_{when}"], row[f"ci_low_{when}"], row[f"ci_high_{when}"])
    return f"{text} ({model})"


def side_by_side(frame: pd.DataFrame) -> pd.DataFrame:
    """The then-and-now table to read: per modality, each number at the paper's edition
    beside the review's, in words.

    Parameters
    ----------
    frame : DataFrame
        :func:`helpers.analysis.changes.then_and_now`, or the same read back
        (:func:`read_since_the_paper`).

    Returns
    -------
    DataFrame
        The columns of :data:`SIDE_BY_SIDE_COLUMNS`, all text: the modality's label; studies
        and patients, now with the change ("16 (+3)"); responders (complete or partial
        response) out of patients; the pooled proportion with its 95% CI and the model
        ("single study, not pooled"; the model's name alone when it is not estimable; "–"
        with no study); and the studies added since the paper.
    """
    rows = []
    for _, r in frame.iterrows():
        responders = {w: sum(int(r[f"{k}_{w}"]) for k in IMPROVEMENT) for w in WHEN}
        paper, now = WHEN
        rows.append(
            [
                r["label"],
                str(int(r[f"studies_{paper}"])),
                _change(int(r[f"studies_{now}"]), int(r["studies_change"])),
                str(int(r[f"patients_{paper}"])),
                _change(int(r[f"patients_{now}"]), int(r["patients_change"])),
                *(f"{responders[w]}/{int(r[f'patients_{w}'])}" for w in WHEN),
                *(_pooled(r, w) for w in WHEN),
                "" if is_missing(r["added"]) else r["added"],
            ]
        )
    return pd.DataFrame(rows, columns=SIDE_BY_SIDE_COLUMNS)


def show_added(review: Review) -> StyledTable | Markdown:
    """The studies added since the paper as a table, or a sentence saying why there is none.

    Parameters
    ----------
    review : Review
        The review at an edition (:meth:`~helpers.data.loader.Review.edition`).

    Returns
    -------
    StyledTable or Markdown
        :func:`helpers.analysis.changes.studies_added` as a table; with no study added, a
        sentence: no edition since the paper, the later editions add no study yet, or the
        review shows the paper's edition and the later ones are not compared.
    """
    from IPython.display import Markdown  # imported here: the build reads this module too

    added = studies_added(review)
    if not added.empty:
        return text_table(added.set_index(["edition", "ref"]), name="studies-added")
    names = list(review.editions.index)
    later = names[names.index(review.paper_edition_name) + 1 :]
    shown = names[1 : names.index(review.edition_name) + 1]
    if not later:
        text = "No edition has been added since the paper: the review is the paper's."
    elif not shown:
        text = (
            "This report shows the paper's edition; the later editions ("
            + ", ".join(markdown(n) for n in later)
            + ") are not compared here (the notebook's `edition` parameter)."
        )
    else:
        text = (
            "The editions since the paper ("
            + ", ".join(markdown(n) for n in shown)
            + ") add no study yet."
        )
    return Markdown(text)
