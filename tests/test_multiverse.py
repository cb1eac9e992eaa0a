"""The multiverse: its specifications against a brute-force enumeration on small random
reviews, the cache and the process pool that never change a number, the design choice, the
specification curve and the escaping of text from the data."""

from __future__ import annotations

import dataclasses
import itertools
import math
import statistics

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers.analysis import multiverse as mv
from helpers.analysis import pooling
from helpers.analysis.meta import pool_proportions
from helpers.report import multiverse as report
from helpers.report.figures import FigureImage, description

#: The modalities of the small reviews: two of one family (so the family is a group too) and
#: one of another.
MODALITIES = ("topical_sts", "intralesional_sts", "eswl")
FAST = [("crude", "z"), ("reml", "z")]
#: Small reviews checked against the brute force: every fourth with REML beside the crude
#: proportion, the first with the GLMM too (its fits, and 48 calls of events_per_study per
#: review on each side, set how many fit in the file's minute).
N_REVIEWS = 40
HOSTILE = '<script>alert("x")</script> & "quoted" \'single\' $\\nosuchcommand{x}^2$'


def small_review(review, seed: int, n_studies: int | None = None):
    """A random small review built from the real one's tables: a few of its studies, with
    random modalities, designs, sizes, publication types, units and responses."""
    rng = np.random.default_rng(seed)
    k = n_studies or int(rng.integers(1, 7))
    refs = list(rng.choice(review.studies.index, size=k, replace=False))
    studies = review.studies.loc[refs].copy()
    outcomes = review.outcomes.loc[refs].copy()
    fams = review.modalities["family"]
    for ref in refs:
        modality = MODALITIES[int(rng.integers(0, len(MODALITIES)))]
        design = ("case_report", "case_series", "controlled_trial")[int(rng.integers(0, 3))]
        n = 1 if design == "case_report" else int(rng.integers(2, 7))
        studies.loc[ref, ["modality", "family", "design", "n_cases"]] = [
            modality,
            fams[modality],
            design,
            n,
        ]
        studies.loc[ref, "publication_type"] = (
            "conference_abstract" if rng.random() < 0.3 else "full_article"
        )
        cells = rng.multinomial(n, rng.dirichlet(np.ones(4)))
        lesion_unit = rng.random() < 0.2
        lesions = rng.multinomial(int(rng.integers(1, 9)), rng.dirichlet(np.ones(3)))
        outcomes.loc[ref, "response_unit"] = "lesions" if lesion_unit else "patients"
        for column, value in zip(
            ("complete_response", "partial_response", "no_response", "unknown_response"),
            cells,
            strict=True,
        ):
            outcomes.loc[ref, column] = pd.NA if lesion_unit else int(value)
        outcomes.loc[ref, "lesions"] = int(lesions.sum()) if lesion_unit else pd.NA
        for column, value in zip(
            ("lesions_complete_response", "lesions_partial_response", "lesions_no_response"),
            lesions,
            strict=True,
        ):
            outcomes.loc[ref, column] = int(value) if lesion_unit else pd.NA
    diseases = review.diseases[review.diseases.index.isin(refs)]
    return dataclasses.replace(review, studies=studies, outcomes=outcomes, diseases=diseases)


def brute_force(review, models, level: float = 0.95) -> pd.DataFrame:
    """Every specification by plain nested loops: events_per_study and pool_proportions
    called directly, no cache."""
    combos = list(
        itertools.product(
            pooling.OUTCOMES, pooling.UNKNOWN, pooling.UNITS, (False, True), pooling.DESIGNS
        )
    )
    data = {
        c: pooling.events_per_study(review, c[0], c[1], c[2], exclude_abstracts=c[3], design=c[4])
        for c in combos
    }
    rows = []
    for kind, key, _ in pooling.groups(review):
        if all((d[kind] == key).sum() == 0 for d in data.values()):
            continue
        for c in combos:
            part = data[c][data[c][kind] == key]
            subsets = [part] + (
                [part.drop(index=r) for r in part.index]
                if len(part) >= pooling.LEAVE_ONE_OUT_MIN
                else []
            )
            for subset in subsets:
                for method, test in models:
                    if len(subset) < 2:  # no study, or a single study: nothing to pool
                        rows.append((kind, key, False, math.nan, math.nan, math.nan))
                        continue
                    r = pool_proportions(
                        subset["events"],
                        subset["n"],
                        method=method,
                        test=test,
                        pi_type=pooling.PI_TYPE,
                        level=level,
                        profile=False,
                    )
                    ok = r.converged and all(
                        math.isfinite(v) for v in (r.proportion, r.ci_low, r.ci_high)
                    )
                    rows.append((kind, key, ok, r.proportion, r.ci_low, r.ci_high))
    return pd.DataFrame(rows, columns=["kind", "group", "estimable", "proportion", "lo", "hi"])


def test_counts_and_summary_match_a_brute_force_enumeration(review):
    checked = 0
    for seed in range(N_REVIEWS):
        small = small_review(review, seed, n_studies=3 if seed == 0 else None)
        models = (
            [("crude", "z"), ("glmm", "z"), ("reml", "knha"), ("reml", "z")]
            if seed == 0
            else FAST
            if seed % 4 == 1
            else [("crude", "z")]
        )
        got = mv.multiverse(small, models=models, workers=1)
        expected = brute_force(small, models)
        assert len(got.table) == len(expected), seed
        assert list(got.table["estimable"]) == list(expected["estimable"]), seed
        # the multiverse fits the studies sorted by their counts: the same numbers, but for
        # the order of floating-point sums
        for column, brute in (("proportion", "proportion"), ("ci_low", "lo"), ("ci_high", "hi")):
            np.testing.assert_allclose(got.table[column], expected[brute], rtol=1e-9, atol=1e-12)
        summary = got.summary().set_index(["kind", "group"])
        for (kind, key), part in expected.groupby(["kind", "group"], sort=False):
            row = summary.loc[(kind, key)]
            ok = part[part["estimable"]]
            assert row["specifications"] == len(part)
            assert row["estimable"] == len(ok)
            assert row["not_estimable"] == len(part) - len(ok)
            if len(ok):
                assert row["share_above"] == (ok["lo"] > mv.MAJORITY).sum() / len(ok)
                assert row["share_below"] == (ok["hi"] < mv.MAJORITY).sum() / len(ok)
                assert row["median"] == pytest.approx(ok["proportion"].median(), rel=1e-9)
            else:
                assert math.isnan(row["share_above"]) and math.isnan(row["median"])
        assert list(summary.index) == list(
            dict.fromkeys(zip(expected["kind"], expected["group"], strict=True))
        )
        checked += len(got.table)
    assert checked > 5_000  # the small reviews are not all empty


def moves_most_by_hand(part: pd.DataFrame) -> tuple:
    """The summary's choice that moves the estimate most, by plain loops over a group's
    estimable rows: per choice, the median of each option; the widest range of those
    medians (ties: the first choice); the options at its low and high end (the first
    option reaching each)."""
    best = ("", math.nan, "", "")
    for choice in mv.CHOICES:
        by_option: dict = {}
        for row in part.itertuples(index=False):
            if choice == "model":
                option = mv.model_key(row.method, row.test)
            elif choice == "omitted":
                option = -1 if pd.isna(row.omitted_ref) else int(row.omitted_ref)
            else:
                option = getattr(row, choice)
            words = row.omitted if choice == "omitted" else option
            by_option.setdefault(option, (words, []))[1].append(row.proportion)
        medians = {o: (w, statistics.median(v)) for o, (w, v) in by_option.items()}
        if len(medians) < 2:
            continue
        values = [m for _, m in medians.values()]
        spread = max(values) - min(values)
        if math.isnan(best[1]) or spread > best[1]:
            low = next(w for w, m in medians.values() if m == min(values))
            high = next(w for w, m in medians.values() if m == max(values))
            best = (choice, spread, str(low), str(high))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_the_choice_that_moves_the_estimate_most_matches_plain_loops(review, seed):
    small = small_review(review, 100 + seed, n_studies=4 + seed % 3)
    m = mv.multiverse(small, models=FAST if seed % 2 else [("crude", "z")], workers=1)
    summary = m.summary()
    checked = 0
    for (_, part), (_, row) in zip(
        m.table.groupby(["kind", "group"], sort=False), summary.iterrows(), strict=True
    ):
        choice, spread, low, high = moves_most_by_hand(part[part["estimable"]])
        assert (row["choice"], row["choice_low"], row["choice_high"]) == (choice, low, high)
        if choice:
            assert row["choice_range"] == pytest.approx(spread, abs=1e-12)
            checked += 1
        else:
            assert math.isnan(row["choice_range"])
    assert checked  # some group has a choice that moves something


def test_the_level_reaches_every_fit(review):
    small = small_review(review, 1, n_studies=5)
    models = [("crude", "z"), ("reml", "knha"), ("reml", "z")]
    got = mv.multiverse(small, models=models, level=0.8, workers=1).table
    expected = brute_force(small, models, level=0.8)
    assert got["estimable"].any()
    for column, brute in (("ci_low", "lo"), ("ci_high", "hi")):
        np.testing.assert_allclose(got[column], expected[brute], rtol=1e-9, atol=1e-12)


def test_a_group_a_choice_leaves_empty_has_not_estimable_rows_with_no_study(review):
    for seed in range(40):
        small = small_review(review, seed, n_studies=3)
        t = mv.multiverse(small, models=FAST, workers=1).table
        empty = t[t["k"] == 0]
        if len(empty):
            assert not empty["estimable"].any()
            assert (empty["warnings"] == mv.NO_STUDY).all()
            assert (empty["omitted"] == mv.NONE_OMITTED).all()
            return
    pytest.fail("no small review had a group a choice leaves empty")


def test_a_single_study_is_not_pooled_by_any_model(review):
    """Er:YAG laser is one patient of one study: no model makes a pooled proportion of it
    (REML's continuity correction made 75% of 1 of 1)."""
    t = mv.multiverse(review, models=pooling.ALL_MODELS, workers=1, leave_one_out=False).table
    single = t[t["k"] == 1]
    assert len(single) and single["group"].eq("er_yag_laser").any()
    assert not single["estimable"].any()
    assert single["proportion"].isna().all() and single["ci_low"].isna().all()
    assert (single["warnings"] == pooling.SINGLE_STUDY_NOTE).all()
    assert (single["n"] > 0).all()  # the study's counts stay
    assert t.loc[t["k"] >= 2, "estimable"].any()
    text = report.counts_text(mv.Multiverse(t, fits=1))
    assert f"{len(single)} because they leave it a single study" in text
    summary = mv.summary(t)
    for row, (_, s) in zip(report.front_page_rows(summary), summary.iterrows(), strict=True):
        none = bool(s["estimable"] == 0)
        assert (row[3] == "no estimate") is none
        assert (row[-1] == "none (no specification has an estimate)") is none
    assert (summary["estimable"] == 0).any()


def test_the_process_pool_and_the_cache_never_change_a_result(review):
    for seed, models in ((3, [("glmm", "z"), ("ft", "z")]), (11, FAST)):
        small = small_review(review, seed, n_studies=4)
        one = mv.multiverse(small, models=models, workers=1)
        two = mv.multiverse(small, models=models, workers=2)
        uncached = mv.multiverse(small, models=models, workers=1, cache=False)
        pd.testing.assert_frame_equal(one.table, two.table)
        pd.testing.assert_frame_equal(one.table, uncached.table)
        pd.testing.assert_frame_equal(one.summary(), two.summary())
        assert one.fits < uncached.fits == len(one.table)


class _NoPool:
    """A process pool that cannot start, as where semaphores or fork are not allowed."""

    def __init__(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")


class _BrokenPool:
    """A process pool whose workers die (killed, out of memory) while fitting."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, *args, **kwargs):
        raise mv.BrokenProcessPool("a worker died")


@pytest.mark.parametrize("pool", [_NoPool, _BrokenPool])
def test_a_pool_that_cannot_start_or_breaks_leaves_the_fits_to_this_process(
    review, monkeypatch, pool
):
    small = small_review(review, 11, n_studies=4)
    one = mv.multiverse(small, models=FAST, workers=1)
    monkeypatch.setattr(mv, "ProcessPoolExecutor", pool)
    two = mv.multiverse(small, models=FAST, workers=2)
    pd.testing.assert_frame_equal(one.table, two.table)
    assert two.fits == one.fits


def test_one_core_allowed_starts_no_pool(review, monkeypatch):
    small = small_review(review, 11, n_studies=4)
    one = mv.multiverse(small, models=FAST, workers=1)
    monkeypatch.setattr(mv.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(mv.os, "cpu_count", lambda: 64)
    started = []

    class Counted(_NoPool):
        def __init__(self, *args, **kwargs):
            started.append(args)
            super().__init__()

    monkeypatch.setattr(mv, "ProcessPoolExecutor", Counted)
    pd.testing.assert_frame_equal(mv.multiverse(small, models=FAST).table, one.table)
    assert not started


def test_the_order_of_the_studies_changes_no_number(review):
    small = small_review(review, 21, n_studies=6)
    shuffled = dataclasses.replace(small, studies=small.studies.iloc[::-1])
    keys = ["kind", "group", *mv.CHOICES[:5], "method", "test", "omitted_ref"]
    models = [("reml", "knha"), ("dl", "z"), ("ft", "z"), ("glmm", "z")]
    a, b = (
        mv.multiverse(r, models=models, workers=1).table.sort_values(keys).reset_index(drop=True)
        for r in (small, shuffled)
    )
    assert list(small.studies.index) != list(shuffled.studies.index)
    pd.testing.assert_frame_equal(a, b, check_exact=True)  # the fits sort the studies


def test_an_error_of_a_fit_itself_is_not_hidden_by_the_fallback(review, monkeypatch):
    small = small_review(review, 11, n_studies=4)

    def broken(key, level=0.95):
        raise ZeroDivisionError("a bug in a fit")

    monkeypatch.setattr(mv, "fit_key", broken)
    for workers in (1, 2):
        with pytest.raises(ZeroDivisionError, match="a bug in a fit"):
            mv.multiverse(small, models=FAST, workers=workers)


def test_every_choice_is_enumerated_once_per_group(review):
    small = small_review(review, 5, n_studies=6)
    t = mv.multiverse(small, models=FAST, workers=1).table
    keys = ["kind", "group", *mv.CHOICES[:5], "method", "test", "omitted_ref"]
    assert not t.duplicated(keys).any()
    base = t[t["omitted"] == mv.NONE_OMITTED]
    per_group = base.groupby(["kind", "group"]).size()
    assert (per_group == 2 * 2 * 2 * 2 * 3 * len(FAST)).all()


@pytest.mark.parametrize("seed", range(5))
def test_each_design_selects_the_studies_its_rule_names(review, seed):
    rng = np.random.default_rng(seed)
    studies = review.studies.copy()
    if seed:  # the real designs first, then designs and sizes drawn at random
        studies["design"] = rng.choice(
            ["case_report", "case_series", "controlled_trial"], len(studies)
        )
        studies["n_cases"] = np.where(
            studies["design"] == "case_report", 1, rng.integers(1, 8, len(studies))
        )
    changed = dataclasses.replace(review, studies=studies)
    every = pooling.events_per_study(changed, unit="lesions")
    rules = {
        "all": studies.index,
        "case_series": studies.index[studies["design"] == "case_series"],
        "multi_patient": studies.index[studies["n_cases"] > 1],
    }
    for design, refs in rules.items():
        got = pooling.events_per_study(changed, unit="lesions", design=design)
        assert set(got.index) == set(refs) & set(every.index), design
    pd.testing.assert_frame_equal(
        pooling.events_per_study(changed, case_series_only=True),
        pooling.events_per_study(changed, design="multi_patient"),
    )


@pytest.mark.parametrize("case_series_only", [False, True])
def test_the_settings_name_the_designs_that_enter(review, case_series_only):
    """Every design enters by default, the controlled trial too: the words say so (they
    said "case reports and case series")."""
    settings = pooling.Settings(case_series_only=case_series_only)
    design = "multi_patient" if case_series_only else "all"
    assert pooling.DESIGN_LABELS[design] in settings.describe()
    entering = pooling.events_per_study(review, **settings.selection)
    designs = set(review.studies.loc[entering.index, "design"])
    assert ("case_report" in designs) is not case_series_only
    assert "controlled_trial" in designs  # the trial enters either way


def test_a_conflicting_design_pair_is_refused_naming_both(review):
    with pytest.raises(ValueError, match=r"case_series_only=True and design='case_series'"):
        pooling.events_per_study(review, case_series_only=True, design="case_series")
    with pytest.raises(ValueError, match="design = 'trials' is not allowed"):
        pooling.events_per_study(review, design="trials")


def test_the_curve_counts_the_not_estimable_specifications(review):
    small = small_review(review, 2, n_studies=4)
    t = mv.multiverse(small, models=[("crude", "z"), ("glmm", "z")], workers=1).table
    for (kind, key), part in t.groupby(["kind", "group"], sort=False):
        fig = report.specification_curve(t, kind, key)
        n_not = int((~part["estimable"]).sum())
        alt = description(fig)
        assert f"{len(part)} specifications, {len(part) - n_not} estimable and {n_not} not" in alt
        texts = " ".join(
            [ax.get_title(loc="left") for ax in fig.axes]
            + [txt.get_text() for ax in fig.axes for txt in ax.texts]
        )
        assert f"{n_not} not estimable" in texts
        bars = fig.axes[3].patches  # the panel apart: not estimable specifications by option
        assert sum(p.get_width() for p in bars[:2]) == n_not  # the two outcomes: every spec once
        plt.close(fig)


def test_a_curve_with_no_estimate_draws_no_axis_of_positions(review):
    """A group whose every specification is not estimable (here, Er:YAG laser: one study,
    which is not pooled) has no positions to sort: the curve says so instead of an axis of
    made-up numbers; a group with estimates keeps its axis."""
    t = mv.multiverse(review, models=[("crude", "z")], leave_one_out=False, workers=1).table
    estimable = t.groupby(["kind", "group"], sort=False)["estimable"].any()
    assert estimable.any() and not estimable.all()
    for (kind, key), has_estimate in estimable.items():
        fig = report.specification_curve(t, kind, key)
        matrix = fig.axes[2]
        assert bool(len(matrix.get_xticks())) == has_estimate
        assert ("No estimable specification" in matrix.get_xlabel()) != has_estimate
        plt.close(fig)


def test_hostile_labels_are_escaped_in_the_figure_and_the_tables(review, tmp_path):
    small = small_review(review, 7, n_studies=5)
    small.studies["first_author"] = HOSTILE
    modalities = small.modalities.copy()
    modalities["label"] = HOSTILE + modalities["label"]
    small = dataclasses.replace(small, modalities=modalities)
    m = mv.multiverse(small, models=FAST, workers=1)
    assert m.table["label"].str.startswith(HOSTILE).any()
    images = report.show_curves(m.table, tmp_path)
    groups = m.table.drop_duplicates(["kind", "group"])
    assert len(images) == len(groups)
    for image, label in zip(images, groups["label"], strict=True):
        assert isinstance(image, FigureImage) and f"Specification curve of {label}:" in image.alt
    svgs = {p.stem: p.read_text(encoding="utf-8") for p in (tmp_path / "figures").glob("*.svg")}
    assert len(svgs) == len(images) and not any("<script>" in text for text in svgs.values())
    assert all("&lt;script&gt;" in text for name, text in svgs.items() if "-modality-" in name)
    # a "$" is a dollar sign, never mathtext (which would fail to parse, or render a command)
    assert all(
        "$\\nosuchcommand{x}^2$" in text for name, text in svgs.items() if "-modality-" in name
    )
    for table in (report.summary_table(m.summary()), report.choices_table(m)):
        page = report_html(table)
        assert "<script>" not in page
    assert "&lt;script&gt;" in report_html(report.summary_table(m.summary()))
    assert report.front_page_rows(m.summary())[0][0].startswith(HOSTILE)  # the template escapes
    written = report.write_multiverse(m, tmp_path)
    back = report.read_summary(written[1])
    pd.testing.assert_frame_equal(
        back[["label", "choice_low", "choice_high"]],
        m.summary()[["label", "choice_low", "choice_high"]].astype(str),
    )


def report_html(table: pd.DataFrame) -> str:
    from helpers.report.tables import text_table

    return text_table(table, name="t").to_html()


def test_the_summary_csv_reads_back_as_written_and_in_words(review, tmp_path):
    small = small_review(review, 1, n_studies=6)
    m = mv.multiverse(small, models=FAST, workers=1)
    _, path = report.write_multiverse(m, tmp_path)
    back = report.read_summary(path)
    rows = report.front_page_rows(back)
    assert len(rows) == len(m.summary()) and all(
        len(r) == len(report.FRONT_PAGE_COLUMNS) for r in rows
    )
    assert report.front_page_rows(back) == report.front_page_rows(m.summary())
    for row, (_, s) in zip(rows, m.summary().iterrows(), strict=True):
        assert row[1] == str(s["specifications"]) and row[2] == str(s["not_estimable"])


@pytest.mark.parametrize("majority", [0.5, 0.6])
def test_the_reports_words_name_the_threshold_the_summary_uses(monkeypatch, majority):
    """The summary rule's and the curves' paragraphs state the threshold from the constant
    the summary and the figure use, never a typed 50%."""
    monkeypatch.setattr(report, "MAJORITY", majority)
    threshold = f"{100 * majority:.0f}%"
    assert f"entirely above {threshold}" in report.summary_rule_text()
    assert f"against {threshold} (dashed line)" in report.curves_text()
