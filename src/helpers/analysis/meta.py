"""Meta-analysis of single proportions: crude pooling, inverse-variance and GLMM models.

:func:`pool_proportions` pools ``events`` out of ``n`` across studies with one method:

``"glmm"`` (the default)
    Binomial-normal random-intercept model on the logit scale, ``x_i ~ Bin(n_i, p_i)``,
    ``logit(p_i) = beta + u_i``, ``u_i ~ N(0, tau²)``, fitted by maximum likelihood with
    adaptive Gauss–Hermite quadrature [4]_ (:mod:`helpers.analysis.glmm`): the model of
    ``lme4::glmer(nAGQ=)`` that ``metafor::rma.glmm(measure="PLO")`` fits. It reports the
    conditional pooled proportion ``expit(beta)`` (the typical study, what metafor
    prints) and the population-averaged (marginal) proportion ``E[expit(beta + u)]``.
    It uses each study's counts as they are, with no continuity correction, and is the
    model recommended for sparse proportions [5]_.
``"dl"``, ``"reml"``
    Inverse-variance random-effects model on the logit scale (measure ``PLO``), with
    DerSimonian–Laird [1]_ or restricted maximum likelihood tau², and metafor's
    continuity correction: 1/2 added to both cells of a study with 0 or n events
    (``escalc(add=1/2, to="only0")``).
``"ft"``
    Freeman–Tukey double arcsine transformation [2]_ with DerSimonian–Laird tau²,
    back-transformed with the harmonic mean of the sample sizes [3]_ (metafor's
    ``transf.ipft.hm``). Shown for comparison only: its back-transformation can mislead
    [5]_.
``"crude"``
    All events over all patients, with a Clopper–Pearson (exact) and a Wilson interval
    (statsmodels). This is what the paper's percentages are.

For the inverse-variance methods, ``test`` chooses the confidence interval as metafor's
``rma(test=)`` does: ``"z"`` (Wald, normal quantile), ``"knha"`` (Hartung–Knapp–
Sidik–Jonkman [7]_: the variance scaled by the weighted residual mean square, t quantile
with k - 1 df) or ``"adhoc"`` (Hartung–Knapp with the scale never below 1, so the
interval is never narrower than the z one [6]_ [8]_). The prediction interval follows the
test (t with k - 1 df for ``knha`` and ``adhoc``, normal for ``z``); ``pi_type="t"``
asks for t with k - 1 df with the z test too (metafor's ``predict(pi.type="t")``), and
for the GLMM, whose interval is otherwise normal.
Each result names its ``ci_dist`` and ``pi_dist``.

Every result names its method and says whether it is estimable (``converged``, and for
the GLMM ``status`` and ``reason``). Degenerate data are common here (single-patient
case reports, most with 1/1 events): when the likelihood has no finite maximum, its
maximum lies beyond the limits reported, tau² is not identifiable, or the optimiser
fails, the numbers that have no meaning are NaN and the result says why.

References
----------
.. [1] DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin
   Trials 7:177-188.
.. [2] Freeman MF, Tukey JW (1950). Transformations related to the angular and the
   square root. Ann Math Stat 21:607-611.
.. [3] Miller JJ (1978). The inverse of the Freeman-Tukey double arcsine transformation.
   Am Stat 32:138.
.. [4] Stijnen T, Hamza TH, Ozdemir P (2010). Random effects meta-analysis of event
   outcome in the framework of the generalized linear mixed model with applications in
   sparse data. Stat Med 29:3046-3067.
.. [5] Schwarzer G, Chemaitelly H, Abu-Raddad LJ, Rücker G (2019). Seriously misleading
   results using inverse of Freeman-Tukey double arcsine transformation in
   meta-analysis of single proportions. Res Synth Methods 10:476-483.
.. [6] Röver C, Knapp G, Friede T (2015). Hartung-Knapp-Sidik-Jonkman approach and its
   modification for random-effects meta-analysis with few studies. BMC Med Res
   Methodol 15:99.
.. [7] Hartung J, Knapp G (2001). On tests of the overall treatment effect in
   meta-analysis with normally distributed responses. Stat Med 20:1771-1782.
.. [8] Knapp G, Hartung J (2003). Improved tests for a random effects meta-regression
   with a single covariate. Stat Med 22:2693-2710.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from helpers.analysis import glmm
from helpers.data.values import check_choice

__all__ = [
    "DEFAULT_METHOD",
    "INFLUENCE_COLUMNS",
    "IV_METHODS",
    "LEAVE_ONE_OUT_COLUMNS",
    "LOGIT_METHODS",
    "METHODS",
    "PI_TYPES",
    "PRIMARY_METHODS",
    "TESTS",
    "TEST_LABELS",
    "TEST_NAMES",
    "PooledProportion",
    "at_boundary",
    "escalc_pft",
    "escalc_plo",
    "expit",
    "generalised_q",
    "glmm_heterogeneity",
    "influence",
    "ipft",
    "leave_one_out",
    "marginal_proportion",
    "moderator_test",
    "pool_proportions",
    "study_table",
    "tau2_dl",
    "tau2_qprofile",
    "tau2_reml",
]

#: Every method, in the one order the report lists them: crude pooling (the paper's own
#: arithmetic, the baseline), the binomial-normal GLMM, and the inverse-variance models
#: (REML, DerSimonian–Laird, Freeman–Tukey).
METHODS = ("crude", "glmm", "reml", "dl", "ft")
#: The inverse-variance methods, whose intervals ``test`` chooses.
IV_METHODS = ("reml", "dl", "ft")
#: The inverse-variance models on the logit scale (Freeman–Tukey is on the arcsine scale).
LOGIT_METHODS = tuple(m for m in IV_METHODS if m != "ft")
#: The methods a report run may choose as its primary model (crude pooling is shown beside
#: every model, never as the primary one).
PRIMARY_METHODS = tuple(m for m in METHODS if m != "crude")
#: The default method, everywhere a method is chosen.
DEFAULT_METHOD = "glmm"
TESTS = ("z", "knha", "adhoc")
PI_TYPES = ("default", "t")
#: Short names of the tests, for tables and sentences.
TEST_LABELS = {"z": "Wald", "knha": "Hartung–Knapp", "adhoc": "Hartung–Knapp ad hoc"}
TEST_NAMES = {
    "z": "Wald (normal quantile)",
    "knha": "Hartung–Knapp (t, k − 1 df)",
    "adhoc": "Hartung–Knapp ad hoc, never narrower than Wald (t, k − 1 df)",
}


@dataclass
class PooledProportion:
    """The result of pooling proportions with one method.

    Attributes
    ----------
    method : str
        One of :data:`METHODS`.
    k : int
        Number of studies.
    events, n : int
        Total events and patients.
    proportion, ci_low, ci_high : float
        Pooled proportion and its confidence interval (proportion scale). For the GLMM
        the conditional proportion ``expit(beta)`` and its Wald interval.
    estimate, se : float
        Pooled estimate and its standard error on the model scale (logit for dl, reml
        and glmm; double arcsine for ft; proportion for crude). For ``knha`` and
        ``adhoc`` the scaled standard error.
    test : str
        How the confidence interval is made (:data:`TESTS`; "z" for glmm and crude).
    ci_dist, pi_dist : str
        The distribution of the interval's quantile: "normal" or "t(df)".
    tau2 : float
        Between-study variance on the model scale (NaN for crude).
    tau2_ci_low, tau2_ci_high : float
        Its confidence interval: Q-profile for the inverse-variance methods (metafor's
        ``confint``), profile likelihood for the GLMM (lme4's ``confint(method="profile")``).
    i2 : float
        I², the share of total variability due to heterogeneity, in percent.
    q, q_df, q_pvalue : float
        Cochran's Q test of homogeneity of the inverse-variance model (on the model
        scale). NaN for the GLMM, whose tests are ``qe_wld`` and ``qe_lrt``.
    qe_wld, qe_wld_pvalue, qe_lrt, qe_lrt_pvalue : float
        GLMM only: metafor's ``QE.Wld`` and ``QE.LRT``, the Wald-type and likelihood-ratio
        tests of heterogeneity (the fixed-effect model against one proportion per
        study), each on ``q_df`` degrees of freedom.
    pi_low, pi_high : float
        Prediction interval for the proportion in a new study.
    profile_ci_low, profile_ci_high : float
        GLMM only: the profile-likelihood interval of the conditional proportion, an
        alternative to the Wald interval.
    marginal_proportion, marginal_ci_low, marginal_ci_high : float
        GLMM only: the population-averaged proportion and its delta-method interval.
    wilson_low, wilson_high : float
        Crude only: the Wilson score interval.
    nodes : int or None
        GLMM only: Gauss–Hermite nodes per study.
    status : str
        "ok" or why not: for the GLMM a key of :data:`helpers.analysis.glmm.STATUSES`; for REML
        "no_finite_maximum" when tau² runs off to infinity.
    reason : str
        The status in words ("" when ok).
    converged : bool
        False when the numbers have no meaning (nothing estimable).
    warnings : list of str
        Everything else the reader should know about the fit.
    studies : DataFrame
        One row per study: ``label``, ``events``, ``n``, ``proportion``, ``ci_low``,
        ``ci_high`` (Clopper–Pearson) and ``weight`` (percent; NaN for the GLMM, whose
        weights are not defined).
    level : float
        Confidence level.
    """

    method: str
    k: int
    events: int
    n: int
    proportion: float
    ci_low: float
    ci_high: float
    estimate: float
    se: float
    test: str = "z"
    ci_dist: str = "normal"
    pi_dist: str = "normal"
    tau2: float = math.nan
    tau2_ci_low: float = math.nan
    tau2_ci_high: float = math.nan
    i2: float = math.nan
    q: float = math.nan
    q_df: int = 0
    q_pvalue: float = math.nan
    qe_wld: float = math.nan
    qe_wld_pvalue: float = math.nan
    qe_lrt: float = math.nan
    qe_lrt_pvalue: float = math.nan
    pi_low: float = math.nan
    pi_high: float = math.nan
    profile_ci_low: float = math.nan
    profile_ci_high: float = math.nan
    marginal_proportion: float = math.nan
    marginal_ci_low: float = math.nan
    marginal_ci_high: float = math.nan
    wilson_low: float = math.nan
    wilson_high: float = math.nan
    nodes: int | None = None
    status: str = "ok"
    reason: str = ""
    converged: bool = True
    warnings: list[str] = field(default_factory=list)
    studies: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    level: float = 0.95

    _SUMMARY = (
        "method",
        "test",
        "k",
        "events",
        "n",
        "proportion",
        "ci_low",
        "ci_high",
        "ci_dist",
        "pi_low",
        "pi_high",
        "pi_dist",
        "estimate",
        "se",
        "tau2",
        "tau2_ci_low",
        "tau2_ci_high",
        "i2",
        "q",
        "q_df",
        "q_pvalue",
        "qe_wld",
        "qe_wld_pvalue",
        "qe_lrt",
        "qe_lrt_pvalue",
        "profile_ci_low",
        "profile_ci_high",
        "marginal_proportion",
        "marginal_ci_low",
        "marginal_ci_high",
        "wilson_low",
        "wilson_high",
        "nodes",
        "status",
        "reason",
        "converged",
    )

    @property
    def notes(self) -> str:
        """The reason (when not ok) and the warnings, joined with "; "."""
        return "; ".join(v for v in (self.reason, *self.warnings) if v)

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame (warnings joined with "; ").

        Returns
        -------
        DataFrame
            One row: ``method``, ``test``, ``k``, ``events``, ``n``, the estimates,
            intervals, tau², heterogeneity tests, ``nodes``, ``status``, ``reason`` and
            ``converged`` (the attributes, in that order), then ``warnings``. The per-study
            table and the level are left out.
        """
        row = {name: getattr(self, name) for name in self._SUMMARY}
        row["warnings"] = "; ".join(self.warnings)
        return pd.DataFrame([row])

    def __repr__(self) -> str:
        pct = f"{round(self.level * 100)}%"
        lines = [
            f"Pooled proportion, method={self.method!r}"
            + (f", test={self.test!r}" if self.method in IV_METHODS else "")
            + (f", nodes={self.nodes}" if self.nodes else "")
            + f" (k = {self.k}, {self.events}/{self.n} events)"
        ]
        if not self.converged:
            lines.append(f"  not estimable: {self.reason}")
            lines += [f"  warning: {w}" for w in self.warnings]
            return "\n".join(lines)
        lines.append(
            f"  proportion {self.proportion:.4f}, {pct} CI {self.ci_low:.4f} "
            f"to {self.ci_high:.4f} ({self.ci_dist})"
        )
        if self.method == "crude":
            lines.append(f"  Wilson {pct} CI {self.wilson_low:.4f} to {self.wilson_high:.4f}")
        else:
            lines.append(
                f"  estimate {self.estimate:.4f} (se {self.se:.4f}) on the model scale; "
                f"tau^2 {self.tau2:.4f} [{self.tau2_ci_low:.4f}, {self.tau2_ci_high:.4f}], "
                f"I^2 {self.i2:.1f}%"
            )
            if self.method == "glmm":
                lines.append(
                    f"  heterogeneity: Wald QE({self.q_df}) = {self.qe_wld:.3f}, "
                    f"p = {self.qe_wld_pvalue:.4f}; "
                    f"LRT QE({self.q_df}) = {self.qe_lrt:.3f}, p = {self.qe_lrt_pvalue:.4f}"
                )
            else:
                lines.append(f"  Q({self.q_df}) = {self.q:.3f}, p = {self.q_pvalue:.4f}")
            lines.append(
                f"  prediction interval {self.pi_low:.4f} to {self.pi_high:.4f} ({self.pi_dist})"
            )
        if self.method == "glmm":
            lines.append(
                f"  profile-likelihood {pct} CI {self.profile_ci_low:.4f} "
                f"to {self.profile_ci_high:.4f}"
            )
            lines.append(
                f"  marginal (population-averaged) proportion {self.marginal_proportion:.4f}, "
                f"{pct} CI {self.marginal_ci_low:.4f} to {self.marginal_ci_high:.4f}"
            )
        if self.reason:
            lines.append(f"  note: {self.reason}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


# --------------------------------------------------------------------------- inputs


def _counts(values, name: str) -> np.ndarray:
    """Whole, finite numbers as floats; ValueError naming ``name`` for anything else."""
    if isinstance(values, str | bytes):
        raise ValueError(f"{name} must be a sequence of whole numbers, not a string")
    array = values.to_numpy() if isinstance(values, pd.Series) else values
    if not isinstance(
        array, np.ndarray
    ):  # a list: look at each value before NumPy turns True into 1
        array = np.asarray(list(array), dtype=object)
    if array.dtype.kind in "iu":
        return array.astype(float)
    if array.dtype.kind == "f":
        out = array.astype(float)
    elif array.dtype.kind == "O":
        for v in array.ravel():
            if isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real):
                raise ValueError(f"{name} must be whole numbers, not {v!r}")
        out = array.astype(float)
    else:
        raise ValueError(f"{name} must be whole numbers, not values of type {array.dtype}")
    if np.any(np.isnan(out)):
        raise ValueError(f"{name} must not be missing")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} must be finite")
    if np.any(out != np.round(out)):
        raise ValueError(f"{name} must be whole numbers")
    return out


def _inputs(events, n, labels) -> tuple[np.ndarray, np.ndarray, list[str]]:
    x = _counts(events, "events")
    m = _counts(n, "n")
    if x.shape != m.shape or x.ndim != 1:
        raise ValueError("events and n must be one-dimensional and of the same length")
    if len(x) == 0:
        raise ValueError("no studies to pool")
    if np.any(m < 1) or np.any(x < 0) or np.any(x > m):
        raise ValueError("each study needs n >= 1 and 0 <= events <= n")
    if np.any(m > glmm.MAX_N):
        raise ValueError(f"n must be at most {glmm.MAX_N:.0e} per study")
    labels = [str(i + 1) for i in range(len(x))] if labels is None else [str(v) for v in labels]
    if len(labels) != len(x):
        raise ValueError("labels must have one entry per study")
    return x, m, labels


def at_boundary(events, n) -> np.ndarray:
    """Which studies have 0 or n events (no finite logit of their own).

    Parameters
    ----------
    events, n : array-like of int
        Events and patients per study.

    Returns
    -------
    ndarray of bool
        True for each study with ``events == 0`` or ``events == n``.
    """
    x, m = np.asarray(events, float), np.asarray(n, float)
    return (x == 0) | (x == m)


def study_table(events, n, labels=None, level: float = 0.95) -> pd.DataFrame:
    """Each study's proportion with its Clopper–Pearson interval.

    Parameters
    ----------
    events, n : sequences of int
        Events and patients per study, checked as by :func:`pool_proportions`.
    labels : sequence of str, optional
        Study labels; by default "1", "2", ... in order.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        One row per study, in the order given: ``label``, ``events`` and ``n`` (int),
        ``proportion``, ``ci_low`` and ``ci_high`` (the exact interval, statsmodels'
        ``proportion_confint(method="beta")`` [1]_), and ``weight`` (NaN here;
        :func:`pool_proportions` fills in the percent weights of the methods that have
        them).

    Raises
    ------
    ValueError
        For invalid counts, or labels not one per study.

    References
    ----------
    .. [1] Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits
       illustrated in the case of the binomial. Biometrika 26:404-413.
    """
    return _study_table(*_inputs(events, n, labels), level)


def _study_table(x: np.ndarray, m: np.ndarray, labels: list[str], level: float) -> pd.DataFrame:
    """:func:`study_table` of counts already checked (:func:`_inputs`)."""
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(x, m, alpha=1 - level, method="beta")
    return pd.DataFrame(
        {
            "label": labels,
            "events": x.astype(int),
            "n": m.astype(int),
            "proportion": x / m,
            "ci_low": np.asarray(lo, float),
            "ci_high": np.asarray(hi, float),
            "weight": np.nan,
        }
    )


def escalc_plo(x: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logit proportions and their variances, with metafor's continuity correction.

    1/2 is added to the events and to the non-events of every study with 0 or n events
    (``escalc(measure="PLO", add=1/2, to="only0")`` [1]_).

    Parameters
    ----------
    x, m : ndarray of float
        Events and patients per study.

    Returns
    -------
    yi, vi : ndarray of float
        The logits ``log(x / (m - x))`` and their variances ``1/x + 1/(m - x)``, both
        computed after the correction.

    References
    ----------
    .. [1] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    """
    zero = (x == 0) | (x == m)
    xa = np.where(zero, x + 0.5, x)
    ma = np.where(zero, m + 1.0, m)
    yi = np.log(xa / (ma - xa))
    vi = 1 / xa + 1 / (ma - xa)
    return yi, vi


def escalc_pft(x: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Freeman–Tukey double arcsine proportions and their variances (``escalc(measure="PFT")``).

    The transformation of Freeman and Tukey [1]_, as metafor computes it [2]_; no
    continuity correction is needed.

    Parameters
    ----------
    x, m : ndarray of float
        Events and patients per study.

    Returns
    -------
    yi, vi : ndarray of float
        ``(arcsin sqrt(x / (m + 1)) + arcsin sqrt((x + 1) / (m + 1))) / 2`` and its
        variance ``1 / (4 m + 2)``.

    References
    ----------
    .. [1] Freeman MF, Tukey JW (1950). Transformations related to the angular and the
       square root. Ann Math Stat 21:607-611.
    .. [2] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    """
    yi = 0.5 * (np.arcsin(np.sqrt(x / (m + 1))) + np.arcsin(np.sqrt((x + 1) / (m + 1))))
    vi = 1 / (4 * m + 2)
    return yi, vi


def ipft(y, n: float):
    """Inverse of the double arcsine transformation for sample size ``n``.

    Miller's inversion [1]_, as metafor's ``transf.ipft`` [2]_: a value below the
    transform of 0 events out of ``n`` gives 0, one above that of ``n`` out of ``n``
    gives 1.

    Parameters
    ----------
    y : float or array-like
        Values on the double arcsine scale.
    n : float
        The sample size to invert for (:func:`pool_proportions` uses the harmonic mean
        of the studies' sizes, metafor's ``transf.ipft.hm``).

    Returns
    -------
    ndarray of float
        Proportions in [0, 1], of the shape of ``y`` (0-dimensional for a scalar).

    References
    ----------
    .. [1] Miller JJ (1978). The inverse of the Freeman-Tukey double arcsine
       transformation. Am Stat 32:138.
    .. [2] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    """
    y = np.asarray(y, dtype=float)
    s = np.sin(2 * y)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = 0.5 * (1 - np.sign(np.cos(2 * y)) * np.sqrt(1 - (s + (s - 1 / s) / n) ** 2))
    p = np.where(np.isnan(p), np.nan, p)
    lo, hi = (
        escalc_pft(np.array([0.0]), np.array([n]))[0][0],
        escalc_pft(np.array([n]), np.array([n]))[0][0],
    )
    p = np.where(y > hi, 1.0, p)
    p = np.where(y < lo, 0.0, p)
    return p


def expit(x):
    """The inverse logit, ``1 / (1 + exp(-x))`` (SciPy's ``special.expit``).

    Parameters
    ----------
    x : float or array-like
        Values on the logit scale.

    Returns
    -------
    float or ndarray
        Proportions in [0, 1], element by element (a NumPy scalar for a scalar).
    """
    return special.expit(x)


# -------------------------------------------------------------------------- inverse-variance models


def _heterogeneity(yi, vi) -> tuple[float, int, float, float]:
    """Cochran's Q, its df and p-value, and the typical within-study variance."""
    w = 1 / vi
    k = len(yi)
    mu_fe = np.sum(w * yi) / np.sum(w)
    q = float(np.sum(w * (yi - mu_fe) ** 2))
    df = k - 1
    p = float(stats.chi2.sf(q, df)) if df > 0 else math.nan
    s2 = (k - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2)) if k > 1 else math.nan
    return q, df, p, float(s2)


def tau2_dl(yi, vi) -> float:
    """DerSimonian–Laird tau², truncated at 0.

    The moment estimator [1]_ ``(Q - (k - 1)) / (sum w - sum w² / sum w)`` with
    ``w = 1 / vi`` and Q Cochran's.

    Parameters
    ----------
    yi, vi : ndarray of float
        Study estimates and their within-study variances on the model scale.

    Returns
    -------
    float
        tau² on the model scale; 0 for a single study.

    References
    ----------
    .. [1] DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin
       Trials 7:177-188.
    """
    w = 1 / vi
    q, df, _, _ = _heterogeneity(yi, vi)
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return float(max(0.0, (q - df) / c)) if df > 0 else 0.0


def tau2_reml(yi, vi) -> tuple[float, bool]:
    """REML tau² (truncated at 0), by maximising the restricted log-likelihood.

    The root of the restricted likelihood's derivative in tau² (the REML estimating
    equation [1]_, as metafor's ``method="REML"`` [2]_), bracketed from 0 and found by
    Brent's method; 0 when the derivative is not positive at 0.

    Parameters
    ----------
    yi, vi : ndarray of float
        Study estimates and their within-study variances on the model scale.

    Returns
    -------
    tau2 : float
        The estimate (0 for a single study; NaN when not found).
    converged : bool
        False when the derivative is still positive at tau² = 1e8: the restricted
        likelihood keeps rising, with no finite maximum.

    References
    ----------
    .. [1] Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators
       in the random-effects model. J Educ Behav Stat 30:261-293.
    .. [2] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    """
    if len(yi) < 2:
        return 0.0, True

    def score(t2):
        w = 1 / (vi + t2)
        mu = (w * yi).sum() / w.sum()
        r = yi - mu
        return 0.5 * ((w**2 * r**2).sum() - w.sum() + (w**2).sum() / w.sum())

    if score(0.0) <= 0:
        return 0.0, True
    hi = max(1.0, float(np.var(yi)) * 4)
    while score(hi) > 0:
        hi *= 4
        if hi > 1e8:
            return math.nan, False
    root = optimize.brentq(score, 0.0, hi, xtol=1e-14, rtol=1e-14, maxiter=500)
    return float(root), True


def generalised_q(yi, vi, tau2: float) -> float:
    """The generalised Q statistic ``sum (y_i - mu)² / (v_i + tau²)`` at its own weighted mean.

    Parameters
    ----------
    yi, vi : ndarray of float
        Study estimates and their within-study variances on the model scale.
    tau2 : float
        The between-study variance added to each ``vi``.

    Returns
    -------
    float
        The statistic, with ``mu`` the mean weighted by ``1 / (vi + tau2)``.
    """
    w = 1 / (vi + tau2)
    # the arrays' own sums (NumPy's np.sum adds a wrapper's cost to every Q-profile step)
    mu = (w * yi).sum() / w.sum()
    return float((w * (yi - mu) ** 2).sum())


def tau2_qprofile(yi, vi, level: float = 0.95) -> tuple[float, float]:
    """The Q-profile confidence interval of tau² (Viechtbauer 2007; metafor's ``confint``).

    The ends are where the generalised Q, which falls as tau² rises, crosses the upper and
    lower ``(1 - level) / 2`` quantiles of chi² with k - 1 df; an end below 0 is 0. The
    method is Viechtbauer's [1]_, computed as metafor's ``confint`` [2]_.

    Parameters
    ----------
    yi, vi : ndarray of float
        Study estimates and their within-study variances on the model scale.
    level : float
        Confidence level.

    Returns
    -------
    low, high : float
        The interval's ends (NaN for fewer than two studies; an end is infinite when Q
        stays above its quantile up to tau² = 1e12).

    References
    ----------
    .. [1] Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in
       meta-analysis. Stat Med 26:37-52.
    .. [2] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    """
    k = len(yi)
    if k < 2:
        return math.nan, math.nan
    alpha = 1 - level
    upper_q, lower_q = _quantile("chi2", 1 - alpha / 2, k - 1), _quantile("chi2", alpha / 2, k - 1)

    def crossing(target):
        if generalised_q(yi, vi, 0.0) < target:
            return 0.0
        hi = max(1.0, float(np.var(yi)))
        while generalised_q(yi, vi, hi) > target:
            hi *= 4
            if hi > 1e12:
                return math.inf
        return float(
            optimize.brentq(
                lambda t: generalised_q(yi, vi, t) - target,
                0.0,
                hi,
                xtol=1e-13,
                rtol=1e-13,
                maxiter=500,
            )
        )

    return crossing(upper_q), crossing(lower_q)


def _iv_fit(yi, vi, method: str) -> tuple[float, bool]:
    """tau² of an inverse-variance method on (yi, vi), and whether it was found."""
    if method == "reml":
        return tau2_reml(yi, vi)
    return tau2_dl(yi, vi), True


def _iv_pool(yi, vi, tau2, level, test="z"):
    """Estimate, standard error, quantile and weights (percent), as ``rma(test=)``."""
    k = len(yi)
    w = 1 / (vi + tau2)
    mu = float(np.sum(w * yi) / np.sum(w))
    se = float(math.sqrt(1 / np.sum(w)))
    if test == "z" or k < 2:
        crit = _quantile("norm", 0.5 + level / 2)
        return mu, se, crit, 100 * w / np.sum(w), "normal"
    s2w = float(np.sum(w * (yi - mu) ** 2) / (k - 1))
    if s2w <= np.finfo(float).eps:
        s2w = 0.0
    if test == "adhoc":
        s2w = max(1.0, s2w)
    crit = _quantile("t", 0.5 + level / 2, k - 1)
    return mu, se * math.sqrt(s2w), crit, 100 * w / np.sum(w), f"t({k - 1})"


def _pi_crit(k: int, test: str, pi_type: str, level: float) -> tuple[float, str]:
    if k >= 2 and (test in ("knha", "adhoc") or pi_type == "t"):
        return _quantile("t", 0.5 + level / 2, k - 1), f"t({k - 1})"
    return _quantile("norm", 0.5 + level / 2), "normal"


# --------------------------------------------------------------------------- GLMM helpers


def marginal_proportion(beta: float, tau: float, n_nodes: int = 60) -> float:
    """Population-averaged proportion ``E[expit(beta + tau Z)]``, ``Z ~ N(0, 1)``.

    Parameters
    ----------
    beta : float
        Mean of the study logits (the GLMM's intercept).
    tau : float
        Between-study standard deviation on the logit scale.
    n_nodes : int
        Gauss–Hermite nodes of the integral over Z.

    Returns
    -------
    float
        The proportion averaged over the distribution of the studies' logits.
    """
    t, w = glmm.gauss_hermite(n_nodes)
    return float(np.sum(w * expit(beta + tau * np.sqrt(2) * t)) / np.sqrt(np.pi))


def glmm_heterogeneity(x: np.ndarray, m: np.ndarray) -> tuple[float, float]:
    """metafor's ``QE.Wld`` and ``QE.LRT`` for the GLMM of single proportions.

    Both test the fixed-effect model (one proportion) against the saturated model (one
    per study), as ``rma.glmm`` does with two logistic regressions. The likelihood-ratio
    statistic is ``2 (l_saturated - l_fixed)``. The Wald statistic tests the study
    effects of the saturated model; a study with 0 or n events has an infinite logit and
    zero information there, so it adds nothing, and the statistic is Cochran's Q of the
    uncorrected logits of the other studies (what metafor's ``glm`` approaches as its
    iterations stop; it differs from it by ~1e-6).

    Parameters
    ----------
    x, m : ndarray of float
        Events and patients per study.

    Returns
    -------
    qe_wld, qe_lrt : float
        The Wald and likelihood-ratio statistics (never below 0), each on k - 1 df; the
        Wald statistic is 0 when fewer than two studies have ``0 < x < m``.

    References
    ----------
    .. [1] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    """
    pbar = x.sum() / m.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        sat = np.where(x > 0, x * np.log(x / m), 0.0) + np.where(
            m > x, (m - x) * np.log((m - x) / m), 0.0
        )
        fixed = (x * math.log(pbar) if pbar > 0 else 0.0) + (
            (m - x) * math.log(1 - pbar) if pbar < 1 else 0.0
        )
    lrt = max(0.0, float(2 * np.sum(sat - fixed)))
    inner = (x > 0) & (x < m)
    if inner.sum() < 2:
        return 0.0, lrt
    xi, mi = x[inner], m[inner]
    yi, wi = np.log(xi / (mi - xi)), xi * (mi - xi) / mi
    mu = np.sum(wi * yi) / np.sum(wi)
    return max(0.0, float(np.sum(wi * (yi - mu) ** 2))), lrt


# --------------------------------------------------------------------------- the verb


@functools.lru_cache(maxsize=1024)
def _quantile(distribution: str, p: float, df: int = 0) -> float:
    """The ``p`` quantile of ``"norm"``, ``"t"`` (``df``) or ``"chi2"`` (``df``), computed once
    per argument: SciPy's distribution methods cost ~80 µs a call, several per pooling."""
    if distribution == "norm":
        return float(stats.norm.ppf(p))
    return float(getattr(stats, distribution).ppf(p, df))


def _check_arguments(method, level, test, pi_type, nodes):
    check_choice("method", method, METHODS)
    if (
        isinstance(level, bool | np.bool_)
        or not isinstance(level, numbers.Real)
        or not 0 < level < 1
    ):
        raise ValueError("level must be between 0 and 1")
    check_choice("test", test, TESTS)
    if test != "z" and method not in IV_METHODS:
        raise ValueError(
            f"test={test!r} is for the inverse-variance methods ({', '.join(IV_METHODS)}), "
            f"not {method!r}"
        )
    check_choice("pi_type", pi_type, PI_TYPES)
    return glmm.check_nodes(nodes) if method == "glmm" else nodes


def pool_proportions(
    events: Sequence[int],
    n: Sequence[int],
    method: str = DEFAULT_METHOD,
    level: float = 0.95,
    labels: Sequence[str] | None = None,
    nodes: int | str = "auto",
    test: str = "z",
    pi_type: str = "default",
    profile: bool = True,
) -> PooledProportion:
    """Pool single proportions across studies.

    Parameters
    ----------
    events, n : sequences of int
        Events and patients per study (``0 <= events <= n``, ``1 <= n <= 1e12``); NumPy
        integers and whole floats are accepted, strings, booleans and non-finite values
        are not.
    method : {"crude", "glmm", "reml", "dl", "ft"}
        See the module docstring.
    level : float
        Confidence level of the intervals.
    labels : sequence of str, optional
        Study labels for the per-study table.
    nodes : int or "auto"
        Gauss–Hermite nodes per study for ``method="glmm"`` (``nAGQ`` in lme4, 1 to
        :data:`helpers.analysis.glmm.MAX_NODES`). With ``"auto"`` (the default) the nodes are
        doubled from :data:`helpers.analysis.glmm.START_NODES` until two fits agree (see
        :func:`helpers.analysis.glmm.fit`); ``result.nodes`` says how many were used.
    test : {"z", "knha", "adhoc"}
        The confidence interval of the inverse-variance methods (see the module docstring).
    pi_type : {"default", "t"}
        The prediction interval's quantile: as the test, or t with k - 1 df.
    profile : bool
        GLMM only: also compute the profile-likelihood intervals of tau² and of the
        proportion (the costliest part of a GLMM fit on many studies).

    Returns
    -------
    PooledProportion
        The pooled estimate, its intervals and heterogeneity, and the per-study table;
        ``converged`` is False, with the reason, when the model is not estimable.

    Raises
    ------
    ValueError
        For an unknown method, test or pi_type (the message lists the allowed ones), a
        test that the method does not have, or invalid counts or nodes.

    Notes
    -----
    A prediction interval is ``estimate ± crit·sqrt(se² + tau²)``, back-transformed, as
    ``metafor::predict`` computes it: the interval of Higgins, Thompson and
    Spiegelhalter [10]_ (recommended for every meta-analysis by IntHout et al. [11]_),
    who take t with k - 2 df, here with the quantile of the test or of ``pi_type``. I²
    is ``100·tau²/(tau² + s²)`` with ``s²`` the typical within-study variance of the
    inverse-variance weights (Higgins and Thompson [12]_); for the GLMM it uses the
    continuity-corrected logit variances, as ``rma.glmm``.

    The GLMM is the binomial-normal model [1]_ [2]_; ``"dl"`` and ``"reml"`` estimate
    tau² as DerSimonian and Laird [3]_ and by REML [4]_; ``"ft"`` is Freeman and Tukey's
    transformation [5]_ with Miller's inversion [6]_; ``"knha"`` and ``"adhoc"`` are the
    Hartung–Knapp interval and its ad hoc variant [7]_ [8]_ [9]_; the crude interval is
    Clopper and Pearson's [13]_, beside Wilson's [14]_. The tau² interval of the
    inverse-variance methods is the Q-profile [15]_; the conventions are metafor's [16]_.

    Long: most of its length is this docstring, the one reference for every argument;
    the body checks the arguments, pools the crude counts itself and hands each model to
    one helper.

    References
    ----------
    .. [1] Stijnen T, Hamza TH, Ozdemir P (2010). Random effects meta-analysis of event
       outcome in the framework of the generalized linear mixed model with applications
       in sparse data. Stat Med 29:3046-3067.
    .. [2] Hamza TH, van Houwelingen HC, Stijnen T (2008). The binomial distribution of
       meta-analysis was preferred to model within-study variability. J Clin Epidemiol
       61:41-51.
    .. [3] DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin
       Trials 7:177-188.
    .. [4] Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators
       in the random-effects model. J Educ Behav Stat 30:261-293.
    .. [5] Freeman MF, Tukey JW (1950). Transformations related to the angular and the
       square root. Ann Math Stat 21:607-611.
    .. [6] Miller JJ (1978). The inverse of the Freeman-Tukey double arcsine
       transformation. Am Stat 32:138.
    .. [7] Hartung J, Knapp G (2001). On tests of the overall treatment effect in
       meta-analysis with normally distributed responses. Stat Med 20:1771-1782.
    .. [8] Knapp G, Hartung J (2003). Improved tests for a random effects meta-regression
       with a single covariate. Stat Med 22:2693-2710.
    .. [9] Röver C, Knapp G, Friede T (2015). Hartung-Knapp-Sidik-Jonkman approach and its
       modification for random-effects meta-analysis with few studies. BMC Med Res
       Methodol 15:99.
    .. [10] Higgins JPT, Thompson SG, Spiegelhalter DJ (2009). A re-evaluation of
       random-effects meta-analysis. J R Stat Soc Ser A 172:137-159.
    .. [11] IntHout J, Ioannidis JPA, Rovers MM, Goeman JJ (2016). Plea for routinely
       presenting prediction intervals in meta-analysis. BMJ Open 6:e010247.
    .. [12] Higgins JPT, Thompson SG (2002). Quantifying heterogeneity in a meta-analysis.
       Stat Med 21:1539-1558.
    .. [13] Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits
       illustrated in the case of the binomial. Biometrika 26:404-413.
    .. [14] Wilson EB (1927). Probable inference, the law of succession, and statistical
       inference. J Am Stat Assoc 22:209-212.
    .. [15] Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in
       meta-analysis. Stat Med 26:37-52.
    .. [16] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    """
    nodes = _check_arguments(method, level, test, pi_type, nodes)
    x, m, labels = _inputs(events, n, labels)
    studies = _study_table(x, m, labels, level)
    base = dict(
        method=method,
        k=len(x),
        events=int(x.sum()),
        n=int(m.sum()),
        studies=studies,
        level=level,
        test=test,
    )
    request = _Request(x, m, method, level, test, pi_type, nodes, profile, base, studies)
    return _POOLERS[method](request)


@dataclass(frozen=True)
class _Request:
    """One pooling's checked inputs, as every pooler of :data:`_POOLERS` takes them."""

    x: np.ndarray
    m: np.ndarray
    method: str
    level: float
    test: str
    pi_type: str
    nodes: int | str
    profile: bool
    base: dict  # the fields every PooledProportion of this pooling shares
    studies: pd.DataFrame  # the per-study table; each pooler adds its weights


def _pool_crude(r: _Request) -> PooledProportion:
    """All events over all patients, with exact (Clopper–Pearson) and Wilson intervals."""
    from statsmodels.stats.proportion import proportion_confint

    x, m, level = r.x, r.m, r.level
    p = x.sum() / m.sum()
    lo, hi = proportion_confint(x.sum(), m.sum(), alpha=1 - level, method="beta")
    wlo, whi = proportion_confint(x.sum(), m.sum(), alpha=1 - level, method="wilson")
    r.studies["weight"] = 100 * m / m.sum()
    return PooledProportion(
        **r.base,
        proportion=float(p),
        ci_low=float(lo),
        ci_high=float(hi),
        estimate=float(p),
        se=float(math.sqrt(p * (1 - p) / m.sum())),
        ci_dist="exact (Clopper–Pearson)",
        pi_dist="",
        wilson_low=float(wlo),
        wilson_high=float(whi),
    )


def _pool_iv(r: _Request) -> PooledProportion:
    """An inverse-variance model (REML, DerSimonian–Laird, or Freeman–Tukey with REML).

    Long: one fit read out in order (tau², pooled estimate, intervals, warnings,
    heterogeneity); each step uses the ones before it.
    """
    x, m, method, level, test, pi_type, base, studies = (
        r.x, r.m, r.method, r.level, r.test, r.pi_type, r.base, r.studies
    )  # fmt: skip
    k = len(x)
    yi, vi = escalc_pft(x, m) if method == "ft" else escalc_plo(x, m)
    q, df, qp, s2 = _heterogeneity(yi, vi)
    tau2, found = _iv_fit(yi, vi, method)
    if not found:
        return PooledProportion(
            **base,
            proportion=math.nan,
            ci_low=math.nan,
            ci_high=math.nan,
            estimate=math.nan,
            se=math.nan,
            q=q,
            q_df=df,
            q_pvalue=qp,
            converged=False,
            status="no_finite_maximum",
            reason="REML did not converge: tau² runs off to infinity",
        )
    warnings = []
    if method == "ft":
        hm = float(stats.hmean(m))
        warnings.append(f"back-transformed with the harmonic mean of the sample sizes ({hm:.3f})")
        back = lambda v: float(ipft(v, hm))  # noqa: E731
    else:
        back = lambda v: float(expit(v))  # noqa: E731
    if k > 1 and tau2 == 0:
        warnings.append("tau² estimated at its lower boundary (0)")
    edge = int(at_boundary(x, m).sum())
    if method != "ft" and edge:
        warnings.append(f"{edge} of {k} studies with 0 or n events: 1/2 added to their cells")
    mu, se, crit, weights, ci_dist = _iv_pool(yi, vi, tau2, level, test)
    if test == "knha" and k > 1 and se == 0:
        warnings.append(
            "the Hartung–Knapp scale is 0 (the study estimates agree exactly): "
            "the interval has no width; "
            "the ad hoc variant keeps at least the Wald width"
        )
    studies["weight"] = weights
    pcrit, pi_dist = _pi_crit(k, test, pi_type, level)
    pi_se = math.sqrt(se**2 + tau2)
    t_lo, t_hi = tau2_qprofile(yi, vi, level)
    return PooledProportion(
        **base,
        proportion=back(mu),
        ci_low=back(mu - crit * se),
        ci_high=back(mu + crit * se),
        estimate=mu,
        se=se,
        ci_dist=ci_dist,
        pi_dist=pi_dist,
        tau2=tau2,
        tau2_ci_low=t_lo,
        tau2_ci_high=t_hi,
        i2=100 * tau2 / (tau2 + s2) if k > 1 else math.nan,
        q=q,
        q_df=df,
        q_pvalue=qp,
        pi_low=back(mu - pcrit * pi_se),
        pi_high=back(mu + pcrit * pi_se),
        warnings=warnings,
    )


def _pool_glmm(r: _Request) -> PooledProportion:
    """The binomial-normal GLMM (:mod:`helpers.analysis.glmm`), conditional and marginal.

    Long: one fit read out in order (conditional and marginal estimates, profile
    intervals, heterogeneity tests, the reason when no finite maximum exists).
    """
    x, m, nodes, level, pi_type, base, profile = (
        r.x,
        r.m,
        r.nodes,
        r.level,
        r.pi_type,
        r.base,
        r.profile,
    )
    z = _quantile("norm", 0.5 + level / 2)
    k = len(x)
    _, df, _, s2 = _heterogeneity(*escalc_plo(x, m))
    wld, lrt = glmm_heterogeneity(x, m)
    tests = dict(
        q_df=df,
        qe_wld=wld,
        qe_lrt=lrt,
        qe_wld_pvalue=float(stats.chi2.sf(wld, df)) if df else math.nan,
        qe_lrt_pvalue=float(stats.chi2.sf(lrt, df)) if df else math.nan,
    )
    f = glmm.fit(x, m, nodes)
    nan = dict(
        proportion=math.nan, ci_low=math.nan, ci_high=math.nan, estimate=math.nan, se=math.nan
    )
    if not f.estimable:
        return PooledProportion(
            **base,
            **nan,
            **tests,
            nodes=f.nodes,
            status=f.status,
            reason=f.reason,
            converged=False,
            warnings=list(f.warnings),
        )
    beta, tau, se = f.beta, f.tau, f.se
    tau2 = tau**2
    warnings = list(f.warnings)
    if not np.isfinite(se):
        warnings.append("the information matrix is not positive definite: no standard error")
    pi_se = math.sqrt(se**2 + tau2) if np.isfinite(se) else math.nan
    pcrit, pi_dist = _pi_crit(k, "z", pi_type, level)
    marg = marginal_proportion(beta, tau)
    mlo = mhi = math.nan
    if f.cov is not None and np.isfinite(se) and tau > 0:
        eps = 1e-6
        g = np.array(
            [
                (
                    special.logit(marginal_proportion(beta + eps, tau))
                    - special.logit(marginal_proportion(beta - eps, tau))
                )
                / (2 * eps),
                (
                    special.logit(marginal_proportion(beta, tau + eps))
                    - special.logit(marginal_proportion(beta, max(tau - eps, 0)))
                )
                / (2 * eps),
            ]
        )
        sd = math.sqrt(float(g @ f.cov @ g))
        mlo, mhi = (
            float(expit(special.logit(marg) - z * sd)),
            float(expit(special.logit(marg) + z * sd)),
        )
    elif np.isfinite(se):
        mlo, mhi = float(expit(beta - z * se)), float(expit(beta + z * se))
    t_lo = t_hi = b_lo = b_hi = math.nan
    if profile:
        lo, hi = glmm.profile_interval(f, "tau", level)
        t_lo, t_hi = lo**2, hi**2
        b_lo, b_hi = (float(expit(v)) for v in glmm.profile_interval(f, "beta", level))
    return PooledProportion(
        **base,
        proportion=float(expit(beta)),
        ci_low=float(expit(beta - z * se)),
        ci_high=float(expit(beta + z * se)),
        estimate=beta,
        se=se,
        tau2=tau2,
        tau2_ci_low=t_lo,
        tau2_ci_high=t_hi,
        i2=100 * tau2 / (tau2 + s2) if k > 1 else math.nan,
        **tests,
        pi_low=float(expit(beta - pcrit * pi_se)),
        pi_high=float(expit(beta + pcrit * pi_se)),
        pi_dist=pi_dist,
        profile_ci_low=b_lo,
        profile_ci_high=b_hi,
        marginal_proportion=marg,
        marginal_ci_low=mlo,
        marginal_ci_high=mhi,
        nodes=f.nodes,
        status=f.status,
        reason=f.reason if f.status != "ok" else "",
        warnings=warnings,
    )


# ---------------------------------------------------------------------- leave-one-out and influence


LEAVE_ONE_OUT_COLUMNS = [
    "omitted",
    "k",
    "proportion",
    "ci_low",
    "ci_high",
    "estimate",
    "se",
    "tau2",
    "i2",
    "q",
    "q_pvalue",
    "pi_low",
    "pi_high",
    "converged",
    "status",
]


def leave_one_out(
    events,
    n,
    method: str = DEFAULT_METHOD,
    labels=None,
    level: float = 0.95,
    test: str = "z",
    nodes: int | str = "auto",
    pi_type: str = "default",
) -> pd.DataFrame:
    """Pool again without each study in turn (metafor's ``leave1out``).

    The case-deletion analysis of Viechtbauer and Cheung [1]_, as metafor's
    ``leave1out`` [2]_ (without the profile-likelihood intervals of the GLMM).

    Parameters
    ----------
    events, n : sequences of int
        Events and patients per study, as for :func:`pool_proportions`.
    method : str
        One of :data:`METHODS`.
    labels : sequence of str, optional
        Study labels, for the ``omitted`` column; by default "1", "2", ...
    level : float
        Confidence level of the intervals.
    test : {"z", "knha", "adhoc"}
        The confidence interval of the inverse-variance methods.
    nodes : int or "auto"
        Gauss–Hermite nodes per study for the GLMM.
    pi_type : {"default", "t"}
        The prediction interval's quantile (see :func:`pool_proportions`).

    Returns
    -------
    DataFrame
        One row per omitted study (:data:`LEAVE_ONE_OUT_COLUMNS`): the label of the study
        left out, the pooled ``proportion`` with its interval, the model-scale
        ``estimate`` and ``se``, tau², I², Q (NaN for the GLMM, which reports no
        inverse-variance Q), the prediction interval, and whether the model without the
        study is estimable. Needs at least two studies.

    Raises
    ------
    ValueError
        For fewer than two studies, or any argument :func:`pool_proportions` refuses.

    Long: one loop pools without each study and writes its row; the rest of the length
    is this docstring and the row's fifteen fields, written out once.

    References
    ----------
    .. [1] Viechtbauer W, Cheung MWL (2010). Outlier and influence diagnostics for
       meta-analysis. Res Synth Methods 1:112-125.
    .. [2] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    """
    _check_arguments(method, level, test, pi_type, nodes)
    x, m, labels = _inputs(events, n, labels)
    if len(x) < 2:
        raise ValueError("leave-one-out needs at least two studies")
    rows = []
    for i in range(len(x)):
        keep = np.arange(len(x)) != i
        r = pool_proportions(
            x[keep],
            m[keep],
            method=method,
            level=level,
            test=test,
            nodes=nodes,
            pi_type=pi_type,
            profile=False,
        )
        rows.append(
            {
                "omitted": labels[i],
                "k": r.k,
                "proportion": r.proportion,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "estimate": r.estimate,
                "se": r.se,
                "tau2": r.tau2,
                "i2": r.i2,
                "q": r.q,
                "q_pvalue": r.q_pvalue,
                "pi_low": r.pi_low,
                "pi_high": r.pi_high,
                "converged": r.converged,
                "status": r.status,
            }
        )
    return pd.DataFrame(rows, columns=LEAVE_ONE_OUT_COLUMNS)


INFLUENCE_COLUMNS = [
    "label",
    "rstudent",
    "dffits",
    "cook_d",
    "cov_r",
    "tau2_del",
    "qe_del",
    "hat",
    "weight",
    "dfbetas",
    "influential",
]


def influence(events, n, method: str = "reml", labels=None, test: str = "z") -> pd.DataFrame:
    """Case-deletion diagnostics of an inverse-variance model (metafor's ``influence.rma.uni``).

    For each study: the externally standardised residual (``rstudent``), DFFITS, Cook's
    distance, the covariance ratio, tau² and Q without the study, the hat value, the
    weight (percent) and DFBETAS; ``influential`` marks a study that meets any of
    metafor's criteria (|DFFITS| > 3 sqrt(1 / (k - 1)), Cook's distance beyond the
    chi²(1) median, hat > 3 / k, |DFBETAS| > 1). The GLMM has no such diagnostics in
    metafor; use :func:`leave_one_out` for it. The diagnostics are Viechtbauer and
    Cheung's [1]_, computed as metafor does [2]_; with ``test="knha"`` or ``"adhoc"`` the
    variances are scaled as by Hartung and Knapp [3]_ (never below 1 for ``"adhoc"``
    [4]_).

    Parameters
    ----------
    events, n : sequences of int
        Events and patients per study, as for :func:`pool_proportions`.
    method : {"reml", "dl", "ft"}
        The inverse-variance method (:data:`IV_METHODS`).
    labels : sequence of str, optional
        Study labels, for the ``label`` column; by default "1", "2", ...
    test : {"z", "knha", "adhoc"}
        How the variances are scaled, as the confidence interval of
        :func:`pool_proportions`.

    Returns
    -------
    DataFrame
        One row per study, with the columns of :data:`INFLUENCE_COLUMNS`; ``tau2_del``
        is NaN where REML finds no tau² without the study.

    Raises
    ------
    ValueError
        For a method that is not inverse-variance, fewer than two studies, or invalid
        arguments or counts.

    Long: one pass over the studies refits the model without each and computes every
    diagnostic from that refit; split, the refit would be repeated or passed around.

    References
    ----------
    .. [1] Viechtbauer W, Cheung MWL (2010). Outlier and influence diagnostics for
       meta-analysis. Res Synth Methods 1:112-125.
    .. [2] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    .. [3] Hartung J, Knapp G (2001). On tests of the overall treatment effect in
       meta-analysis with normally distributed responses. Stat Med 20:1771-1782.
    .. [4] Röver C, Knapp G, Friede T (2015). Hartung-Knapp-Sidik-Jonkman approach and its
       modification for random-effects meta-analysis with few studies. BMC Med Res
       Methodol 15:99.
    """
    if method not in IV_METHODS:
        raise ValueError(
            f"influence diagnostics are for the inverse-variance methods "
            f"({', '.join(IV_METHODS)}), not {method!r}"
        )
    _check_arguments(method, 0.95, test, "default", "auto")
    x, m, labels = _inputs(events, n, labels)
    k = len(x)
    if k < 2:
        raise ValueError("influence diagnostics need at least two studies")
    yi, vi = escalc_pft(x, m) if method == "ft" else escalc_plo(x, m)
    tau2, _ = _iv_fit(yi, vi, method)
    w = 1 / (vi + tau2)
    mu, vb = float(np.sum(w * yi) / np.sum(w)), float(1 / np.sum(w))
    hat = w / np.sum(w)
    scale = _knha_scale(yi, vi, tau2, test)
    rows = []
    for i in range(k):
        keep = np.arange(k) != i
        yd, vd = yi[keep], vi[keep]
        t2d, found = _iv_fit(yd, vd, method)
        wd = 1 / (vd + t2d)
        mud, vbd = float(np.sum(wd * yd) / np.sum(wd)), float(1 / np.sum(wd))
        s2w = 1.0
        if test != "z" and len(yd) > 1:
            s2w = float(np.sum(wd * (yd - mud) ** 2) / (len(yd) - 1))
            s2w = max(1.0, s2w) if test == "adhoc" else s2w
            vbd *= s2w
        qe = _heterogeneity(yd, vd)[0]
        with np.errstate(divide="ignore", invalid="ignore"):  # a zero scale gives inf, as in R
            resid = np.float64(yi[i] - mud)
            rstudent = resid / np.sqrt(vi[i] * s2w + vbd + t2d * s2w)
            dffits = np.float64(mu - mud) / np.sqrt(s2w * hat[i] * (t2d + vi[i]))
            vb_del = 1 / np.sum(1 / (vi + t2d))
            dfbetas = np.float64(mu - mud) / np.sqrt(s2w * vb_del)
            cook = np.float64(mu - mud) ** 2 / np.float64(vb * scale)
            cov_r = np.float64(vbd) / np.float64(vb * scale)
        rows.append(
            {
                "label": labels[i],
                "rstudent": float(rstudent),
                "dffits": float(dffits),
                "cook_d": float(cook),
                "cov_r": float(cov_r),
                "tau2_del": t2d if found else math.nan,
                "qe_del": qe,
                "hat": hat[i],
                "weight": 100 * hat[i],
                "dfbetas": float(dfbetas),
            }
        )
    out = pd.DataFrame(rows)
    out["influential"] = (
        (out["dffits"].abs() > 3 * math.sqrt(1 / (k - 1)))
        | (stats.chi2.cdf(out["cook_d"], 1) > 0.5)
        | (out["hat"] > 3 / k)
        | (out["dfbetas"].abs() > 1)
    )
    return out[INFLUENCE_COLUMNS]


def _knha_scale(yi, vi, tau2, test) -> float:
    """The full model's variance scale s²w (1 for the z test)."""
    if test == "z" or len(yi) < 2:
        return 1.0
    w = 1 / (vi + tau2)
    mu = np.sum(w * yi) / np.sum(w)
    s2w = float(np.sum(w * (yi - mu) ** 2) / (len(yi) - 1))
    return max(1.0, s2w) if test == "adhoc" else s2w


# --------------------------------------------------------------------- subgroups with a common tau²


def moderator_test(events, n, groups, method: str = "reml") -> dict:
    """Test whether subgroups differ, with one tau² common to all of them.

    The mixed-effects meta-regression ``rma(yi, vi, mods = ~ factor(group), method=)`` on
    the continuity-corrected logits: tau² is the residual heterogeneity (DL or REML),
    and ``qm`` is the Wald test of the group coefficients on G - 1 df (metafor's QM).
    Each group's proportion is back-transformed from its fitted logit. The model and its
    tests are metafor's [1]_; tau² is the residual DerSimonian–Laird moment estimator
    [2]_ or REML [3]_.

    Parameters
    ----------
    events, n : sequences of int
        Events and patients per study, as for :func:`pool_proportions`.
    groups : sequence
        Each study's subgroup, compared as text; groups are sorted and the first is the
        reference level.
    method : {"dl", "reml"}
        The residual tau² estimator.

    Returns
    -------
    dict
        ``qm``, ``qm_df``, ``qm_pvalue``, ``tau2`` (residual), ``qe`` (residual Q) and
        ``qe_df``, and ``groups``: ``{group: (k, proportion, ci_low, ci_high)}`` on the
        logit scale's Wald interval. With fewer than two groups, no residual df, or a
        REML tau² with no finite maximum, the statistics are NaN and ``groups`` is empty.

    Raises
    ------
    ValueError
        For another method, ``groups`` not one per study, or invalid counts.

    Long: the design matrix, the weighted fit that closes over it and both tau²
    estimators share one scope; split, they would be passed from helper to helper.

    References
    ----------
    .. [1] Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
       J Stat Softw 36(3):1-48.
    .. [2] DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin
       Trials 7:177-188.
    .. [3] Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators
       in the random-effects model. J Educ Behav Stat 30:261-293.
    """
    if method not in LOGIT_METHODS:
        raise ValueError(
            f"the common-tau² test is for the logit models {' and '.join(LOGIT_METHODS)}, "
            f"not {method!r}"
        )
    x, m, _ = _inputs(events, n, None)
    groups = [str(g) for g in groups]
    if len(groups) != len(x):
        raise ValueError("groups must have one entry per study")
    levels = sorted(set(groups))
    yi, vi = escalc_plo(x, m)
    X = np.column_stack(
        [np.ones(len(x))] + [[g == lev for g in groups] for lev in levels[1:]]
    ).astype(float)
    k, p = X.shape
    result = {
        "qm": math.nan,
        "qm_df": p - 1,
        "qm_pvalue": math.nan,
        "tau2": math.nan,
        "qe": math.nan,
        "qe_df": k - p,
        "groups": {},
    }
    if len(levels) < 2 or k <= p:
        return result

    def fit(t2):
        W = 1 / (vi + t2)
        xtwx = X.T @ (W[:, None] * X)
        inv = np.linalg.inv(xtwx)
        b = inv @ (X.T @ (W * yi))
        P = np.diag(W) - (W[:, None] * X) @ inv @ (X.T * W)
        return b, inv, P

    _, _, P0 = fit(0.0)
    qe = float(yi @ P0 @ yi)
    if method == "dl":
        tau2 = max(0.0, (qe - (k - p)) / float(np.trace(P0)))
    else:

        def score(t2):
            _, _, P = fit(t2)
            Py = P @ yi
            return float(Py @ Py - np.trace(P))

        if score(0.0) <= 0:
            tau2 = 0.0
        else:
            hi = 1.0
            while score(hi) > 0:
                hi *= 4
                if hi > 1e8:
                    return result
            tau2 = float(optimize.brentq(score, 0.0, hi, xtol=1e-14, rtol=1e-14, maxiter=500))
    b, vb, _ = fit(tau2)
    coef, cov = b[1:], vb[1:, 1:]
    qm = float(coef @ np.linalg.solve(cov, coef))
    z = stats.norm.ppf(0.975)
    for j, lev in enumerate(levels):
        c = np.zeros(p)
        c[0] = 1.0
        if j:
            c[j] = 1.0
        est, se = float(c @ b), float(math.sqrt(c @ vb @ c))
        result["groups"][lev] = (
            groups.count(lev),
            float(expit(est)),
            float(expit(est - z * se)),
            float(expit(est + z * se)),
        )
    result |= {"qm": qm, "qm_pvalue": float(stats.chi2.sf(qm, p - 1)), "tau2": tau2, "qe": qe}
    return result


#: Each method's pooler: one small function per method, chosen by name (as PyMARE's estimators).
_POOLERS = {
    "crude": _pool_crude,
    "glmm": _pool_glmm,
    "reml": _pool_iv,
    "dl": _pool_iv,
    "ft": _pool_iv,
}
