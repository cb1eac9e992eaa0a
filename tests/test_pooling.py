"""What notebook 04 pools (helpers.analysis.pooling) and how it is shown (helpers.report.forest)."""

from __future__ import annotations

import matplotlib

from helpers.analysis.meta import PRIMARY_METHODS, TESTS
from helpers.analysis.pooling import OUTCOMES

matplotlib.use("Agg")

import pytest

from helpers.analysis import meta, pooling
from helpers.report import forest, headline, pooled_results

from tests_support import allowed


def test_paper_choices_reproduce_the_paper_denominators(review):
    """unknown as failure: n per modality is Table 2's n; events are complete + partial."""
    review = review.paper_edition()  # the studies Table 2 describes
    data = pooling.events_per_study(review)
    by = data.groupby("modality")[["events", "n"]].sum()
    for modality, n in review.paper_table2["n"].items():
        assert by.loc[modality, "n"] == n
    o = review.outcomes[review.outcomes["response_unit"] == "patients"]
    assert data["events"].sum() == int((o["complete_response"] + o["partial_response"]).sum())


def test_unknown_excluded_drops_unknowns_and_lesion_level_studies(review):
    paper, excluded = (
        pooling.events_per_study(review),
        pooling.events_per_study(review, unknown="exclude"),
    )
    lesion_refs = set(review.outcomes.index[review.outcomes["response_unit"] == "lesions"])
    assert lesion_refs.isdisjoint(excluded.index) and lesion_refs <= set(paper.index)
    unknown = review.outcomes.loc[excluded.index, "unknown_response"].astype(int).to_numpy()
    assert ((paper.loc[excluded.index, "n"] - excluded["n"]).to_numpy() == unknown).all()
    assert (paper.loc[excluded.index, "events"] == excluded["events"]).all()


def test_lesion_level_uses_lesions(review):
    data = pooling.events_per_study(review, unit="lesions")
    (ref,) = review.outcomes.index[review.outcomes["response_unit"] == "lesions"]
    o = review.outcomes.loc[ref]
    assert data.loc[ref, "n"] == o["lesions"]
    assert data.loc[ref, "events"] == o["lesions_complete_response"] + o["lesions_partial_response"]


def test_complete_only_and_abstracts(review):
    complete = pooling.events_per_study(review, outcome="complete")
    assert complete["events"].sum() == int(review.outcomes["complete_response"].fillna(0).sum())
    no_abstracts = pooling.events_per_study(review, exclude_abstracts=True)
    assert (no_abstracts["publication_type"] == "full_article").all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"outcome": "cure"},
            "outcome = 'cure' is not allowed; " + allowed(OUTCOMES),
        ),
        ({"unknown": "ignore"}, "unknown = 'ignore' is not allowed"),
        ({"unit": "eyes"}, "unit = 'eyes' is not allowed"),
        (
            {"method": "bayes"},
            "method = 'bayes' is not allowed; " + allowed(PRIMARY_METHODS),
        ),
        ({"exclude_abstracts": "yes"}, "exclude_abstracts must be True or False"),
        ({"case_series_only": 1}, "case_series_only must be True or False"),
        ({"test": "t"}, "test = 't' is not allowed; " + allowed(TESTS)),
    ],
)
def test_settings_reject_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pooling.Settings(**kwargs)


def test_size_bands():
    assert [pooling.size_band(v, None) for v in (0.4, 1.0, 2.0, 5.0, 65.0)] == [
        "≤ 1 cm",
        "≤ 1 cm",
        "1–5 cm",
        "1–5 cm",
        "> 5 cm",
    ]
    assert pooling.size_band(float("nan"), None) == "not reported"


def test_groups_cover_modalities_and_multi_modality_families(review):
    groups = pooling.groups(review)
    assert [k for kind, k, _ in groups if kind == "modality"] == list(
        review.modalities.sort_values("order").index
    )
    families = [k for kind, k, _ in groups if kind == "family"]
    assert "eswl" not in families and {"sts", "laser", "combined"} <= set(families)


def test_pool_groups_has_every_method_per_group(review):
    table = pooling.pool_every_method(
        pooling.events_per_study(review), review, methods=("crude", "reml", ("reml", "knha"))
    )
    assert (table.groupby(["kind", "group"]).size() == 3).all()
    summary = pooled_results.summary_table(table)
    single = summary[summary["k"] == 1]
    assert (single["REML (Wald)"] == "single study").all() and (
        single["REML (Hartung–Knapp)"] == "single study"
    ).all()
    assert "DerSimonian–Laird (Wald)" not in summary  # a model not pooled has no column
    full = pooled_results.summary_table(
        pooling.pool_every_method(pooling.events_per_study(review), review)
    )
    assert list(full.columns)[-1] == "GLMM note"


def test_subgroup_test_follows_its_formula(review):
    data = pooling.events_per_study(review)
    table, test = pooling.subgroup_test(data, "family", method="reml")
    tested = table[table["tested"]]
    assert test["df"] == len(tested) - 1 and test["subgroups_tested"] == len(tested)
    # recompute Q from the subgroup fits
    import numpy as np

    est, se = [], []
    for key in tested["subgroup"]:
        part = data[data["family"] == key]
        r = meta.pool_proportions(part["events"], part["n"], method="reml")
        est.append(r.estimate)
        se.append(r.se)
    w = 1 / np.square(se)
    theta = np.sum(w * np.array(est)) / np.sum(w)
    assert test["q"] == pytest.approx(float(np.sum(w * (np.array(est) - theta) ** 2)))


def test_describe_speaks_of_the_numbers(review):
    data = pooling.events_per_study(review)
    fits = pooling.fit_groups(data, review, "reml")
    fit = fits[("modality", "topical_sts")]
    text = pooled_results.describe(fit)
    result = fit.result
    assert (
        f"{result.events} of {result.n} patients" in text
        and f"{100 * result.proportion:.0f}%" in text
    )
    assert "nothing to pool" in pooled_results.describe(fits[("modality", "diode_laser")])
    glmm = pooling.fit_groups(data, review, "glmm", "knha")
    laser = glmm[("family", "laser")]
    assert (
        laser.fallback and laser.result.method == pooling.FALLBACK and laser.result.test == "knha"
    )
    text = pooled_results.describe(laser)
    assert "GLMM cannot be estimated" in text and "REML, Hartung–Knapp interval" in text
    assert laser.primary.reason in text


def test_the_fallback_is_named_and_used_only_where_the_glmm_fails(review):
    data = pooling.events_per_study(review)
    for fit in pooling.fit_groups(data, review, "glmm", "z").values():
        if fit.result.k == 1:
            assert fit.result is fit.primary and fit.note == "single study: nothing to pool"
        elif fit.primary.converged:
            assert not fit.fallback and fit.result.method == "glmm"
        elif pooling.degenerate(fit.result.studies["events"], fit.result.studies["n"]):
            assert not fit.fallback and "support only the crude proportion" in fit.note
            assert "only the crude proportion can be reported" in pooled_results.describe(fit)
        else:
            assert fit.fallback and fit.note.startswith(
                f"GLMM not estimable ({fit.primary.reason})"
            )
            assert fit.result.method == "reml" and fit.result.test == "z" and fit.result.converged
        assert (
            fit.result.pi_dist in ("", f"t({fit.result.k - 1})")
            or fit.result.k == 1
            or not fit.result.converged
        )
    # an inverse-variance primary has no fallback
    assert not any(f.fallback for f in pooling.fit_groups(data, review, "dl").values())


def test_a_large_gap_between_glmm_and_crude_is_explained():
    """Seeded random groups: a paragraph explains exactly when the GLMM is over 10 points from the
    crude proportion."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(11)
    seen = set()
    for _ in range(60):
        k = int(rng.integers(2, 10))
        n = rng.integers(1, 40, k)
        x = rng.binomial(n, rng.uniform(0.02, 0.98, k))
        part = pd.DataFrame({"events": x, "n": n, "label": [f"S{i}" for i in range(k)]})
        fit = pooling.fit_with_fallback(part, "glmm", label="g")
        text = pooled_results.explain_gap(fit)
        if not fit.result.converged or fit.fallback:
            assert text == ""
            continue
        far = abs(fit.result.proportion - fit.crude.proportion) > pooled_results.EXPLAIN_GAP
        seen.add(far)
        assert bool(text) == far
        if text:
            r, c = fit.result, fit.crude
            assert (
                f"{100 * r.marginal_proportion:.0f}%" in text
                and text in pooled_results.describe(fit)
            )
            # each part of the gap is explained where it arises, and only there
            assert (f"tau² = {r.tau2:.2f}" in text) == (
                abs(r.proportion - r.marginal_proportion) >= 0.05
            )
            between = abs(r.marginal_proportion - c.proportion) >= 0.05
            assert (f"{c.events} of {c.n}" in text) == between
            if between:
                plain = float(np.mean(x / n))
                assert ("reported lower proportions" in text) == (c.proportion < plain)
                assert f"{100 * plain:.0f}%" in text
    assert seen == {True, False}


def test_the_paper_groups_far_from_crude_are_explained(review):
    fits = pooling.fit_groups(pooling.events_per_study(review), review)
    far = [
        f
        for f in fits.values()
        if f.result.method == "glmm"
        and f.result.converged
        and f.result.k > 1
        and abs(f.result.proportion - f.crude.proportion) > pooled_results.EXPLAIN_GAP
    ]
    assert far  # topical STS: 0.98 beside a crude 0.81
    assert all("conditional proportion" in pooled_results.describe(f) for f in far)


def test_case_series_only_keeps_studies_of_more_than_one_patient(review):
    data = pooling.events_per_study(review, case_series_only=True)
    n_cases = review.studies.loc[data.index, "n_cases"]
    assert (n_cases > 1).all()
    every = pooling.events_per_study(review)
    assert set(every.index) - set(data.index) == set(
        review.studies.index[review.studies["n_cases"] <= 1]
    ) & set(every.index)


def test_leave_one_out_follows_the_model_shown(review):
    from helpers.analysis import meta

    fits = pooling.fit_groups(pooling.events_per_study(review), review, "glmm", "knha")
    frames = pooling.leave_one_out_groups(fits)
    assert set(frames) == {
        key
        for key, f in fits.items()
        if f.result.k >= pooling.LEAVE_ONE_OUT_MIN and f.result.converged
    }
    for key, frame in frames.items():
        fit = fits[key]
        assert len(frame) == fit.result.k
        s = fit.result.studies
        i = len(frame) // 2
        keep = s.index != s.index[i]
        nodes = fit.result.nodes if fit.result.method == "glmm" else "auto"
        again = meta.pool_proportions(
            s["events"][keep],
            s["n"][keep],
            method=fit.result.method,
            test=fit.result.test,
            profile=False,
            nodes=nodes,
        )
        row = frame.iloc[i]
        assert row["omitted"] == s["label"].iloc[i]
        if again.converged:
            assert row["proportion"] == pytest.approx(again.proportion, rel=1e-6)
        else:
            assert not row["converged"]
        table = pooled_results.leave_one_out_table(fit, frame)
        assert list(table.columns) == pooled_results.LEAVE_ONE_OUT_TABLE and len(table) == len(
            frame
        )


def test_subgroups_both_ways_and_not_reported_apart(review):
    from helpers.analysis import meta

    sts = pooling.events_per_study(review).query("family == 'sts'")
    analysis = pooling.subgroups(sts, "size_band", "glmm", "knha")
    assert pooling.NOT_REPORTED not in set(analysis.table["subgroup"])
    assert list(analysis.excluded["subgroup"]) == (
        [pooling.NOT_REPORTED] if (sts["size_band"] == pooling.NOT_REPORTED).any() else []
    )
    assert list(analysis.table["subgroup"]) == [
        b for b, _ in pooling.SIZE_BANDS if b in set(sts["size_band"])
    ]
    tests = analysis.tests.set_index("test")
    common = [t for t in tests.index if t.startswith("common tau²")]
    assert len(common) == 1 and len(tests) == 3  # GLMM and REML separate, REML common
    kept = sts[sts["size_band"] != pooling.NOT_REPORTED]
    kept = kept[kept.groupby("size_band")["n"].transform("size") >= 2]
    ref = meta.moderator_test(kept["events"], kept["n"], kept["size_band"], method="reml")
    assert (
        tests.loc[common[0], "statistic"] == pytest.approx(ref["qm"])
        and tests.loc[common[0], "df"] == ref["qm_df"]
    )
    sep, q = pooling.subgroup_test(sts, "size_band", method="reml", test="knha")
    assert tests.loc[
        next(t for t in tests.index if "REML, Hartung–Knapp" in t), "statistic"
    ] == pytest.approx(q["q"])
    assert not sep.loc[sep["subgroup"] == pooling.NOT_REPORTED, "tested"].any()
    shown = pooled_results.tests_table(analysis)
    assert len(shown) == 3 and not shown["statistic (df)"].str.contains("nan").any()


def test_headline_lists_every_group_pooled_the_monotherapy_groups_among_them(review):
    fits = pooling.fit_groups(pooling.events_per_study(review), review, "glmm")
    head = headline.headline(fits, "paper")
    assert list(head.columns) == headline.HEADLINE_COLUMNS and set(head["method"]) == set(
        headline.HEADLINE_METHODS
    )
    # each group once per method, in the order of the fits; the compared groups among them
    assert len(head) == len(headline.HEADLINE_METHODS) * len(fits)
    assert list(dict.fromkeys(zip(head["kind"], head["key"], strict=True))) == list(fits)
    assert set(headline.HEADLINE_GROUPS) <= set(fits)
    primary = head[head["method"] == "primary model"].set_index("key")
    assert (
        primary.loc["laser", "model"] == "REML, Hartung–Knapp ad hoc interval"
        and primary.loc["eswl", "model"] == "GLMM"
    )


def test_forest_pages_split_long_lists():
    """400 studies stay readable: pages of at most ROWS_PER_PAGE, the pooled row on the last."""
    import numpy as np

    rng = np.random.default_rng(1)
    n = rng.integers(1, 30, 400)
    result = meta.pool_proportions(rng.binomial(n, 0.6), n, method="dl")
    figures = forest.forest_pages(result, "simulated")
    assert len(figures) == -(-400 // forest.ROWS_PER_PAGE)
    first, last = figures[0].axes[0], figures[-1].axes[0]
    assert len(first.get_yticks()) == forest.ROWS_PER_PAGE
    assert (
        last.get_yticklabels()[-1]
        .get_text()
        .startswith("Pooled (DerSimonian–Laird, Wald interval)")
    )


def test_forest_says_not_estimable(review):
    data = pooling.events_per_study(review)
    laser = pooling.fit_groups(data, review, "glmm")[("family", "laser")]
    fig = forest.forest(laser.primary, laser.label)
    assert fig.axes[0].get_yticklabels()[-1].get_text() == "Pooled (GLMM): not estimable"


def test_figures_are_saved_as_svg_and_png(tmp_path, review):
    data = pooling.events_per_study(review)
    fit = pooling.fit_groups(data, review, "reml")[("modality", "eswl")]
    label, result = fit.label, fit.result
    forest.save(forest.forest(result, label), "forest-eswl", tmp_path)
    assert (tmp_path / "figures" / "forest-eswl.svg").stat().st_size > 0
    assert (tmp_path / "figures" / "forest-eswl.png").stat().st_size > 0
    forest.save(forest.forest(result, label), "nothing", None)  # None writes nothing


def test_fit_pools_a_selection(review):
    data = pooling.events_per_study(review)
    eswl = pooling.fit(data, "reml", modality="eswl")
    part = data[data["modality"] == "eswl"]
    assert (eswl.k, eswl.events, eswl.n) == (len(part), part["events"].sum(), part["n"].sum())
    with pytest.raises(ValueError, match="no study matches"):
        pooling.fit(data, "reml", modality="homeopathy")


def test_subgroup_test_takes_every_model(review):
    """Each model the report can show also drives its subgroup test (no fallback
    in the notebook)."""
    sts = pooling.events_per_study(review).query("family == 'sts'")
    for method in meta.PRIMARY_METHODS:
        table, test = pooling.subgroup_test(sts, "size_band", method=method)
        assert test["method"] == method and len(table) == sts["size_band"].nunique()
        assert list(table.columns) == pooling.SUBGROUP_COLUMNS


def test_a_zero_width_hartung_knapp_interval_is_said_and_never_tested(review):
    """Identical studies give plain HK a scale of 0: the result warns, the subgroup
    test leaves it out."""
    import pandas as pd

    r = meta.pool_proportions([1, 1, 1], [1, 1, 1], method="reml", test="knha")
    assert r.ci_low == r.ci_high and any("Hartung–Knapp scale is 0" in w for w in r.warnings)
    adhoc = meta.pool_proportions([1, 1, 1], [1, 1, 1], method="reml", test="adhoc")
    assert adhoc.ci_low < adhoc.ci_high and not any("scale is 0" in w for w in adhoc.warnings)
    data = pd.DataFrame(
        {
            "events": [1, 1, 1, 3, 2, 5],
            "n": [1, 1, 1, 5, 4, 9],
            "label": list("abcdef"),
            "g": ["x", "x", "x", "y", "y", "y"],
        }
    )
    table, test = pooling.subgroup_test(data, "g", method="reml", test="knha")
    assert list(table["why_not_tested"]) == ["no standard error (the interval has no width)", ""]
    assert test["subgroups_tested"] == 1 and test["df"] == 0


@pytest.mark.parametrize(
    "rows, why",
    [
        ([(1, 1)] * 3, "every study of one patient"),
        ([(0, 4)] * 4, "every study at 0%"),
        ([(0, 1), (1, 1), (1, 1)], "every study of one patient"),
        ([(0, 5), (5, 5)], ""),
        ([(1, 1), (2, 3)], ""),
    ],
)
def test_no_fallback_number_where_the_data_support_only_the_crude_proportion(rows, why):
    """All at 0%, all at 100% or all single-patient: the fallback would report its
    continuity correction."""
    import pandas as pd

    part = pd.DataFrame(rows, columns=["events", "n"]).assign(
        label=lambda d: [f"S{i}" for i in range(len(d))]
    )
    assert pooling.degenerate(part["events"], part["n"]) == why
    fit = pooling.fit_with_fallback(part, "glmm", "knha")
    if why:
        assert not fit.fallback and not fit.result.converged
        text = pooled_results.describe(fit)
        assert (
            "only the crude proportion can be reported" in text
            and f"{100 * fit.crude.proportion:.0f}%" in text
        )
        assert pooled_results.primary_table({("m", "g"): fit})["proportion [95% CI]"].iloc[0] == "–"


def test_the_glmm_wald_test_is_not_printed_where_studies_sit_at_0_or_100(review):
    fits = pooling.fit_groups(pooling.events_per_study(review), review)
    table = pooled_results.primary_table(fits).set_index("group")
    for fit in fits.values():
        r = fit.result
        if r.method != "glmm" or not r.converged or r.k < 2:
            continue
        edge = int(((r.studies["events"] == 0) | (r.studies["events"] == r.studies["n"])).sum())
        text = table.loc[fit.label, "heterogeneity"]
        assert ("Wald QE not informative" in text) == (edge > 0) and "LRT QE" in text


def test_subgroup_values_missing_and_mixed_types():
    import pandas as pd

    part = pd.DataFrame(
        {
            "events": [1, 2, 3, 1, 2, 3],
            "n": [2, 3, 4, 5, 2, 3],
            "label": list("abcdef"),
            "g": [None, float("nan"), 1, "1", 2, 2],
        }
    )
    analysis = pooling.subgroups(part, "g")
    assert list(analysis.table["subgroup"]) == ["1", "2"] and list(analysis.table["k"]) == [2, 2]
    assert (
        list(analysis.excluded["subgroup"]) == [pooling.NOT_REPORTED]
        and analysis.excluded["k"].iloc[0] == 2
    )
    assert list(analysis.tests["subgroups_tested"])[1:] == [
        2,
        2,
    ]  # REML separate and common (the GLMM may fail)
    other = pooling.subgroups(part, "g", exclude=(pooling.NOT_REPORTED, "2"))
    reasons = set(other.excluded.filter(like="not tested").iloc[:, 0])
    assert reasons == {"not reported: not a subgroup", "excluded from the tests"}


def test_subgroups_count_the_studies_at_0_or_100(review):
    sts = pooling.events_per_study(review).query("family == 'sts'")
    analysis = pooling.subgroups(sts, "disease_category")
    for subgroup, count in zip(
        analysis.table["subgroup"], analysis.table["studies at 0% or 100%"], strict=True
    ):
        part = sts[sts["disease_category"] == subgroup]
        assert count == int(((part["events"] == 0) | (part["events"] == part["n"])).sum())
