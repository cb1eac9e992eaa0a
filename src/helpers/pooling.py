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
``case_series_only``
    Leave out the single-patient case reports, keeping the case series (studies of more
    than one patient): selective publication of good outcomes is most likely among case
    reports.

The subgroup variables are the project's, documented in ``data/vocabularies``: the
disease category of a study whose patients all share one (otherwise ``mixed``), and the
band of its largest lesion (:data:`SIZE_BANDS`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from . import escape
from .escape import write_csv
from .loader import Review
from .meta import METHODS, PooledProportion, pool_proportions

OUTCOMES = ("response", "complete")
#: How each outcome reads in titles and sentences.
OUTCOME_LABELS = {"response": "complete or partial response", "complete": "complete response"}
UNKNOWN = ("failure", "exclude")
UNITS = ("patients", "lesions")
#: Random-effects models a report can show in its forest plots, summaries and subgroup tests.
MODELS = ("reml", "dl", "glmm", "ft")
#: Bands of the largest lesion's diameter (cm): upper bounds, right-closed.
SIZE_BANDS = (("≤ 1 cm", 1.0), ("1–5 cm", 5.0), ("> 5 cm", math.inf))
#: The disease category of a study whose patients have diseases of several categories. It
#: holds a space, so it can never be a category of the vocabulary (whose keys are [a-z_]+).
MIXED = "mixed categories"
#: The columns of :func:`events_per_study`.
STUDY_COLUMNS = ["ref", "label", "modality", "family", "disease_category", "size_band", "publication_type", "events", "n"]
#: The columns of :func:`pool_groups`.
POOLED_COLUMNS = ["kind", "group", "label", *PooledProportion._SUMMARY, "warnings"]
#: Groups the notebook pools: each modality, then each family of more than one modality.
GROUP_KINDS = ("modality", "family")


def _check(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; allowed: {', '.join(map(str, allowed))}")


def size_band(diameter: float, qualifier) -> str:
    """The band of a largest diameter (``"not reported"`` when missing)."""
    if diameter is None or (isinstance(diameter, float) and math.isnan(diameter)):
        return "not reported"
    for label, upper in SIZE_BANDS:
        if diameter <= upper:
            return label
    return SIZE_BANDS[-1][0]


def events_per_study(review: Review, outcome: str = "response", unknown: str = "failure", unit: str = "patients",
                     exclude_abstracts: bool = False, case_series_only: bool = False) -> pd.DataFrame:
    """Events out of n per study, for one outcome and one handling of each choice.

    Returns
    -------
    DataFrame
        Indexed by ``ref``: ``label`` ("Abbott 2020"), ``modality``, ``family``,
        ``disease_category``, ``size_band``, ``publication_type``, ``events``, ``n``.
        Studies left with no patient are dropped.
    """
    _check("outcome", outcome, OUTCOMES)
    _check("unknown", unknown, UNKNOWN)
    _check("unit", unit, UNITS)
    s = review.studies
    o = review.outcomes.loc[s.index]
    cats = review.diseases.groupby(level="ref")["category"].agg(lambda c: c.iloc[0] if c.nunique() == 1 else MIXED)
    categories = ["complete_response"] + (["partial_response"] if outcome == "response" else [])
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
            n = int(study["n_cases"]) - (int(r["unknown_response"]) if unknown == "exclude" else 0)
        if n == 0 or (exclude_abstracts and study["publication_type"] == "conference_abstract"):
            continue
        if case_series_only and int(study["n_cases"]) <= 1:
            continue
        rows.append({
            "ref": ref, "label": f"{study['first_author']} {study['year']}", "modality": study["modality"],
            "family": study["family"], "disease_category": cats.get(ref, MIXED),
            "size_band": size_band(study["largest_diameter_cm"], study["largest_diameter_qualifier"]),
            "publication_type": study["publication_type"], "events": events, "n": n,
        })
    return pd.DataFrame(rows, columns=STUDY_COLUMNS).set_index("ref")  # no row when no study is left


def groups(review: Review) -> list[tuple[str, str, str]]:
    """The groups pooled: ``(kind, key, label)`` for each modality and each multi-modality family."""
    mods = review.modalities.sort_values("order")
    out = [("modality", m, row["label"]) for m, row in mods.iterrows()]
    fams = review.families.sort_values("order")
    for f, row in fams.iterrows():
        if (mods["family"] == f).sum() > 1:
            out.append(("family", f, f"All {row['label'].split(' (')[0].lower()}" if f != "sts" else "All STS"))
    return out


def pool_groups(data: pd.DataFrame, review: Review, methods=("crude", "glmm", "reml", "dl", "ft"),
                level: float = 0.95) -> pd.DataFrame:
    """Pool each group (modality and family) with each method.

    Returns
    -------
    DataFrame
        One row per (group, method): ``kind``, ``group``, ``label`` and the columns of
        :meth:`PooledProportion.to_frame`. Groups with no study are left out.
    """
    for m in methods:
        _check("method", m, METHODS)
    rows = []
    for kind, key, label in groups(review):
        part = data[data[kind] == key]
        if part.empty:
            continue
        for method in methods:
            res = pool_proportions(part["events"], part["n"], method=method, level=level, labels=part["label"])
            rows.append(pd.concat([pd.DataFrame([{"kind": kind, "group": key, "label": label}]), res.to_frame()], axis=1))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=POOLED_COLUMNS)


def fit(data: pd.DataFrame, method: str = "glmm", level: float = 0.95, **selection) -> PooledProportion:
    """Pool the studies of ``data`` matching ``selection`` (``modality="eswl"``, ``family="laser"``)."""
    part = data
    for column, value in selection.items():
        part = part[part[column] == value]
    if part.empty:
        raise ValueError(f"no study matches {selection}")
    return pool_proportions(part["events"], part["n"], method=method, level=level, labels=part["label"])


def subgroup_test(data: pd.DataFrame, by: str, method: str = "reml", level: float = 0.95,
                  min_studies: int = 2) -> tuple[pd.DataFrame, dict]:
    """Pool each subgroup and test whether they differ.

    The test compares the subgroup estimates on the model's scale (logit; double arcsine
    for ``ft``) with a Wald-type Q statistic,
    ``Q_between = sum w_g (theta_g - theta_bar)^2`` with ``w_g = 1/se_g^2`` and G - 1
    degrees of freedom, each subgroup with its own tau² (a "separate tau²" subgroup
    analysis). Subgroups with fewer than ``min_studies`` studies, or whose model did not
    converge, are shown but not tested.

    Returns
    -------
    (DataFrame, dict)
        Per subgroup: ``subgroup``, ``k``, ``events``, ``n``, ``proportion``, ``ci_low``,
        ``ci_high``, ``tested``, ``warnings``; and the test: ``q``, ``df``, ``p_value``,
        ``subgroups_tested``, ``method``.
    """
    _check("method", method, MODELS)
    rows, est, se = [], [], []
    for key, part in data.groupby(by, sort=True):
        res = pool_proportions(part["events"], part["n"], method=method, level=level, labels=part["label"])
        tested = res.k >= min_studies and res.converged and np.isfinite(res.se)
        rows.append({"subgroup": key, "k": res.k, "events": res.events, "n": res.n, "proportion": res.proportion,
                     "ci_low": res.ci_low, "ci_high": res.ci_high, "tested": tested,
                     "warnings": res.notes})
        if tested:
            est.append(res.estimate)
            se.append(res.se)
    table = pd.DataFrame(rows)
    test = {"method": method, "subgroups_tested": len(est), "q": math.nan, "df": 0, "p_value": math.nan}
    if len(est) >= 2:
        w = 1 / np.square(se)
        theta = np.sum(w * np.array(est)) / np.sum(w)
        q = float(np.sum(w * (np.array(est) - theta) ** 2))
        test |= {"q": q, "df": len(est) - 1, "p_value": float(stats.chi2.sf(q, len(est) - 1))}
    return table, test


def describe(result: PooledProportion, label: str, outcome: str = "response") -> str:
    """A plain-language paragraph about one pooled result, generated from its numbers."""
    what = f"a {OUTCOME_LABELS[outcome]}"
    studies = f"{result.k} {'study' if result.k == 1 else 'studies'}"
    if result.k == 1:
        row = result.studies.iloc[0]
        return (f"{label}: {result.events} of {result.n} patients in a single study had {what}; with one study "
                f"there is nothing to pool. Its exact 95% CI runs from {100 * row['ci_low']:.0f}% to "
                f"{100 * row['ci_high']:.0f}%.")
    if not result.converged:
        return (f"{label}: {result.events} of {result.n} patients in {studies} had {what}. "
                f"The random-effects model cannot be estimated here ({result.notes}), "
                f"so only the crude proportion can be reported.")
    pct = lambda v: f"{100 * v:.0f}%"
    text = (f"{label}: {result.events} of {result.n} patients in {studies} had {what}. "
            f"The model ({result.method}) puts the typical proportion at {pct(result.proportion)} "
            f"(95% CI {pct(result.ci_low)} to {pct(result.ci_high)}).")
    if result.k > 1 and np.isfinite(result.pi_low):
        text += (f" A new study could plausibly find anywhere from {pct(result.pi_low)} to {pct(result.pi_high)}"
                 f" (prediction interval), ")
        text += ("with no detectable heterogeneity between studies." if result.tau2 < 1e-6 or result.i2 < 1 else
                 f"and {result.i2:.0f}% of the variation between studies is beyond chance (I²).")
    if result.ci_high - result.ci_low > 0.4:
        text += " The interval is wide: the evidence is thin."
    return text


# --------------------------------------------------------------------------- the notebook's settings and tables

#: The groups whose estimates the sensitivity comparison sets side by side.
HEADLINE_COLUMNS = ["run", "kind", "key", "group", "method", "k", "events", "n", "proportion", "ci_low", "ci_high",
                    "converged"]
HEADLINE_GROUPS = (("modality", "topical_sts"), ("modality", "intralesional_sts"), ("family", "laser"), ("modality", "eswl"))


class Settings:
    """The choices of one meta-analysis run, checked: a bad value names the allowed ones.

    Parameters mirror :func:`events_per_study` plus ``method`` (one of :data:`MODELS`).
    """

    def __init__(self, outcome: str = "response", unknown: str = "failure", unit: str = "patients",
                 exclude_abstracts: bool = False, method: str = "reml"):
        _check("outcome", outcome, OUTCOMES)
        _check("unknown", unknown, UNKNOWN)
        _check("unit", unit, UNITS)
        _check("method", method, MODELS)
        if not isinstance(exclude_abstracts, bool):
            raise ValueError(f"exclude_abstracts must be True or False, not {exclude_abstracts!r}")
        self.outcome, self.unknown, self.unit = outcome, unknown, unit
        self.exclude_abstracts, self.method = exclude_abstracts, method

    @property
    def selection(self) -> dict:
        """The arguments of :func:`events_per_study`."""
        return {"outcome": self.outcome, "unknown": self.unknown, "unit": self.unit,
                "exclude_abstracts": self.exclude_abstracts}

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}={v!r}" for k, v in {**self.selection, "method": self.method}.items())
        return f"Settings({parts})"


def fit_groups(data: pd.DataFrame, review: Review, method: str) -> dict[tuple[str, str], tuple[str, PooledProportion]]:
    """One model per group with studies: ``{(kind, key): (label, result)}``."""
    out = {}
    for kind, key, label in groups(review):
        part = data[data[kind] == key]
        if not part.empty:
            out[(kind, key)] = (label, pool_proportions(part["events"], part["n"], method=method, labels=part["label"]))
    return out


def _ci(p, lo, hi) -> str:
    return "–" if not (np.isfinite(p) and np.isfinite(lo)) else f"{p:.2f} [{lo:.2f}, {hi:.2f}]"


def summary_table(table: pd.DataFrame) -> pd.DataFrame:
    """A compact view of :func:`pool_groups`: one row per group, each method's proportion [95% CI].

    Also the GLMM's marginal proportion, REML's tau², I² and prediction interval, and the
    warnings of the GLMM (the model most often not estimable here).
    """
    rows = []
    for (label, kind), part in table.groupby(["label", "kind"], sort=False):
        by = part.set_index("method")
        k = int(by["k"].iloc[0])
        row = {"group": label, "k": k, "events / n": f"{int(by['events'].iloc[0])}/{int(by['n'].iloc[0])}"}
        single = "single study"
        for method, name in (("crude", "crude (exact CI)"), ("reml", "REML"), ("dl", "DL"), ("ft", "Freeman–Tukey"),
                             ("glmm", "GLMM")):
            if method in by.index:
                r = by.loc[method]
                row[name] = single if k == 1 and method != "crude" else _ci(r["proportion"], r["ci_low"], r["ci_high"])
        if "glmm" in by.index:
            g = by.loc["glmm"]
            row["GLMM marginal"] = single if k == 1 else _ci(g["marginal_proportion"], g["marginal_ci_low"], g["marginal_ci_high"])
            row["GLMM note"] = "" if k == 1 else "; ".join(v for v in (g["reason"], g["warnings"]) if v)
        if "reml" in by.index:
            r = by.loc["reml"]
            row["tau² (REML)"] = "–" if k == 1 else f"{r['tau2']:.3f}"
            row["I² %"] = "–" if k == 1 else f"{r['i2']:.0f}"
            row["prediction interval"] = ("–" if k == 1 or not np.isfinite(r["pi_low"])
                                          else f"{r['pi_low']:.2f} to {r['pi_high']:.2f}")
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["group", "k", "events / n"])


def headline(table: pd.DataFrame, method: str, run: str) -> pd.DataFrame:
    """The estimates the sensitivity comparison shows for one run: crude and ``method`` per headline group."""
    rows = []
    for kind, key in HEADLINE_GROUPS:
        part = table[(table["kind"] == kind) & (table["group"] == key)].set_index("method")
        if part.empty:
            continue
        for m in ("crude", method):
            r = part.loc[m]
            rows.append({"run": run, "kind": kind, "key": key, "group": part["label"].iloc[0], "method": m, "k": int(r["k"]),
                         "events": int(r["events"]), "n": int(r["n"]), "proportion": r["proportion"],
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"], "converged": bool(r["converged"])})
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def write_headline(frame: pd.DataFrame, output_dir, run: str):
    """Write ``sensitivity/<run>.csv`` under ``output_dir`` (nothing when ``output_dir`` is None)."""
    from .paths import project_path

    if output_dir is None:
        return None
    return write_csv(frame, project_path(output_dir) / "sensitivity" / f"{run}.csv", decimals=6)


def describe_groups(fits: dict, outcome: str) -> str:
    """Plain-language paragraphs for every group, as Markdown (each escaped: labels come from the data)."""
    return "\n\n".join(f"- {escape.markdown(describe(result, label, outcome))}" for label, result in fits.values())
