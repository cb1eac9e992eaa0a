"""Meta-analysis of single proportions: crude pooling, inverse-variance and GLMM models.

:func:`pool_proportions` pools ``events`` out of ``n`` across studies with one method:

``"crude"``
    All events over all patients, with a Clopper–Pearson (exact) and a Wilson interval
    (statsmodels). This is what the paper's percentages are.
``"dl"``, ``"reml"``
    Inverse-variance random-effects model on the logit scale (measure ``PLO``), with
    DerSimonian–Laird [1]_ or restricted maximum likelihood tau², and metafor's
    continuity correction: 1/2 added to both cells of a study with 0 or n events
    (``escalc(add=1/2, to="only0")``).
``"ft"``
    Freeman–Tukey double arcsine transformation [2]_ with DerSimonian–Laird tau²,
    back-transformed with the harmonic mean of the sample sizes [3]_ (metafor's
    ``transf.ipft.hm``).
``"glmm"``
    Binomial-normal random-intercept model on the logit scale, ``x_i ~ Bin(n_i, p_i)``,
    ``logit(p_i) = beta + u_i``, ``u_i ~ N(0, tau²)``, fitted by maximum likelihood with
    adaptive Gauss–Hermite quadrature [4]_: the approximation of ``lme4::glmer(nAGQ=)``
    that ``metafor::rma.glmm(measure="PLO")`` uses. It reports the conditional pooled
    proportion ``expit(beta)`` (the typical study, what metafor prints) and the
    population-averaged (marginal) proportion ``E[expit(beta + u)]``.

Every result names its method and says whether it converged. Degenerate data are common
here (single-patient case reports, most with 1/1 events): when the likelihood has no
finite maximum (every study at 0% or at 100%, or estimates running off to infinity),
tau² sits on a boundary, or the optimiser fails, ``converged`` is False or ``warnings``
say so, and the numbers that have no meaning are NaN.

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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

METHODS = ("crude", "dl", "reml", "ft", "glmm")
#: ``nodes="auto"`` (the default) starts with this many Gauss–Hermite nodes per study and
#: doubles them until the estimate and tau² move by less than :data:`NODES_TOLERANCE`,
#: up to :data:`MAX_NODES`; the result says how many it used.
START_NODES = 20
MAX_NODES = 160
NODES_TOLERANCE = 1e-5
#: Search bounds of the GLMM optimiser (logit scale).
_BETA_BOUND = 30.0
_TAU_BOUND = 30.0
#: Estimates beyond these (logit scale) mean the likelihood has no finite maximum: a
#: between-study standard deviation of 10 logits, or a typical proportion within 3e-7
#: of 0 or 1, is what a likelihood that keeps rising towards infinity stops at.
BETA_LIMIT = 15.0
TAU_LIMIT = 10.0


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
        the conditional proportion ``expit(beta)``.
    estimate, se : float
        Pooled estimate and its standard error on the model scale (logit for dl, reml
        and glmm; double arcsine for ft; proportion for crude).
    tau2 : float
        Between-study variance on the model scale (NaN for crude).
    i2 : float
        I², the share of total variability due to heterogeneity, in percent.
    q, q_df, q_pvalue : float
        Cochran's Q test of homogeneity (inverse-variance, on the model scale).
    pi_low, pi_high : float
        95% (or ``level``) prediction interval for the proportion in a new study.
    marginal_proportion, marginal_ci_low, marginal_ci_high : float
        GLMM only: the population-averaged proportion and its delta-method interval.
    nodes : int or None
        GLMM only: Gauss–Hermite nodes per study.
    converged : bool
        False when the numbers have no meaning (no finite maximum, optimiser failure).
    warnings : list of str
        Everything the reader should know about the fit.
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
    tau2: float = math.nan
    i2: float = math.nan
    q: float = math.nan
    q_df: int = 0
    q_pvalue: float = math.nan
    pi_low: float = math.nan
    pi_high: float = math.nan
    marginal_proportion: float = math.nan
    marginal_ci_low: float = math.nan
    marginal_ci_high: float = math.nan
    nodes: int | None = None
    converged: bool = True
    warnings: list[str] = field(default_factory=list)
    studies: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    level: float = 0.95

    _SUMMARY = ("method", "k", "events", "n", "proportion", "ci_low", "ci_high", "pi_low", "pi_high", "estimate",
                "se", "tau2", "i2", "q", "q_df", "q_pvalue", "marginal_proportion", "marginal_ci_low",
                "marginal_ci_high", "nodes", "converged")

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame (warnings joined with "; ")."""
        row = {name: getattr(self, name) for name in self._SUMMARY}
        row["warnings"] = "; ".join(self.warnings)
        return pd.DataFrame([row])

    def __repr__(self) -> str:
        pct = f"{int(round(self.level * 100))}%"
        lines = [f"Pooled proportion, method={self.method!r}"
                 + (f", nodes={self.nodes}" if self.nodes else "") + f" (k = {self.k}, {self.events}/{self.n} events)"]
        if not self.converged:
            lines.append("  not estimable: " + "; ".join(self.warnings))
            return "\n".join(lines)
        lines.append(f"  proportion {self.proportion:.4f}, {pct} CI {self.ci_low:.4f} to {self.ci_high:.4f}")
        if self.method != "crude":
            lines.append(f"  estimate {self.estimate:.4f} (se {self.se:.4f}) on the model scale; "
                         f"tau^2 {self.tau2:.4f}, I^2 {self.i2:.1f}%")
            lines.append(f"  Q({self.q_df}) = {self.q:.3f}, p = {self.q_pvalue:.4f}; "
                         f"prediction interval {self.pi_low:.4f} to {self.pi_high:.4f}")
        if self.method == "glmm":
            lines.append(f"  marginal (population-averaged) proportion {self.marginal_proportion:.4f}, "
                         f"{pct} CI {self.marginal_ci_low:.4f} to {self.marginal_ci_high:.4f}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


# --------------------------------------------------------------------------- inputs


def _inputs(events, n, labels) -> tuple[np.ndarray, np.ndarray, list[str]]:
    x = np.asarray(events, dtype=float)
    m = np.asarray(n, dtype=float)
    if x.shape != m.shape or x.ndim != 1:
        raise ValueError("events and n must be one-dimensional and of the same length")
    if len(x) == 0:
        raise ValueError("no studies to pool")
    if np.any(np.isnan(x)) or np.any(np.isnan(m)):
        raise ValueError("events and n must not be missing")
    if np.any(x != np.round(x)) or np.any(m != np.round(m)):
        raise ValueError("events and n must be whole numbers")
    if np.any(m < 1) or np.any(x < 0) or np.any(x > m):
        raise ValueError("each study needs n >= 1 and 0 <= events <= n")
    labels = [str(i + 1) for i in range(len(x))] if labels is None else [str(v) for v in labels]
    if len(labels) != len(x):
        raise ValueError("labels must have one entry per study")
    return x, m, labels


def study_table(events, n, labels=None, level: float = 0.95) -> pd.DataFrame:
    """Each study's proportion with its Clopper–Pearson interval."""
    from statsmodels.stats.proportion import proportion_confint

    x, m, labels = _inputs(events, n, labels)
    lo, hi = proportion_confint(x, m, alpha=1 - level, method="beta")
    return pd.DataFrame({"label": labels, "events": x.astype(int), "n": m.astype(int), "proportion": x / m,
                         "ci_low": np.asarray(lo, float), "ci_high": np.asarray(hi, float), "weight": np.nan})


def escalc_plo(x: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logit proportions and their variances, with metafor's continuity correction.

    1/2 is added to the events and to the non-events of every study with 0 or n events
    (``escalc(measure="PLO", add=1/2, to="only0")``).
    """
    zero = (x == 0) | (x == m)
    xa = np.where(zero, x + 0.5, x)
    ma = np.where(zero, m + 1.0, m)
    yi = np.log(xa / (ma - xa))
    vi = 1 / xa + 1 / (ma - xa)
    return yi, vi


def escalc_pft(x: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Freeman–Tukey double arcsine proportions and their variances (``escalc(measure="PFT")``)."""
    yi = 0.5 * (np.arcsin(np.sqrt(x / (m + 1))) + np.arcsin(np.sqrt((x + 1) / (m + 1))))
    vi = 1 / (4 * m + 2)
    return yi, vi


def ipft(y, n: float):
    """Inverse of the double arcsine transformation for sample size ``n`` (Miller 1978; ``transf.ipft``)."""
    y = np.asarray(y, dtype=float)
    s = np.sin(2 * y)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = 0.5 * (1 - np.sign(np.cos(2 * y)) * np.sqrt(1 - (s + (s - 1 / s) / n) ** 2))
    p = np.where(np.isnan(p), np.nan, p)
    lo, hi = escalc_pft(np.array([0.0]), np.array([n]))[0][0], escalc_pft(np.array([n]), np.array([n]))[0][0]
    p = np.where(y > hi, 1.0, p)
    p = np.where(y < lo, 0.0, p)
    return p


def expit(x):
    return special.expit(x)


# --------------------------------------------------------------------------- inverse-variance models


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
    """DerSimonian–Laird tau², truncated at 0."""
    w = 1 / vi
    q, df, _, _ = _heterogeneity(yi, vi)
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return float(max(0.0, (q - df) / c)) if df > 0 else 0.0


def tau2_reml(yi, vi) -> tuple[float, bool]:
    """REML tau² (truncated at 0), by maximising the restricted log-likelihood.

    Returns the estimate and whether the maximisation converged.
    """
    if len(yi) < 2:
        return 0.0, True

    def score(t2):
        w = 1 / (vi + t2)
        mu = np.sum(w * yi) / np.sum(w)
        r = yi - mu
        return 0.5 * (np.sum(w**2 * r**2) - np.sum(w) + np.sum(w**2) / np.sum(w))

    if score(0.0) <= 0:
        return 0.0, True
    hi = max(1.0, float(np.var(yi)) * 4)
    while score(hi) > 0:
        hi *= 4
        if hi > 1e8:
            return math.nan, False
    root = optimize.brentq(score, 0.0, hi, xtol=1e-14, rtol=1e-14, maxiter=500)
    return float(root), True


def _iv_pool(yi, vi, tau2, level):
    w = 1 / (vi + tau2)
    mu = float(np.sum(w * yi) / np.sum(w))
    se = float(math.sqrt(1 / np.sum(w)))
    z = stats.norm.ppf(0.5 + level / 2)
    return mu, se, z, 100 * w / np.sum(w)


# --------------------------------------------------------------------------- GLMM


def _agq_loglik(beta: float, tau: float, x: np.ndarray, m: np.ndarray, nodes: np.ndarray, logw: np.ndarray,
                b0: np.ndarray) -> tuple[float, np.ndarray]:
    """Marginal log-likelihood (up to the binomial constants) by adaptive Gauss–Hermite quadrature.

    Spherical parameterisation, as lme4: ``u_i = tau * b_i`` with ``b_i ~ N(0, 1)``. The
    nodes of each study are centred at the conditional mode of ``b_i`` and scaled by the
    curvature there. Returns the log-likelihood and the modes (a warm start for the next
    call).
    """
    def objective(bv):  # log-likelihood of each study's data plus its N(0, 1) prior, at b
        eta = beta + tau * bv
        return -x * np.logaddexp(0, -eta) - (m - x) * np.logaddexp(0, eta) - 0.5 * bv**2

    # Newton for the conditional modes, with step halving: the objective is strictly
    # concave in b, but full Newton steps can overshoot and cycle when tau * n is large.
    b = b0.copy()
    current = objective(b)
    for _ in range(100):
        p = expit(beta + tau * b)
        grad = tau * (x - m * p) - b
        hess = -(tau**2) * m * p * (1 - p) - 1
        step = -grad / hess
        factor = np.ones_like(b)
        for _ in range(60):
            trial = objective(b + factor * step)
            worse = trial < current - 1e-12 * np.abs(current)
            if not worse.any():
                break
            factor = np.where(worse, factor / 2, factor)
        b = b + factor * step
        current = objective(b)
        if np.max(np.abs(factor * step)) < 1e-10:
            break
    p = expit(beta + tau * b)
    scale = 1 / np.sqrt(tau**2 * m * p * (1 - p) + 1)
    # b at the nodes: b_hat + sqrt(2) * scale * t_k
    bk = b[:, None] + np.sqrt(2) * scale[:, None] * nodes[None, :]
    eta = beta + tau * bk
    logp = -np.logaddexp(0, -eta)
    log1mp = -np.logaddexp(0, eta)
    g = x[:, None] * logp + (m - x)[:, None] * log1mp - 0.5 * bk**2 - 0.5 * math.log(2 * math.pi)
    terms = logw[None, :] + nodes[None, :] ** 2 + g
    ll = np.log(np.sqrt(2) * scale) + special.logsumexp(terms, axis=1)
    return float(np.sum(ll)), b


def _glmm(x, m, n_nodes, start=None):
    """Maximise the AGQ likelihood over (beta, tau >= 0); return beta, tau and the objective."""
    t, w = np.polynomial.hermite.hermgauss(n_nodes)
    logw = np.log(w)
    state = {"b": np.zeros_like(x)}

    def negll(theta):
        ll, b = _agq_loglik(theta[0], theta[1], x, m, t, logw, state["b"])
        state["b"] = b
        return -ll

    if start is None:
        yi, vi = escalc_plo(x, m)
        start = np.array([float(np.sum(yi / vi) / np.sum(1 / vi)), 0.5])
    res = optimize.minimize(negll, start, method="L-BFGS-B",
                            bounds=[(-_BETA_BOUND, _BETA_BOUND), (0.0, _TAU_BOUND)],
                            options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 1000})
    # Near the tau = 0 boundary the model is a plain logistic regression: compare with it.
    if res.x[1] < 0.05:
        at_zero = optimize.minimize_scalar(lambda b: negll([b, 0.0]), bounds=(-_BETA_BOUND, _BETA_BOUND),
                                           method="bounded", options={"xatol": 1e-12})
        if at_zero.fun < res.fun - 1e-12:
            res.x, res.fun = np.array([at_zero.x, 0.0]), at_zero.fun
    return float(res.x[0]), float(abs(res.x[1])), res, negll


def _glmm_auto(x, m, nodes):
    """Fit with fixed nodes, or with ``"auto"``: double the nodes until the fit stops moving."""
    if nodes != "auto":
        beta, tau, res, negll = _glmm(x, m, nodes)
        return beta, tau, res, negll, nodes, []
    q = START_NODES
    beta, tau, res, negll = _glmm(x, m, q)
    while q < MAX_NODES:
        q2 = 2 * q
        beta2, tau2_, res2, negll2 = _glmm(x, m, q2, start=np.array([beta, max(tau, 0.05)]))
        moved = max(abs(beta2 - beta), abs(tau2_**2 - tau**2) / max(1.0, tau**2))
        beta, tau, res, negll, q = beta2, tau2_, res2, negll2, q2
        if moved < NODES_TOLERANCE:
            return beta, tau, res, negll, q, []
        if abs(beta) > BETA_LIMIT or tau > TAU_LIMIT:
            break
    return beta, tau, res, negll, q, [f"the estimate still moves at {q} quadrature nodes"]


def _hessian(f, theta, h=1e-4):
    """Central-difference Hessian of a function of two parameters."""
    theta = np.asarray(theta, float)
    H = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            H[i, j] = (f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)) / (4 * h * h)
    return H


def marginal_proportion(beta: float, tau: float, n_nodes: int = 60) -> float:
    """Population-averaged proportion ``E[expit(beta + tau Z)]``, ``Z ~ N(0, 1)``."""
    t, w = np.polynomial.hermite.hermgauss(n_nodes)
    return float(np.sum(w * expit(beta + tau * np.sqrt(2) * t)) / np.sqrt(np.pi))


# --------------------------------------------------------------------------- the verb


def pool_proportions(events: Sequence[int], n: Sequence[int], method: str = "glmm", level: float = 0.95,
                     labels: Sequence[str] | None = None, nodes: int | str = "auto") -> PooledProportion:
    """Pool single proportions across studies.

    Parameters
    ----------
    events, n : sequences of int
        Events and patients per study (``0 <= events <= n``, ``n >= 1``).
    method : {"glmm", "dl", "reml", "ft", "crude"}
        See the module docstring.
    level : float
        Confidence level of the intervals.
    labels : sequence of str, optional
        Study labels for the per-study table.
    nodes : int or "auto"
        Gauss–Hermite nodes per study for ``method="glmm"`` (``nAGQ`` in lme4). With
        ``"auto"`` (the default) the nodes are doubled from :data:`START_NODES` until the
        estimate and tau² move by less than :data:`NODES_TOLERANCE`; ``result.nodes``
        says how many were used.

    Returns
    -------
    PooledProportion

    Raises
    ------
    ValueError
        For an unknown method (the message lists the allowed ones) or invalid counts.

    Notes
    -----
    For the logit models a prediction interval is ``estimate ± z·sqrt(se² + tau²)``,
    back-transformed, as ``metafor::predict`` computes it with ``test="z"``. I² is
    ``100·tau²/(tau² + s²)`` with ``s²`` the typical within-study variance of the
    inverse-variance weights (Higgins and Thompson); for the GLMM it uses the
    continuity-corrected logit variances.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    if method == "glmm" and nodes != "auto" and (not isinstance(nodes, int) or isinstance(nodes, bool) or nodes < 1):
        raise ValueError("nodes must be a positive whole number or 'auto'")
    x, m, labels = _inputs(events, n, labels)
    k = len(x)
    studies = study_table(x, m, labels, level)
    z = stats.norm.ppf(0.5 + level / 2)
    base = dict(method=method, k=k, events=int(x.sum()), n=int(m.sum()), studies=studies, level=level)

    if method == "crude":
        from statsmodels.stats.proportion import proportion_confint

        p = x.sum() / m.sum()
        lo, hi = proportion_confint(x.sum(), m.sum(), alpha=1 - level, method="beta")
        wlo, whi = proportion_confint(x.sum(), m.sum(), alpha=1 - level, method="wilson")
        studies["weight"] = 100 * m / m.sum()
        result = PooledProportion(**base, proportion=float(p), ci_low=float(lo), ci_high=float(hi),
                                  estimate=float(p), se=float(math.sqrt(p * (1 - p) / m.sum())))
        result.warnings.append(f"Wilson interval {wlo:.4f} to {whi:.4f}")
        return result

    if method in ("dl", "reml"):
        yi, vi = escalc_plo(x, m)
        q, df, qp, s2 = _heterogeneity(yi, vi)
        warnings = []
        converged = True
        if method == "dl":
            tau2 = tau2_dl(yi, vi)
        else:
            tau2, converged = tau2_reml(yi, vi)
            if not converged:
                return PooledProportion(**base, proportion=math.nan, ci_low=math.nan, ci_high=math.nan,
                                        estimate=math.nan, se=math.nan, converged=False,
                                        warnings=["REML did not converge: tau² runs off to infinity"])
        if k > 1 and tau2 == 0:
            warnings.append("tau² estimated at its lower boundary (0)")
        if np.any((x == 0) | (x == m)):
            warnings.append(f"{int(np.sum((x == 0) | (x == m)))} of {k} studies with 0 or n events: 1/2 added to their cells")
        mu, se, z, weights = _iv_pool(yi, vi, tau2, level)
        studies["weight"] = weights
        pi_se = math.sqrt(se**2 + tau2)
        return PooledProportion(
            **base, proportion=float(expit(mu)), ci_low=float(expit(mu - z * se)), ci_high=float(expit(mu + z * se)),
            estimate=mu, se=se, tau2=tau2, i2=100 * tau2 / (tau2 + s2) if k > 1 else math.nan,
            q=q, q_df=df, q_pvalue=qp, pi_low=float(expit(mu - z * pi_se)), pi_high=float(expit(mu + z * pi_se)),
            converged=converged, warnings=warnings)

    if method == "ft":
        yi, vi = escalc_pft(x, m)
        q, df, qp, s2 = _heterogeneity(yi, vi)
        tau2 = tau2_dl(yi, vi)
        mu, se, z, weights = _iv_pool(yi, vi, tau2, level)
        studies["weight"] = weights
        hm = float(stats.hmean(m))
        pi_se = math.sqrt(se**2 + tau2)
        back = lambda v: float(ipft(v, hm))  # noqa: E731
        warnings = [f"back-transformed with the harmonic mean of the sample sizes ({hm:.3f})"]
        if k > 1 and tau2 == 0:
            warnings.append("tau² estimated at its lower boundary (0)")
        return PooledProportion(
            **base, proportion=back(mu), ci_low=back(mu - z * se), ci_high=back(mu + z * se), estimate=mu, se=se,
            tau2=tau2, i2=100 * tau2 / (tau2 + s2) if k > 1 else math.nan, q=q, q_df=df, q_pvalue=qp,
            pi_low=back(mu - z * pi_se), pi_high=back(mu + z * pi_se), warnings=warnings)

    # ---------------------------------------------------------------- glmm
    yi, vi = escalc_plo(x, m)
    q, df, qp, s2 = _heterogeneity(yi, vi)
    nan = dict(proportion=math.nan, ci_low=math.nan, ci_high=math.nan, estimate=math.nan, se=math.nan,
               q=q, q_df=df, q_pvalue=qp, nodes=None if nodes == "auto" else nodes)
    if np.all(x == m) or np.all(x == 0):
        which = "all" if np.all(x == m) else "none"
        return PooledProportion(**base, **nan, converged=False, warnings=[
            f"every study has {which} of its patients with the event: the likelihood has no finite maximum "
            f"(the pooled proportion runs to {1 if which == 'all' else 0}), so the GLMM is not estimable"])
    beta, tau, res, negll, used, warnings = _glmm_auto(x, m, nodes)
    nan["nodes"] = used
    if abs(beta) > BETA_LIMIT or tau > TAU_LIMIT:
        return PooledProportion(**base, **nan, converged=False, warnings=[
            f"the estimates run off towards infinity (logit {beta:.1f}, tau {tau:.1f}): "
            "the likelihood has no finite maximum, so the GLMM is not estimable"])
    if not np.isfinite(res.fun):
        return PooledProportion(**base, **nan, converged=False,
                                warnings=[f"the optimiser failed: {res.message}"])
    tau2 = tau**2
    if tau < 1e-6:
        warnings.append("tau² estimated at its lower boundary (0)")
    # standard errors from the observed information of (beta, tau), as lme4's vcov with use.hessian
    H = _hessian(negll, [beta, max(tau, 1e-4)])
    se = math.nan
    cov = None
    try:
        if tau < 1e-6:
            se = math.sqrt(1 / H[0, 0]) if H[0, 0] > 0 else math.nan
        else:
            cov = np.linalg.inv(H)
            if np.all(np.linalg.eigvalsh(H) > 0):
                se = math.sqrt(cov[0, 0])
    except np.linalg.LinAlgError:
        pass
    if not np.isfinite(se):
        warnings.append("the information matrix is not positive definite: no standard error")
    pi_se = math.sqrt(se**2 + tau2) if np.isfinite(se) else math.nan
    marg = marginal_proportion(beta, tau)
    mlo = mhi = math.nan
    if cov is not None and np.isfinite(se):
        eps = 1e-6
        g = np.array([(special.logit(marginal_proportion(beta + eps, tau)) - special.logit(marginal_proportion(beta - eps, tau))) / (2 * eps),
                      (special.logit(marginal_proportion(beta, tau + eps)) - special.logit(marginal_proportion(beta, max(tau - eps, 0)))) / (2 * eps)])
        sd = math.sqrt(float(g @ cov @ g))
        mlo, mhi = float(expit(special.logit(marg) - z * sd)), float(expit(special.logit(marg) + z * sd))
    elif np.isfinite(se):
        mlo, mhi = float(expit(beta - z * se)), float(expit(beta + z * se))
    return PooledProportion(
        **base, proportion=float(expit(beta)), ci_low=float(expit(beta - z * se)), ci_high=float(expit(beta + z * se)),
        estimate=beta, se=se, tau2=tau2, i2=100 * tau2 / (tau2 + s2) if k > 1 else math.nan,
        q=q, q_df=df, q_pvalue=qp, pi_low=float(expit(beta - z * pi_se)), pi_high=float(expit(beta + z * pi_se)),
        marginal_proportion=marg, marginal_ci_low=mlo, marginal_ci_high=mhi, nodes=used, warnings=warnings)
