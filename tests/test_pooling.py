"""What notebook 04 pools (helpers.pooling) and how it is shown (helpers.plots)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from helpers import meta, plots, pooling  # noqa: E402


def test_paper_choices_reproduce_the_paper_denominators(review):
    """unknown as failure: n per modality is Table 2's n; events are complete + partial."""
    data = pooling.events_per_study(review)
    by = data.groupby("modality")[["events", "n"]].sum()
    for modality, n in review.paper_table2["n"].items():
        assert by.loc[modality, "n"] == n
    o = review.outcomes[review.outcomes["response_unit"] == "patients"]
    assert data["events"].sum() == int((o["complete_response"] + o["partial_response"]).sum())


def test_unknown_excluded_drops_unknowns_and_lesion_level_studies(review):
    paper, excluded = pooling.events_per_study(review), pooling.events_per_study(review, unknown="exclude")
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


@pytest.mark.parametrize("kwargs, match", [({"outcome": "cure"}, "unknown outcome 'cure'; allowed: response, complete"),
                                           ({"unknown": "ignore"}, "unknown unknown 'ignore'"),
                                           ({"unit": "eyes"}, "unknown unit 'eyes'"),
                                           ({"method": "bayes"}, "unknown method 'bayes'; allowed: reml, dl, glmm, ft"),
                                           ({"exclude_abstracts": "yes"}, "exclude_abstracts must be True or False")])
def test_settings_reject_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pooling.Settings(**kwargs)


def test_size_bands():
    assert [pooling.size_band(v, None) for v in (0.4, 1.0, 2.0, 5.0, 65.0)] == ["≤ 1 cm", "≤ 1 cm", "1–5 cm", "1–5 cm", "> 5 cm"]
    assert pooling.size_band(float("nan"), None) == "not reported"


def test_groups_cover_modalities_and_multi_modality_families(review):
    groups = pooling.groups(review)
    assert [k for kind, k, _ in groups if kind == "modality"] == list(review.modalities.sort_values("order").index)
    families = [k for kind, k, _ in groups if kind == "family"]
    assert "eswl" not in families and {"sts", "laser", "combined"} <= set(families)


def test_pool_groups_has_every_method_per_group(review):
    table = pooling.pool_groups(pooling.events_per_study(review), review, methods=("crude", "reml"))
    assert (table.groupby(["kind", "group"]).size() == 2).all()
    summary = pooling.summary_table(table)
    single = summary[summary["k"] == 1]
    assert (single["REML"] == "single study").all()


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
    label, result = fits[("modality", "topical_sts")]
    text = pooling.describe(result, label)
    assert f"{result.events} of {result.n} patients" in text and f"{100 * result.proportion:.0f}%" in text
    label, single = fits[("modality", "diode_laser")]
    assert "nothing to pool" in pooling.describe(single, label)
    label, laser = pooling.fit_groups(data, review, "glmm")[("family", "laser")]
    assert "cannot be estimated" in pooling.describe(laser, label)


def test_headline_lists_the_monotherapy_groups(review):
    table = pooling.pool_groups(pooling.events_per_study(review), review, methods=("crude", "reml"))
    head = pooling.headline(table, "reml", "paper")
    assert list(head.columns[:5]) == ["run", "kind", "key", "group", "method"] and set(head["method"]) == {"crude", "reml"}
    assert len(head) == 2 * len(pooling.HEADLINE_GROUPS)


def test_forest_pages_split_long_lists():
    """400 studies stay readable: pages of at most ROWS_PER_PAGE, the pooled row on the last."""
    import numpy as np

    rng = np.random.default_rng(1)
    n = rng.integers(1, 30, 400)
    result = meta.pool_proportions(rng.binomial(n, 0.6), n, method="dl")
    figures = plots.forest_pages(result, "simulated")
    assert len(figures) == -(-400 // plots.ROWS_PER_PAGE)
    first, last = figures[0].axes[0], figures[-1].axes[0]
    assert len(first.get_yticks()) == plots.ROWS_PER_PAGE
    assert last.get_yticklabels()[-1].get_text().startswith("Pooled (dl)")


def test_forest_says_not_estimable(review):
    data = pooling.events_per_study(review)
    label, laser = pooling.fit_groups(data, review, "glmm")[("family", "laser")]
    fig = plots.forest(laser, label)
    assert fig.axes[0].get_yticklabels()[-1].get_text() == "Pooled (glmm): not estimable"


def test_figures_are_saved_as_svg_and_png(tmp_path, review):
    data = pooling.events_per_study(review)
    label, result = pooling.fit_groups(data, review, "reml")[("modality", "eswl")]
    plots.save(plots.forest(result, label), "forest-eswl", tmp_path)
    assert (tmp_path / "figures" / "forest-eswl.svg").stat().st_size > 0
    assert (tmp_path / "figures" / "forest-eswl.png").stat().st_size > 0
    plots.save(plots.forest(result, label), "nothing", None)  # None writes nothing


def test_fit_pools_a_selection(review):
    data = pooling.events_per_study(review)
    eswl = pooling.fit(data, "reml", modality="eswl")
    part = data[data["modality"] == "eswl"]
    assert (eswl.k, eswl.events, eswl.n) == (len(part), part["events"].sum(), part["n"].sum())
    with pytest.raises(ValueError, match="no study matches"):
        pooling.fit(data, "reml", modality="homeopathy")


def test_subgroup_test_takes_every_model(review):
    """Each model the report can show also drives its subgroup test (no fallback in the notebook)."""
    sts = pooling.events_per_study(review).query("family == 'sts'")
    for method in pooling.MODELS:
        table, test = pooling.subgroup_test(sts, "size_band", method=method)
        assert test["method"] == method and len(table) == sts["size_band"].nunique()
