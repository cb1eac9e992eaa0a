"""helpers.analysis.meta against R's metafor and lme4 (reference values in tests/fixtures, made by
metafor_reference.R).

The tests do not need R: the CSVs in tests/fixtures hold metafor's and lme4's results on
the data sets of meta_datasets.csv (the groups notebook 04 pools, for each sensitivity
choice, and seeded synthetic and sparse sets), metadat_datasets.csv (six real data sets
from the metadat package) and meta_subgroups.csv.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.analysis import glmm, meta
from helpers.analysis.meta import METHODS, PI_TYPES, TESTS

from tests_support import allowed

FIXTURES = Path(__file__).parent / "fixtures"
DATA = pd.concat(
    [pd.read_csv(FIXTURES / "meta_datasets.csv"), pd.read_csv(FIXTURES / "metadat_datasets.csv")]
)
DATA["study"] = DATA["study"].astype(str)
REFERENCE = pd.read_csv(FIXTURES / "metafor_reference.csv")
PROFILES = pd.read_csv(FIXTURES / "lme4_profile.csv")
LEAVE1OUT = pd.read_csv(FIXTURES / "metafor_leave1out.csv")
INFLUENCE = pd.read_csv(FIXTURES / "metafor_influence.csv")
MODERATORS = pd.read_csv(FIXTURES / "metafor_moderators.csv")
SUBGROUPS = pd.read_csv(FIXTURES / "meta_subgroups.csv")
DATASETS = {name: d for name, d in DATA.groupby("dataset", sort=False)}


def ours(dataset: str, method: str, nodes=None, **kwargs) -> meta.PooledProportion:
    d = DATASETS[dataset]
    if nodes is not None and nodes == nodes:
        kwargs["nodes"] = int(nodes)
    return meta.pool_proportions(d["events"], d["n"], method=method, labels=d["study"], **kwargs)


def params(frame: pd.DataFrame, *columns):
    return [
        pytest.param(r, id="-".join(str(getattr(r, c)) for c in columns))
        for r in frame.itertuples()
    ]


def _metafor_qp_bound(ref) -> float:
    """Where metafor's Q-profile search stops: ``max(100, 10 tau²)``; it returns that bound."""
    return max(100.0, 10 * ref.tau2)


IV = REFERENCE[REFERENCE["method"].isin(meta.IV_METHODS)]


@pytest.mark.parametrize("ref", params(IV, "dataset", "method", "test", "pi_type"))
def test_inverse_variance_agrees_with_metafor(ref):
    """Estimate, SE (scaled for knha and adhoc), tau², Q, I², the CI and the PI of each test
    and pi_type, and the Q-profile interval of tau², within 1e-6 of rma() and confint()."""
    assert ref.status == "ok"
    res = ours(ref.dataset, ref.method, test=ref.test, pi_type=ref.pi_type)
    pairs = [
        (res.estimate, ref.estimate),
        (res.se, ref.se),
        (res.tau2, ref.tau2),
        (res.q, ref.q),
        (res.proportion, ref.pred),
        (res.ci_low, ref.ci_lb),
        (res.ci_high, ref.ci_ub),
        (res.pi_low, ref.pi_lb),
        (res.pi_high, ref.pi_ub),
        (res.tau2_ci_low, ref.tau2_lb),
    ]
    if ref.method != "ft":
        pairs.append((res.i2, ref.i2))
    for mine, theirs in pairs:
        assert mine == pytest.approx(theirs, abs=1e-6, rel=1e-6, nan_ok=True)
    if ref.tau2_ub == pytest.approx(_metafor_qp_bound(ref)):
        assert res.tau2_ci_high >= ref.tau2_ub  # metafor stopped at its search bound; we search on
    else:
        assert res.tau2_ci_high == pytest.approx(ref.tau2_ub, abs=1e-5, rel=1e-5)
    assert res.ci_dist == ("normal" if ref.test == "z" else f"t({res.k - 1})")
    assert res.pi_dist == (
        "normal" if ref.test == "z" and ref.pi_type == "default" else f"t({res.k - 1})"
    )


def test_the_fixtures_cover_each_test_and_the_search_bound():
    assert set(IV["test"]) == set(meta.TESTS) and set(IV["pi_type"]) == set(meta.PI_TYPES)
    assert (IV["tau2_ub"] == IV.apply(_metafor_qp_bound, axis=1)).any()
    assert REFERENCE["dataset"].str.startswith("metadat:").sum() >= 6 * 12


def test_adhoc_is_never_narrower_than_wald():
    for name in DATASETS:
        z, adhoc = (ours(name, "reml", test=t) for t in ("z", "adhoc"))
        if z.k > 1:
            assert adhoc.ci_high - adhoc.ci_low >= z.ci_high - z.ci_low - 1e-12
    # and plain Hartung-Knapp can be narrower: the reason the ad hoc variant exists
    narrower = [
        name
        for name in DATASETS
        if (lambda z, k: k.ci_high - k.ci_low < z.ci_high - z.ci_low)(
            ours(name, "reml"), ours(name, "reml", test="knha")
        )
    ]
    assert narrower


# ------------------------------------------------------------ GLMM


def _metafor_estimable(ref) -> bool:
    """metafor gave a finite maximum: no error or warning, and estimates within the limits."""
    return (
        ref.status == "ok"
        and abs(ref.estimate) <= glmm.BETA_LIMIT
        and ref.tau2 <= glmm.TAU_LIMIT**2
    )


def _loglik(dataset: str, nodes: int, beta: float, tau2: float) -> float:
    d = DATASETS[dataset]
    s = glmm.Studies.of(d["events"].to_numpy(), d["n"].to_numpy())
    return (
        glmm.loglik(beta, math.sqrt(tau2), s, glmm.Quadrature.of(int(nodes))).loglik + s.constant()
    )


def _agrees_or_better(res, ref) -> str:
    """'agrees': within 1e-4 of metafor on the estimate and tau²; 'higher': a higher maximum of
    the same quadrature likelihood than the one lme4 stopped at (it starts nearby and stops at
    a local maximum, or stops early on a flat ridge); '' otherwise."""
    if abs(res.estimate - ref.estimate) < 1e-4 and abs(res.tau2 - ref.tau2) < 1e-4:
        return "agrees"
    if _loglik(ref.dataset, ref.nagq, res.estimate, res.tau2) >= _loglik(
        ref.dataset, ref.nagq, ref.estimate, ref.tau2
    ):
        return "higher"
    return ""


GLMM = REFERENCE[REFERENCE["method"] == "glmm"]


@pytest.mark.parametrize("ref", params(GLMM, "dataset", "nagq"))
def test_glmm_agrees_with_metafor(ref):
    res = ours(ref.dataset, "glmm", nodes=ref.nagq, profile=False)
    if ref.status != "error":  # the heterogeneity tests are computed before the model
        assert res.qe_lrt == pytest.approx(ref.qe_lrt, abs=1e-6, rel=1e-6)
        assert res.qe_wld == pytest.approx(ref.qe_wld, abs=1e-4, rel=1e-4)
        assert math.isnan(res.q)
    if _metafor_estimable(ref) and res.converged:
        verdict = _agrees_or_better(res, ref)
        assert verdict, (res.estimate, ref.estimate, res.tau2, ref.tau2)
        if verdict == "agrees":
            assert res.proportion == pytest.approx(ref.pred, abs=1e-4)
            assert (res.ci_low, res.ci_high) == (
                pytest.approx(ref.ci_lb, abs=1e-4),
                pytest.approx(ref.ci_ub, abs=1e-4),
            )
    elif _metafor_estimable(ref):
        # we found a higher maximum of the same likelihood, beyond the limits reported
        assert res.status == "beyond_limits"
        f = glmm.fit(
            DATASETS[ref.dataset]["events"].to_numpy(),
            DATASETS[ref.dataset]["n"].to_numpy(),
            int(ref.nagq),
        )
        assert f.loglik >= _loglik(ref.dataset, ref.nagq, ref.estimate, ref.tau2)
        assert "lower local maximum" in res.reason
    else:
        # metafor failed, warned, or returned a runaway number: we say it is not estimable
        assert not res.converged and res.reason
        assert math.isnan(res.proportion) and math.isnan(res.estimate)


def test_glmm_agreement_is_exact_almost_everywhere():
    """Where we part from lme4 it is on the review's sparsest groups (most studies of one
    patient), where the 7-node likelihood has several maxima; everywhere else we agree."""
    outcomes = {}
    for ref in GLMM.itertuples():
        if _metafor_estimable(ref):
            res = ours(ref.dataset, "glmm", nodes=ref.nagq, profile=False)
            outcomes[(ref.dataset, ref.nagq)] = (
                _agrees_or_better(res, ref) if res.converged else "beyond"
            )
    differ = [k for k, v in outcomes.items() if v != "agrees"]
    assert len(differ) <= 8 and all(name.startswith("review:") for name, _ in differ), differ
    assert sum(v == "agrees" for v in outcomes.values()) >= 85


def test_glmm_references_cover_both_outcomes():
    estimable = GLMM.apply(_metafor_estimable, axis=1)
    assert estimable.sum() >= 40 and (~estimable).sum() >= 10


def test_the_paper_laser_glmm_is_degenerate():
    """metafor prints a number for the paper's lasers (logit ~60-75, p = 1.00); we do not."""
    ref = GLMM[GLMM["dataset"] == "review:paper:laser"]
    assert (ref["estimate"] > glmm.BETA_LIMIT).all()
    res = ours("review:paper:laser", "glmm")
    assert (
        not res.converged
        and res.status == "no_finite_maximum"
        and "no finite maximum" in res.reason
    )


def _drop(f: glmm.GlmmFit, parameter: str, value: float) -> float:
    """How far the profile log-likelihood at ``value`` lies below the maximum."""
    s, q = f.studies, f.quadrature
    if parameter == "tau":
        starts = np.linspace(-glmm.BETA_LIMIT, glmm.BETA_LIMIT, 61)
        return f.loglik - (glmm.profile_best(value, s, q, starts).point.loglik + s.constant())
    return f.loglik - (glmm._max_over_tau(s, q, value, f.tau) + s.constant())


@pytest.mark.parametrize("ref", params(PROFILES[PROFILES["status"] == "ok"], "dataset"))
def test_glmm_profile_intervals_agree_with_lme4(ref):
    """The profile-likelihood intervals of the intercept and of tau, as lme4's
    confint(method="profile"). lme4 interpolates its profile with splines, which is close
    (2e-3) where the profile is smooth; where it is not (the review's sparse groups) our
    end is the exact crossing and lme4's is not."""
    from scipy import stats

    d = DATASETS[ref.dataset]
    f = glmm.fit(d["events"].to_numpy(), d["n"].to_numpy(), 7)
    if not f.estimable or abs(f.beta - ref.beta) > 1e-3:
        pytest.skip("a different maximum (see test_glmm_agrees_with_metafor)")
    target = stats.chi2.ppf(0.95, 1) / 2
    ends = [("beta", e) for e in glmm.profile_interval(f, "beta")] + [
        ("tau", e) for e in glmm.profile_interval(f, "tau")
    ]
    for (parameter, mine), theirs in zip(
        ends, (ref.beta_lb, ref.beta_ub, ref.tau_lb, ref.tau_ub), strict=True
    ):
        if mine == pytest.approx(theirs, abs=2e-3, rel=2e-3):
            continue
        if math.isinf(
            mine
        ):  # open beyond the limits reported: lme4's end lies beyond them too, or the
            limit = glmm.TAU_LIMIT if parameter == "tau" else math.copysign(glmm.BETA_LIMIT, mine)
            assert abs(theirs) > abs(limit) or _drop(f, parameter, limit) < target
            continue
        assert (parameter == "tau" and mine == 0) or _drop(f, parameter, mine) == pytest.approx(
            target, abs=1e-6
        )
        assert abs(_drop(f, parameter, theirs) - target) > 1e-3, (parameter, mine, theirs)


def test_profile_interval_ends_are_where_the_likelihood_drops_by_the_chi2_quantile():
    from scipy import stats

    d = DATASETS["synthetic:06:k20-p0.6-tau0.8"]
    f = glmm.fit(d["events"].to_numpy(), d["n"].to_numpy(), 20)
    s, q = f.studies, f.quadrature
    drop = stats.chi2.ppf(0.95, 1) / 2
    for tau in glmm.profile_interval(f, "tau"):
        p = glmm.profile(tau, s, q, f.beta).point
        assert f.loglik - (p.loglik + s.constant()) == pytest.approx(drop, abs=1e-7)


def test_the_profile_covers_enough_of_the_fixtures():
    assert (PROFILES["status"] == "ok").sum() >= 30


# ------------------------------------------------------------ leave-one-out, influence, subgroups


def by_fit(frame: pd.DataFrame) -> list:
    """One parameter per (dataset, method, test): the reference rows of that fit."""
    return [
        pytest.param(key, rows, id="-".join(map(str, key)))
        for key, rows in frame.groupby(["dataset", "method", "test"], sort=False)
    ]


@pytest.mark.parametrize("key, ref", by_fit(LEAVE1OUT))
def test_leave_one_out_agrees_with_metafor(key, ref):
    dataset, method, test = key
    d = DATASETS[dataset]
    out = meta.leave_one_out(
        d["events"],
        d["n"],
        method=method,
        test=test,
        labels=d["study"],
        **({"nodes": 7} if method == "glmm" else {}),
    )
    assert list(out.columns) == meta.LEAVE_ONE_OUT_COLUMNS and list(out["omitted"]) == list(
        d["study"]
    )
    for r, (_, o) in zip(ref.itertuples(), out.iterrows(), strict=True):
        if method == "glmm":
            estimable = (
                r.status == "ok" and abs(r.pred - 0.5) < 0.5 - 1e-6 and r.tau2 <= glmm.TAU_LIMIT**2
            )
            if not (estimable and o["converged"]):
                continue  # compared fit by fit in test_glmm_agrees_with_metafor
            assert (
                o["proportion"] == pytest.approx(r.pred, abs=1e-4) or o["status"] == "beyond_limits"
            )
        elif not math.isnan(r.pred):  # metafor's REML gave up where tau² is huge; ours did not
            for mine, theirs in [
                (o["proportion"], r.pred),
                (o["ci_low"], r.ci_lb),
                (o["ci_high"], r.ci_ub),
                (o["tau2"], r.tau2),
                (o["q"], r.q),
                (o["i2"], r.i2),
            ]:
                assert mine == pytest.approx(theirs, abs=1e-6, rel=1e-5)


@pytest.mark.parametrize("key, ref", by_fit(INFLUENCE))
def test_influence_agrees_with_metafor(key, ref):
    dataset, method, test = key
    d = DATASETS[dataset]
    out = meta.influence(d["events"], d["n"], method=method, test=test)
    assert list(out.columns) == meta.INFLUENCE_COLUMNS
    for r, (_, o) in zip(ref.itertuples(), out.iterrows(), strict=True):
        if math.isnan(r.tau2_del):
            continue  # metafor's REML gave up without this study
        for col in (
            "rstudent",
            "dffits",
            "cook_d",
            "cov_r",
            "tau2_del",
            "qe_del",
            "hat",
            "weight",
            "dfbetas",
        ):
            assert o[col] == pytest.approx(getattr(r, col), abs=1e-6, rel=1e-6, nan_ok=True), col
        assert bool(o["influential"]) == bool(r.influential)


@pytest.mark.parametrize("ref", params(MODERATORS, "dataset", "method"))
def test_common_tau2_subgroup_test_agrees_with_metafor(ref):
    d = SUBGROUPS[SUBGROUPS["dataset"] == ref.dataset]
    res = meta.moderator_test(d["events"], d["n"], d["group"], method=ref.method)
    assert res["qm"] == pytest.approx(ref.qm, abs=1e-6, rel=1e-6)
    assert res["qm_df"] == ref.qm_df and res["qe_df"] == ref.qe_df
    assert res["tau2"] == pytest.approx(ref.tau2, abs=1e-8, rel=1e-6)
    assert res["qe"] == pytest.approx(ref.qe, rel=1e-9)
    # each group's proportion: its studies' weighted mean logit under the common tau²
    from scipy import stats

    yi, vi = meta.escalc_plo(d["events"].to_numpy(float), d["n"].to_numpy(float))
    z = stats.norm.ppf(0.975)
    for group, (k, proportion, low, high) in res["groups"].items():
        part = (d["group"] == group).to_numpy()
        w = 1 / (vi[part] + res["tau2"])
        mu, se = np.sum(w * yi[part]) / np.sum(w), 1 / np.sqrt(np.sum(w))
        assert k == part.sum() and proportion == pytest.approx(meta.expit(mu), rel=1e-9)
        assert (low, high) == (
            pytest.approx(meta.expit(mu - z * se), rel=1e-9),
            pytest.approx(meta.expit(mu + z * se), rel=1e-9),
        )


# ------------------------------------------------------------ the result and its inputs


def test_automatic_nodes_stop_where_the_fit_stops_moving():
    """nodes="auto" doubles the nodes until two fits agree; twice as many changes nothing."""
    for name in [n for n in DATASETS if n.startswith("review:paper:")]:
        auto = ours(name, "glmm", profile=False)
        if auto.converged and auto.nodes < glmm.MAX_AUTO_NODES:
            more = ours(name, "glmm", nodes=min(2 * auto.nodes, glmm.MAX_NODES), profile=False)
            assert auto.estimate == pytest.approx(more.estimate, abs=10 * glmm.NODES_TOLERANCE)
            assert auto.tau2 == pytest.approx(
                more.tau2, rel=10 * glmm.NODES_TOLERANCE, abs=10 * glmm.NODES_TOLERANCE
            )


def test_crude_has_exact_and_wilson_intervals_as_fields():
    from statsmodels.stats.proportion import proportion_confint

    res = meta.pool_proportions([3, 5], [10, 10], method="crude")
    lo, hi = proportion_confint(8, 20, method="beta")
    wlo, whi = proportion_confint(8, 20, method="wilson")
    assert (res.proportion, res.ci_low, res.ci_high) == (0.4, pytest.approx(lo), pytest.approx(hi))
    assert (res.wilson_low, res.wilson_high) == (pytest.approx(wlo), pytest.approx(whi))
    assert not any("Wilson" in w for w in res.warnings)
    assert {"wilson_low", "wilson_high"} <= set(res.to_frame())


def test_all_events_is_not_estimable_by_glmm():
    res = meta.pool_proportions([1, 1, 5], [1, 1, 5], method="glmm")
    assert (
        not res.converged
        and res.status == "no_finite_maximum"
        and "no finite maximum" in res.reason
    )
    assert "not estimable" in repr(res)


def test_single_patient_studies_are_not_identifiable():
    """Every study of one patient: tau is not identifiable, and no standard error is printed."""
    res = meta.pool_proportions([1, 0, 1, 1, 1, 0, 1], [1] * 7, method="glmm")
    assert res.status == "not_identifiable" and not res.converged
    assert math.isnan(res.se) and math.isnan(res.ci_low) and "one patient" in res.reason


def test_a_finite_maximum_beyond_the_limits_is_named_as_such():
    """Eight studies, seven at 0% or 100%: the likelihood peaks beyond tau = 10. The fit says
    where, and does not call it 'no finite maximum'."""
    events, n = [4, 3, 0, 5, 2, 3, 0, 1], [4, 3, 5, 5, 2, 3, 6, 5]
    f = glmm.fit(events, n, 20)
    assert (
        f.status == "beyond_limits"
        and "peaks at" in f.reason
        and "no finite maximum" not in f.reason
    )
    assert f.tau > glmm.TAU_LIMIT


def test_marginal_proportion_lies_between_conditional_and_one_half():
    d = DATASETS["metadat:pritz1997"]
    res = meta.pool_proportions(d["events"], d["n"], method="glmm")
    assert res.converged and res.tau2 > 0
    assert 0.5 < res.marginal_proportion < res.proportion
    assert res.marginal_ci_low < res.marginal_proportion < res.marginal_ci_high


def test_result_becomes_a_frame():
    frame = meta.pool_proportions([3, 5, 7], [10, 10, 10], method="reml", test="knha").to_frame()
    assert (
        list(frame["method"]) == ["reml"]
        and list(frame["test"]) == ["knha"]
        and frame.shape[0] == 1
    )
    assert {
        "proportion",
        "ci_low",
        "ci_high",
        "tau2",
        "tau2_ci_low",
        "tau2_ci_high",
        "i2",
        "q_pvalue",
        "pi_low",
        "pi_high",
        "pi_dist",
        "ci_dist",
        "status",
        "reason",
        "converged",
        "warnings",
    } <= set(frame)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"method": "bayes"},
            "method = 'bayes' is not allowed; " + allowed(METHODS),
        ),
        ({"level": 1.5}, "level must be between 0 and 1"),
        ({"level": True}, "level must be between 0 and 1"),
        ({"nodes": 0}, "nodes must be a whole number from 1 to 200 or 'auto'"),
        ({"nodes": 201}, "nodes must be a whole number from 1 to 200"),
        ({"nodes": "7"}, "nodes must be a whole number"),
        ({"nodes": 7.0}, "nodes must be a whole number"),
        ({"nodes": True}, "nodes must be a whole number"),
        ({"test": "t"}, "test = 't' is not allowed; " + allowed(TESTS)),
        ({"test": "knha"}, "test='knha' is for the inverse-variance methods"),
        ({"pi_type": "riley"}, "pi_type = 'riley' is not allowed; " + allowed(PI_TYPES)),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        meta.pool_proportions([1, 2], [3, 4], **{"method": "glmm", **kwargs})


def test_numpy_integers_are_accepted_as_nodes_and_counts():
    a = meta.pool_proportions(
        np.array([3, 5, 7], dtype=np.int32),
        np.array([10, 10, 12], dtype=np.int64),
        method="glmm",
        nodes=np.int64(7),
        profile=False,
    )
    b = meta.pool_proportions([3, 5, 7], [10.0, 10.0, 12.0], method="glmm", nodes=7, profile=False)
    assert a.nodes == 7 and a.estimate == b.estimate


@pytest.mark.parametrize(
    "events, n, match",
    [
        ([1], [0], "n >= 1"),
        ([5], [3], "events <= n"),
        ([1.5], [3], "whole"),
        ([], [], "no studies"),
        (["1", "2"], [3, 4], "whole numbers"),
        ([True, 1], [3, 4], "whole numbers"),
        ([1, 2], [3, math.inf], "finite"),
        ([1, math.nan], [3, 4], "missing"),
        ("12", "34", "not a string"),
        ([1, 2], [3, 10**13], "at most"),
        ([1, None], [3, 4], "whole numbers"),
    ],
)
@pytest.mark.parametrize("method", meta.METHODS)
def test_bad_counts_are_named(events, n, match, method):
    with pytest.raises(ValueError, match=match):
        meta.pool_proportions(events, n, method=method)


def test_ipft_inverts_the_transformation():
    x, m = np.array([0.0, 3.0, 10.0]), np.array([10.0, 10.0, 10.0])
    y, _ = meta.escalc_pft(x, m)
    assert meta.ipft(y, 10.0) == pytest.approx(x / m, abs=0.02)


def test_glmm_handles_billions_of_patients():
    """The likelihood is written so that nothing cancels. With 1e10 patients per study the
    studies' logits are known almost exactly, so the maximum is their mean and their
    (population) standard deviation; a fit that lost precision would stop elsewhere."""
    rng = np.random.default_rng(3)
    for _ in range(5):
        k = int(rng.integers(3, 10))
        logits = rng.normal(0.3, 0.5, size=k)
        n = np.full(k, 1e10)
        x = np.round(n / (1 + np.exp(-logits)))
        observed = np.log(x / (n - x))
        f = glmm.fit(x, n, 7)
        assert f.status == "ok"
        assert f.beta == pytest.approx(observed.mean(), abs=1e-4)
        assert f.tau == pytest.approx(observed.std(), rel=1e-3)


def test_glmm_gradient_is_the_derivative_of_its_likelihood():
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = rng.integers(1, 60, size=int(rng.integers(2, 12)))
        s = glmm.Studies.of(rng.binomial(n, 0.6), n)
        q = glmm.Quadrature.of(int(rng.choice([1, 3, 7, 20])))
        beta, tau, h = rng.normal(), abs(rng.normal()) + 0.05, 1e-6
        p = glmm.loglik(beta, tau, s, q)
        assert p.d_beta == pytest.approx(
            (glmm.loglik(beta + h, tau, s, q).loglik - glmm.loglik(beta - h, tau, s, q).loglik)
            / (2 * h),
            abs=1e-5,
            rel=1e-5,
        )
        assert p.d_tau == pytest.approx(
            (glmm.loglik(beta, tau + h, s, q).loglik - glmm.loglik(beta, tau - h, s, q).loglik)
            / (2 * h),
            abs=1e-5,
            rel=1e-5,
        )


@pytest.mark.parametrize("seed", range(20))
def test_glmm_t_prediction_interval_uses_k_minus_1_df(seed):
    """pi_type="t" for the GLMM: expit(beta ± t(k-1)·sqrt(se² + tau²)); the default stays normal."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 15))
    n = rng.integers(3, 60, k)
    x = rng.binomial(n, rng.uniform(0.2, 0.8))
    z, t = (meta.pool_proportions(x, n, pi_type=p, profile=False) for p in ("default", "t"))
    assert (z.estimate, z.se, z.tau2) == (t.estimate, t.se, t.tau2)
    assert z.pi_dist == "normal" and t.pi_dist == f"t({k - 1})"
    half = stats.t.ppf(0.975, k - 1) * np.sqrt(t.se**2 + t.tau2)
    assert t.pi_low == pytest.approx(meta.expit(t.estimate - half), rel=1e-12)
    assert t.pi_high == pytest.approx(meta.expit(t.estimate + half), rel=1e-12)
    assert t.pi_low <= z.pi_low and t.pi_high >= z.pi_high
