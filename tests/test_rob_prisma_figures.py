"""Risk of bias (rule, appraisal files, plots), the PRISMA flow, and the report's figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers import DataValidationError, load_review
from helpers.analysis import prisma, rob
from helpers.data.appraisals import ANSWERS, CHECKLIST_FOR_DESIGN, load_appraisals
from helpers.data.paths import PROJECT_ROOT
from helpers.report import figures, prisma_flow, risk_of_bias

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "appraisals_synthetic.csv"


@pytest.mark.parametrize(
    "share, expected",
    [
        (0.76, "low"),
        (0.75, "moderate"),
        (0.5, "moderate"),
        (0.49, "high"),
        (1.0, "low"),
        (0.0, "high"),
    ],
)
def test_rating_rule_uses_strict_thresholds(share, expected):
    assert rob.paper_rating(share) == expected


def test_not_applicable_leaves_the_denominator(review):
    ratings = rob.rate(load_appraisals(FIXTURE, review), review)
    for _ref, row in ratings.iterrows():
        assert row["applicable"] == row["yes"] + row["no"] + row["unclear"]
        assert row["share_yes"] == pytest.approx(row["yes"] / row["applicable"])
        assert row["rating"] == rob.paper_rating(row["share_yes"])
    with_na = ratings[ratings["not_applicable"] > 0]
    assert not with_na.empty  # the fixture exercises the rule


def test_checklists_match_designs(review):
    q = review.jbi_questions
    sizes = q.groupby(level="checklist").size().to_dict()
    assert sizes == {"case_report": 8, "case_series": 10, "controlled_trial": 13}
    assert set(review.studies["design"]) <= set(CHECKLIST_FOR_DESIGN)
    assert q["text"].str.endswith("?").all()


def test_no_appraisal_ships_with_the_data(review):
    """The paper's per-study answers are unpublished: the data folder holds none."""
    names = {p.name for p in review.data_dir.rglob("*")}
    assert not any("apprais" in n for n in names)


def _write(tmp_path, rows):
    path = tmp_path / "appraisals.csv"
    pd.DataFrame(rows, columns=["ref", "question", "answer"]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "rows, rule, column",
    [
        ([(999, 1, "yes")], "study included", "ref"),
        ([(59, 9, "yes")], "question of the checklist", "question"),
        ([(59, 1, "maybe")], "answer allowed", "answer"),
        (
            [(59, q, "yes") for q in range(1, 9)] + [(59, 1, "no")],
            "one answer per question",
            "question",
        ),
        ([(59, 1, "yes")], "every question answered", "question"),
    ],
)
def test_bad_appraisals_are_named(tmp_path, review, rows, rule, column):
    with pytest.raises(DataValidationError) as info:
        load_appraisals(_write(tmp_path, rows), review)
    assert any(p.rule == rule and p.column == column for p in info.value.problems), str(info.value)


def test_risk_of_bias_plots(review):
    appraisals = load_appraisals(FIXTURE, review)
    tl = risk_of_bias.traffic_light(appraisals, review)
    studies = appraisals["ref"].nunique()
    assert len(tl.axes[0].get_yticks()) == studies
    assert (
        len(tl.axes[0].collections) == len(appraisals) + studies
    )  # one dot per answer, one square per rating
    sp = risk_of_bias.summary_plot(appraisals, review, weighted=True)
    bars = [p.get_width() for p in sp.axes[0].patches]
    n_questions = len(set(zip(appraisals["checklist"], appraisals["question"], strict=True)))
    assert len(bars) == len(ANSWERS) * n_questions
    plt.close("all")


@pytest.mark.parametrize("weighted", [False, True])
def test_risk_of_bias_plots_say_what_they_show(review, weighted):
    from helpers.analysis.rob import rate
    from helpers.report.figures import description

    appraisals = load_appraisals(FIXTURE, review)
    ratings = rate(appraisals, review)["rating"].value_counts()
    text = description(risk_of_bias.traffic_light(appraisals, review))
    assert f"of {appraisals['ref'].nunique()} studies" in text
    assert all(f"{n} {r}" in text for r, n in ratings.items())
    text = description(risk_of_bias.summary_plot(appraisals, review, weighted=weighted))
    n_questions = len(set(zip(appraisals["checklist"], appraisals["question"], strict=True)))
    assert f"answers to {n_questions} JBI" in text
    assert ("weighted by patients" in text) is weighted
    plt.close("all")


def test_paper_distribution_comes_from_the_claims(review):
    review = review.paper_edition()  # the studies the paper rated
    dist = rob.paper_distribution(review)
    assert list(dist.index) == list(rob.RATINGS)
    assert (
        int(dist.iloc[:, 0].sum()) == review.n_studies
    )  # the paper's 10 + 19 + 11 covers every study


def test_prisma_checks_what_it_can(review):
    review = review.paper_edition()  # the flow the paper's text gives
    done = prisma.check_flow(review.prisma)
    assert any(d.startswith("reports_excluded") for d in done)
    assert review.prisma.loc["studies_included", "count"] == review.n_studies
    assert review.prisma.loc["patients_included", "count"] == review.n_patients


def test_prisma_flow_that_does_not_add_up_is_rejected(data_copy):
    path = data_copy / "prisma.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("insufficient data,5,", "insufficient data,6,"),
        encoding="utf-8",
    )
    with pytest.raises(
        DataValidationError,
        match="reports_excluded is 8, but the sum of the exclusion reasons gives 9",
    ):
        prisma.check_flow(load_review(data_copy).prisma)


def test_prisma_diagram_says_not_reported(review):
    fig = prisma_flow.diagram(review)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sum(prisma_flow.NOT_REPORTED in t for t in texts) >= 5
    assert any(f"n = {review.n_studies}" in t for t in texts)
    plt.close(fig)


@pytest.mark.parametrize("name", list(figures.ALL))
def test_every_figure_draws_from_the_data(name, review):
    fig = figures.ALL[name](review)
    assert fig.axes and any(ax.has_data() for ax in fig.axes)
    plt.close(fig)


def test_figures_accept_an_axes(review):
    fig, ax = plt.subplots()
    assert figures.response_by_modality(review, ax=ax) is fig
    plt.close(fig)


def test_response_figure_follows_the_data(data_copy):
    """A study added to a modality changes its bar: the figure is a function of the data."""
    from tests_support import add_study

    before = figures.response_by_modality(load_review(data_copy))
    widths_before = [p.get_width() for p in before.axes[0].patches]
    add_study(data_copy, modality="eswl", n_cases=10, complete=10)
    after = figures.response_by_modality(load_review(data_copy))
    assert [p.get_width() for p in after.axes[0].patches] != widths_before
    plt.close("all")


@pytest.mark.parametrize(
    "text, column",
    [
        ("ref,question,answer,answer\n59,1,yes,no\n", "answer"),  # the last would silently win
        ("ref,ref,question,answer\n59,13,1,yes\n", "ref"),
    ],
)
def test_a_repeated_appraisal_column_is_refused(tmp_path, review, text, column):
    path = tmp_path / "appraisals.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_appraisals(path, review)
    (problem,) = info.value.problems
    assert problem.column == column and "more than once" in problem.message


def test_appraisal_messages_name_plain_numbers(tmp_path, review):
    with pytest.raises(DataValidationError) as info:
        load_appraisals(_write(tmp_path, [(59, 1, "yes")]), review)
    assert "np." not in str(info.value) and "[2, 3, 4, 5, 6, 7, 8]" in str(info.value)


def test_a_study_not_rated_is_counted(review):
    ratings = pd.DataFrame({"rating": ["low", "not rated"]})
    assert rob.distribution(ratings)["studies"].to_dict() == {
        "low": 1,
        "moderate": 0,
        "high": 0,
        "not rated": 1,
    }


def test_no_value_falls_off_a_log_axis(data_copy):
    """Zero diameters and durations are drawn (a log axis would drop them silently)."""
    from helpers import load_review

    from tests_support import read_rows, reseal, write_rows

    rows = read_rows(data_copy / "studies.csv")
    i = rows[0].index("largest_diameter_cm")
    for row in rows[1:]:
        row[i] = "0" if row[i] else ""
    write_rows(data_copy / "studies.csv", rows)
    reseal(data_copy)
    review = load_review(data_copy, cache=False)
    fig = figures.lesion_size_and_outcome(review)
    ax = fig.axes[0]
    left, right = ax.get_xlim()
    drawn = [x for c in ax.collections for x, _ in c.get_offsets()]
    assert drawn and all(left <= x <= right for x in drawn) and left == 0
    assert len(drawn) == int(
        review.studies["largest_diameter_cm"].notna().sum()
        - (
            review.outcomes.loc[review.studies["largest_diameter_cm"].notna(), "response_unit"]
            == "lesions"
        ).sum()
    )
