"""The GLMM finds the global maximum of its quadrature likelihood, or says why there is none.

300 seeded random data sets (k 2 to 40, n 1 to 500, many single-patient studies, tau 0 to
3), each fitted at 7, 20 and "auto" nodes, against a brute-force search of the same
objective: a grid of tau (0 to 16, every 0.1 up to 4) with beta's conditional
maximum found from two starts at each, then two finer grids around the best point.
Every estimable fit must reach the brute-force maximum within 1e-6 log-likelihood units;
a fit that says the maximum lies beyond the limits must be right that the brute force
finds nothing higher inside them.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from helpers.analysis import glmm

SEED = 20210624
DATASETS = 300
TAUS = np.concatenate([np.linspace(0, 4, 41), np.linspace(4.5, 16, 24)])


def dataset(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    k = int(rng.integers(2, 41))
    single = rng.random() * 0.8
    n = np.where(
        rng.random(k) < single, 1, np.exp(rng.uniform(np.log(2), np.log(500), k)).astype(int)
    )
    beta, tau = rng.uniform(-3, 3), rng.uniform(0, 3)
    return rng.binomial(n, special.expit(beta + tau * rng.standard_normal(k))), n


def brute_force(x, n, nodes: int) -> tuple[float, float, float]:
    """The highest log-likelihood over (beta, tau) that a dense search finds, and where."""
    s, q = glmm.Studies.of(x, n), glmm.Quadrature.of(nodes)
    pooled = float(np.sum(s.count * s.x) / np.sum(s.count * s.m))
    b0 = float(special.logit(min(max(pooled, 1e-6), 1 - 1e-6)))
    best = (-np.inf, np.nan, np.nan)
    for start in (b0 * np.sqrt(1 + 0.346 * TAUS**2), np.full(len(TAUS), -b0)):
        for p in glmm.profile_grid(TAUS, s, q, start):
            if not p.runs_off and p.point.loglik > best[0]:
                best = (p.point.loglik, p.point.beta, p.point.tau)
    for width in (TAUS[1] - TAUS[0], 0.002):
        fine = np.linspace(max(0.0, best[2] - width), best[2] + width, 41)
        for p in glmm.profile_grid(fine, s, q, best[1]):
            if not p.runs_off and p.point.loglik > best[0]:
                best = (p.point.loglik, p.point.beta, p.point.tau)
    return best[0] + s.constant(), best[1], best[2]


def _cases():
    rng = np.random.default_rng(SEED)
    return [dataset(rng) for _ in range(DATASETS)]


CASES = _cases()


@pytest.mark.parametrize("nodes", [7, 20, "auto"])
def test_the_fit_reaches_the_brute_force_maximum(nodes):
    statuses: dict[str, int] = {}
    misses = []
    for i, (x, n) in enumerate(CASES):
        f = glmm.fit(x, n, nodes)
        statuses[f.status] = statuses.get(f.status, 0) + 1
        if f.status in ("not_identifiable", "no_finite_maximum") and np.all(n == 1) | np.all(
            x == n
        ) | np.all(x == 0):
            continue
        best, beta, tau = brute_force(x, n, f.nodes)
        inside = abs(beta) <= glmm.BETA_LIMIT and tau <= glmm.TAU_LIMIT
        if f.estimable:
            if f.loglik < best - 1e-6:
                misses.append((i, f.status, f.beta, f.tau, f.loglik, best, beta, tau))
        elif f.status == "beyond_limits":
            if inside and best > f.loglik + 1e-6:
                misses.append((i, f.status, f.beta, f.tau, f.loglik, best, beta, tau))
        elif inside and f.status != "not_identifiable":
            misses.append((i, f.status, f.reason, best, beta, tau))
    assert not misses, misses
    # the data sets exercise every outcome: interior maxima, boundaries, and not estimable ones
    assert statuses.get("ok", 0) >= 150 and statuses.get("boundary", 0) >= 20
    assert (
        statuses.get("not_identifiable", 0)
        + statuses.get("beyond_limits", 0)
        + statuses.get("no_finite_maximum", 0)
        >= 3
    )


def test_the_brute_force_sees_a_false_boundary():
    """A fit stopped at tau = 0 where the maximum is inside would fail the test above: the
    brute force finds the interior maximum of a data set with clear heterogeneity."""
    x, n = np.array([2, 18, 5, 30, 9]), np.array([40, 40, 40, 40, 40])
    best, _, tau = brute_force(x, n, 7)
    s = glmm.Studies.of(x, n)
    at_zero = glmm.profile(0.0, s, glmm.Quadrature.of(7), 0.0).point.loglik + s.constant()
    assert tau > 0.5 and best > at_zero + 1


@pytest.mark.parametrize("chunk", [1, 37, 20_000, 10**9])
def test_evaluating_in_chunks_changes_nothing(chunk, monkeypatch):
    """The log-likelihood and its derivatives on a grid are the same however many points are
    evaluated at once."""
    from helpers.analysis import glmm

    rng = np.random.default_rng(5)
    n = rng.integers(1, 80, 300)
    x = rng.binomial(n, 0.6)
    s, q = glmm.Studies.of(x, n), glmm.Quadrature.of(20)
    beta, tau = np.linspace(-1, 2, 13), np.linspace(0, 5, 13)
    whole = glmm.loglik(beta, tau, s, q)
    monkeypatch.setattr(glmm, "CHUNK_ELEMENTS", chunk)
    parts = glmm.loglik(beta, tau, s, q)
    for name in ("loglik", "d_beta", "d_tau", "h_beta", "modes"):
        np.testing.assert_allclose(
            getattr(parts, name), getattr(whole, name), rtol=1e-12, atol=1e-12
        )
    one = glmm.loglik(float(beta[4]), float(tau[4]), s, q)
    assert one.loglik == pytest.approx(float(whole.loglik[4]), rel=1e-12)


def test_quadrature_rules_are_computed_once_and_read_only():
    """Every node count's rule is NumPy's ``hermgauss``, shared between fits and not writable
    (a fit that wrote into it would change every later fit)."""
    rng = np.random.default_rng(SEED)
    for nodes in rng.integers(1, glmm.MAX_NODES + 1, 12):
        t, w = np.polynomial.hermite.hermgauss(int(nodes))
        shared_t, shared_w = glmm.gauss_hermite(int(nodes))
        np.testing.assert_array_equal(shared_t, t)
        np.testing.assert_array_equal(shared_w, w)
        rule = glmm.Quadrature.of(nodes)
        assert rule is glmm.Quadrature.of(int(nodes))
        np.testing.assert_array_equal(rule.t, t[w > 0])
        for array in (shared_t, shared_w, rule.t, rule.logw):
            with pytest.raises(ValueError):
                array[0] = 0.0


def test_the_modes_are_the_roots_from_any_warm_start():
    """The conditional modes, from warm starts near the root and far from it, are each
    study's root of ``tau (x - n expit(beta + tau b)) - b`` (found by Brent's method)."""
    from scipy import optimize

    rng = np.random.default_rng(SEED)
    for _ in range(60):
        x, n = dataset(rng)
        s = glmm.Studies.of(x, n)
        beta, tau = rng.uniform(-4, 4), rng.uniform(0, 3)
        roots = np.array(
            [
                optimize.brentq(
                    lambda b, xi=xi, mi=mi: tau * (xi - mi * special.expit(beta + tau * b)) - b,
                    tau * (xi - mi) - 1,
                    tau * xi + 1,
                    xtol=1e-14,
                    rtol=1e-14,
                )
                for xi, mi in zip(s.x, s.m, strict=True)
            ]
        )
        for scale in (0.0, 1e-9, 1e-4, 1e-1, 10.0):
            b0 = roots + scale * rng.standard_normal(len(roots))
            modes = glmm.loglik(beta, tau, s, glmm.Quadrature.of(7), b0).modes
            np.testing.assert_allclose(modes, roots, rtol=1e-9, atol=1e-9)


def test_the_mode_does_not_cycle_between_the_ends_of_its_bracket():
    """One patient with the event, tau 31, a warm start 5 logits from the mode: the mode
    is the root, not where 200 Newton steps between the bracket's two ends stop."""
    s = glmm.Studies.of([1], [1])
    beta, tau = -3.5311705192352045, 30.928450228387817
    mode = glmm.loglik(beta, tau, s, glmm.Quadrature.of(7), np.array([5.0])).modes[0]
    assert tau * (1 - special.expit(beta + tau * mode)) - mode == pytest.approx(0, abs=1e-9)


def test_a_profile_started_at_its_maximum_stays_there(monkeypatch):
    """At tau = 0 beta's conditional maximum is the logit of all events over all patients:
    started there, the profile keeps it after two evaluations (it once took a Newton step
    lost in rounding for one leaving the bracket, bisected, and needed some thirty
    evaluations to come back)."""
    rng = np.random.default_rng(SEED)
    calls = []
    evaluate = glmm._evaluate

    def counted(*args):
        calls.append(1)
        return evaluate(*args)

    monkeypatch.setattr(glmm, "_evaluate", counted)
    for _ in range(40):
        x, n = dataset(rng)
        if np.all(x == 0) or np.all(x == n):
            continue
        s, q = glmm.Studies.of(x, n), glmm.Quadrature.of(20)
        root = float(special.logit(x.sum() / n.sum()))
        calls.clear()
        found = glmm.profile_grid(np.array([0.0]), s, q, root, tol=1e-9)[0]
        assert len(calls) <= 2
        assert found.point.beta == pytest.approx(root, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("iterations", [200, 201])
def test_a_cycle_of_the_modes_ends_where_every_step_would_end_it(iterations, monkeypatch):
    """Newton's steps for the mode that cycle are cut short, and the mode is bitwise the one
    the full run of :data:`glmm.MODE_ITERATIONS` steps ends at (which end of the cycle
    depends on their parity)."""
    s, q = glmm.Studies.of([1, 3], [1, 7]), glmm.Quadrature.of(7)
    beta, tau, b0 = -3.5311705192352045, 30.928450228387817, np.array([5.0, 0.0])
    monkeypatch.setattr(glmm, "MODE_ITERATIONS", iterations)
    short = glmm.loglik(beta, tau, s, q, b0)
    monkeypatch.setattr(glmm.np, "array_equal", lambda *_: False)  # every step taken
    full = glmm.loglik(beta, tau, s, q, b0)
    np.testing.assert_array_equal(short.modes, full.modes)
    assert (short.loglik, short.d_beta, short.d_tau) == (full.loglik, full.d_beta, full.d_tau)
    other = 201 if iterations == 200 else 200
    monkeypatch.setattr(glmm, "MODE_ITERATIONS", other)
    assert not np.array_equal(glmm.loglik(beta, tau, s, q, b0).modes, short.modes)  # it cycled
