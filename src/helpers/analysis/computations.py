"""The computations that claims name (``computation:`` in ``data/claims.yaml``) about outcomes.

Each takes the review and the claim's arguments and returns the number the claim states,
recomputed from the data: a response proportion, a pooled duration, a count of adverse
events, a largest diameter, a number of sessions. :data:`helpers.analysis.claims.COMPUTATIONS`
maps each computation's name to its function.
"""

from __future__ import annotations

import math

import numpy as np

from helpers.analysis.selection import record_studies, select_modalities, studies_of
from helpers.analysis.table2 import Proportion, duration_summary, pooled_values, response_counts
from helpers.data.errors import NotComputable
from helpers.data.loader import Review
from helpers.data.printed import IMPROVEMENT, NOT_REPORTED, RESPONSE_CATEGORIES

__all__ = [
    "adverse_event_patients",
    "adverse_event_proportion",
    "largest_diameter",
    "largest_diameter_complete_response",
    "n_cited",
    "pooled_duration",
    "response_by_disease_category",
    "response_extreme",
    "response_proportion",
    "total_sessions",
]


def response_proportion(
    review: Review, categories: list[str], modality: str | None = None, family: str | None = None
) -> Proportion:
    """Patients in the given response categories, of all patients of the selection.

    ``categories`` are keys of :data:`RESPONSE_CATEGORIES` (``["complete", "partial"]``
    is the paper's "response" or "improvement").

    Parameters
    ----------
    review : Review
    categories : list of str
        Response categories counted as events.
    modality : str, optional
        Restrict the selection to one modality.
    family : str, optional
        Restrict the selection to one family of modalities; with neither, all patients.

    Returns
    -------
    Proportion
        Patients in those categories, of all the selection's patients (patients of a study
        reporting per lesion count as unknown:
        :func:`~helpers.analysis.table2.response_counts`).

    Raises
    ------
    ValueError
        For a category that is not one of :data:`RESPONSE_CATEGORIES`.
    NotComputable
        When no modality of the data matches the selection.
    """
    unknown = set(categories) - set(RESPONSE_CATEGORIES)
    if unknown:
        raise ValueError(
            f"unknown response categories {sorted(unknown)}; known: {list(RESPONSE_CATEGORIES)}"
        )
    counts = response_counts(review, select_modalities(review, modality, family))
    total = next(iter(counts.values())).total
    return Proportion(sum(counts[c].events for c in categories), total)


def response_extreme(
    review: Review, extreme: str, groups: list[dict], categories: tuple[str, ...] = IMPROVEMENT
) -> Proportion:
    """The lowest (``extreme="min"``) or highest response among groups of modalities.

    Groups with the same percentage are told apart by their patients (the larger group), so
    the result never depends on the order the groups are listed in.

    Parameters
    ----------
    review : Review
    extreme : {"min", "max"}
        Which end to return; anything but ``"min"`` is the highest.
    groups : list of dict
        Each group's selection, as keyword arguments of :func:`response_proportion`
        (``{"modality": "topical_sts"}``, ``{"family": "laser"}``).
    categories : tuple of str
        Response categories counted as a response (default: complete and partial).

    Returns
    -------
    Proportion
        The response of the group at that extreme.

    Raises
    ------
    NotComputable
        When a group has no patient.
    """
    props = [response_proportion(review, list(categories), **g) for g in groups]
    empty = [g for g, p in zip(groups, props, strict=True) if p.total == 0]
    if empty:  # a group with no patient has no percentage to rank
        raise NotComputable(
            f"no patient in {', '.join(str(next(iter(g.values()))) for g in empty)}"
        )
    # Ties in the percentage go to the group with the most patients, whatever the groups' order.
    if extreme == "min":
        return min(props, key=lambda p: (p.percent, -p.total))
    return max(props, key=lambda p: (p.percent, p.total))


def pooled_duration(
    review: Review,
    measure: str,
    statistic: str,
    modality: str | None = None,
    family: str | None = None,
):
    """A pooled duration (months) of the selection: its ``median``, ``mean`` or ``range``.

    The mean is the mean of the patient-level values that enter the median
    (:func:`pooled_values`: the same exact values and imputation).

    Parameters
    ----------
    review : Review
    measure : str
        A duration measure (``"treatment_duration"``, ``"time_to_first_improvement"``).
    statistic : {"median", "mean", "range"}
    modality : str, optional
        Restrict the selection to one modality.
    family : str, optional
        Restrict the selection to one family of modalities; with neither, all studies.

    Returns
    -------
    float or tuple of float
        The median or the mean in months (NaN when no value is pooled), or the range as
        ``(low, high)`` months.

    Raises
    ------
    ValueError
        For another ``statistic``.
    """
    members = select_modalities(review, modality, family)
    pooled = duration_summary(review, measure, members)
    if statistic == "median":
        return pooled.median
    if statistic == "range":
        return (pooled.low, pooled.high)
    if statistic == "mean":
        values = pooled_values(review, measure, members)
        return (
            float(np.average(values["months"], weights=values["patients"]))
            if len(values)
            else math.nan
        )
    raise ValueError(f"unknown statistic {statistic!r}; use median, mean or range")


def adverse_event_patients(
    review: Review, events: list[str] | None = None, modality: str | None = None
) -> int:
    """Patients with the listed adverse events (``event_id``s), or with any event of a
    modality.

    Parameters
    ----------
    review : Review
    events : list of str, optional
        Event ids of ``adverse_events.csv``; None is every event.
    modality : str, optional
        Count only the events listed for this modality.

    Returns
    -------
    int
        The sum of the events' ``patients`` (a patient with two events counts twice).

    Raises
    ------
    ValueError
        For an event id that is not in the data.
    NotComputable
        When an event counted has no number of patients (N/R).
    """
    ae = review.adverse_events
    if events is not None:
        missing = sorted(set(events) - set(ae.index))
        if missing:
            raise ValueError(f"unknown adverse events {missing}")
        ae = ae.loc[events]
    if modality is not None:
        ae = ae[ae["modality"] == modality]
    studies_of(review, list(ae["modality"].unique()))  # the studies behind the events' cells
    if ae["patients"].isna().any():
        raise NotComputable(
            f"adverse events {', '.join(map(str, ae.index[ae['patients'].isna()]))} "
            f"have no number of patients ({NOT_REPORTED})"
        )
    return int(ae["patients"].sum())


def adverse_event_proportion(
    review: Review, events: list[str], modality: str | None = None, family: str | None = None
) -> Proportion:
    """Patients with the listed adverse events, of the patients of a selection (all patients
    by default).

    Parameters
    ----------
    review : Review
    events : list of str
        Event ids of ``adverse_events.csv``; all are counted, whatever the selection.
    modality : str, optional
        Restrict the selection to one modality.
    family : str, optional
        Restrict the selection to one family of modalities; with neither, all patients.

    Returns
    -------
    Proportion
        :func:`adverse_event_patients` of the events, of the selection's patients.

    Raises
    ------
    ValueError
        For an unknown event id.
    NotComputable
        As :func:`adverse_event_patients`, or when no modality matches the selection.
    """
    members = select_modalities(review, modality, family)
    return Proportion(
        adverse_event_patients(review, events), int(studies_of(review, members)["n_cases"].sum())
    )


def response_by_disease_category(
    review: Review, category: str, categories: list[str]
) -> Proportion:
    """Response among patients of studies whose every patient has a disease of one category.

    Table 1 does not say which patient of a mixed study had which disease, so only studies
    whose diseases all fall in ``category`` count.

    Parameters
    ----------
    review : Review
    category : str
        A disease category (``vocabularies/disease_categories.csv``).
    categories : list of str
        Response categories counted as events (keys of :data:`RESPONSE_CATEGORIES`).

    Returns
    -------
    Proportion
        Patients in those categories, of all patients of those studies; a study reporting
        per lesion adds its patients to the total only.

    Raises
    ------
    ValueError
        For an unknown disease category.
    """
    if category not in review.disease_categories.index:
        raise ValueError(f"unknown disease category {category!r}")
    cats = review.diseases.groupby(level="ref")["category"].agg(set)
    refs = [ref for ref, c in cats.items() if c == {category}]
    studies = review.studies.loc[refs]
    record_studies(refs)
    events = 0
    for ref in refs:
        o = review.outcomes.loc[ref]
        if o["response_unit"] == "patients":
            events += sum(int(o[RESPONSE_CATEGORIES[c][1]]) for c in categories)
    return Proportion(events, int(studies["n_cases"].sum()))


def largest_diameter(review: Review, refs: list[int]) -> float:
    """The largest printed diameter (cm) among the given studies, qualifier aside.

    Parameters
    ----------
    review : Review
    refs : list of int
        Reference numbers of included studies.

    Returns
    -------
    float
        The largest ``largest_diameter_cm``, in cm.

    Raises
    ------
    NotComputable
        When none of the studies reports a diameter.
    """
    record_studies(refs)
    values = review.studies.loc[refs, "largest_diameter_cm"].dropna()
    if values.empty:
        raise NotComputable(f"no diameter is reported for studies {', '.join(map(str, refs))}")
    return float(values.max())


def largest_diameter_complete_response(review: Review) -> float:
    """The largest printed diameter among single-patient studies with a complete response.

    In a multi-patient study Table 1 does not say whose lesion was the largest, so only
    single-patient studies can show that a lesion of a given size resolved completely.

    Parameters
    ----------
    review : Review

    Returns
    -------
    float
        The diameter in cm, qualifier aside; NaN when no such study reports one.
    """
    s = review.studies[review.studies["n_cases"] == 1]
    record_studies(s.index)
    complete = review.outcomes.loc[s.index, RESPONSE_CATEGORIES["complete"][1]].fillna(0) == 1
    return float(s.loc[complete[complete].index, "largest_diameter_cm"].max())


def total_sessions(
    review: Review, refs: list[int] | None = None, modalities: list[str] | None = None
) -> float:
    """The largest total number of sessions printed for the studies selected (by refs or
    modalities).

    Parameters
    ----------
    review : Review
    refs : list of int, optional
        Keep only these reference numbers.
    modalities : list of str, optional
        Keep only studies of these modalities; with neither, every study.

    Returns
    -------
    float
        The largest ``total_sessions_high`` (from the printed frequency); NaN when no
        selected study prints a number of sessions.
    """
    s = review.studies
    if refs is not None:
        s = s.loc[refs]
    if modalities is not None:
        s = s[s["modality"].isin(modalities)]
    record_studies(s.index)
    return float(s["total_sessions_high"].max())


def n_cited(review: Review, refs: list[int]) -> int:
    """How many distinct references a statement cites (to check a count against its
    citations).

    Parameters
    ----------
    review : Review
        Not used; every computation takes the review first.
    refs : list of int
        The reference numbers cited (a number listed twice counts once).

    Returns
    -------
    int
    """
    record_studies(set(refs) & set(review.studies.index))
    return len(set(refs))
