"""What gets pooled: events per study for an outcome, groups of studies, subgroup tests.

:func:`events_per_study` turns the review into one row per study with ``events`` out of
``n`` for a chosen outcome and a chosen handling of the choices a meta-analyst must make,
each one a parameter of notebook 04 and a sensitivity run of the report:

``outcome``
    ``"response"``: complete or partial response (the paper's "improvement");
    ``"complete"``: complete response only.
``unknown``
    ``"failure"``: patients with unknown response stay in the denominator as failures
    (the paper's denominators); ``"exclude"``: they are left out. Patients of a study
    reporting per lesion have no patient-level response: as failures they count in the
    denominator with no event (as the paper's Table 2 counts them); excluded, the study
    drops out.
``unit``
    ``"patients"``; or ``"lesions"``: a study that reports per lesion enters with its
    lesions instead (Bottomley [13]: 21 lesions).
``exclude_abstracts``
    Leave out the studies published as conference abstracts.
``design``
    Which study designs enter (:data:`DESIGN_LABELS`): ``"all"``; ``"case_series"``, the
    studies designed as case series only; ``"multi_patient"``, every study of more than one
    patient (the case series and the controlled trial): selective publication of good
    outcomes is most likely among single-patient case reports. ``case_series_only=True``,
    the notebooks' flag, is ``design="multi_patient"``.

The subgroup variables are the project's, documented in ``data/vocabularies``: the
disease category of a study whose patients all share one (otherwise ``mixed``), and the
band of its largest lesion (:data:`SIZE_BANDS`).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from helpers.analysis.glmm import degenerate
from helpers.analysis.meta import (
    DEFAULT_METHOD,
    IV_METHODS,
    LOGIT_METHODS,
    METHODS,
    PRIMARY_METHODS,
    TEST_LABELS,
    TESTS,
    PooledProportion,
    at_boundary,
    moderator_test,
    pool_proportions,
)
from helpers.analysis.meta import influence as meta_influence
from helpers.analysis.meta import leave_one_out as meta_leave_one_out
from helpers.data.loader import Review
from helpers.data.printed import (
    IMPROVEMENT,
    NOT_REPORTED_WORDS,
    RESPONSE_CATEGORIES,
    UNKNOWN_CATEGORY,
)
from helpers.data.values import check_choice, flag, is_missing

__all__ = [
    "ALL_MODELS",
    "COMMON_TAU2_METHOD",
    "DEFAULT_TEST",
    "DESIGNS",
    "DESIGN_LABELS",
    "FALLBACK",
    "GROUP_KINDS",
    "LEAVE_ONE_OUT_MIN",
    "MIXED",
    "MODEL_NAMES",
    "NOT_REPORTED",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "PI_TYPE",
    "POOLED_COLUMNS",
    "SINGLE_STUDY",
    "SINGLE_STUDY_NOTE",
    "SIZE_BANDS",
    "STUDY_COLUMNS",
    "SUBGROUP_COLUMNS",
    "UNITS",
    "UNIT_LABELS",
    "UNKNOWN",
    "UNKNOWN_LABELS",
    "GroupFit",
    "Settings",
    "SubgroupAnalysis",
    "design_choice",
    "events_per_study",
    "fit",
    "fit_groups",
    "fit_with_fallback",
    "group_parts",
    "groups",
    "interval_text",
    "leave_one_out",
    "leave_one_out_groups",
    "model_name",
    "percent_text",
    "pool_every_method",
    "range_text",
    "size_band",
    "subgroup_order",
    "subgroup_test",
    "subgroup_values",
    "subgroups",
]

#: The default interval of the inverse-variance models: Hartung–Knapp never narrower than Wald
#: (the project's choice, after Röver, Knapp and Friede 2015; see :class:`Settings`).
DEFAULT_TEST = "adhoc"
#: The outcomes pooled, in words.
OUTCOME_LABELS = {"response": "complete or partial response", "complete": "complete response"}
OUTCOMES = tuple(OUTCOME_LABELS)
#: What happens to patients whose response is unknown, in words.
UNKNOWN_LABELS = {
    "failure": "patients with unknown response count as failures (the paper's denominators)",
    "exclude": "patients with unknown response are left out",
}
UNKNOWN = tuple(UNKNOWN_LABELS)
#: What a study enters with, in words.
UNIT_LABELS = {
    "patients": "patients",
    "lesions": "lesions, where a study reports per lesion (patients otherwise)",
}
UNITS = tuple(UNIT_LABELS)
#: Which study designs enter, in words (the ``design`` column of ``studies.csv``).
DESIGN_LABELS = {
    "all": "every design (case reports, case series, the controlled trial)",
    "case_series": "case series only (the studies designed as case series)",
    "multi_patient": "no single-patient case reports (every study of more than one patient)",
}
DESIGNS = tuple(DESIGN_LABELS)
#: Random-effects models a report can show in its forest plots, summaries and subgroup tests.
#: Bands of the largest lesion's diameter (cm): upper bounds, right-closed.
SIZE_BANDS = (("≤ 1 cm", 1.0), ("1–5 cm", 5.0), ("> 5 cm", math.inf))
#: A subgroup value for the studies that do not report the variable: shown, never tested.
NOT_REPORTED = NOT_REPORTED_WORDS
#: The disease category of a study whose patients have diseases of several categories. It
#: holds a space, so it can never be a category of the vocabulary (whose keys are [a-z_]+).
MIXED = "mixed categories"
#: The columns of :func:`events_per_study`.
STUDY_COLUMNS = [
    "ref",
    "label",
    "modality",
    "family",
    "disease_category",
    "size_band",
    "publication_type",
    "events",
    "n",
]
#: The columns of :func:`subgroup_test`'s table.
SUBGROUP_COLUMNS = [
    "subgroup",
    "k",
    "events",
    "n",
    "proportion",
    "ci_low",
    "ci_high",
    "tested",
    "why_not_tested",
    "warnings",
]
#: The columns of :func:`pool_every_method`.
POOLED_COLUMNS = ["kind", "group", "label", *PooledProportion._SUMMARY, "warnings"]
#: Groups the notebook pools: each modality, then each family of more than one modality.
GROUP_KINDS = ("modality", "family")


def size_band(diameter: float, qualifier) -> str:
    """The band of a largest diameter (``"not reported"`` when missing).

    Parameters
    ----------
    diameter : float
        The largest lesion's maximal diameter (cm); missing when not reported.
    qualifier : str or None
        The diameter's printed qualifier ("<" or ">"). Not used: a bound is banded by its
        value.

    Returns
    -------
    str
        A label of :data:`SIZE_BANDS`, or :data:`NOT_REPORTED`.
    """
    if is_missing(diameter):
        return NOT_REPORTED
    for label, upper in SIZE_BANDS:
        if diameter <= upper:
            return label
    return SIZE_BANDS[-1][0]


def subgroup_values(values: pd.Series) -> pd.Series:
    """Subgroup values as text, a missing value as :data:`NOT_REPORTED`.

    So 1 and "1" are one subgroup.

    Parameters
    ----------
    values : Series
        One value per study.

    Returns
    -------
    Series
        The values as ``str``, with the same index.
    """
    return values.map(lambda v: NOT_REPORTED if is_missing(v) else str(v))


def subgroup_order(value) -> tuple:
    """Sort key of a subgroup, for ``sorted(..., key=subgroup_order)``.

    Size bands from small to large, other values alphabetically, then :data:`MIXED`, then
    :data:`NOT_REPORTED`.

    Parameters
    ----------
    value : str
        A subgroup value (:func:`subgroup_values`).

    Returns
    -------
    tuple
        ``(rank, band index, text)``: rank 0 for a size band, 1 for other values, 2 for
        :data:`MIXED`, 3 for :data:`NOT_REPORTED`.
    """
    bands = [label for label, _ in SIZE_BANDS]
    if value in bands:
        return (0, bands.index(value), "")
    return (2 if value == MIXED else 3 if value == NOT_REPORTED else 1, 0, str(value))


def events_per_study(
    review: Review,
    outcome: str = "response",
    unknown: str = "failure",
    unit: str = "patients",
    exclude_abstracts: bool = False,
    case_series_only: bool = False,
    design: str = "all",
) -> pd.DataFrame:
    """Events out of n per study, for one outcome and one handling of each choice.

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    outcome : {"response", "complete"}
        Complete or partial response, or complete response only.
    unknown : {"failure", "exclude"}
        Patients with unknown response as failures, or left out.
    unit : {"patients", "lesions"}
        Whether a study that reports per lesion enters with its lesions.
    exclude_abstracts : bool
        Leave out the conference abstracts (``True``/``False``, or the text ``true``/``false``:
        :func:`helpers.data.values.flag`).
    case_series_only : bool
        Leave out the single-patient case reports (the same): ``design="multi_patient"``.
    design : {"all", "case_series", "multi_patient"}
        Which designs enter (:data:`DESIGN_LABELS`).

    Returns
    -------
    DataFrame
        Indexed by ``ref``: ``label`` ("Abbott 2020"), ``modality``, ``family``,
        ``disease_category``, ``size_band``, ``publication_type``, ``events``, ``n``.
        Studies left with no patient are dropped.

    Raises
    ------
    ValueError
        For an ``outcome``, ``unknown``, ``unit`` or ``design`` not allowed (the message lists
        the allowed ones), a flag that is not one, or ``case_series_only`` with a ``design``
        other than ``"multi_patient"``.

    Long: one pass over the studies applies every choice to each study's counts; split,
    the choices would be read in several places.
    """
    check_choice("outcome", outcome, OUTCOMES)
    check_choice("unknown", unknown, UNKNOWN)
    check_choice("unit", unit, UNITS)
    exclude_abstracts = flag("exclude_abstracts", exclude_abstracts)
    design = design_choice(case_series_only, design)
    s = review.studies
    o = review.outcomes.loc[s.index]
    cats = review.diseases.groupby(level="ref")["category"].agg(
        lambda c: c.iloc[0] if c.nunique() == 1 else MIXED
    )
    keys = IMPROVEMENT if outcome == "response" else ("complete",)
    categories = [RESPONSE_CATEGORIES[key][1] for key in keys]
    rows = []
    for ref, study in s.iterrows():
        r = o.loc[ref]
        if r["response_unit"] == "lesions":
            if unit == "lesions":
                events = int(sum(r["lesions_" + c] for c in categories))
                n = int(r["lesions"])
            elif unknown == "failure":
                events, n = 0, int(study["n_cases"])
            else:
                continue
        else:
            events = int(sum(r[c] for c in categories))
            n = int(study["n_cases"]) - (
                int(r[RESPONSE_CATEGORIES[UNKNOWN_CATEGORY][1]]) if unknown == "exclude" else 0
            )
        if n == 0 or (exclude_abstracts and study["publication_type"] == "conference_abstract"):
            continue
        if not _design_kept(design, study):
            continue
        rows.append(
            {
                "ref": ref,
                "label": f"{study['first_author']} {study['year']}",
                "modality": study["modality"],
                "family": study["family"],
                "disease_category": cats.get(ref, NOT_REPORTED),
                "size_band": size_band(
                    study["largest_diameter_cm"], study["largest_diameter_qualifier"]
                ),
                "publication_type": study["publication_type"],
                "events": events,
                "n": n,
            }
        )
    return pd.DataFrame(rows, columns=STUDY_COLUMNS).set_index(
        "ref"
    )  # no row when no study is left


def design_choice(case_series_only, design: str = "all") -> str:
    """The design choice of a pair of ``case_series_only`` and ``design``, checked.

    Parameters
    ----------
    case_series_only : bool
        The notebooks' flag (True is ``design="multi_patient"``), or its text.
    design : str
        One of :data:`DESIGNS`.

    Returns
    -------
    str
        One of :data:`DESIGNS`.

    Raises
    ------
    ValueError
        For a design not allowed, a flag that is not one, or ``case_series_only=True``
        with a design other than ``"multi_patient"`` (the message names both).

    Examples
    --------
    >>> design_choice(True), design_choice(False, "case_series")
    ('multi_patient', 'case_series')
    """
    check_choice("design", design, DESIGNS)
    if flag("case_series_only", case_series_only):
        if design not in ("all", "multi_patient"):
            raise ValueError(
                f"case_series_only=True and design={design!r} disagree: case_series_only "
                "means design='multi_patient'; give one of them"
            )
        return "multi_patient"
    return design


def _design_kept(design: str, study: pd.Series) -> bool:
    """Whether a study (a row of ``review.studies``) enters under a design choice."""
    if design == "case_series":
        return study["design"] == "case_series"
    if design == "multi_patient":
        return int(study["n_cases"]) > 1
    return True


def groups(review: Review) -> list[tuple[str, str, str]]:
    """The groups pooled: each modality and each family of more than one modality.

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).

    Returns
    -------
    list of tuple of str
        ``(kind, key, label)``: kind ``"modality"`` or ``"family"``, the key of the
        vocabulary and the label shown (a family's is "All laser", "All STS"), modalities
        first, in the vocabularies' order.
    """
    mods = review.modalities
    out = [("modality", m, row["label"]) for m, row in mods.iterrows()]
    fams = review.families
    for f, row in fams.iterrows():
        if (mods["family"] == f).sum() > 1:
            out.append(
                (
                    "family",
                    f,
                    f"All {row['label'].split(' (')[0].lower()}" if f != "sts" else "All STS",
                )
            )
    return out


def group_parts(data: pd.DataFrame, review: Review) -> Iterator[tuple[str, str, str, pd.DataFrame]]:
    """Each pooled group that has studies, with its studies: the one loop over the groups.

    Parameters
    ----------
    data : DataFrame
        Events per study (:func:`events_per_study`).
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).

    Yields
    ------
    kind, key, label : str
        The group (:func:`groups`).
    part : DataFrame
        Its rows of ``data`` (never empty: a group with no study is left out).
    """
    for kind, key, label in groups(review):
        part = data[data[kind] == key]
        if not part.empty:
            yield kind, key, label, part


def pool_every_method(
    data: pd.DataFrame, review: Review, methods=None, level: float = 0.95
) -> pd.DataFrame:
    """Pool each group (modality and family) with each model.

    Parameters
    ----------
    data : DataFrame
        Events per study (:func:`events_per_study`).
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    methods : sequence, optional
        Methods (``"reml"``, tested with the Wald interval) or ``(method, test)`` pairs;
        by default :data:`ALL_MODELS`. Prediction intervals are on :data:`PI_TYPE`.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        One row per (group, model): ``kind``, ``group``, ``label`` and the columns of
        :meth:`PooledProportion.to_frame`. Groups with no study are left out.
    """
    models = [
        m if isinstance(m, tuple) else (m, "z")
        for m in (ALL_MODELS if methods is None else methods)
    ]
    for method, test in models:
        check_choice("method", method, METHODS)
        check_choice("test", test, TESTS)
    rows = []
    for kind, key, label, part in group_parts(data, review):
        for method, test in models:
            res = pool_proportions(
                part["events"],
                part["n"],
                method=method,
                level=level,
                labels=part["label"],
                test=test,
                pi_type=PI_TYPE,
                profile=False,
            )
            rows.append(
                pd.concat(
                    [pd.DataFrame([{"kind": kind, "group": key, "label": label}]), res.to_frame()],
                    axis=1,
                )
            )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=POOLED_COLUMNS)


def fit(
    data: pd.DataFrame, method: str = DEFAULT_METHOD, level: float = 0.95, **selection
) -> PooledProportion:
    """Pool the studies of ``data`` matching ``selection``.

    Parameters
    ----------
    data : DataFrame
        Events per study (:func:`events_per_study`).
    method : str
        One of :data:`helpers.analysis.meta.METHODS`.
    level : float
        Confidence level of the intervals.
    **selection
        Column and value each study must have (``modality="eswl"``, ``family="laser"``).

    Returns
    -------
    PooledProportion
        With the default test and prediction interval of
        :func:`helpers.analysis.meta.pool_proportions`.

    Raises
    ------
    ValueError
        When no study matches.
    """
    part = data
    for column, value in selection.items():
        part = part[part[column] == value]
    if part.empty:
        raise ValueError(f"no study matches {selection}")
    return pool_proportions(
        part["events"], part["n"], method=method, level=level, labels=part["label"]
    )


def subgroup_test(
    data: pd.DataFrame,
    by: str,
    method: str = DEFAULT_METHOD,
    level: float = 0.95,
    min_studies: int = 2,
    test: str = "z",
    exclude=(NOT_REPORTED,),
) -> tuple[pd.DataFrame, dict]:
    """Pool each subgroup with its own tau² and test whether they differ.

    The test compares the subgroup estimates on the model's scale (logit; double arcsine
    for ``ft``) with a Wald-type Q statistic,
    ``Q_between = sum w_g (theta_g - theta_bar)^2`` with ``w_g = 1/se_g^2`` and G - 1
    degrees of freedom, each subgroup with its own tau² (a "separate tau²" subgroup
    analysis, the default of R's meta). Subgroups with fewer than ``min_studies``
    studies, whose model is not estimable, or whose value is in ``exclude`` (by default
    :data:`NOT_REPORTED`: the studies that do not report the variable are not a subgroup)
    are shown but not tested. This is the test between subgroups of a random-effects
    model with separate tau² [1]_.

    Parameters
    ----------
    data : DataFrame
        Events per study (:func:`events_per_study`).
    by : str
        The column that defines the subgroups (``"disease_category"``, ``"size_band"``).
    method : str
        One of :data:`PRIMARY_METHODS`.
    level : float
        Confidence level of the subgroup intervals.
    min_studies : int
        The fewest studies a tested subgroup has.
    test : {"z", "knha", "adhoc"}
        The confidence interval of an inverse-variance method (``"z"`` for the GLMM).
    exclude : sequence of str
        Subgroup values shown but never tested.

    Returns
    -------
    (DataFrame, dict)
        Per subgroup (:data:`SUBGROUP_COLUMNS`): ``subgroup``, ``k``, ``events``, ``n``,
        ``proportion``, ``ci_low``, ``ci_high``, ``tested``, ``why_not_tested``,
        ``warnings``; and the test: ``q``, ``df``, ``p_value``, ``subgroups_tested``,
        ``method``. With fewer than two subgroups tested, ``q`` and ``p_value`` are NaN.

    Raises
    ------
    ValueError
        For a method or test not allowed.

    Long: one pass over the subgroups pools each and says why it is or is not tested;
    the test uses what that pass collects.

    References
    ----------
    .. [1] Borenstein M, Hedges LV, Higgins JPT, Rothstein HR (2009). Introduction to
       Meta-Analysis, chapter 19 (Subgroup analyses). Chichester: Wiley.
    """
    check_choice("method", method, PRIMARY_METHODS)
    check_choice("test", test, TESTS)
    test = test if method in IV_METHODS else "z"
    data = data.assign(**{by: subgroup_values(data[by])})
    rows, est, se = [], [], []
    for key, part in sorted(data.groupby(by, sort=False), key=lambda item: subgroup_order(item[0])):
        res = pool_proportions(
            part["events"],
            part["n"],
            method=method,
            level=level,
            labels=part["label"],
            test=test,
            profile=False,
        )
        why = (
            "not reported: not a subgroup"
            if key == NOT_REPORTED and key in exclude
            else "excluded from the tests"
            if key in exclude
            else f"fewer than {min_studies} studies"
            if res.k < min_studies
            else "model not estimable"
            if not (res.converged and np.isfinite(res.se))
            else "no standard error (the interval has no width)"
            if res.se <= 0
            else ""
        )
        rows.append(
            {
                "subgroup": key,
                "k": res.k,
                "events": res.events,
                "n": res.n,
                "proportion": res.proportion,
                "ci_low": res.ci_low,
                "ci_high": res.ci_high,
                "tested": not why,
                "why_not_tested": why,
                "warnings": res.notes,
            }
        )
        if not why:
            est.append(res.estimate)
            se.append(res.se)
    table = pd.DataFrame(rows, columns=SUBGROUP_COLUMNS)
    result = {
        "method": method,
        "subgroups_tested": len(est),
        "q": math.nan,
        "df": 0,
        "p_value": math.nan,
    }
    if len(est) >= 2:
        w = 1 / np.square(se)
        theta = np.sum(w * np.array(est)) / np.sum(w)
        q = float(np.sum(w * (np.array(est) - theta) ** 2))
        result |= {"q": q, "df": len(est) - 1, "p_value": float(stats.chi2.sf(q, len(est) - 1))}
    return table, result


@dataclass
class SubgroupAnalysis:
    """Subgroups compared both ways: each with its own tau², and with one tau² common to all.

    Attributes
    ----------
    by : str
        The column of :func:`events_per_study` that defines the subgroups.
    table : DataFrame
        One row per subgroup: k, events / n, the separate-tau² estimate, the common-tau²
        estimate, and why a subgroup is not tested.
    tests : DataFrame
        One row per test: ``test`` (its name), ``statistic`` (Q or QM), ``df``,
        ``p_value``, ``subgroups_tested`` and ``tau2`` (the common one; NaN for the
        separate test).
    excluded : DataFrame
        The subgroups left out of both tests by ``exclude`` ("not reported"), shown apart.
    """

    by: str
    table: pd.DataFrame
    tests: pd.DataFrame
    excluded: pd.DataFrame


def subgroups(
    data: pd.DataFrame,
    by: str,
    method: str = DEFAULT_METHOD,
    test: str = DEFAULT_TEST,
    min_studies: int = 2,
    exclude=(NOT_REPORTED,),
) -> SubgroupAnalysis:
    """Compare subgroups with a separate tau² per subgroup and with a common tau².

    The separate-tau² test is :func:`subgroup_test` with the report's model, and when that
    is the GLMM also with the :data:`FALLBACK` (single-patient subgroups at 100% leave the
    GLMM nothing to estimate); the common-tau² test is :func:`helpers.analysis.meta.moderator_test`
    (QM) with the model of :data:`COMMON_TAU2_METHOD`, on the subgroups with at least
    ``min_studies`` studies and not in ``exclude``. A subgroup in ``exclude`` ("not
    reported") enters no test and is returned apart. The two ways of comparing subgroups
    are those of Borenstein et al. [1]_; the common-tau² test is metafor's moderator test
    [2]_.

    Parameters
    ----------
    data : DataFrame
        Events per study (:func:`events_per_study`).
    by : str
        The column that defines the subgroups.
    method : str
        The report's model, one of :data:`PRIMARY_METHODS`.
    test : {"z", "knha", "adhoc"}
        The confidence interval of the inverse-variance models.
    min_studies : int
        The fewest studies a tested subgroup has.
    exclude : sequence of str
        Subgroup values shown apart and never tested.

    Returns
    -------
    SubgroupAnalysis
        The table (one column of estimates per model, and the common-tau² column), the
        tests, and the excluded subgroups.

    Raises
    ------
    ValueError
        For a method or test not allowed.

    Long: one table is built from every test, each separate-tau² run (the model, then its
    fallback) adding its columns and the common-tau² test its last; split, the table
    would be assembled in several places.

    References
    ----------
    .. [1] Borenstein M, Hedges LV, Higgins JPT, Rothstein HR (2009). Introduction to
       Meta-Analysis, chapter 19 (Subgroup analyses). Chichester: Wiley.
    .. [2] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    """
    check_choice("method", method, PRIMARY_METHODS)
    data = data.assign(**{by: subgroup_values(data[by])})
    methods = [method] + ([FALLBACK] if method == "glmm" else [])
    table = None
    tests = []
    for m in methods:
        t = test if m in IV_METHODS else "z"
        name = MODEL_NAMES[m] + (f", {TEST_LABELS[t]}" if m in IV_METHODS else "")
        separate, result = subgroup_test(
            data, by, method=m, min_studies=min_studies, test=t, exclude=exclude
        )
        column = (
            separate.apply(
                lambda r: interval_text(r["proportion"], r["ci_low"], r["ci_high"]), axis=1
            )
            if len(separate)
            else pd.Series(dtype=object)
        )
        if table is None:
            edge = (
                data.assign(edge=at_boundary(data["events"], data["n"])).groupby(by)["edge"].sum()
            )
            table = pd.DataFrame(
                {
                    "subgroup": separate["subgroup"],
                    "k": separate["k"],
                    "events / n": [
                        f"{e}/{n}" for e, n in zip(separate["events"], separate["n"], strict=True)
                    ],
                    # where every study is at 0% or 100%, the logit models show their continuity
                    # correction more than the data: the reader should see how many are
                    "studies at 0% or 100%": [int(edge[g]) for g in separate["subgroup"]],
                }
            )
            eligible = ~separate["subgroup"].isin(exclude) & (separate["k"] >= min_studies)
            kept_keys = set(separate.loc[eligible, "subgroup"])
        table[f"separate tau² ({name})"] = column.to_numpy()
        table[f"not tested ({name})"] = separate["why_not_tested"].to_numpy()
        tests.append(
            {
                "test": f"separate tau² per subgroup ({name}): Wald Q between subgroups",
                "statistic": result["q"],
                "df": result["df"],
                "p_value": result["p_value"],
                "subgroups_tested": result["subgroups_tested"],
                "tau2": math.nan,
            }
        )
    kept = data[data[by].isin(kept_keys)]
    common_method = COMMON_TAU2_METHOD[method]
    common = (
        moderator_test(kept["events"], kept["n"], kept[by], method=common_method)
        if len(kept)
        else {"qm": math.nan, "qm_df": 0, "qm_pvalue": math.nan, "tau2": math.nan, "groups": {}}
    )
    groups_ = common["groups"]
    table[f"common tau² ({MODEL_NAMES[common_method]})"] = [
        interval_text(*groups_[str(g)][1:]) if str(g) in groups_ else "–" for g in table["subgroup"]
    ]
    tested = len(groups_)
    tests.append(
        {
            "test": f"common tau² ({MODEL_NAMES[common_method]} mixed-effects model): QM",
            "statistic": common["qm"] if tested >= 2 else math.nan,
            "df": common["qm_df"] if tested >= 2 else 0,
            "p_value": common["qm_pvalue"] if tested >= 2 else math.nan,
            "subgroups_tested": tested,
            "tau2": common["tau2"] if tested >= 2 else math.nan,
        }
    )
    out = table["subgroup"].isin(exclude)
    return SubgroupAnalysis(
        by,
        table[~out].reset_index(drop=True),
        pd.DataFrame(tests),
        table[out].reset_index(drop=True),
    )


# ----------------------------------------------------------------- the notebook's settings and fits

#: How each model is named in tables and sentences.
#: The methods in words, in the order of :data:`helpers.analysis.meta.METHODS`.
MODEL_NAMES = {
    "crude": "crude",
    "glmm": "GLMM",
    "reml": "REML",
    "dl": "DerSimonian–Laird",
    "ft": "Freeman–Tukey",
}
#: The model reported for a group whose GLMM is not estimable (with the run's ``test``). This
#: is the project's choice: REML is the tau² estimator Cochrane's Statistical Methods Group
#: recommends (2022) for inverse-variance random-effects models.
FALLBACK = "reml"
#: The mixed-effects model of the common-tau² test for each model of a report: metafor's
#: ``rma(mods = ~ factor(group))`` exists for the logit models; the GLMM and Freeman–Tukey
#: reports use the :data:`FALLBACK` (REML on the logit scale) for it.
COMMON_TAU2_METHOD = {m: m if m in LOGIT_METHODS else FALLBACK for m in PRIMARY_METHODS}
#: The prediction interval of every report: t with k - 1 degrees of freedom.
PI_TYPE = "t"
#: Groups with at least this many studies get a leave-one-out analysis.
LEAVE_ONE_OUT_MIN = 3


def model_name(result: PooledProportion) -> str:
    """The model of a result in words: "GLMM", "REML, Hartung–Knapp interval".

    Parameters
    ----------
    result : PooledProportion
        A pooled result.

    Returns
    -------
    str
        The method's name (:data:`MODEL_NAMES`), with its interval for an
        inverse-variance method.
    """
    name = MODEL_NAMES[result.method]
    return f"{name}, {TEST_LABELS[result.test]} interval" if result.method in IV_METHODS else name


class Settings:
    """The choices of one meta-analysis run, checked: a bad value names the allowed ones.

    Parameters mirror :func:`events_per_study` plus ``method`` (the primary model, one of
    :data:`PRIMARY_METHODS`) and ``test`` (the confidence interval of the inverse-variance models,
    one of :data:`helpers.analysis.meta.TESTS`, used by the primary model when it is one of them
    and by the :data:`FALLBACK`).

    The default ``test="adhoc"`` (Hartung–Knapp never narrower than Wald) is this
    project's choice, after Röver, Knapp and Friede (2015), who recommend it for few
    studies of unequal precision; notebook 04 shows plain Hartung–Knapp and Wald beside it.
    """

    def __init__(
        self,
        outcome: str = "response",
        unknown: str = "failure",
        unit: str = "patients",
        exclude_abstracts: bool = False,
        case_series_only: bool = False,
        method: str = DEFAULT_METHOD,
        test: str = DEFAULT_TEST,
    ):
        check_choice("outcome", outcome, OUTCOMES)
        check_choice("unknown", unknown, UNKNOWN)
        check_choice("unit", unit, UNITS)
        check_choice("method", method, PRIMARY_METHODS)
        check_choice("test", test, TESTS)
        self.outcome, self.unknown, self.unit = outcome, unknown, unit
        self.exclude_abstracts = flag("exclude_abstracts", exclude_abstracts)
        self.case_series_only = flag("case_series_only", case_series_only)
        self.method, self.test = method, test

    @classmethod
    def from_parameters(cls, parameters: dict) -> Settings:
        """The settings among a notebook's parameters (the others are left out).

        Parameters
        ----------
        parameters : dict
            A notebook's parameters by name.

        Returns
        -------
        Settings
        """
        names = inspect.signature(cls).parameters
        return cls(**{k: v for k, v in parameters.items() if k in names})

    @property
    def selection(self) -> dict:
        """The arguments of :func:`events_per_study`."""
        return {
            "outcome": self.outcome,
            "unknown": self.unknown,
            "unit": self.unit,
            "exclude_abstracts": self.exclude_abstracts,
            "case_series_only": self.case_series_only,
        }

    def describe(self) -> str:
        """The settings in words, for the report.

        Returns
        -------
        str
            One sentence: each choice in words, separated by "; ".
        """
        parts = [
            f"outcome: {OUTCOME_LABELS[self.outcome]}",
            "unknown responses count as failures"
            if self.unknown == "failure"
            else "unknown responses left out",
            "lesion-level counts where a study gives them"
            if self.unit == "lesions"
            else "patients counted",
            "conference abstracts left out"
            if self.exclude_abstracts
            else "conference abstracts included",
            DESIGN_LABELS[design_choice(self.case_series_only)],
            f"primary model: {MODEL_NAMES[self.method]}",
            f"interval of the inverse-variance models: {TEST_LABELS[self.test]}",
        ]
        return "; ".join(parts) + "."

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{k}={v!r}"
            for k, v in {**self.selection, "method": self.method, "test": self.test}.items()
        )
        return f"Settings({parts})"


#: What a group of one study shows instead of a model: one study is not pooled.
SINGLE_STUDY = "single study"
#: Why a group of one study has no pooled estimate.
SINGLE_STUDY_NOTE = "single study: nothing to pool"


@dataclass
class GroupFit:
    """One group pooled with the primary model, or its fallback when the primary is not estimable.

    Attributes
    ----------
    kind, key, label : str
        The group (:func:`groups`).
    result : PooledProportion
        What the report shows: the primary model's fit, or the :data:`FALLBACK`'s.
    primary : PooledProportion
        The primary model's own fit (the same object as ``result`` when no fallback).
    crude : PooledProportion
        All events over all patients.
    """

    kind: str
    key: str
    label: str
    result: PooledProportion
    primary: PooledProportion
    crude: PooledProportion

    @property
    def fallback(self) -> bool:
        """Whether the fallback model is shown instead of the primary one."""
        return self.result is not self.primary

    @property
    def model(self) -> str:
        """The model shown, in words."""
        return model_name(self.result)

    @property
    def single(self) -> bool:
        """Whether the group holds one study, which is shown, not pooled."""
        return self.result.k == 1

    @property
    def model_shown(self) -> str:
        """The model shown, or :data:`SINGLE_STUDY` for a group of one study."""
        return SINGLE_STUDY if self.single else self.model

    @property
    def note(self) -> str:
        """Why the model shown is this one, and what the reader should know about its fit."""
        if self.result.k == 1:
            return SINGLE_STUDY_NOTE
        if self.fallback:
            note = (
                f"{MODEL_NAMES[self.primary.method]} not estimable ({self.primary.reason}); "
                f"{self.model} shown instead"
            )
            return "; ".join(v for v in (note, *self.result.warnings) if v)
        if not self.result.converged and self.result.method == "glmm":
            studies = self.result.studies
            why = degenerate(studies["events"], studies["n"])
            if why:
                return (
                    f"{self.result.reason}; with {why} the data support only the crude "
                    "proportion, so no fallback model is shown"
                )
            return f"{self.result.reason}; {MODEL_NAMES[FALLBACK]} not estimable either"
        return self.result.notes


def fit_with_fallback(
    part: pd.DataFrame,
    method: str = DEFAULT_METHOD,
    test: str = DEFAULT_TEST,
    level: float = 0.95,
    kind: str = "",
    key: str = "",
    label: str = "",
) -> GroupFit:
    """Pool a group's studies with ``method``, or :data:`FALLBACK` where the GLMM is not estimable.

    The fallback applies to the GLMM of two or more studies only: a single study is not
    pooled, and an inverse-variance model that cannot be estimated (tau² running off to
    infinity) is reported as such. Data that :func:`helpers.analysis.glmm.degenerate`
    names get no fallback, and a fallback that is not estimable either is not shown.

    Parameters
    ----------
    part : DataFrame
        The group's rows of :func:`events_per_study` (``events``, ``n``, ``label``).
    method : str
        The primary model, one of :data:`PRIMARY_METHODS`.
    test : {"z", "knha", "adhoc"}
        The confidence interval of the inverse-variance models (the primary one, or the
        fallback).
    level : float
        Confidence level of the intervals.
    kind, key, label : str
        The group (:func:`groups`), carried into the result.

    Returns
    -------
    GroupFit
        The fit shown, the primary fit and the crude proportion; prediction intervals on
        :data:`PI_TYPE`.

    Raises
    ------
    ValueError
        For a method or test not allowed.
    """
    check_choice("method", method, PRIMARY_METHODS)
    check_choice("test", test, TESTS)
    args = dict(level=level, labels=part["label"], pi_type=PI_TYPE)
    primary = pool_proportions(
        part["events"], part["n"], method=method, test=test if method in IV_METHODS else "z", **args
    )
    result = primary
    if (
        method == "glmm"
        and not primary.converged
        and primary.k >= 2
        and not degenerate(part["events"], part["n"])
    ):
        fallback = pool_proportions(part["events"], part["n"], method=FALLBACK, test=test, **args)
        result = fallback if fallback.converged else primary
    crude = pool_proportions(
        part["events"], part["n"], method="crude", level=level, labels=part["label"]
    )
    return GroupFit(kind, key, label, result, primary, crude)


def fit_groups(
    data: pd.DataFrame,
    review: Review,
    method: str = DEFAULT_METHOD,
    test: str = DEFAULT_TEST,
    level: float = 0.95,
) -> dict[tuple[str, str], GroupFit]:
    """One :class:`GroupFit` per group with studies: ``{(kind, key): GroupFit}``.

    Parameters
    ----------
    data : DataFrame
        Events per study (:func:`events_per_study`).
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    method : str
        The primary model, one of :data:`PRIMARY_METHODS`.
    test : {"z", "knha", "adhoc"}
        The confidence interval of the inverse-variance models.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    dict
        ``{(kind, key): GroupFit}``, in the order of :func:`groups`.
    """
    return {
        (kind, key): fit_with_fallback(part, method, test, level, kind, key, label)
        for kind, key, label, part in group_parts(data, review)
    }


# --------------------------------------------------------------------------- tables and words


def _finite(value) -> float | None:
    """``value`` as a finite float, or None (missing, text, infinite)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def percent_text(p, decimals: int = 1) -> str:
    """A proportion as a percentage with one decimal, ``"73.1%"``.

    Parameters
    ----------
    p : float
        The proportion (0 to 1); text from a file is read as a number.
    decimals : int
        Decimals shown: one in the tables, none in the figures' small print.

    Returns
    -------
    str
        "–" when ``p`` is missing, not a number or not finite.

    Examples
    --------
    >>> percent_text(0.7312), percent_text(float("nan")), percent_text(None)
    ('73.1%', '–', '–')
    >>> percent_text(0.7312, decimals=0)
    '73%'
    """
    p = _finite(p)
    return "–" if p is None else f"{100 * p:.{decimals}f}%"


def interval_text(p, lo, hi) -> str:
    """A proportion and its interval as percentages, ``"73.1% [60.2–83.0%]"``.

    The one way the reports write a proportion with its interval: percentages with one
    decimal.

    Parameters
    ----------
    p, lo, hi : float
        The proportion and its interval's ends (0 to 1).

    Returns
    -------
    str
        "–" when ``p`` or ``lo`` is not finite.

    Examples
    --------
    >>> interval_text(0.7312, 0.6019, 0.83)
    '73.1% [60.2–83.0%]'
    """
    if _finite(p) is None or _finite(lo) is None:
        return "–"
    return f"{percent_text(p)} [{range_text(lo, hi)}]"


def range_text(lo, hi) -> str:
    """An interval of proportions as percentages, ``"4.0–100.0%"``.

    Parameters
    ----------
    lo, hi : float
        The interval's ends (0 to 1).

    Returns
    -------
    str
        "–" when either end is missing, not a number or not finite.

    Examples
    --------
    >>> range_text(0.04, 1.0)
    '4.0–100.0%'
    """
    lo, hi = _finite(lo), _finite(hi)
    if lo is None or hi is None:
        return "–"
    return f"{100 * lo:.1f}–{100 * hi:.1f}%"


# --------------------------------------------------------------------------- leave-one-out


def leave_one_out(fit: GroupFit, level: float = 0.95) -> pd.DataFrame:
    """The group pooled again without each study in turn, with the model shown for the group.

    Returns :func:`helpers.analysis.meta.leave_one_out`'s frame (one row per omitted
    study; the GLMM at the number of nodes the group's fit settled at) with the column
    ``influential``: metafor's influence criteria [1]_ [2]_ on the REML model with the
    same test (:func:`helpers.analysis.meta.influence`; the GLMM has none).

    Parameters
    ----------
    fit : GroupFit
        The group with all its studies (:func:`fit_with_fallback`).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        The columns of :data:`helpers.analysis.meta.LEAVE_ONE_OUT_COLUMNS` and
        ``influential`` (bool).

    References
    ----------
    .. [1] Viechtbauer W, Cheung MWL (2010). Outlier and influence diagnostics for
       meta-analysis. Res Synth Methods 1:112-125.
    .. [2] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    """
    r = fit.result
    studies = r.studies
    # the GLMM without a study uses the nodes the group's own fit settled at (as metafor's
    # leave1out keeps the model's nAGQ)
    nodes = r.nodes if r.method == "glmm" and r.nodes else "auto"
    out = meta_leave_one_out(
        studies["events"],
        studies["n"],
        method=r.method,
        labels=studies["label"],
        level=level,
        test=r.test,
        pi_type=PI_TYPE,
        nodes=nodes,
    )
    infl = meta_influence(
        studies["events"],
        studies["n"],
        method="reml",
        labels=studies["label"],
        test=r.test if r.method in IV_METHODS else "z",
    )
    out["influential"] = infl["influential"].to_numpy()
    return out


def leave_one_out_groups(
    fits: dict[tuple[str, str], GroupFit], min_studies: int = LEAVE_ONE_OUT_MIN
) -> dict:
    """:func:`leave_one_out` for every group with enough studies and an estimable model.

    Parameters
    ----------
    fits : dict
        ``{(kind, key): GroupFit}`` (:func:`fit_groups`).
    min_studies : int
        The fewest studies a group needs.

    Returns
    -------
    dict
        ``{(kind, key): DataFrame}`` for the groups with at least ``min_studies`` studies
        whose model shown is estimable, in the order of ``fits``.
    """
    return {
        key: leave_one_out(fit)
        for key, fit in fits.items()
        if fit.result.k >= min_studies and fit.result.converged
    }


# ----------------------------------------------------------------------- the sensitivity comparison


#: The models the table of every model shows, as (method, test), in its column order: every
#: method in the order of :data:`~helpers.analysis.meta.METHODS`, REML with each interval of
#: :data:`~helpers.analysis.meta.TESTS` and the others with the Wald interval.
ALL_MODELS = tuple((m, t) for m in METHODS for t in (TESTS if m == "reml" else ("z",)))
