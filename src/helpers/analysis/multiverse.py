"""The multiverse: every defensible analysis of each group, fitted in one process.

A pooled proportion rests on choices a meta-analyst must make; notebook 04's sensitivity
runs change one at a time. The multiverse approach (Voracek, Kossmeier and Tran 2019 [1]_)
runs every combination and shows the whole distribution, drawn as a specification curve
(Simonsohn, Simmons and Nelson 2020 [2]_). :func:`multiverse` enumerates, for every group
of :func:`helpers.analysis.pooling.groups` (each modality, each family of several
modalities), every combination of the choices of :data:`CHOICES`:

- ``outcome``, ``unknown``, ``unit``: as :func:`helpers.analysis.pooling.events_per_study`;
- ``abstracts``: conference abstracts ``"included"`` or ``"excluded"``;
- ``design``: :data:`helpers.analysis.pooling.DESIGNS`;
- ``model``: a method and its interval, :data:`helpers.analysis.pooling.ALL_MODELS`
  (prediction intervals on :data:`helpers.analysis.pooling.PI_TYPE`);
- ``omitted``: none, and each study of the group in turn when the data set leaves the group
  at least :data:`helpers.analysis.pooling.LEAVE_ONE_OUT_MIN` studies.

A group enters the multiverse when some choice leaves it a study. A combination of the
data choices that leaves it none is still a specification: one row per model with k = 0,
not estimable ("no study left in the group"), counted among the not estimable ones and
never dropped. One that leaves it one study is not estimable either: a single study is
not pooled (as notebook 04 shows it, "single study: nothing to pool"), so no model's
"pooled" proportion of it (a continuity correction's 75% for one patient of one) enters
the curve or the summary; its row keeps k, events and n.

Most specifications share their data (a study's counts do not change with the model, and
many choices leave a group's studies as they are): each distinct data set is fitted once
per model (:func:`fit_key`), in one process or in a pool of processes; the order of the
table and every number are the same either way.

References
----------
.. [1] Voracek M, Kossmeier M, Tran US (2019). Which data to meta-analyze, and how? A
   specification-curve and multiverse-analysis approach to meta-analysis. Z Psychol
   227:64-82.
.. [2] Simonsohn U, Simmons JP, Nelson LD (2020). Specification curve analysis. Nat Hum
   Behav 4:1208-1214.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import pandas as pd

from helpers.analysis.meta import IV_METHODS, TEST_LABELS, pool_proportions
from helpers.analysis.pooling import (
    ALL_MODELS,
    DESIGNS,
    LEAVE_ONE_OUT_MIN,
    MODEL_NAMES,
    OUTCOME_LABELS,
    OUTCOMES,
    PI_TYPE,
    SINGLE_STUDY_NOTE,
    UNITS,
    UNKNOWN,
    events_per_study,
    groups,
)
from helpers.data.loader import Review
from helpers.data.values import check_choice

__all__ = [
    "ABSTRACTS",
    "ABSTRACT_LABELS",
    "CHOICES",
    "CHOICE_NAMES",
    "COLUMNS",
    "MAJORITY",
    "NONE_OMITTED",
    "NO_STUDY",
    "SUMMARY_COLUMNS",
    "Multiverse",
    "fit_key",
    "model_key",
    "multiverse",
    "option_labels",
    "summary",
]

#: Whether the conference abstracts enter, in words.
ABSTRACT_LABELS = {"included": "conference abstracts included", "excluded": "left out"}
ABSTRACTS = tuple(ABSTRACT_LABELS)
#: The choices of a specification, in the order of the table's columns and the figure's rows.
CHOICES = ("outcome", "unknown", "unit", "abstracts", "design", "model", "omitted")
#: Each choice in words.
CHOICE_NAMES = {
    "outcome": "outcome",
    "unknown": "unknown responses",
    "unit": "unit",
    "abstracts": "conference abstracts",
    "design": "designs",
    "model": "model and interval",
    "omitted": "study left out",
}
#: The ``omitted`` of a specification with every study of its data set.
NONE_OMITTED = "none"
#: The warning of a specification whose choices leave its group no study.
NO_STUDY = "no study left in the group"
#: The threshold of the summary's shares: a therapy whose interval lies entirely above it
#: helps most patients treated (more respond than not); entirely below it, most do not.
#: Half is the one threshold that needs no clinical judgment of what a worthwhile response
#: rate is, which the paper does not give.
MAJORITY = 0.5
#: The columns of the ``table`` of :class:`Multiverse`, one row per specification.
COLUMNS = [
    "kind",
    "group",
    "label",
    "outcome",
    "unknown",
    "unit",
    "abstracts",
    "design",
    "method",
    "test",
    "omitted",
    "omitted_ref",
    "k",
    "events",
    "n",
    "proportion",
    "ci_low",
    "ci_high",
    "estimable",
    "warnings",
]
#: The columns of :func:`summary`, one row per group.
SUMMARY_COLUMNS = [
    "kind",
    "group",
    "label",
    "specifications",
    "estimable",
    "not_estimable",
    "median",
    "lowest",
    "highest",
    "share_above",
    "share_below",
    "choice",
    "choice_range",
    "choice_low",
    "choice_high",
]


def model_key(method: str, test: str) -> str:
    """The ``model`` option of a method and its interval: ``"reml/adhoc"``, ``"glmm"``.

    Parameters
    ----------
    method, test : str
        A pair of :data:`helpers.analysis.pooling.ALL_MODELS`.

    Returns
    -------
    str
        The method, with its test for an inverse-variance method.

    Examples
    --------
    >>> model_key("reml", "knha"), model_key("glmm", "z")
    ('reml/knha', 'glmm')
    """
    return f"{method}/{test}" if method in IV_METHODS else method


def option_labels() -> dict[str, dict[str, str]]:
    """Every option of every choice but ``omitted``, in words, in the order enumerated.

    Returns
    -------
    dict
        ``{choice: {option: words}}`` for the choices of :data:`CHOICES` but ``omitted``
        (whose options are the studies).
    """
    return {
        "outcome": dict(OUTCOME_LABELS),
        "unknown": {"failure": "counted as failures", "exclude": "left out"},
        "unit": {"patients": "patients", "lesions": "lesions where reported"},
        "abstracts": {"included": "included", "excluded": "left out"},
        "design": {
            "all": "every design",
            "case_series": "case series only",
            "multi_patient": "no single-patient reports",
        },
        "model": {
            model_key(m, t): MODEL_NAMES[m] + (f", {TEST_LABELS[t]}" if m in IV_METHODS else "")
            for m, t in ALL_MODELS
        },
    }


def fit_key(key: tuple, level: float = 0.95) -> tuple:
    """Fit one distinct data set with one model: what a specification's row needs.

    Parameters
    ----------
    key : tuple
        ``(pairs, method, test)``: ``pairs`` the sorted ``(events, n)`` of the studies. A fit
        is of its studies in that order, so its numbers depend on the counts only, never on
        which studies carry them or their order (a fit of the same studies in another order
        can differ in the last digit, as floating-point sums do).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    tuple
        ``(k, events, n, proportion, ci_low, ci_high, estimable, warnings)``; with no
        study, k = 0, not estimable, with :data:`NO_STUDY` as the warning; with one, not
        estimable (a single study is not pooled), its counts kept, no proportion, with
        :data:`helpers.analysis.pooling.SINGLE_STUDY_NOTE` as the warning.
    """
    pairs, method, test = key
    if not pairs:
        return (0, 0, 0, math.nan, math.nan, math.nan, False, NO_STUDY)
    if len(pairs) == 1:
        ((events, n),) = pairs
        return (1, events, n, math.nan, math.nan, math.nan, False, SINGLE_STUDY_NOTE)
    events, n = zip(*pairs, strict=True)
    res = pool_proportions(
        events, n, method=method, test=test, level=level, pi_type=PI_TYPE, profile=False
    )
    estimable = bool(
        res.converged and all(math.isfinite(v) for v in (res.proportion, res.ci_low, res.ci_high))
    )
    return (
        res.k,
        res.events,
        res.n,
        float(res.proportion),
        float(res.ci_low),
        float(res.ci_high),
        estimable,
        res.notes,
    )


def _cores() -> int:
    """The cores this process may run on (a container's or a task set's limit, not the
    machine's count where the system says)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _fit_level(args: tuple) -> tuple:
    """:func:`fit_key` of ``(key, level)``, for a process pool's map."""
    return fit_key(*args)


def _fit_all(keys: list, level: float, workers: int) -> list:
    """The fits of ``keys`` in their order, in one process or ``workers`` processes.

    A pool that cannot start or breaks (no semaphores or no fork in a restricted
    environment, a worker killed) leaves the fits to this process: the numbers are the
    same, only slower. An error of a fit itself is raised as it is.
    """
    if workers <= 1 or len(keys) < 2:
        return [fit_key(key, level) for key in keys]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, len(keys) // (workers * 16))
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(pool.map(_fit_level, [(key, level) for key in keys], chunksize=chunk))
    except (OSError, NotImplementedError, BrokenProcessPool):
        return [fit_key(key, level) for key in keys]


@dataclass
class Multiverse:
    """Every specification of every group, fitted.

    Attributes
    ----------
    table : DataFrame
        One row per specification (:data:`COLUMNS`): the group (``kind``, ``group``,
        ``label``), each choice (``outcome``, ``unknown``, ``unit``, ``abstracts``,
        ``design``, ``method``, ``test``, ``omitted`` with the study's label or
        :data:`NONE_OMITTED`, and ``omitted_ref``), the data (``k``, ``events``, ``n``), the
        pooled ``proportion`` with its interval (``ci_low``, ``ci_high``), ``estimable``
        and the fit's ``warnings`` (its reason when not estimable, then its warnings).
    fits : int
        The distinct fits run (each distinct data set once per model).
    level : float
        Confidence level of the intervals.
    """

    table: pd.DataFrame
    fits: int
    level: float = 0.95

    def summary(self) -> pd.DataFrame:
        """:func:`summary` of the table: one row per group.

        Returns
        -------
        DataFrame
        """
        return summary(self.table)

    def to_frame(self) -> pd.DataFrame:
        """The table, one row per specification (a copy).

        Returns
        -------
        DataFrame
        """
        return self.table.copy()

    def __repr__(self) -> str:
        t = self.table
        n_groups = t[["kind", "group"]].drop_duplicates().shape[0]
        return (
            f"Multiverse: {len(t)} specifications of {n_groups} groups, "
            f"{int(t['estimable'].sum())} estimable; {self.fits} distinct fits"
        )


def multiverse(
    review: Review,
    models=ALL_MODELS,
    level: float = 0.95,
    workers: int | None = None,
    cache: bool = True,
    leave_one_out: bool = True,
) -> Multiverse:
    """Fit every specification of every group: each combination of the choices.

    Parameters
    ----------
    review : Review
        The loaded review (:func:`helpers.data.loader.load_review`).
    models : sequence of (method, test)
        The models and intervals (:data:`helpers.analysis.pooling.ALL_MODELS`).
    level : float
        Confidence level of the intervals.
    workers : int, optional
        Processes fitting the distinct data sets: 1 fits them here, one after the other;
        None uses every core this process may run on (at most 2 fits are not worth a pool). The
        table is the same either way; a pool that cannot start (a restricted environment)
        or breaks leaves the fits to this process.
    cache : bool
        Fit each distinct data set once per model (True), or every specification on its own
        (False; the same numbers, slower: for tests).
    leave_one_out : bool
        Include the specifications that leave out one study (True), or only those with
        every study of their data set.

    Returns
    -------
    Multiverse
        The table (one row per specification, in the order: group as
        :func:`helpers.analysis.pooling.groups`, then outcome, unknown, unit, abstracts,
        design, omitted study, model, each in its options' order) and the number of
        distinct fits.

    Raises
    ------
    ValueError
        For a model not allowed.
    """
    models = [tuple(m) for m in models]
    for method, test in models:
        check_choice("model", (method, test), ALL_MODELS)
    rows, keys = _specifications(review, models, leave_one_out)
    distinct = list(dict.fromkeys(keys)) if cache else keys
    workers = _cores() if workers is None else int(workers)
    results = dict(zip(distinct, _fit_all(distinct, level, workers), strict=True))
    fitted = [results[key] for key in keys] if cache else _fit_all(keys, level, workers)
    values = pd.DataFrame(
        fitted,
        columns=["k", "events", "n", "proportion", "ci_low", "ci_high", "estimable", "warnings"],
    )
    table = pd.concat([pd.DataFrame(rows), values], axis=1)
    table = table.astype({"omitted_ref": "Int64", "estimable": bool})
    return Multiverse(table[COLUMNS], fits=len(distinct), level=level)


def _specifications(review: Review, models: list, leave_one_out: bool) -> tuple[list, list]:
    """Every specification's choices (a dict per row) and its fit's key, in the table's order.

    Long: one nested loop over the groups, the data choices and the omitted study names
    every specification once; split, the order of the rows would be set in several places.
    """
    combos = list(itertools.product(OUTCOMES, UNKNOWN, UNITS, ABSTRACTS, DESIGNS))
    data = {
        combo: events_per_study(
            review, *combo[:3], exclude_abstracts=combo[3] == "excluded", design=combo[4]
        )
        for combo in combos
    }
    rows, keys = [], []
    for kind, key, label in groups(review):
        parts = {combo: d[d[kind] == key] for combo, d in data.items()}
        if all(part.empty for part in parts.values()):
            continue
        for combo, part in parts.items():
            omits = [None]
            if leave_one_out and len(part) >= LEAVE_ONE_OUT_MIN:
                omits += list(part.index)
            for ref in omits:
                kept = part if ref is None else part.drop(index=ref)
                pairs = tuple(
                    sorted(zip(kept["events"].astype(int), kept["n"].astype(int), strict=True))
                )
                for method, test in models:
                    rows.append(
                        {
                            "kind": kind,
                            "group": key,
                            "label": label,
                            **dict(zip(CHOICES[:5], combo, strict=True)),
                            "method": method,
                            "test": test,
                            "omitted": NONE_OMITTED if ref is None else part.at[ref, "label"],
                            "omitted_ref": pd.NA if ref is None else int(ref),
                        }
                    )
                    keys.append((tuple((int(e), int(n)) for e, n in pairs), method, test))
    return rows, keys


def _options(table: pd.DataFrame, choice: str) -> pd.Series:
    """Each row's option of a choice (the model as :func:`model_key`, the study left out by
    its reference, -1 for none)."""
    if choice == "model":
        return pd.Series(
            [model_key(m, t) for m, t in zip(table["method"], table["test"], strict=True)],
            index=table.index,
        )
    if choice == "omitted":
        return table["omitted_ref"].fillna(-1).astype(int)
    return table[choice]


def _moves_most(estimable: pd.DataFrame) -> tuple[str, float, str, str]:
    """The choice whose options' medians lie furthest apart, that range and its two ends."""
    best = ("", math.nan, "", "")
    for choice in CHOICES:
        options = _options(estimable, choice)
        medians = estimable["proportion"].groupby(options, sort=False).median()
        if len(medians) < 2:
            continue
        spread = float(medians.max() - medians.min())
        if math.isnan(best[1]) or spread > best[1]:
            best = (choice, spread, _option_text(estimable, choice, medians.idxmin()),
                    _option_text(estimable, choice, medians.idxmax()))  # fmt: skip
    return best


def _option_text(table: pd.DataFrame, choice: str, option) -> str:
    """An option as the summary names it: the key, or the label of the study left out."""
    if choice != "omitted":
        return str(option)
    if option == -1:
        return NONE_OMITTED
    return str(table.loc[table["omitted_ref"] == option, "omitted"].iloc[0])


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per group: how many specifications, how many estimable, their spread, and what moves it.

    This is the project's summary rule for a multiverse. Over a group's estimable
    specifications: the median, lowest and highest pooled proportion; the share whose
    confidence interval lies entirely above :data:`MAJORITY` (its lower end above it) and
    entirely below it (its upper end below it). The choice that moves the estimate most is
    the choice of :data:`CHOICES` whose options' medians lie furthest apart: for each
    choice, the median proportion of the estimable specifications with each option, and
    the range of those medians; the choice with the widest range is named, with that range
    and the options at its low and high end (for ``omitted``: the study left out, or
    :data:`NONE_OMITTED`). A choice with one option among the estimable specifications
    moves nothing; ties go to the first choice of :data:`CHOICES`.

    Parameters
    ----------
    table : DataFrame
        the ``table`` of :class:`Multiverse` (one row per specification).

    Returns
    -------
    DataFrame
        One row per group, in the table's order (:data:`SUMMARY_COLUMNS`): ``kind``,
        ``group``, ``label``, ``specifications``, ``estimable``, ``not_estimable``,
        ``median``, ``lowest``, ``highest``, ``share_above``, ``share_below`` (proportions
        of the estimable specifications; NaN when none is), ``choice`` (a key of
        :data:`CHOICES`, "" when no choice moves anything), ``choice_range``,
        ``choice_low`` and ``choice_high``.
    """
    out = []
    for (kind, key), part in table.groupby(["kind", "group"], sort=False):
        ok = part[part["estimable"].astype(bool)]
        count = len(ok)
        choice, spread, low, high = _moves_most(ok)
        out.append(
            {
                "kind": kind,
                "group": key,
                "label": part["label"].iloc[0],
                "specifications": len(part),
                "estimable": count,
                "not_estimable": len(part) - count,
                "median": float(ok["proportion"].median()) if count else math.nan,
                "lowest": float(ok["proportion"].min()) if count else math.nan,
                "highest": float(ok["proportion"].max()) if count else math.nan,
                "share_above": float((ok["ci_low"] > MAJORITY).mean()) if count else math.nan,
                "share_below": float((ok["ci_high"] < MAJORITY).mean()) if count else math.nan,
                "choice": choice,
                "choice_range": spread,
                "choice_low": low,
                "choice_high": high,
            }
        )
    return pd.DataFrame(out, columns=SUMMARY_COLUMNS)
