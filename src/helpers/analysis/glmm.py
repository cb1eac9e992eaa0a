"""The binomial-normal random-intercept model, fitted by adaptive Gauss–Hermite quadrature.

``x_i ~ Bin(n_i, p_i)``, ``logit(p_i) = beta + tau * b_i``, ``b_i ~ N(0, 1)``: the model of
``lme4::glmer(cbind(x, n - x) ~ 1 + (1 | study), family = binomial, nAGQ = q)``, which
``metafor::rma.glmm(measure = "PLO")`` fits. :func:`fit` maximises the same adaptive
quadrature approximation of the marginal likelihood as lme4 and finds its *global*
maximum, or says why there is none to report.

How the maximum is found
------------------------
The likelihood is symmetric in ``tau`` (``b`` and ``-b`` have the same prior), so its
gradient at ``tau = 0`` is always zero, and a gradient-based optimiser started in the
interior can stop at the boundary when the maximum lies inside. Here the search is a
profile over ``tau``:

1. the profile log-likelihood ``P(tau) = max_beta l(beta, tau)`` and its derivative
   (the partial derivative in ``tau`` at ``beta``'s conditional maximum, which is exact
   by the envelope theorem) are evaluated on a grid of ``tau`` from 0 to
   :data:`TAU_GRID`'s end, extended by doubling while the profile still rises, up to
   :data:`TAU_SEARCH`;
2. every interval where the derivative changes sign from rising to falling holds a
   local maximum, found by a bracketed root search on the derivative; ``tau = 0`` is a
   candidate when the profile falls away from it (the derivative in ``tau²`` at 0,
   ``½ ∂²l/∂tau²``, is not positive);
3. the highest candidate is the estimate.

``beta``'s conditional maximum at each ``tau`` is a safeguarded Newton iteration on the
analytic score (the log-likelihood is concave in ``beta``). The score and the derivative
in ``tau`` are the exact derivatives of the quadrature approximation, the movement of
the adaptive nodes with the parameters included. Studies with the same events and
patients are evaluated once and weighted by their number, which changes nothing in the
objective.

The log-likelihood is computed relative to each study's saturated binomial likelihood
(its own ``x / n``), so that studies with very many patients do not drown the
differences the search needs in rounding error; :attr:`GlmmFit.loglik` adds the
constants back and is lme4's ``logLik``.
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

__all__ = [
    "BETA_LIMIT",
    "BETA_SEARCH",
    "CHUNK_ELEMENTS",
    "FULL_SEARCH_PAIRS",
    "MAX_AUTO_NODES",
    "MAX_N",
    "MAX_NODES",
    "MODE_ITERATIONS",
    "NODES_TOLERANCE",
    "RIDGE",
    "START_NODES",
    "STATUSES",
    "TAU_GRID",
    "TAU_LIMIT",
    "TAU_SEARCH",
    "TAU_ZERO",
    "WARM_STEP",
    "GlmmFit",
    "Point",
    "Profile",
    "Quadrature",
    "Studies",
    "check_nodes",
    "degenerate",
    "fit",
    "gauss_hermite",
    "information",
    "loglik",
    "profile",
    "profile_best",
    "profile_grid",
    "profile_interval",
    "search",
]

#: Grid of the profile over tau (the between-study SD on the logit scale).
TAU_GRID = (0.0, 0.05, 0.15, 0.3, 0.5, 0.75, 1.0, 1.4, 2.0, 3.0, 4.5, 7.0, 10.0, 15.0, 25.0, 40.0)
#: The grid is extended by doubling up to this tau while the profile still rises.
TAU_SEARCH = 1280.0
#: Array elements (points x studies x nodes) evaluated at once by :func:`loglik`.
CHUNK_ELEMENTS = 20_000
#: |beta| beyond this while the score still rises: the likelihood has no finite maximum.
BETA_SEARCH = 200.0
#: Estimates beyond these (logit scale) are not reported: a between-study SD of 10
#: logits, or a typical proportion within 3e-7 of 0 or 1, says nothing a reader can use.
BETA_LIMIT = 15.0
TAU_LIMIT = 10.0
#: The most patients a study may have: beyond it the quadrature's rounding error
#: (about 1e-16 of n per study) is no longer small beside the differences it must see.
MAX_N = 10**12
#: The most quadrature nodes accepted (Gauss–Hermite weights underflow beyond ~250).
MAX_NODES = 200
#: tau below this counts as the boundary 0.
TAU_ZERO = 1e-8
#: The most Newton steps taken for the conditional modes.
MODE_ITERATIONS = 200
#: A warm start of the conditional modes whose Newton step is within this (relative) of
#: every mode is used as it is; otherwise the best of three starts is chosen.
WARM_STEP = 1e-3


#: ``nodes="auto"`` starts with this many nodes per study and doubles them until beta and
#: tau² move by less than :data:`NODES_TOLERANCE`, up to :data:`MAX_AUTO_NODES`.
START_NODES = 20
MAX_AUTO_NODES = 160
NODES_TOLERANCE = 1e-5
FULL_SEARCH_PAIRS = 200
#: The smallest eigenvalue of the information, relative to the largest, below which the
#: likelihood counts as flat along a ridge.
RIDGE = 1e-7

STATUSES = {
    "ok": "the likelihood has an interior maximum",
    "boundary": "the maximum lies on the boundary tau² = 0",
    "no_finite_maximum": "the likelihood keeps rising towards infinity",
    "beyond_limits": "the maximum lies beyond the limits reported",
    "not_identifiable": "tau is not identifiable from these data",
}


@dataclass(frozen=True)
class Studies:
    """Distinct (events, patients) pairs and how many studies have each.

    Ordered: first the pairs with ``0 < x < n`` (``mixed`` of them), then those with no
    event, then those with every patient an event (``none`` of them).
    """

    x: np.ndarray
    m: np.ndarray
    count: np.ndarray
    saturated: (
        np.ndarray
    )  # each pair's saturated binomial log-likelihood, without the binomial coefficient
    logit: np.ndarray  # logit(x / n) of the mixed pairs
    p: np.ndarray  # x / n of the mixed pairs
    mixed: int
    none: int

    @classmethod
    def of(cls, events, n) -> Studies:
        """The studies' distinct (events, patients) pairs, counted, in the order above.

        Parameters
        ----------
        events, n : array-like of int
            Events and patients per study (``0 <= events <= n``, ``n >= 1``).

        Returns
        -------
        Studies
            The pairs, with each mixed pair's saturated log-likelihood, logit and
            proportion.
        """
        pairs, count = np.unique(
            np.column_stack([events, n]).astype(float), axis=0, return_counts=True
        )
        x, m = pairs[:, 0], pairs[:, 1]
        kind = np.where((x > 0) & (x < m), 0, np.where(x == 0, 1, 2))
        order = np.argsort(kind, kind="stable")
        x, m, count, kind = x[order], m[order], count[order], kind[order]
        mixed = int(np.sum(kind == 0))
        xm, mm = x[:mixed], m[:mixed]
        sat = np.zeros_like(x)
        sat[:mixed] = xm * np.log(xm / mm) + (mm - xm) * np.log((mm - xm) / mm)
        return cls(
            x,
            m,
            count.astype(float),
            sat,
            np.log(xm / (mm - xm)),
            xm / mm,
            mixed,
            int(np.sum(kind == 1)),
        )

    @property
    def k(self) -> int:
        return int(self.count.sum())

    @functools.cached_property
    def _columns(self) -> dict:
        """The per-pair constants of the binomial terms, as columns (J, 1), computed once.

        ``x``, ``m``, ``p``, ``logit`` and ``minus_mpq`` (``-(n p (1 - p))``) of the mixed
        pairs; for the others ``side`` (+1 with no event, -1 with every patient an
        event), ``minus_m_edge`` (``-n``) and ``signed_m`` (``-side n``).
        """
        j, k = self.mixed, self.mixed + self.none
        m, p = self.m[:j, None], self.p[:, None]
        side = np.where(np.arange(len(self.x)) < k, 1.0, -1.0)[j:, None]
        return {
            "x": self.x[:j, None],
            "m": m,
            "p": p,
            "logit": self.logit[:, None],
            "minus_mpq": -(m * p * (1 - p)),
            "side": side,
            "minus_m_edge": -self.m[j:, None],
            "signed_m": -side * self.m[j:, None],
        }

    @functools.cached_property
    def _x_minus_m(self) -> np.ndarray:
        """``x - n`` of each pair (the conditional modes' bracket, computed once)."""
        return self.x - self.m

    @functools.cached_property
    def _own_logit(self) -> np.ndarray:
        """Each pair's own logit with 1/2 added to both cells (where its mode starts)."""
        return np.log((self.x + 0.5) / (self.m - self.x + 0.5))

    def constant(self) -> float:
        """What :func:`loglik` leaves out: saturated log-likelihoods and binomial coefficients.

        Returns
        -------
        float
            ``sum count (saturated + log C(n, x))``: added to :func:`loglik`'s value, it
            gives the log-likelihood with its constants (lme4's ``logLik``).
        """
        logc = (
            special.gammaln(self.m + 1)
            - special.gammaln(self.x + 1)
            - special.gammaln(self.m - self.x + 1)
        )
        return float(np.sum(self.count * (self.saturated + logc)))


def _binomial_terms(eta: np.ndarray, s: Studies) -> tuple[np.ndarray, np.ndarray]:
    """Each study's binomial log-likelihood at ``eta`` relative to its saturated one, and the
    residual ``x - n expit(eta)``; arrays of the shape of ``eta`` (..., J, Q).

    Written in ``delta = eta - logit(x / n)`` for the mixed studies,
    ``x delta - n log1p(p (e^delta - 1))`` and ``-n p q (e^delta - 1) / (1 + p (e^delta - 1))``,
    so that nothing cancels even when n is in the billions.
    """
    terms = np.empty_like(eta)
    resid = np.empty_like(eta)
    j = s.mixed
    c = s._columns
    if j:
        delta = np.minimum(eta[..., :j, :] - c["logit"], 700.0)
        e = np.expm1(delta)
        pe = c["p"] * e
        terms[..., :j, :] = c["x"] * delta - c["m"] * np.log1p(pe)
        resid[..., :j, :] = c["minus_mpq"] * e / (1 + pe)
    if len(s.x) > j:
        # no events, -n log(1 + e^eta), and every patient an event, -n log(1 + e^-eta):
        # one expression in side * eta (side +1 and -1)
        e = eta[..., j:, :] * c["side"]
        terms[..., j:, :] = c["minus_m_edge"] * (np.log1p(np.exp(-np.abs(e))) + np.maximum(e, 0))
        resid[..., j:, :] = c["signed_m"] * special.expit(e)
    return terms, resid


@dataclass(frozen=True)
class Quadrature:
    nodes: int
    t: np.ndarray
    logw: np.ndarray  # log weight plus t², the weight of the standardised integrand

    @classmethod
    def of(cls, nodes: int) -> Quadrature:
        """The Gauss–Hermite rule of ``nodes`` points (weights that underflow to 0 dropped).

        Parameters
        ----------
        nodes : int
            Number of nodes (1 to :data:`MAX_NODES`).

        Returns
        -------
        Quadrature
            Its nodes ``t`` and, as ``logw``, the log weights plus ``t²`` (the weights of
            the standardised integrand); read-only, one rule per node count shared by
            every fit (:func:`gauss_hermite`).
        """
        return _quadrature(int(nodes))


@functools.lru_cache(maxsize=256)  # node counts, bounded all the same
def gauss_hermite(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """The Gauss–Hermite nodes and weights of ``nodes`` points, computed once per count.

    NumPy's ``hermgauss`` solves an eigenvalue problem each time it is called, which was
    about a fifth of a GLMM fit; here each rule is computed once and shared.

    Parameters
    ----------
    nodes : int
        Number of nodes (at least 1).

    Returns
    -------
    t, w : ndarray
        The nodes and weights of ``numpy.polynomial.hermite.hermgauss(nodes)``, read-only
        (they are shared by every caller).
    """
    t, w = np.polynomial.hermite.hermgauss(nodes)
    t.flags.writeable = w.flags.writeable = False
    return t, w


@functools.lru_cache(maxsize=256)  # node counts, bounded all the same
def _quadrature(nodes: int) -> Quadrature:
    t, w = gauss_hermite(nodes)
    keep = w > 0
    rule = Quadrature(nodes, t[keep], np.log(w[keep]) + t[keep] ** 2)
    rule.t.flags.writeable = rule.logw.flags.writeable = False
    return rule


@dataclass
class Point:
    """The log-likelihood at (beta, tau), its derivatives and the conditional modes.

    Scalars for one point; arrays of shape (G,) for a grid of G points (modes (G, J)).
    """

    beta: np.ndarray | float
    tau: np.ndarray | float
    loglik: np.ndarray | float
    d_beta: np.ndarray | float
    d_tau: np.ndarray | float
    h_beta: (
        np.ndarray | float
    )  # the expected information's second derivative in beta (Newton's slope)
    modes: np.ndarray


def _modes(beta: np.ndarray, tau: np.ndarray, s: Studies, b0: np.ndarray) -> np.ndarray:
    """Conditional modes of b: roots of ``tau (x - n expit(beta + tau b)) - b``, shape (G, J).

    Newton's method, kept inside the bracket ``[tau (x - n), tau x]`` that holds the root
    (the function falls strictly in b), bisecting where a step would leave it. ``beta``
    and ``tau`` are of one shape, (G, 1).
    """
    x, m = s.x, s.m
    lo, hi = tau * s._x_minus_m, tau * x
    t2m = tau * tau * m
    b = np.minimum(np.maximum(b0, lo), hi)
    p = special.expit(beta + tau * b)
    f = tau * (x - m * p) - b
    # a warm start within a Newton step of WARM_STEP of every root (the usual case inside
    # a search) is kept: the root is unique, and the other starts could only save a step
    if not (np.abs(f / (t2m * p * (1 - p) + 1)) <= WARM_STEP * np.maximum(1.0, np.abs(b))).all():
        # start from whichever is closest to a root: the warm start, one Newton step from
        # 0, or where the study's own logit puts it (the data dominate when tau n is large)
        p0 = special.expit(beta)
        own = np.where(tau > 0, (s._own_logit - beta) / np.where(tau > 0, tau, 1.0), 0.0)
        starts = (
            b,
            np.minimum(np.maximum(tau * (x - m * p0) / (t2m * p0 * (1 - p0) + 1), lo), hi),
            np.minimum(np.maximum(own, lo), hi),
        )
        # each start's expit and function value, kept for the first Newton step
        ps = [p, *(special.expit(beta + tau * c) for c in starts[1:])]
        fs = [f, *(tau * (x - m * pc) - c for pc, c in zip(ps[1:], starts[1:], strict=True))]
        resid = [np.abs(v) for v in fs]
        first = resid[0] <= np.minimum(resid[1], resid[2])
        second = resid[1] <= resid[2]
        b, p, f = (np.where(first, v[0], np.where(second, v[1], v[2])) for v in (starts, ps, fs))
    seen = (None, None)  # the states at the tops of the last two iterations, from the 20th
    for iteration in range(MODE_ITERATIONS):
        if iteration >= 20:
            # a state that repeats exactly after two iterations repeats forever (Newton's
            # steps can cycle between the bracket's two ends): the loop would end where
            # the parity of its remaining iterations puts it, so go there at once
            if seen[0] is not None and all(
                np.array_equal(v, w) for v, w in zip((b, lo, hi), seen[0], strict=True)
            ):
                if (MODE_ITERATIONS - iteration) % 2:
                    b = seen[1][0]
                break
            seen = (seen[1], (b, lo, hi))
        lo = np.where(f > 0, b, lo)
        hi = np.where(f < 0, b, hi)
        new = b + f / (t2m * p * (1 - p) + 1)
        # a step onto the bracket's end is outside too (Newton can cycle between its two
        # ends), unless it is within the tolerance: at the root a step lost in rounding
        # lands on b itself, which is an end of the bracket
        outside = ~((new > lo) & (new < hi)) & (
            np.abs(new - b) > 1e-12 * np.maximum(1.0, np.abs(b))
        )
        if outside.any():
            new = np.where(outside, 0.5 * (lo + hi), new)
        step = np.abs(new - b)
        b = new
        if (step <= 1e-12 * np.maximum(1.0, np.abs(b))).all():
            break
        p = special.expit(beta + tau * b)
        f = tau * (x - m * p) - b
    return b


def loglik(beta, tau, s: Studies, q: Quadrature, b0: np.ndarray | None = None) -> Point:
    """The quadrature log-likelihood (relative to the saturated model) and its derivatives.

    ``beta`` and ``tau`` are scalars or arrays of one shape (a grid). ``tau`` may be
    negative: the likelihood is even in tau. The likelihood is that of the binomial-normal
    model [1]_ [2]_, each study's integral over its random effect approximated by
    adaptive Gauss–Hermite quadrature centred on its conditional mode.

    Parameters
    ----------
    beta : float or ndarray
        Intercept on the logit scale.
    tau : float or ndarray
        Between-study standard deviation on the logit scale, of the shape of ``beta``.
    s : Studies
        The data.
    q : Quadrature
        The quadrature rule.
    b0 : ndarray, optional
        Starting values of the conditional modes, shape (J,) or (G, J) for J distinct
        pairs and G points; 0 when omitted.

    Returns
    -------
    Point
        Scalars for scalar ``beta`` and ``tau``, else arrays of shape (G,) (modes (G, J)).

    References
    ----------
    .. [1] Stijnen T, Hamza TH, Ozdemir P (2010). Random effects meta-analysis of event
       outcome in the framework of the generalized linear mixed model with applications
       in sparse data. Stat Med 29:3046-3067.
    .. [2] Hamza TH, van Houwelingen HC, Stijnen T (2008). The binomial distribution of
       meta-analysis was preferred to model within-study variability. J Clin Epidemiol
       61:41-51.
    """
    scalar = np.ndim(beta) == 0 and np.ndim(tau) == 0
    if scalar:  # the common case in a search: one point, without broadcasting's overhead
        beta_, tau_ = np.array([float(beta)]), np.array([float(tau)])
    elif (
        type(beta) is np.ndarray
        and type(tau) is np.ndarray
        and beta.dtype == tau.dtype == np.float64
        and beta.ndim == 1
        and beta.shape == tau.shape
    ):  # a search's points, as they are
        beta_, tau_ = beta, tau
    else:
        beta_, tau_ = np.broadcast_arrays(
            np.atleast_1d(np.asarray(beta, float)), np.atleast_1d(np.asarray(tau, float))
        )
    G, J = len(beta_), len(s.x)
    b0 = np.zeros((G, J)) if b0 is None else np.broadcast_to(b0, (G, J))
    # a few points at a time: arrays that fit in the processor's cache are evaluated about
    # twice as fast as one array of the whole grid (measured in bench/bench_meta.py)
    size = max(1, CHUNK_ELEMENTS // (J * q.t.size))
    if size >= G:
        out = _evaluate(beta_, tau_, s, q, b0)
    else:
        parts = [
            _evaluate(beta_[i : i + size], tau_[i : i + size], s, q, b0[i : i + size])
            for i in range(0, G, size)
        ]
        out = tuple(np.concatenate(v) for v in zip(*parts, strict=True))
    if scalar:
        return Point(float(beta_[0]), float(tau_[0]), *(float(v[0]) for v in out[:4]), out[4][0])
    return Point(beta_, tau_, *out)


def _evaluate(
    beta_: np.ndarray, tau_: np.ndarray, s: Studies, q: Quadrature, b0: np.ndarray
) -> tuple:
    """:func:`loglik` on arrays of points: (loglik, d_beta, d_tau, h_beta, modes)."""
    bt, tt = beta_[:, None], np.abs(tau_)[:, None]
    b = _modes(bt, tt, s, b0)
    p_hat = special.expit(bt + tt * b)
    r = s.m * p_hat * (1 - p_hat)
    info = tt * tt * r + 1
    scale = 1 / np.sqrt(info)
    bk = b[..., None] + (math.sqrt(2) * scale)[..., None] * q.t
    eta = bt[..., None] + tt[..., None] * bk
    terms, resid = _binomial_terms(eta, s)
    terms -= (0.5 * bk) * bk
    terms += q.logw
    top = terms.max(axis=-1)
    weights = terms
    weights -= top[..., None]
    np.exp(weights, out=weights)
    norm = weights.sum(axis=-1)
    weights /= norm[..., None]  # the quadrature's normalised weights
    ll_i = top + np.log(norm) - 0.5 * np.log(info) - 0.5 * math.log(math.pi)
    gprime = tt[..., None] * resid
    gprime -= bk
    wg = weights * gprime
    a = wg.sum(axis=-1)  # d l / d b_hat at fixed scale
    c = 1 / scale + math.sqrt(2) * (wg @ q.t)  # d l / d scale
    resid *= weights
    dir_beta = resid.sum(axis=-1)
    dir_tau = np.einsum("...q,...q->...", resid, bk)
    skew = r * (1 - 2 * p_hat)
    half_cube = -0.5 * info**-1.5
    d_beta = dir_beta - a * tt * r / info + c * half_cube * tt * tt * skew / info
    db_tau = ((s.x - s.m * p_hat) - tt * r * b) / info
    d_tau = dir_tau + a * db_tau + c * half_cube * (2 * tt * r + tt * tt * skew * (b + tt * db_tau))
    w = s.count
    d_tau = d_tau @ w
    if (tau_ < 0).any():  # the likelihood is even in tau: its derivative is odd
        d_tau *= np.where(tau_ < 0, -1.0, 1.0)
    return ll_i @ w, d_beta @ w, d_tau, -((r / info) @ w), b


@dataclass
class Profile:
    """``beta``'s conditional maximum at one tau, or that there is none (``runs_off``)."""

    point: Point
    runs_off: bool = False


def profile_grid(
    taus: np.ndarray,
    s: Studies,
    q: Quadrature,
    beta0,
    b0: np.ndarray | None = None,
    tol: float = 1e-11,
) -> list[Profile]:
    """Maximise the log-likelihood over beta at each tau of a grid.

    Newton steps on the score, with the expected information as the first slope and
    secants after it, kept inside a bracket of the root that every evaluation narrows; a
    bisection when a step would leave it. The score falls in beta, so the root is unique.
    Only the points not yet converged are evaluated again. Where the score still rises
    at ``|beta| = BETA_SEARCH`` the profile ``runs_off``.

    Parameters
    ----------
    taus : ndarray
        The G values of tau.
    s : Studies
        The data.
    q : Quadrature
        The quadrature rule.
    beta0 : float or ndarray
        Starting beta, one for every tau or one per tau (clipped to ``±BETA_SEARCH``).
    b0 : ndarray, optional
        Starting conditional modes, shape (G, J); 0 when omitted.
    tol : float
        A point has converged when beta's step is at most ``tol * max(1, |beta|)``.

    Returns
    -------
    list of Profile
        One per tau, in order: beta's conditional maximum, or where the search stopped
        when the profile ``runs_off``.

    Long: one Newton-and-bisection loop over every tau at once, whose brackets, slopes
    and convergence are arrays indexed by the points still active; split, those arrays
    would be passed back and forth.
    """
    taus = np.asarray(taus, float)
    G = len(taus)
    beta = np.clip(
        np.broadcast_to(np.asarray(beta0, float), (G,)).astype(float), -BETA_SEARCH, BETA_SEARCH
    )
    pt = loglik(beta, taus, s, q, b0)
    ll, g, modes, d_tau = pt.loglik.copy(), pt.d_beta.copy(), pt.modes.copy(), pt.d_tau.copy()
    slope = pt.h_beta.copy()
    lo, hi = np.full(G, -BETA_SEARCH), np.full(G, BETA_SEARCH)
    runs_off = np.zeros(G, bool)
    active = np.arange(G)
    for _ in range(200):
        ga, ba, sa = g[active], beta[active], slope[active]
        la = lo[active] = np.where(ga > 0, ba, lo[active])
        ha = hi[active] = np.where(ga < 0, ba, hi[active])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(sa < 0, -ga / sa, 10.0 * np.sign(ga))
        newton = ba + np.minimum(np.maximum(step, -10.0), 10.0)
        outside = ~((newton > la) & (newton < ha))
        new = np.where(outside, 0.5 * (la + ha), newton)
        edge = (ha - la < 1e-9 * BETA_SEARCH) & (np.abs(ba) > BETA_SEARCH * (1 - 1e-6))
        off = runs_off[active] = edge & (np.sign(ga) == np.sign(ba))
        # a Newton step within the tolerance has converged even where it leaves the bracket:
        # that happens only at the root itself, when the step is lost in rounding (beta +
        # step == beta) and the bracket's end is beta; bisecting from there would wander
        # off and take some thirty evaluations to come back
        small = tol * np.maximum(1.0, np.abs(ba))
        going = ~((np.abs(new - ba) <= small) | (np.abs(newton - ba) <= small) | (ga == 0) | off)
        active, new, ba, ga = active[going], new[going], ba[going], ga[going]
        if not len(active):
            break
        pt = loglik(new, taus[active], s, q, modes[active])
        with np.errstate(divide="ignore", invalid="ignore"):
            secant = (pt.d_beta - ga) / (new - ba)
        slope[active] = np.where(np.isfinite(secant) & (secant < 0), secant, pt.h_beta)
        beta[active], ll[active], g[active], d_tau[active], modes[active] = (
            new,
            pt.loglik,
            pt.d_beta,
            pt.d_tau,
            pt.modes,
        )
    return [
        Profile(
            Point(
                float(beta[i]),
                float(taus[i]),
                float(ll[i]),
                float(g[i]),
                float(d_tau[i]),
                float(slope[i]),
                modes[i],
            ),
            bool(runs_off[i]),
        )
        for i in range(G)
    ]


def profile_best(tau: float, s: Studies, q: Quadrature, starts) -> Profile:
    """beta's conditional maximum at tau from several starts, the highest kept.

    With few nodes and large tau the quadrature likelihood need not be concave in beta
    (its nodes miss the steep part of a one-patient study's integrand), so a single start
    can stop at a lower local maximum.

    Parameters
    ----------
    tau : float
        Between-study standard deviation.
    s : Studies
        The data.
    q : Quadrature
        The quadrature rule.
    starts : iterable of float
        Starting values of beta.

    Returns
    -------
    Profile
        The highest of the maxima that do not run off; the first start's result when
        every one runs off.
    """
    starts = np.asarray(list(starts), float)
    found = profile_grid(np.full(len(starts), tau), s, q, starts)
    finite = [p for p in found if not p.runs_off]
    return max(finite, key=lambda p: p.point.loglik) if finite else found[0]


def profile(
    tau: float, s: Studies, q: Quadrature, beta0: float, b0: np.ndarray | None = None
) -> Profile:
    """:func:`profile_grid` at one tau.

    Parameters
    ----------
    tau : float
        Between-study standard deviation.
    s : Studies
        The data.
    q : Quadrature
        The quadrature rule.
    beta0 : float
        Starting beta.
    b0 : ndarray, optional
        Starting conditional modes, shape (J,); 0 when omitted.

    Returns
    -------
    Profile
        Beta's conditional maximum at ``tau``, or that it runs off.
    """
    return profile_grid(np.array([tau]), s, q, beta0, None if b0 is None else b0[None, :])[0]


def _root_on_bracket(s: Studies, q: Quadrature, left: Profile, right: Profile) -> Profile:
    """The tau in (left, right) where the profile's derivative changes sign from + to -."""
    cache: dict[float, Profile] = {left.point.tau: left, right.point.tau: right}
    state = {"last": left}

    def derivative(tau: float) -> float:
        if tau in cache:  # the grid's own values: their signs made the bracket
            pr = cache[tau]
            return pr.point.d_tau if not pr.runs_off else 1.0
        last = state["last"]
        pr = profile(tau, s, q, last.point.beta, last.point.modes)
        cache[tau] = pr
        state["last"] = pr
        return pr.point.d_tau if not pr.runs_off else 1.0

    a, b = left.point.tau, right.point.tau
    if a == 0:  # the derivative is 0 at tau = 0 itself: start where it is positive
        a = b
        while a > 1e-9:
            a /= 8
            if derivative(a) > 0:
                break
        else:
            return left
    tau = optimize.brentq(derivative, a, b, xtol=1e-12, rtol=4 * np.finfo(float).eps, maxiter=200)
    return cache.get(tau) or profile(tau, s, q, state["last"].point.beta, state["last"].point.modes)


def _stencil(
    s: Studies, q: Quadrature, beta: float, tau: float, modes: np.ndarray
) -> tuple[Point, np.ndarray, np.ndarray]:
    """The point (beta, tau), its gradient, and the Hessian from central differences of the
    analytic gradient: the point and its four neighbours evaluated in one call."""
    hb, ht = 1e-6 * max(1.0, abs(beta)), 1e-6 * max(1.0, tau)
    pts = loglik(
        np.array([beta, beta + hb, beta - hb, beta, beta]),
        np.array([tau, tau, tau, tau + ht, tau - ht]),
        s,
        q,
        modes,
    )
    current = Point(
        beta,
        tau,
        float(pts.loglik[0]),
        float(pts.d_beta[0]),
        float(pts.d_tau[0]),
        float(pts.h_beta[0]),
        pts.modes[0],
    )
    grad = np.array([current.d_beta, current.d_tau])
    H = np.array(
        [
            [pts.d_beta[1] - pts.d_beta[2], pts.d_beta[3] - pts.d_beta[4]],
            [pts.d_tau[1] - pts.d_tau[2], pts.d_tau[3] - pts.d_tau[4]],
        ]
    ) / np.array([2 * hb, 2 * ht])
    return current, grad, 0.5 * (H + H.T)


def _newton(s: Studies, q: Quadrature, start: Profile, low: float, high: float) -> Profile | None:
    """Newton's method on (beta, tau) from ``start``, tau kept inside (low, high).

    The Hessian comes from central differences of the analytic gradient, evaluated with
    the point itself in one call (:func:`_stencil`); a trial step is evaluated with its
    neighbours, so that an accepted step has its Hessian already. Steps that do not raise
    the likelihood are halved. Returns None when the Hessian is not negative definite on
    the way or no step helps, so that the caller falls back on the bracketed search.
    """
    beta, tau = start.point.beta, start.point.tau
    current, grad, H = _stencil(s, q, beta, tau, start.point.modes)
    for _ in range(50):
        if not np.all(np.linalg.eigvalsh(H) < 0):
            return None
        step = -np.linalg.solve(H, grad)
        if abs(step[0]) <= 1e-10 * max(1.0, abs(beta)) and abs(step[1]) <= 1e-10 * max(1.0, tau):
            return Profile(current)
        for _ in range(30):
            nb, nt = beta + step[0], tau + step[1]
            if low < nt < high:
                trial = _stencil(s, q, nb, nt, current.modes)
                if trial[0].loglik >= current.loglik - 1e-12 * max(1.0, abs(current.loglik)):
                    break
            step = step / 2
        else:
            return None
        beta, tau = nb, nt
        current, grad, H = trial
    return None


def _boundary_slope(s: Studies, q: Quadrature, at_zero: Profile) -> float:
    """d P / d tau² at tau = 0, from the score in tau at a tiny tau (the likelihood is even
    in tau)."""
    eps = 1e-4
    point = loglik(at_zero.point.beta, eps, s, q)
    return point.d_tau / (2 * eps)


def search(
    s: Studies, q: Quadrature, grid=TAU_GRID, beta0: float = 0.0
) -> tuple[Profile | None, list[Profile], list[Profile]]:
    """The global maximum over the profile in tau (see the module docstring).

    Parameters
    ----------
    s : Studies
        The data.
    q : Quadrature
        The quadrature rule.
    grid : sequence of float
        The values of tau evaluated first (from 0), extended by doubling up to :data:`TAU_SEARCH`.
    beta0 : float
        A starting logit; at each tau beta starts from ``beta0 * sqrt(1 + 0.346 tau²)``.

    Returns
    -------
    best : Profile or None
        The highest local maximum; None when nothing found beats the profile's rising end.
    points : list of Profile
        The profile at every tau of the (extended) grid.
    local : list of Profile
        Every local maximum found that does not run off.
    """
    grid = np.asarray(grid, float)
    # where beta's maximum lies at each tau, roughly: the marginal proportion stays near the
    # pooled one, and E[expit(beta + tau Z)] ~ expit(beta / sqrt(1 + 0.346 tau²)) (logit-probit)
    points = profile_grid(grid, s, q, beta0 * np.sqrt(1 + 0.346 * grid**2), tol=1e-9)
    while (points[-1].runs_off or points[-1].point.d_tau > 0) and points[
        -1
    ].point.tau * 2 <= TAU_SEARCH:
        last = points[-1]
        points.append(profile(last.point.tau * 2, s, q, last.point.beta, last.point.modes))
    candidates: list[Profile] = []
    zero = points[0]
    # the slope at tau = 0 decides both whether 0 is a candidate and whether the profile
    # rises from there: evaluated once
    boundary_slope = functools.cache(lambda i: _boundary_slope(s, q, points[i]))
    if not zero.runs_off and boundary_slope(0) <= 0:
        candidates.append(zero)
    for i, (left, right) in enumerate(itertools.pairwise(points)):
        if left.runs_off or right.runs_off:
            continue
        rising_left = left.point.d_tau > 0 or (left.point.tau == 0 and boundary_slope(i) > 0)
        if rising_left and right.point.d_tau <= 0:
            if right.point.d_tau == 0:
                candidates.append(right)
                continue
            start = left if left.point.tau > 0 and left.point.d_tau < -right.point.d_tau else right
            found = _newton(s, q, start, left.point.tau, right.point.tau)
            candidates.append(found if found is not None else _root_on_bracket(s, q, left, right))
    finite = [c for c in candidates if not c.runs_off]
    last = points[-1]
    best = max(finite, key=lambda c: c.point.loglik) if finite else None
    if last.runs_off or last.point.d_tau > 0:
        # the profile still rises at the end of the search: is anything found higher?
        if best is None or last.point.loglik >= best.point.loglik:
            return None, points, finite
    return best, points, finite


def information(s: Studies, q: Quadrature, beta: float, tau: float, modes) -> np.ndarray:
    """Observed information of (beta, tau): central differences of the analytic gradient.

    Parameters
    ----------
    s : Studies
        The data.
    q : Quadrature
        The quadrature rule.
    beta, tau : float
        The point.
    modes : ndarray
        Conditional modes near the point, shape (J,): where the inner search starts.

    Returns
    -------
    ndarray
        The symmetric 2 x 2 matrix, minus the Hessian of the log-likelihood, in the order
        (beta, tau).
    """
    h = 1e-5 * max(1.0, abs(beta)), 1e-5 * max(1.0, tau)
    # the four neighbours in one call: up and down in beta, then in tau
    pts = loglik(
        np.array([beta + h[0], beta - h[0], beta, beta]),
        np.array([tau, tau, tau + h[1], tau - h[1]]),
        s,
        q,
        modes,
    )
    H = np.zeros((2, 2))
    for j in range(2):
        up, down = 2 * j, 2 * j + 1
        H[:, j] = [
            -(pts.d_beta[up] - pts.d_beta[down]) / (2 * h[j]),
            -(pts.d_tau[up] - pts.d_tau[down]) / (2 * h[j]),
        ]
    return 0.5 * (H + H.T)


def check_nodes(nodes) -> int | str:
    """``nodes`` as an int, or ``"auto"``; ValueError for anything else.

    Parameters
    ----------
    nodes : int or str
        Quadrature nodes per study, or ``"auto"``.

    Returns
    -------
    int or str
        ``nodes`` as an int from 1 to :data:`MAX_NODES`, or ``"auto"``.

    Raises
    ------
    ValueError
        For a boolean, a value that is not a whole number, or one out of range.
    """
    if isinstance(nodes, str) and nodes == "auto":
        return nodes
    if isinstance(nodes, bool | np.bool_) or not isinstance(nodes, numbers.Integral):
        raise ValueError(
            f"nodes must be a whole number from 1 to {MAX_NODES} or 'auto', not {nodes!r}"
        )
    if not 1 <= int(nodes) <= MAX_NODES:
        raise ValueError(
            f"nodes must be a whole number from 1 to {MAX_NODES} or 'auto', not {int(nodes)}"
        )
    return int(nodes)


@dataclass
class GlmmFit:
    """The maximum of the quadrature likelihood, or why there is none to report.

    Attributes
    ----------
    beta, tau : float
        The maximum (logit-scale intercept and between-study SD). NaN unless the status
        is ``"ok"``, ``"boundary"`` or ``"beyond_limits"`` (where they say where the
        maximum lies, and are not to be reported).
    loglik : float
        The maximised log-likelihood, with the binomial coefficients (lme4's ``logLik``).
    status : str
        A key of :data:`STATUSES`.
    reason : str
        The status in words, with numbers ("" when ``ok``).
    nodes : int
        Quadrature nodes per study.
    cov : ndarray or None
        Covariance of (beta, tau) from the observed information; at the boundary only
        beta's variance (the rest NaN).
    warnings : list of str
        What else the reader should know (``nodes="auto"`` that did not settle).
    """

    beta: float
    tau: float
    loglik: float
    status: str
    reason: str
    nodes: int
    cov: np.ndarray | None = None
    warnings: list = field(default_factory=list)
    studies: Studies | None = field(default=None, repr=False)
    quadrature: Quadrature | None = field(default=None, repr=False)
    modes: np.ndarray | None = field(default=None, repr=False)

    @property
    def estimable(self) -> bool:
        return self.status in ("ok", "boundary")

    @property
    def se(self) -> float:
        return (
            math.sqrt(self.cov[0, 0]) if self.cov is not None and self.cov[0, 0] > 0 else math.nan
        )


def degenerate(x, m) -> str:
    """Why the data hold nothing to estimate but the crude proportion ("" when they do).

    Every study of one patient (tau² is not identifiable), every study at 100% or every
    study at 0% (the likelihood has no finite maximum). The one place this rule is
    written: :func:`fit` says so, and :func:`helpers.analysis.pooling.fit_with_fallback`
    shows no fallback model for such data (an inverse-variance model would only report
    its continuity correction: 1/1 in every study pools to 75% with the 1/2 correction).

    Parameters
    ----------
    x, m : array-like of int
        Events and patients per study.

    Returns
    -------
    str
        ``"every study of one patient"``, ``"every study at 100%"``, ``"every study at
        0%"``, or ``""`` (also for no study).
    """
    x, m = np.asarray(x, float), np.asarray(m, float)
    if not len(x):
        return ""
    if np.all(m == 1):
        return "every study of one patient"
    if np.all(x == m):
        return "every study at 100%"
    if np.all(x == 0):
        return "every study at 0%"
    return ""


def _not_estimable(s: Studies, nodes: int) -> GlmmFit | None:
    """The data sets where no search is needed to say there is nothing to estimate
    (:func:`degenerate`)."""
    base = dict(nodes=nodes, studies=s)
    why = degenerate(s.x, s.m)
    if why == "every study of one patient":
        return GlmmFit(
            math.nan,
            math.nan,
            math.nan,
            "not_identifiable",
            "every study has one patient, so the data say nothing about how studies differ beyond "
            "chance: tau² is not identifiable, and only the marginal proportion (the crude one) is",
            **base,
        )
    if why:
        which = "all" if why == "every study at 100%" else "none"
        return GlmmFit(
            math.nan,
            math.nan,
            math.nan,
            "no_finite_maximum",
            f"every study has {which} of its patients with the event: the likelihood has no finite "
            f"maximum (the pooled proportion runs to {1 if which == 'all' else 0})",
            **base,
        )
    return None


def _within_limits(beta: float, tau: float) -> bool:
    return abs(beta) <= BETA_LIMIT and abs(tau) <= TAU_LIMIT


def _classify(s: Studies, q: Quadrature, best: Point, local: list[Profile] = ()) -> GlmmFit:
    """The fit at a maximum: beyond the limits, on the boundary, on a flat ridge, or ok.

    ``local`` are the other local maxima the search found: one within the limits is named
    when the highest lies beyond them (it is what an optimiser started nearby reports).
    """
    beta, tau, ll = best.beta, abs(best.tau), best.loglik + s.constant()
    base = dict(nodes=q.nodes, studies=s, quadrature=q, modes=best.modes)
    if not _within_limits(beta, tau):
        inside = [c.point for c in local if _within_limits(c.point.beta, c.point.tau)]
        lower = ""
        if inside:
            other = max(inside, key=lambda p: p.loglik)
            lower = (
                f"; a lower local maximum, {ll - other.loglik - s.constant():.3g} "
                "log-likelihood units below, lies "
                f"at logit {other.beta:.2f}, tau {abs(other.tau):.2f}, "
                "where an optimiser started nearby stops"
            )
        return GlmmFit(
            beta,
            tau,
            ll,
            "beyond_limits",
            f"the likelihood peaks at logit {beta:.2f}, tau {tau:.2f}, beyond the limits reported "
            f"(|logit| <= {BETA_LIMIT:g}, tau <= {TAU_LIMIT:g}): "
            "a typical proportion this close to 0 or "
            f"1, or a spread this wide, says nothing a reader can use{lower}",
            **base,
        )
    if tau < TAU_ZERO:
        h = information(s, q, beta, 0.0, best.modes)[0, 0]
        cov = np.array([[1 / h if h > 0 else math.nan, math.nan], [math.nan, math.nan]])
        return GlmmFit(
            beta,
            0.0,
            ll,
            "boundary",
            "tau² is estimated at its lower boundary (0): the likelihood falls as tau rises from 0",
            cov=cov,
            **base,
        )
    H = information(s, q, beta, tau, best.modes)
    eig = np.linalg.eigvalsh(H)
    if not eig[0] > RIDGE * max(1.0, eig[1]):
        return GlmmFit(
            math.nan,
            math.nan,
            ll,
            "not_identifiable",
            "the likelihood is flat along a ridge "
            f"(its curvature is {eig[0]:.1e} in one direction): "
            "beta and tau are not identifiable separately from these data",
            **base,
        )
    return GlmmFit(beta, tau, ll, "ok", "", cov=np.linalg.inv(H), **base)


def _fixed(s: Studies, nodes: int) -> GlmmFit:
    q = Quadrature.of(nodes)
    pooled = float(np.sum(s.count * s.x) / np.sum(s.count * s.m))
    best, points, local = search(s, q, beta0=float(special.logit(min(max(pooled, 1e-6), 1 - 1e-6))))
    if best is None:
        last = points[-1].point
        return GlmmFit(
            math.nan,
            math.nan,
            math.nan,
            "no_finite_maximum",
            "the likelihood keeps rising as the estimates run towards infinity "
            f"(logit {last.beta:.1f}, "
            f"tau {last.tau:.0f} when the search stopped): it has no finite maximum",
            nodes=nodes,
            studies=s,
            quadrature=q,
        )
    return _classify(s, q, best.point, local)


def _more_nodes(s: Studies, previous: GlmmFit, nodes: int) -> GlmmFit:
    """The fit with more nodes, polished from the previous maximum; a full search if that fails."""
    q = Quadrature.of(nodes)
    if previous.status == "boundary":
        at_zero = profile(0.0, s, q, previous.beta)
        if _boundary_slope(s, q, at_zero) <= 0:
            return _classify(s, q, at_zero.point)
    elif previous.status == "ok":
        start = profile(previous.tau, s, q, previous.beta, previous.modes)
        found = _newton(s, q, start, 0.0, TAU_SEARCH)
        if found is not None:
            return _classify(s, q, found.point)
    return _fixed(s, nodes)


def fit(x, m, nodes: int | str = "auto") -> GlmmFit:
    """Maximise the quadrature likelihood (see the module docstring).

    ``nodes="auto"`` fits with :data:`START_NODES` nodes, then doubles them until two
    fits agree: the same status and, when estimable, beta and tau² within
    :data:`NODES_TOLERANCE` (up to :data:`MAX_AUTO_NODES`). Each new fit is a full
    search, except on data with more than :data:`FULL_SEARCH_PAIRS` distinct studies,
    where the likelihood is well determined and the last maximum is polished instead.
    The model is the binomial-normal one [1]_ [2]_, as lme4 and ``metafor::rma.glmm``
    fit it.

    Parameters
    ----------
    x, m : array-like of int
        Events and patients per study (not checked here: ``0 <= x <= m``, ``1 <= m <= MAX_N``).
    nodes : int or "auto"
        Quadrature nodes per study (lme4's ``nAGQ``), or ``"auto"``; anything else is a
        ValueError (:func:`check_nodes`).

    Returns
    -------
    GlmmFit
        The maximum and its status (with a warning when ``"auto"`` nodes do not settle).

    References
    ----------
    .. [1] Stijnen T, Hamza TH, Ozdemir P (2010). Random effects meta-analysis of event
       outcome in the framework of the generalized linear mixed model with applications
       in sparse data. Stat Med 29:3046-3067.
    .. [2] Hamza TH, van Houwelingen HC, Stijnen T (2008). The binomial distribution of
       meta-analysis was preferred to model within-study variability. J Clin Epidemiol
       61:41-51.
    """
    s = Studies.of(x, m)
    nodes = check_nodes(nodes)
    first = START_NODES if nodes == "auto" else nodes
    early = _not_estimable(s, first)
    if early is not None:
        return early
    result = _fixed(s, first)
    if nodes != "auto":
        return result
    while result.nodes < MAX_AUTO_NODES:
        nodes = 2 * result.nodes
        polish = result.estimable and len(s.x) > FULL_SEARCH_PAIRS
        more = _more_nodes(s, result, nodes) if polish else _fixed(s, nodes)
        settled = more.status == result.status
        if settled and more.estimable:
            moved = max(
                abs(more.beta - result.beta),
                abs(more.tau**2 - result.tau**2) / max(1.0, result.tau**2),
            )
            settled = moved < NODES_TOLERANCE
        result = more
        if settled:
            return result
    result.warnings.append(f"the fit still changes at {result.nodes} quadrature nodes")
    return result


def profile_interval(f: GlmmFit, parameter: str, level: float = 0.95) -> tuple[float, float]:
    """Profile-likelihood confidence interval of ``"tau"`` or ``"beta"``.

    As lme4's ``confint(method="profile")``. The interval holds the values where the
    profile log-likelihood lies within ``chi2_1(level) / 2`` of the maximum. For tau the
    lower end is 0 when the profile at 0 is inside. An end beyond the limits reported
    (:data:`TAU_LIMIT`, :data:`BETA_LIMIT`) is infinite: the interval is open there.

    Parameters
    ----------
    f : GlmmFit
        The fit, from :func:`fit`.
    parameter : {"tau", "beta"}
        The parameter whose interval is wanted (tau: between-study SD; beta: logit).
    level : float
        Confidence level.

    Returns
    -------
    low, high : float
        The interval on the parameter's own scale (NaN, NaN when the fit is not
        estimable).

    Raises
    ------
    ValueError
        For another parameter (of an estimable fit).

    Long: one target, the maximum less ``chi2_1(level) / 2``, is searched for tau and for
    beta, each search a closure over the fit; split, the fit and the target would be
    passed around. Most of the length is this docstring.
    """
    if not f.estimable:
        return math.nan, math.nan
    s, q = f.studies, f.quadrature
    drop = stats.chi2.ppf(level, 1) / 2
    target = f.loglik - s.constant() - drop
    if parameter == "tau":
        state = {"beta": f.beta}

        def excess(tau):
            starts = (
                state["beta"],
                f.beta,
                f.beta * math.sqrt((1 + 0.346 * tau**2) / (1 + 0.346 * f.tau**2)),
            )
            pr = profile_best(tau, s, q, starts)
            if not pr.runs_off:
                state["beta"] = pr.point.beta
            return (pr.point.loglik - target) if not pr.runs_off else math.inf

        lo = (
            0.0
            if f.tau == 0 or excess(0.0) >= 0
            else optimize.brentq(excess, 0.0, f.tau, xtol=1e-10)
        )
        state["beta"] = f.beta
        hi = _upper_crossing(excess, f.tau, TAU_LIMIT)
        return lo, hi
    if parameter == "beta":

        def excess_b(beta):
            return _max_over_tau(s, q, beta, f.tau) - target

        def crossing(direction):
            step = 3 * f.se if f.se == f.se else 1.0
            a, b = f.beta, f.beta + direction * step
            while excess_b(b) > 0:
                a, b = b, b + direction * step
                step *= 2
                if abs(b) > BETA_LIMIT:
                    b = direction * BETA_LIMIT
                    if excess_b(b) > 0:
                        return direction * math.inf
            return optimize.brentq(excess_b, min(a, b), max(a, b), xtol=1e-10)

        return crossing(-1), crossing(1)
    raise ValueError(f"unknown parameter {parameter!r}; allowed: tau, beta")


def _upper_crossing(excess, start: float, limit: float) -> float:
    a, b = start, min(max(2 * start, start + 0.5), limit)
    while excess(b) > 0:
        if b >= limit:
            return math.inf
        a, b = b, min(2 * b, limit)
    return optimize.brentq(excess, a, b, xtol=1e-10)


def _max_over_tau(s: Studies, q: Quadrature, beta: float, tau0: float) -> float:
    """max over tau >= 0 of the log-likelihood at fixed beta (relative to the saturated model).

    The grid of the search, and tau0, evaluated at once; then a bounded Brent search
    between the best point's neighbours.
    """
    taus = np.unique(np.concatenate([TAU_GRID, [tau0]]))
    values = loglik(np.full(len(taus), beta), taus, s, q).loglik
    i = int(np.argmax(values))
    lo, hi = taus[max(i - 1, 0)], taus[min(i + 1, len(taus) - 1)]
    if i == len(taus) - 1:
        hi = TAU_SEARCH
    best = optimize.minimize_scalar(
        lambda t: -loglik(beta, t, s, q).loglik,
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return float(max(-best.fun, values[i]))
