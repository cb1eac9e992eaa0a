"""The values the data infer rather than read, and how to withdraw them.

Most values in ``data/`` are read from one place in the paper (a Table 1 cell, a
sentence). A few are inferred: the paper gives no value where the data need one, and the
project fills it from another of the paper's own statements. Each such inference is
marked in the data by a column, and listed here once:

``outcomes: response_source=table2``
    Table 1 prints no response category for the study; Table 2's totals for its modality
    fix it (Sparsa [11]).
``studies: design_stated=false``
    The paper cites the study for no design; its "27 case reports" fixes the 18
    single-patient studies it does not cite as case reports.

A number of the paper that is recomputed with an inferred value can agree with the paper
because the value was taken from the paper: agreement with itself, not a reproduction.
:func:`withdraw` gives the review without one inference (the value made "not reported"),
so that the audit (:func:`helpers.analysis.claims.audit`) can see which numbers use it (their
recomputed value changes) and which hold only because of it (they reproduce with it and
not without it: ``circular``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from helpers.data.loader import Review
from helpers.data.printed import RESPONSE_CATEGORIES, UNKNOWN_CATEGORY

__all__ = ["DESIGN_NOT_STATED", "INFERENCES", "Inference", "describe", "frame", "withdraw"]

#: The design of a study whose design is withdrawn: no design of the vocabulary.
DESIGN_NOT_STATED = "not stated"


@dataclass(frozen=True)
class Inference:
    """One kind of inferred value: where the data mark it, where it was taken from, how to
    withdraw it.

    Attributes
    ----------
    name : str
        ``"<table>: <column>=<value>"``, as the audit's ``depends_on`` column names it.
    table, column : str
        The table of :class:`helpers.data.loader.Review` and the column that marks the
        inference.
    value : object
        The column's value on the rows whose value is inferred.
    source : str
        Where in the paper the inferred value comes from, for the audit's notes.
    remove : callable
        ``remove(review, refs) -> dict`` of the review's tables with the inferred values of
        the studies ``refs`` made "not reported".
    """

    name: str
    table: str
    column: str
    value: object
    source: str
    remove: Callable[[Review, list], dict]

    def refs(self, review: Review) -> list:
        """The studies whose value is inferred.

        Parameters
        ----------
        review : Review
            The review whose table :attr:`table` is read.

        Returns
        -------
        list
            The ``ref`` of every row of that table whose :attr:`column` equals :attr:`value`,
            in the table's order; empty when no value is inferred.
        """
        frame = getattr(review, self.table)
        return list(frame.index[frame[self.column] == self.value])


def _response_not_reported(review: Review, refs: list) -> dict:
    outcomes = review.outcomes.copy()
    for key, (_, column) in RESPONSE_CATEGORIES.items():
        outcomes.loc[refs, column] = (
            review.studies.loc[refs, "n_cases"].to_numpy() if key == UNKNOWN_CATEGORY else 0
        )
    return {"outcomes": outcomes}


def _design_not_stated(review: Review, refs: list) -> dict:
    studies = review.studies.copy()
    studies.loc[refs, "design"] = DESIGN_NOT_STATED
    return {"studies": studies}


#: Every kind of inference the data make, in one place.
INFERENCES: tuple[Inference, ...] = (
    Inference(
        "outcomes: response_source=table2",
        "outcomes",
        "response_source",
        "table2",
        "the response counts were taken from Table 2's totals (Table 1 prints none)",
        _response_not_reported,
    ),
    Inference(
        "studies: design_stated=false",
        "studies",
        "design_stated",
        False,
        "the design was inferred from the text's count of case reports "
        "(the text cites none for these studies)",
        _design_not_stated,
    ),
)


def withdraw(review: Review, inference: Inference) -> Review:
    """The review with the values of one inference made "not reported".

    Parameters
    ----------
    review : Review
    inference : Inference
        One of :data:`INFERENCES`.

    Returns
    -------
    Review
        A copy with the tables ``inference.remove`` changes replaced (``review`` is
        unchanged); ``review`` itself, not a copy, when no study's value is inferred.
    """
    refs = inference.refs(review)
    if not refs:
        return review
    return dataclasses.replace(review, **inference.remove(review, refs))


def describe(review: Review, inference: Inference) -> str:
    """The inference with the studies it concerns: "outcomes: response_source=table2 (ref 11)".

    Parameters
    ----------
    review : Review
    inference : Inference
        One of :data:`INFERENCES`.

    Returns
    -------
    str
        ``"<name> (ref <ref>)"`` for one study, ``"<name> (<k> studies)"`` otherwise,
        ``k`` 0 included.
    """
    refs = inference.refs(review)
    which = f"ref {refs[0]}" if len(refs) == 1 else f"{len(refs)} studies"
    return f"{inference.name} ({which})"


def frame(review: Review) -> pd.DataFrame:
    """Every inference with its source and the studies it concerns, for the report.

    Parameters
    ----------
    review : Review

    Returns
    -------
    DataFrame
        One row per inference of :data:`INFERENCES`, in that order, with columns
        ``inference`` (its name), ``source`` (where in the paper the value comes from) and
        ``studies`` (their ``ref`` joined by ", "; empty when none).
    """
    review = review.paper_edition()  # the inferences read the paper
    return pd.DataFrame(
        [
            {
                "inference": i.name,
                "source": i.source,
                "studies": ", ".join(map(str, i.refs(review))),
            }
            for i in INFERENCES
        ],
        columns=["inference", "source", "studies"],
    )
