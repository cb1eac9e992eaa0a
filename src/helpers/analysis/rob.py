"""Risk of bias: the JBI checklists and the paper's rating rule.

Appraisal files are read by :mod:`helpers.data.appraisals`, and shown by
:mod:`helpers.report.risk_of_bias`.

The paper appraised each study with the Joanna Briggs Institute checklist for its design
(``data/vocabularies/jbi_questions.csv``: case reports 8 questions, case series 10,
randomised controlled trials 13) and rated it

- **low** risk of bias when more than 75% of the questions are answered "yes",
- **high** when fewer than 50% are,
- **moderate** otherwise.

The paper does not say how "not applicable" counts. Here a question that does not apply
is left out of the denominator: it can neither raise nor lower a study's share of "yes"
(:func:`rate`). The thresholds are strict, as the paper words them: exactly 75% is
moderate, exactly 50% is moderate.

The per-study appraisals are in the paper's supplement, which is not available, so the
project ships none. A reviewer who has them (or makes them) writes an appraisal file,
one row per study and question, and passes its path to notebook 02.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.data.appraisals import ANSWERS
from helpers.data.loader import Review
from helpers.data.registers import parse_reported
from helpers.data.values import is_missing

__all__ = [
    "HIGH_BELOW",
    "LOW_ABOVE",
    "RATINGS",
    "distribution",
    "paper_distribution",
    "paper_rating",
    "questions",
    "rate",
]

#: Share of "yes" above which a study is at low risk of bias (strictly above).
LOW_ABOVE = 0.75
#: Share of "yes" below which a study is at high risk of bias (strictly below).
HIGH_BELOW = 0.50
RATINGS = ("low", "moderate", "high")


def questions(review: Review) -> pd.DataFrame:
    """The JBI checklist questions, indexed by (checklist, question).

    Parameters
    ----------
    review : Review

    Returns
    -------
    DataFrame
        ``review.jbi_questions``: indexed by (``checklist``, ``question`` number), with the
        question's ``text`` and its ``source``.
    """
    return review.jbi_questions


def paper_rating(share_yes: float) -> str:
    """The paper's rule: low above 75% "yes", high below 50%, moderate otherwise.

    Parameters
    ----------
    share_yes : float
        Share of the applicable questions answered "yes", from 0 to 1. Both thresholds are
        strict: 0.75 and 0.50 are moderate.

    Returns
    -------
    str
        ``"low"``, ``"moderate"`` or ``"high"``.
    """
    if share_yes > LOW_ABOVE:
        return "low"
    if share_yes < HIGH_BELOW:
        return "high"
    return "moderate"


def rate(appraisals: pd.DataFrame, review: Review) -> pd.DataFrame:
    """Each appraised study's answers, share of "yes" and rating.

    The share of "yes" is over the questions that apply (not_applicable left out).

    Parameters
    ----------
    appraisals : DataFrame
        An appraisal file as :func:`helpers.data.appraisals.load_appraisals` returns it: one
        row per (study, question), columns ``ref``, ``checklist``, ``question``, ``answer``.
    review : Review
        The review the appraised studies belong to (for their labels).

    Returns
    -------
    DataFrame
        Indexed by ``ref``: ``label`` (``"Author year [ref]"``), ``checklist``, one column
        per answer of :data:`helpers.data.appraisals.ANSWERS` (its count), ``applicable``
        (questions answered other than not_applicable), ``share_yes`` (NaN when none
        applies) and ``rating`` (:func:`paper_rating`, or ``"not rated"`` when none applies).
    """
    counts = appraisals.pivot_table(
        index="ref", columns="answer", values="question", aggfunc="count", fill_value=0
    )
    counts = counts.reindex(columns=list(ANSWERS), fill_value=0)
    counts["applicable"] = counts["yes"] + counts["no"] + counts["unclear"]
    counts["share_yes"] = counts["yes"] / counts["applicable"].replace(0, np.nan)
    counts["rating"] = counts["share_yes"].map(
        lambda s: "not rated" if is_missing(s) else paper_rating(s)
    )
    s = review.studies.loc[counts.index]
    counts.insert(0, "checklist", appraisals.groupby("ref")["checklist"].first())
    counts.insert(
        0,
        "label",
        s["first_author"] + " " + s["year"].astype(str) + " [" + s.index.astype(str) + "]",
    )
    counts.columns.name = None
    return counts


def distribution(ratings: pd.DataFrame) -> pd.DataFrame:
    """How many studies have each rating (every rating listed, and "not rated": a study whose
    every question is not applicable has no share of "yes").

    Parameters
    ----------
    ratings : DataFrame
        A table with a ``rating`` column, as :func:`rate` returns.

    Returns
    -------
    DataFrame
        Indexed by rating (:data:`RATINGS`, then ``"not rated"``), one column ``studies``
        (0 where no study has the rating).
    """
    return (
        ratings["rating"]
        .value_counts()
        .reindex([*RATINGS, "not rated"], fill_value=0)
        .rename("studies")
        .to_frame()
    )


def paper_distribution(review: Review) -> pd.DataFrame:
    """The paper's reported distribution of ratings (from the claims register), per rating.

    Parameters
    ----------
    review : Review
        The loaded review; its claims ``quality-risk-of-bias-<rating>`` give the counts.

    Returns
    -------
    DataFrame
        Indexed by :data:`RATINGS`, one column ``studies (paper)`` (nullable integer;
        missing where the register has no claim for the rating).
    """

    claims = {c.id: c for c in review.claims}
    rows = {
        r: int(parse_reported(claims[f"quality-risk-of-bias-{r}"].reported).value[0])
        if f"quality-risk-of-bias-{r}" in claims
        else pd.NA
        for r in RATINGS
    }
    return pd.DataFrame(
        {"studies (paper)": pd.array(list(rows.values()), dtype="Int64")}, index=list(rows)
    )
