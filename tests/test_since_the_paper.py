"""What changed since the paper (helpers.analysis.changes, helpers.report.since_the_paper, the
index's section): nothing on the paper's data; exactly the studies an update adds, and
nothing else, once it adds some; a file that reads back as written and stays harmless."""

from __future__ import annotations

import csv
import datetime as dt
import math
import shutil

import pandas as pd
import pytest

from helpers import load_review
from helpers.analysis import changes, pooling
from helpers.build import execute, index
from helpers.data.escape import FORMULA_START
from helpers.data.paths import DATA_DIR
from helpers.report import since_the_paper

from tests_support import add_study, open_edition, read_rows, reseal, write_rows

#: The synthetic studies an update adds: (modality, patients, complete responders).
ADDED = (("topical_sts", 5, 2), ("eswl", 3, 0), ("diode_laser", 2, 2))
#: A modality of several studies that the update leaves alone.
UNCHANGED = "intralesional_sts"
#: Hostile study names: formulas for a spreadsheet (a study name cannot hold markup).
HOSTILE = ("=cmd()", "@SUM(1)")
#: Markup for a page, in the label of the first added study's modality.
MARKUP = "<script>alert(1)</script>"

PAPER, NOW = changes.WHEN
BUILT = dt.datetime(2021, 6, 24, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def untouched(review):
    return changes.then_and_now(review)


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """The review with an update of three synthetic studies, and their references."""
    folder = tmp_path_factory.mktemp("grown") / "data"
    shutil.copytree(DATA_DIR, folder)
    edition = open_edition(folder)
    refs = [add_study(folder, m, n_cases=n, complete=c, edition=edition) for m, n, c in ADDED]
    return load_review(folder), refs, edition


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """An update whose two studies' first authors are formulas, one of them in a modality
    labelled with markup."""
    folder = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(DATA_DIR, folder)
    edition = open_edition(folder)
    refs = [
        add_study(folder, m, n_cases=n, complete=c, edition=edition)
        for m, n, c in ADDED[: len(HOSTILE)]
    ]
    rows = read_rows(folder / "studies.csv")
    ref_at, author_at = rows[0].index("ref"), rows[0].index("first_author")
    names = dict(zip(map(str, refs), HOSTILE, strict=True))
    for row in rows[1:]:
        row[author_at] = names.get(row[ref_at], row[author_at])
    write_rows(folder / "studies.csv", rows)
    rows = read_rows(folder / "vocabularies" / "modalities.csv")
    for row in rows[1:]:
        if row[rows[0].index("modality")] == ADDED[0][0]:
            row[rows[0].index("label")] = MARKUP
    write_rows(folder / "vocabularies" / "modalities.csv", rows)
    reseal(folder, "a test labels a modality with markup")
    return load_review(folder), refs, edition


def test_at_the_paper_s_edition_nothing_is_added(review):
    review = review.paper_edition()
    untouched = changes.then_and_now(review)
    added = changes.studies_added(review)
    assert added.empty and list(added.columns) == changes.ADDED_COLUMNS
    assert list(untouched.columns) == changes.THEN_AND_NOW_COLUMNS
    assert list(untouched["modality"]) == list(review.modalities.index)
    assert (untouched["studies_change"] == 0).all() and (untouched["patients_change"] == 0).all()
    assert (untouched["added"] == "").all()
    for column in changes.THEN_AND_NOW_COLUMNS:
        if column.endswith(f"_{PAPER}"):
            then, now = untouched[column], untouched[column.replace(f"_{PAPER}", f"_{NOW}")]
            if column.startswith("edition_"):
                continue
            pd.testing.assert_series_equal(then, now, check_names=False)
    paper = review.paper_edition()
    assert untouched["studies_paper"].sum() == paper.n_studies
    assert untouched["patients_paper"].sum() == paper.n_patients


def test_the_estimates_are_notebook_04_s_primary_model_and_a_single_study_has_none(
    review, untouched
):
    paper = review.paper_edition()  # the paper's side of the table
    fits = pooling.fit_groups(pooling.events_per_study(paper), paper)
    rows = untouched.set_index("modality")
    assert (rows["model_paper"] == pooling.SINGLE_STUDY).any()
    for modality, row in rows.iterrows():
        result = fits[("modality", modality)].result
        if result.k == 1:
            assert row["model_paper"] == pooling.SINGLE_STUDY
            assert math.isnan(row["proportion_paper"]) and math.isnan(row["ci_low_paper"])
        elif result.converged:
            assert row["model_paper"] == fits[("modality", modality)].model
            assert (row["proportion_paper"], row["ci_low_paper"], row["ci_high_paper"]) == (
                result.proportion,
                result.ci_low,
                result.ci_high,
            )
        else:
            assert math.isnan(row["proportion_paper"])


def test_an_update_adds_exactly_its_studies(grown, review):
    grown_review, refs, edition = grown
    before = set(changes.studies_added(review)["ref"])
    added = changes.studies_added(grown_review)
    added = added[~added["ref"].isin(before)]
    review = grown_review
    assert sorted(added["ref"]) == sorted(refs)
    assert set(added["edition"]) == {edition}
    labels = review.modalities["label"]
    assert list(added["modality"]) == [labels[m] for m, _, _ in ADDED]
    assert list(added["patients"]) == [n for _, n, _ in ADDED]
    assert list(added["responders"]) == [n for _, n, _ in ADDED]  # all complete or partial


def test_then_and_now_changes_by_exactly_what_was_added(grown, untouched):
    review, refs, edition = grown
    table = changes.then_and_now(review).set_index("modality")
    before = untouched.set_index("modality")
    studies = dict.fromkeys(review.modalities.index, 0)
    patients = dict.fromkeys(review.modalities.index, 0)
    for modality, n, _ in ADDED:
        studies[modality] += 1
        patients[modality] += n
    assert (table["studies_change"] - before["studies_change"]).to_dict() == studies
    assert (table["patients_change"] - before["patients_change"]).to_dict() == patients
    assert (table["studies_now"] - before["studies_now"]).to_dict() == studies
    assert (table["edition_now"] == edition).all()
    # the paper's side is the paper's, whatever the update added
    paper_columns = [c for c in changes.THEN_AND_NOW_COLUMNS if c.endswith(f"_{PAPER}")]
    pd.testing.assert_frame_equal(table[paper_columns], before[paper_columns])
    for (modality, _, _), ref in zip(ADDED, refs, strict=True):
        assert f"[{ref}]" in table.loc[modality, "added"]
    assert table.loc[UNCHANGED, "added"] == before.loc[UNCHANGED, "added"]


def test_an_unchanged_modality_keeps_its_estimate(grown, untouched):
    review, _, _ = grown
    row = changes.then_and_now(review).set_index("modality").loc[UNCHANGED]
    before = untouched.set_index("modality").loc[UNCHANGED]
    assert row["studies_change"] == before["studies_change"]
    for what in ("model", "proportion", "ci_low", "ci_high"):
        for when in (PAPER, NOW):
            assert row[f"{what}_{when}"] == before[f"{what}_{when}"] or (
                what != "model" and math.isnan(row[f"{what}_{when}"])
            )


def test_at_the_paper_s_edition_an_update_is_not_compared(grown):
    review, _, edition = grown
    paper = review.paper_edition()
    assert changes.studies_added(paper).empty
    assert (changes.then_and_now(paper)["studies_change"] == 0).all()
    sentence = since_the_paper.show_added(paper).data
    assert "not compared" in sentence and edition.replace("-", "\\-") in sentence


def test_the_file_reads_back_as_written(grown, tmp_path):
    review, _, _ = grown
    table = changes.then_and_now(review)
    path = since_the_paper.write_since_the_paper(table, tmp_path)
    assert path.name == since_the_paper.SINCE_THE_PAPER_CSV
    back = since_the_paper.read_since_the_paper(path)
    pd.testing.assert_frame_equal(back, table, check_dtype=False, atol=1e-6)
    assert since_the_paper.write_since_the_paper(table, None) is None


def test_a_file_without_the_columns_is_refused(tmp_path):
    path = tmp_path / since_the_paper.SINCE_THE_PAPER_CSV
    path.write_text("modality,label\nx,y\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no column"):
        since_the_paper.read_since_the_paper(path)


def test_hostile_text_is_harmless_in_the_file_and_the_index(hostile, tmp_path):
    review, refs, edition = hostile
    assert set(changes.studies_added(review)["first_author"]) >= set(HOSTILE)
    table = changes.then_and_now(review)
    out = tmp_path / "out"
    path = since_the_paper.write_since_the_paper(table, out / "runs" / "since")
    with path.open(encoding="utf-8", newline="") as f:
        texts = [c for row in csv.reader(f, quoting=csv.QUOTE_NONNUMERIC) for c in row]
    texts = [c for c in texts if isinstance(c, str)]  # the quoted cells: every text
    assert any(HOSTILE[0] in c for c in texts)
    assert not [c for c in texts if c.startswith(FORMULA_START)]
    back = since_the_paper.read_since_the_paper(path)
    years = review.studies["year"]
    shown = " ".join(back["added"])
    for name, ref in zip(HOSTILE, refs, strict=True):
        assert f"{name} {years[ref]} [{ref}]" in shown
    result = execute.RunResult(
        "since",
        "07_since_the_paper.ipynb",
        "t",
        {},
        "ok",
        0.0,
        files={"artifacts": [f"runs/since/{since_the_paper.SINCE_THE_PAPER_CSV}"]},
    )
    (section,) = index.since_the_paper_sections(out, [result])
    assert section["now"] == edition
    page = index.write_index([result], out, "0" * 64, BUILT)
    html = page.read_text(encoding="utf-8")
    assert "Since the paper" in html and MARKUP not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"{HOSTILE[0]} " in html and f"&#39;{HOSTILE[0]}" not in html  # shown as typed


def test_the_index_says_so_when_no_run_wrote_the_file(tmp_path):
    result = execute.RunResult("x", "01_extraction.ipynb", "t", {}, "ok", 0.0, files={})
    assert index.since_the_paper_sections(tmp_path, [result]) == []
    page = index.write_index([result], tmp_path, "0" * 64, BUILT)
    html = page.read_text(encoding="utf-8")
    assert "What changed since the paper was not built in this build" in html
    assert "<th>" not in html.split('id="since-the-paper"')[1].split("<h2")[0]  # no table
