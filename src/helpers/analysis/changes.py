"""What changed since the paper: the studies each later edition added, and per modality the
paper's numbers beside the review's.

The paper's edition is the first (:meth:`helpers.data.loader.Review.paper_edition`); a review
shows its own edition and every earlier one (:meth:`~helpers.data.loader.Review.edition`).
:func:`studies_added` lists the studies of the editions between the two, and
:func:`then_and_now` sets each modality's studies, patients, response counts and pooled
proportion (the primary model of :mod:`helpers.analysis.pooling`, with the fallback it shows
where the primary model is not estimable) at the paper's edition beside the review's. A
number that cannot be estimated is missing, never filled in.
"""

from __future__ import annotations

import math

import pandas as pd

from helpers.analysis import pooling
from helpers.analysis.table2 import response_counts
from helpers.data.loader import Review
from helpers.data.printed import IMPROVEMENT, RESPONSE_CATEGORIES

__all__ = [
    "ADDED_COLUMNS",
    "EDITION_COLUMNS",
    "THEN_AND_NOW_COLUMNS",
    "WHEN",
    "editions_shown",
    "studies_added",
    "then_and_now",
]

#: The columns of :func:`studies_added`.
ADDED_COLUMNS = [
    "edition",
    "ref",
    "first_author",
    "year",
    "modality",
    "design",
    "patients",
    "responders",
]

#: The columns of :func:`editions_shown`.
EDITION_COLUMNS = [
    "order",
    "title",
    "search_date",
    "published",
    "status",
    "n_studies",
    "n_patients",
]

#: The two sides of :func:`then_and_now`: the paper's edition and the review's, as column suffixes.
WHEN = ("paper", "now")

#: The model column of a modality with one study: nothing to pool.

_COUNTS = ["studies", "patients", *RESPONSE_CATEGORIES]
_ESTIMATE = ["model", "proportion", "ci_low", "ci_high"]

#: The columns of :func:`then_and_now`: for each number, the paper's value then the review's,
#: the change in studies and patients, and the studies added.
THEN_AND_NOW_COLUMNS = [
    "modality",
    "label",
    *(f"edition_{when}" for when in WHEN),
    *(f"{what}_{when}" for what in _COUNTS for when in WHEN),
    "studies_change",
    "patients_change",
    *(f"{what}_{when}" for when in WHEN for what in _ESTIMATE),
    "added",
]


def editions_shown(review: Review) -> pd.DataFrame:
    """The editions up to the review's own, with the studies and patients each added.

    Parameters
    ----------
    review : Review
        The review at an edition (:meth:`~helpers.data.loader.Review.edition`).

    Returns
    -------
    DataFrame
        Indexed by ``edition``, first to the review's, the columns of :data:`EDITION_COLUMNS`.
    """
    names = list(review.editions.index)
    return review.editions.loc[names[: names.index(review.edition_name) + 1], EDITION_COLUMNS]


def studies_added(review: Review) -> pd.DataFrame:
    """The studies of every edition after the paper's, up to the review's edition.

    Parameters
    ----------
    review : Review
        The review at an edition (:meth:`~helpers.data.loader.Review.edition`).

    Returns
    -------
    DataFrame
        One row per study, by edition and then reference number, with the columns of
        :data:`ADDED_COLUMNS`: the modality's label, ``patients`` (Table 1's "No of
        cases") and ``responders`` (complete or partial response; missing for a study
        that reports per lesion). Empty, with the same columns, when no study was added.
    """
    order = {name: i for i, name in enumerate(review.editions.index)}
    studies = review.studies[review.studies["edition"] != review.paper_edition_name]
    outcomes = review.outcomes.loc[studies.index]
    responders = outcomes[[RESPONSE_CATEGORIES[key][1] for key in IMPROVEMENT]].sum(
        axis=1, min_count=len(IMPROVEMENT)
    )
    responders = responders.where(outcomes["response_unit"] == "patients")
    table = pd.DataFrame(
        {
            "edition": studies["edition"],
            "ref": studies.index,
            "first_author": studies["first_author"],
            "year": studies["year"],
            "modality": studies["modality"].map(review.modalities["label"]),
            "design": studies["design"],
            "patients": studies["n_cases"],
            "responders": responders.astype("Int64"),
        },
        columns=ADDED_COLUMNS,
    ).reset_index(drop=True)
    table = table.assign(_order=table["edition"].map(order)).sort_values(["_order", "ref"])
    return table.drop(columns="_order").reset_index(drop=True)


def _estimates(review: Review, settings: pooling.Settings) -> dict[str, dict]:
    """Per modality with studies: the primary model's proportion and interval, as the report
    shows it (the fallback where the GLMM is not estimable), missing when not estimable."""
    data = pooling.events_per_study(review, **settings.selection)
    out = {}
    for kind, key, label, part in pooling.group_parts(data, review):
        if kind != "modality":
            continue
        fit = pooling.fit_with_fallback(
            part, settings.method, settings.test, kind=kind, key=key, label=label
        )
        r = fit.result
        estimable = r.converged and not fit.single
        out[key] = {
            "model": fit.model_shown if estimable or fit.single else f"{fit.model}: not estimable",
            "proportion": r.proportion if estimable else math.nan,
            "ci_low": r.ci_low if estimable else math.nan,
            "ci_high": r.ci_high if estimable else math.nan,
        }
    return out


def _side(review: Review, settings: pooling.Settings) -> pd.DataFrame:
    """One edition's numbers per modality, in the vocabulary's order."""
    estimates = _estimates(review, settings)
    rows = []
    for modality in review.modalities.index:
        studies = review.studies[review.studies["modality"] == modality]
        counts = response_counts(review, [modality])
        rows.append(
            {
                "studies": len(studies),
                "patients": int(studies["n_cases"].sum()),
                **{key: counts[key].events for key in RESPONSE_CATEGORIES},
                **estimates.get(
                    modality,
                    {"model": "", "proportion": math.nan, "ci_low": math.nan, "ci_high": math.nan},
                ),
            }
        )
    return pd.DataFrame(rows, index=review.modalities.index)


def then_and_now(review: Review, settings: pooling.Settings | None = None) -> pd.DataFrame:
    """Per modality, the paper's numbers beside the review's: studies, patients, response
    counts and the pooled proportion of the primary model.

    Parameters
    ----------
    review : Review
        The review at an edition (:meth:`~helpers.data.loader.Review.edition`); its paper's
        edition (:meth:`~helpers.data.loader.Review.paper_edition`) is the other side.
    settings : Settings, optional
        The meta-analysis choices (:class:`helpers.analysis.pooling.Settings`); None: the
        paper's (the defaults).

    Returns
    -------
    DataFrame
        One row per modality in the paper's order, the columns of
        :data:`THEN_AND_NOW_COLUMNS`: each number with the suffix ``_paper`` (the paper's
        edition) and ``_now`` (the review's); ``studies_change`` and ``patients_change``,
        what the later editions added; the model shown ("single study" for one study,
        "<model>: not estimable" when it has no estimate, empty when the modality has no
        study), its proportion and confidence interval (missing unless estimable); and
        ``added``, the studies added ("Author year [ref]", joined by "; ").
    """
    settings = settings or pooling.Settings()
    sides = {"paper": _side(review.paper_edition(), settings), "now": _side(review, settings)}
    added: dict[str, list[str]] = {}
    for study in studies_added(review).itertuples():
        modality = review.studies.at[study.ref, "modality"]
        added.setdefault(modality, []).append(f"{study.first_author} {study.year} [{study.ref}]")
    labels = review.modalities["label"]
    table = pd.DataFrame({"modality": review.modalities.index, "label": labels.to_numpy()})
    table["edition_paper"] = review.paper_edition_name
    table["edition_now"] = review.edition_name
    for when, side in sides.items():
        for column in side.columns:
            table[f"{column}_{when}"] = side[column].to_numpy()
    for what in ("studies", "patients"):
        table[f"{what}_change"] = table[f"{what}_now"] - table[f"{what}_paper"]
    table["added"] = ["; ".join(added.get(m, [])) for m in review.modalities.index]
    return table[THEN_AND_NOW_COLUMNS]
