"""Counts of studies and patients, the way the paper's Results describe them.

Every function takes the loaded :class:`~helpers.data.loader.Review` and returns a number or
a DataFrame. The claims register (``data/claims.yaml``) names these functions to
recompute what the paper states; notebook 01 shows the tables.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from helpers.analysis.selection import record_studies
from helpers.data.errors import NotComputable
from helpers.data.loader import Review

__all__ = [
    "STUDY_FILTERS",
    "by_design",
    "by_disease",
    "by_disease_category",
    "by_modality",
    "by_publication_type",
    "n_patients",
    "n_studies",
    "patients_with_disease",
    "select_studies",
]

#: Study columns that :func:`select_studies` can filter on.
STUDY_FILTERS = (
    "modality",
    "family",
    "design",
    "publication_type",
    "control_lesion",
    "design_stated",
)


def select_studies(review: Review, refs: Iterable[int] | None = None, **filters) -> pd.DataFrame:
    """The studies matching every filter.

    Parameters
    ----------
    review : Review
    refs : iterable of int, optional
        Keep only these reference numbers.
    **filters
        Column = value, for the columns in :data:`STUDY_FILTERS`
        (``design="case_series"``, ``family="combined"``).

    Returns
    -------
    DataFrame
        The matching rows of ``review.studies`` (indexed by ``ref``; in the order of
        ``refs`` when given, else the data's order).

    Raises
    ------
    ValueError
        For a filter that is not a study column, or a ref that is not a study.
    """
    studies = review.studies
    unknown = set(filters) - set(STUDY_FILTERS)
    if unknown:
        raise ValueError(
            f"cannot filter studies on {sorted(unknown)}; allowed: {list(STUDY_FILTERS)}"
        )
    if refs is not None:
        refs = list(refs)
        missing = sorted(set(refs) - set(studies.index))
        if missing:
            raise ValueError(f"not included studies: {missing}")
        studies = studies.loc[refs]
    for column, value in filters.items():
        studies = studies[studies[column] == value]
    record_studies(studies.index)
    return studies


def n_studies(review: Review, refs: Iterable[int] | None = None, **filters) -> int:
    """Number of studies matching the filters of :func:`select_studies`.

    Parameters
    ----------
    review : Review
    refs : iterable of int, optional
        Keep only these reference numbers.
    **filters
        Column = value, for the columns in :data:`STUDY_FILTERS`.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        As :func:`select_studies`.
    """
    return len(select_studies(review, refs, **filters))


def n_patients(review: Review, refs: Iterable[int] | None = None, **filters) -> int:
    """Number of patients (sum of "No of cases") in the studies matching the filters.

    Parameters
    ----------
    review : Review
    refs : iterable of int, optional
        Keep only these reference numbers.
    **filters
        Column = value, for the columns in :data:`STUDY_FILTERS`.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        As :func:`select_studies`.
    """
    return int(select_studies(review, refs, **filters)["n_cases"].sum())


def patients_with_disease(review: Review, diseases: Iterable[str]) -> int:
    """Number of patients whose underlying disease is one of ``diseases``.

    Parameters
    ----------
    review : Review
    diseases : iterable of str
        Diseases as Table 1 abbreviates them (``["DM", "JDM"]``).

    Returns
    -------
    int
        The sum of ``n_patients`` over every (study, disease) row naming one of them.

    Raises
    ------
    ValueError
        For a disease that is not in the disease vocabulary, or a count that Table 1
        leaves unknown (:class:`~helpers.data.errors.NotComputable`, a ValueError).
    """
    diseases = list(diseases)
    unknown = set(diseases) - set(review.disease_vocabulary.index)
    if unknown:
        raise ValueError(
            f"unknown diseases {sorted(unknown)}; known: {sorted(review.disease_vocabulary.index)}"
        )
    rows = review.diseases[review.diseases["disease"].isin(diseases)]
    record_studies(rows.index)
    if rows["n_patients"].isna().any():
        raise NotComputable(
            f"the number of patients with {', '.join(diseases)} is not reported for every study"
        )
    return int(rows["n_patients"].sum())


def by_modality(review: Review) -> pd.DataFrame:
    """Studies and patients per modality, beside Table 2's printed n.

    Parameters
    ----------
    review : Review

    Returns
    -------
    DataFrame
        One row per modality in the paper's order: ``family``, ``studies``,
        ``patients``, ``table2_n`` (as printed) and ``matches`` (patients equal to
        Table 2's n). A last row, ``total``, sums the columns.
    """
    mods = review.modalities
    studies = review.studies.groupby("modality")["n_cases"].agg(studies="size", patients="sum")
    table = pd.DataFrame(
        {
            "modality": mods["label"],
            "family": mods["family"].map(review.families["label"]),
            "studies": studies["studies"].reindex(mods.index).fillna(0).astype(int),
            "patients": studies["patients"].reindex(mods.index).fillna(0).astype(int),
            "table2_n": review.paper_table2["n"].reindex(mods.index).astype("Int64"),
        }
    )
    table["matches"] = table["patients"] == table["table2_n"]
    total = pd.DataFrame(
        {
            "modality": ["Total"],
            "family": [""],
            "studies": [table["studies"].sum()],
            "patients": [table["patients"].sum()],
            "table2_n": [table["table2_n"].sum()],
        },
        index=pd.Index(["total"], name="modality"),
    )
    total["matches"] = total["patients"] == total["table2_n"]
    table.index.name = "modality"
    return pd.concat([table, total])


def by_design(review: Review) -> pd.DataFrame:
    """Studies per design: how many the paper cites for it, how many are inferred, and patients.

    The paper states 1 controlled trial, 7 case series and 27 case reports, but cites
    12 studies as case series and only 9 as case reports; the 18 single-patient studies
    it does not cite are the rest of the 27 (``design_stated = False``).

    Parameters
    ----------
    review : Review

    Returns
    -------
    DataFrame
        Indexed by ``design`` (controlled trial, case series, case report first, any other
        after in alphabetical order), integer columns ``studies``, ``cited_in_text``
        (``design_stated``), ``inferred`` (the rest), ``patients`` and ``single_patient``
        (studies of one patient).
    """
    s = review.studies
    table = s.groupby("design").agg(
        studies=("n_cases", "size"),
        cited_in_text=("design_stated", "sum"),
        patients=("n_cases", "sum"),
        single_patient=("n_cases", lambda n: int((n == 1).sum())),
    )
    table["inferred"] = table["studies"] - table["cited_in_text"]
    order = ["controlled_trial", "case_series", "case_report"]
    table = table.reindex(
        [d for d in order if d in table.index] + sorted(set(table.index) - set(order))
    )
    return table[["studies", "cited_in_text", "inferred", "patients", "single_patient"]].astype(int)


def by_publication_type(review: Review) -> pd.DataFrame:
    """Studies and patients per publication type, with the references of each.

    Parameters
    ----------
    review : Review

    Returns
    -------
    DataFrame
        Indexed by ``publication_type`` (sorted): ``studies``, ``patients`` and ``refs``
        (the reference numbers, ascending, as ``"3, 7, 12"``).
    """
    s = review.studies
    return s.groupby("publication_type").agg(
        studies=("n_cases", "size"),
        patients=("n_cases", "sum"),
        refs=("n_cases", lambda n: ", ".join(str(r) for r in sorted(n.index))),
    )


def _patients(counts: pd.Series):
    """The sum of the patients' counts, or missing (not reported) when any count is missing."""
    return pd.NA if counts.isna().any() else int(counts.sum())


def by_disease(review: Review) -> pd.DataFrame:
    """Patients and studies per underlying disease, most frequent first.

    Parameters
    ----------
    review : Review

    Returns
    -------
    DataFrame
        Indexed by the disease as Table 1 abbreviates it: ``name``, ``category``,
        ``patients`` and ``studies``. ``patients`` is missing (not reported) where a
        study names the disease without a count: a sum of the known counts would
        undercount.
    """
    d = review.diseases
    table = d.groupby("disease").agg(
        name=("name", "first"),
        category=("category", "first"),
        patients=("n_patients", _patients),
        studies=("n_patients", "size"),
    )
    table["patients"] = table["patients"].astype("Int64")
    table["category"] = table["category"].map(review.disease_categories["label"])
    return table.sort_values(
        ["patients", "studies"], ascending=False, kind="stable", na_position="last"
    )


def by_disease_category(review: Review) -> pd.DataFrame:
    """Patients and studies per disease category (the project's grouping, see data/vocabularies).

    A category no study has shows 0; ``patients`` is missing (not reported) where a study
    of the category gives no count.

    Parameters
    ----------
    review : Review

    Returns
    -------
    DataFrame
        Indexed by category, in the vocabulary's order (``vocabularies/disease_categories.csv``):
        ``label``, ``patients`` (nullable integer) and ``studies`` (distinct studies with a
        disease of the category).
    """
    d = review.diseases
    table = d.groupby("category").agg(
        patients=("n_patients", _patients), studies=("n_patients", lambda x: x.index.nunique())
    )
    cats = review.disease_categories
    used = table.index
    table = table.reindex(cats.index)
    table["studies"] = table["studies"].fillna(0).astype(int)
    table["patients"] = pd.array(
        [0 if c not in used else v for c, v in table["patients"].items()], dtype="Int64"
    )
    table.insert(0, "label", cats["label"])
    return table
