"""The meta-analysis shown: tables of the pooled groups and the prose that explains them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.analysis.meta import TEST_LABELS, PooledProportion, at_boundary
from helpers.analysis.pooling import (
    ALL_MODELS,
    MODEL_NAMES,
    OUTCOME_LABELS,
    GroupFit,
    SubgroupAnalysis,
    interval_text,
    range_text,
)
from helpers.data import escape
from helpers.data.values import count_noun

__all__ = [
    "EXPLAIN_GAP",
    "LEAVE_ONE_OUT_TABLE",
    "UNIT_WORD",
    "UNIT_WORDS",
    "describe",
    "describe_groups",
    "explain_gap",
    "leave_one_out_table",
    "primary_table",
    "summary_table",
    "tests_table",
    "units_text",
]


def tests_table(analysis: SubgroupAnalysis) -> pd.DataFrame:
    """The tests of a :class:`SubgroupAnalysis` for reading: statistic, df and p value as text.

    Parameters
    ----------
    analysis : SubgroupAnalysis
        From :func:`helpers.analysis.pooling.subgroups`.

    Returns
    -------
    DataFrame
        One row per test: ``test``, ``subgroups tested``, ``statistic (df)``, ``p value``
        and ``common tau²``; "–" or "not computable" where a test has no statistic.
    """
    rows = []
    for r in analysis.tests.itertuples():
        ok = np.isfinite(r.statistic)
        rows.append(
            {
                "test": r.test,
                "subgroups tested": r.subgroups_tested,
                "statistic (df)": f"{r.statistic:.2f} ({r.df})"
                if ok
                else "not computable: fewer than 2 subgroups",
                "p value": _p(r.p_value).removeprefix("p = ") if ok else "–",
                "common tau²": f"{r.tau2:.2f}" if np.isfinite(r.tau2) else "–",
            }
        )
    return pd.DataFrame(
        rows, columns=["test", "subgroups tested", "statistic (df)", "p value", "common tau²"]
    )


#: A GLMM proportion this far (in proportion units) from the crude one is explained in words.
EXPLAIN_GAP = 0.10


def _num(v: float) -> str:
    return "∞" if v == math.inf else "–" if not np.isfinite(v) else f"{v:.2f}"


def _p(p: float) -> str:
    return "–" if not np.isfinite(p) else "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _heterogeneity_text(r: PooledProportion) -> str:
    if r.k < 2 or not r.converged:
        return "–"
    if r.method == "glmm":
        lrt = f"LRT QE({r.q_df}) = {r.qe_lrt:.1f}, {_p(r.qe_lrt_pvalue)}"
        edge = int(at_boundary(r.studies["events"], r.studies["n"]).sum())
        if edge:  # a study at 0% or 100% has no finite logit: it adds nothing to the Wald statistic
            return f"{lrt}; Wald QE not informative ({edge} of {r.k} studies at 0% or 100%)"
        return f"Wald QE({r.q_df}) = {r.qe_wld:.1f}, {_p(r.qe_wld_pvalue)}; {lrt}"
    return f"Q({r.q_df}) = {r.q:.1f}, {_p(r.q_pvalue)}"


def primary_table(fits: dict[tuple[str, str], GroupFit]) -> pd.DataFrame:
    """One row per group: the crude proportion beside the model shown.

    With the model's intervals and heterogeneity. Columns: ``group``, ``k``,
    ``events / n``, ``crude (exact CI)``, ``model``, ``proportion [95% CI]``, ``CI``,
    ``prediction interval``, ``tau² [95% CI]``, ``I² %``, ``heterogeneity``, ``note``.

    Parameters
    ----------
    fits : dict
        ``{(kind, key): GroupFit}`` (:func:`helpers.analysis.pooling.fit_groups`).

    Returns
    -------
    DataFrame
        Every value as text ("–" where a single study or a model not estimable has
        none), in the order of ``fits``.

    Long: one row per group with every column in one dictionary, each cell formatted where
    it is placed; split, the columns would be named in two places.
    """
    rows = []
    for g in fits.values():
        r, single = g.result, g.result.k == 1
        ok = r.converged and not single
        rows.append(
            {
                "group": g.label,
                "k": r.k,
                "events / n": f"{r.events}/{r.n}",
                "crude (exact CI)": interval_text(
                    g.crude.proportion, g.crude.ci_low, g.crude.ci_high
                ),
                "model": "–" if single else g.model,
                "proportion [95% CI]": interval_text(r.proportion, r.ci_low, r.ci_high)
                if ok
                else "–",
                "CI": r.ci_dist if ok else "–",
                "prediction interval": (
                    f"{range_text(r.pi_low, r.pi_high)} ({r.pi_dist})"
                    if ok and np.isfinite(r.pi_low)
                    else "–"
                ),
                "tau² [95% CI]": (
                    f"{r.tau2:.2f} [{_num(r.tau2_ci_low)}, {_num(r.tau2_ci_high)}]" if ok else "–"
                ),
                "I² %": f"{r.i2:.0f}" if ok and np.isfinite(r.i2) else "–",
                "heterogeneity": _heterogeneity_text(r) if ok else "–",
                "note": g.note,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "group",
            "k",
            "events / n",
            "crude (exact CI)",
            "model",
            "proportion [95% CI]",
            "CI",
            "prediction interval",
            "tau² [95% CI]",
            "I² %",
            "heterogeneity",
            "note",
        ],
    )


def summary_table(table: pd.DataFrame) -> pd.DataFrame:
    """A compact view of :func:`helpers.analysis.pooling.pool_every_method`: one row per group.

    Each model's proportion [95% CI], and also the GLMM's marginal proportion and its
    notes (the model most often not estimable here). A model the table was not pooled
    with has no column.

    Parameters
    ----------
    table : DataFrame
        :func:`helpers.analysis.pooling.pool_every_method`'s table.

    Returns
    -------
    DataFrame
        ``group``, ``k``, ``events / n``, then one column per model in the order of
        :data:`helpers.analysis.pooling.ALL_MODELS` ("single study" for a model of one
        study), and for the GLMM ``GLMM marginal`` and, last, ``GLMM note``.
    """
    rows = []
    for (label, _kind), part in table.groupby(["label", "kind"], sort=False):
        by = part.set_index(["method", "test"])
        k = int(part["k"].iloc[0])
        row = {
            "group": label,
            "k": k,
            "events / n": f"{int(part['events'].iloc[0])}/{int(part['n'].iloc[0])}",
        }
        single = "single study"
        pooled = list(dict.fromkeys(zip(part["method"], part["test"], strict=True)))
        known = [m for m in ALL_MODELS if m in pooled]
        for method, test in known + [m for m in pooled if m not in known]:
            r = by.loc[(method, test)]
            name = (
                "crude (exact CI)"
                if method == "crude"
                else MODEL_NAMES[method]
                if method == "glmm"
                else f"{MODEL_NAMES[method]} ({TEST_LABELS[test]})"
            )
            row[name] = (
                single
                if k == 1 and method != "crude"
                else interval_text(r["proportion"], r["ci_low"], r["ci_high"])
            )
            if method == "glmm":
                row["GLMM marginal"] = (
                    single
                    if k == 1
                    else interval_text(
                        r["marginal_proportion"], r["marginal_ci_low"], r["marginal_ci_high"]
                    )
                )
                row["GLMM note"] = (
                    "" if k == 1 else "; ".join(v for v in (r["reason"], r["warnings"]) if v)
                )
        if "GLMM note" in row:
            row["GLMM note"] = row.pop("GLMM note")  # last
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["group", "k", "events / n"])


def explain_gap(fit: GroupFit, unit: str = "patients") -> str:
    """Why a GLMM proportion differs from the crude one by more than :data:`EXPLAIN_GAP`.

    The gap is split where it arises, each part said only when it is at least 5 points:
    between the conditional proportion (the median study's) and the marginal one (the
    average study's), which heterogeneity on the log-odds scale sets apart; and between the
    marginal and the crude proportion (every patient once), which study size sets apart:
    the crude proportion lies below the plain average of the study proportions exactly
    when the larger studies report lower proportions.

    Parameters
    ----------
    fit : GroupFit
        One group's fit (:func:`helpers.analysis.pooling.fit_with_fallback`).
    unit : str
        The counted units in words (a value of :data:`UNIT_WORDS`).

    Returns
    -------
    str
        The explanation in sentences; "" when the model shown is not an estimable GLMM
        of two or more studies or the gap is at most :data:`EXPLAIN_GAP`.
    """
    r, c = fit.result, fit.crude
    if (
        r.method != "glmm"
        or not r.converged
        or r.k < 2
        or abs(r.proportion - c.proportion) <= EXPLAIN_GAP
    ):
        return ""
    pct = lambda v: f"{100 * v:.0f}%"  # noqa: E731
    pts = lambda v: f"{abs(100 * v):.0f} points"  # noqa: E731
    text = (
        f"Why the GLMM's {pct(r.proportion)} differs from the crude {pct(c.proportion)}: "
        "the GLMM's number is the conditional proportion, the inverse logit of the mean "
        "log-odds, which is the proportion of the median study; the marginal proportion, "
        f"the average over studies like these, is {pct(r.marginal_proportion)} "
        f"(95% CI {pct(r.marginal_ci_low)} to {pct(r.marginal_ci_high)})."
    )
    within = r.proportion - r.marginal_proportion
    if abs(within) >= 0.05:
        text += (
            f" With studies this far apart (tau² = {r.tau2:.2f} on the log-odds scale) "
            f"the median and the average study differ by {pts(within)}."
        )
    between = r.marginal_proportion - c.proportion
    if abs(between) >= 0.05:
        studies = r.studies
        plain = float((studies["events"] / studies["n"]).mean())
        direction = "lower" if c.proportion < plain else "higher"
        text += (
            f" The crude {pct(c.proportion)} ({c.events} of {c.n}) counts each of the {c.n} "
            f"{unit} once, so the largest studies weigh most, and it lies {pts(between)} "
            f"{'below' if between > 0 else 'above'} the marginal proportion: the larger "
            f"studies reported {direction} proportions than the smaller ones "
            f"(the plain average of the study proportions is {pct(plain)})."
        )
    return text + " The three answer different questions."


#: How the counted units read in sentences, per ``unit`` setting.
UNIT_WORDS = {"patients": "patients", "lesions": "patients or lesions"}
#: The same words for one unit.
UNIT_WORD = {"patients": "patient", "lesions": "patient or lesion"}


def units_text(n: int, unit: str) -> str:
    """A number of counted units in words, singular for one: ``"1 patient"``, ``"48 patients"``.

    Parameters
    ----------
    n : int
        How many.
    unit : str
        A key of :data:`UNIT_WORDS` (the run's ``unit`` setting).

    Returns
    -------
    str

    Examples
    --------
    >>> units_text(1, "patients"), units_text(12, "lesions")
    ('1 patient', '12 patients or lesions')
    """
    return count_noun(n, UNIT_WORD[unit], UNIT_WORDS[unit])


def describe(fit: GroupFit, outcome: str = "response", unit: str = "patients") -> str:
    """A plain-language paragraph about one group's pooled result, generated from its numbers.

    Parameters
    ----------
    fit : GroupFit
        One group's fit (:func:`helpers.analysis.pooling.fit_with_fallback`).
    outcome : str
        A key of :data:`helpers.analysis.pooling.OUTCOME_LABELS`.
    unit : str
        A key of :data:`UNIT_WORDS` (the run's ``unit`` setting).

    Returns
    -------
    str
        Plain text (not escaped), beginning with the group's label.

    Long: one paragraph built sentence by sentence, each sentence chosen by the numbers
    of the same fit; split, the paragraph would be assembled in several places.
    """
    result, label = fit.result, fit.label
    what = f"a {OUTCOME_LABELS[outcome]}"
    studies = count_noun(result.k, "study", "studies")
    if result.k == 1:
        row = result.studies.iloc[0]
        return (
            f"{label}: {result.events} of {units_text(result.n, unit)} in a single study "
            f"had {what}; "
            "with one study there is nothing to pool. "
            f"Its exact 95% CI runs from {100 * row['ci_low']:.0f}% to "
            f"{100 * row['ci_high']:.0f}%."
        )
    if not result.converged:
        c = fit.crude
        return (
            f"{label}: {result.events} of {units_text(result.n, unit)} in {studies} had {what}. "
            f"The random-effects model cannot be estimated here ({fit.note}), "
            "so only the crude proportion can be reported: "
            f"{100 * c.proportion:.0f}% "
            f"(exact 95% CI {100 * c.ci_low:.0f}% to {100 * c.ci_high:.0f}%)."
        )
    pct = lambda v: f"{100 * v:.0f}%"  # noqa: E731
    text = f"{label}: {result.events} of {units_text(result.n, unit)} in {studies} had {what}. "
    if fit.fallback:
        text += (
            f"The GLMM cannot be estimated here ({fit.primary.reason}), so the fallback model "
            f"({fit.model}) is shown: it "
        )
    else:
        text += f"The model ({fit.model}) "
    text += (
        f"puts the typical proportion at {pct(result.proportion)} "
        f"(95% CI {pct(result.ci_low)} to {pct(result.ci_high)})."
    )
    if np.isfinite(result.pi_low):
        text += (
            f" A new study could plausibly find anywhere from {pct(result.pi_low)} "
            f"to {pct(result.pi_high)} (prediction interval), "
        )
        text += (
            "with no detectable heterogeneity between studies."
            if result.tau2 < 1e-6 or result.i2 < 1
            else f"and {result.i2:.0f}% of the variation between studies is beyond chance (I²)."
        )
    if result.ci_high - result.ci_low > 0.4:
        text += " The interval is wide: the evidence is thin."
    text += "".join(f" Note: {w}." for w in result.warnings if "Hartung–Knapp scale is 0" in w)
    gap = explain_gap(fit, UNIT_WORDS[unit])
    return text + (" " + gap if gap else "")


def describe_groups(
    fits: dict[tuple[str, str], GroupFit], outcome: str, unit: str = "patients"
) -> str:
    """Plain-language paragraphs for every group, as a Markdown list.

    Each paragraph (:func:`describe`) is escaped: labels come from the data.

    Parameters
    ----------
    fits : dict
        ``{(kind, key): GroupFit}`` (:func:`helpers.analysis.pooling.fit_groups`).
    outcome : str
        A key of :data:`helpers.analysis.pooling.OUTCOME_LABELS`.
    unit : str
        A key of :data:`UNIT_WORDS`.

    Returns
    -------
    str
        One list item per group, separated by blank lines.
    """
    return "\n\n".join(
        f"- {escape.markdown(describe(fit, outcome, unit))}" for fit in fits.values()
    )


#: The columns of :func:`leave_one_out_table`.
LEAVE_ONE_OUT_TABLE = [
    "omitted",
    "k",
    "proportion [95% CI]",
    "change (points)",
    "tau²",
    "influential (REML)",
    "note",
]


def leave_one_out_table(fit: GroupFit, frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`helpers.analysis.pooling.leave_one_out` for reading.

    The estimate without each study and how far it moves.

    Parameters
    ----------
    fit : GroupFit
        One group's fit (:func:`helpers.analysis.pooling.fit_with_fallback`).
    frame : DataFrame
        :func:`helpers.analysis.pooling.leave_one_out` for that group.

    Returns
    -------
    DataFrame
        One row per omitted study, the columns of :data:`LEAVE_ONE_OUT_TABLE`, as text;
        the change is in percentage points from the estimate with all studies.
    """
    r = fit.result
    rows = []
    for row in frame.itertuples():
        ok = row.converged and np.isfinite(row.proportion)
        rows.append(
            {
                "omitted": row.omitted,
                "k": row.k,
                "proportion [95% CI]": interval_text(row.proportion, row.ci_low, row.ci_high)
                if ok
                else "not estimable",
                "change (points)": f"{100 * (row.proportion - r.proportion):+.1f}" if ok else "–",
                "tau²": f"{row.tau2:.2f}" if ok and np.isfinite(row.tau2) else "–",
                "influential (REML)": "yes" if row.influential else "",
                "note": "" if ok else row.status.replace("_", " "),
            }
        )
    return pd.DataFrame(rows, columns=LEAVE_ONE_OUT_TABLE)
